"""One event, many sources: linking at import, the index counting an event once, review.

Records come from small importers of their own ("source_a", "source_b"...), as datasets do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from comity.access import Role, Viewer
from comity.errors import NotFoundError, PermissionDeniedError
from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer
from comity.linkage.events import EventLink, Member, event_groups, precedence_key
from comity.linkage.model import score_pairs
from comity.linkage.records import LinkRecord, record_table
from comity.services import links as link_service
from comity.services.analytics import compute_dyad_years
from comity.services.engagements import count_by_kind
from comity.services.imports import import_dataset
from comity.store import Store
from comity.store.tables_links import record_links

OPERATOR = Viewer.operator("tests")
US = Viewer(name="viewer.usa", nation="USA", role=Role.VIEWER)
FR = Viewer(name="viewer.fra", nation="FRA", role=Role.VIEWER)
US_PLANNER = Viewer(name="planner.usa", nation="USA", role=Role.PLANNER)


class _Source(Importer):
    """A dataset of hand-made engagements (``records``: the fields of each)."""

    def __init__(self, name: str, records: Sequence[dict[str, Any]]) -> None:
        self.info = DatasetInfo(
            name=name,
            title=name,
            files=(),
            citation="tests",
            licence="tests",
            version="1",
            becomes="engagements",
        )
        self.records = list(records)

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        batch = Batch()
        for number, data in enumerate(self.records, start=1):
            batch.rows_read += 1
            engagement = context.engagement(
                {
                    **data,
                    "external_id": f"{self.info.name}:{number}",
                    "provenance": {"dataset": self.info.name, "version": "1", "row": str(number)},
                },
                file="rows",
                row=number,
            )
            if engagement is not None:
                batch.engagements.append(engagement)
        return batch


def _exercise(
    title: str | None, start: str, nations: Sequence[str], **extra: Any
) -> dict[str, Any]:
    return {
        "kind": "exercise",
        "title": title or "untitled",
        "start": start,
        "participants": [{"nation": n} for n in nations],
        **extra,
    }


def _import(store: Store, tmp_path: Path, name: str, records: Sequence[dict[str, Any]]) -> Any:
    path = tmp_path / f"{name}.txt"
    path.write_text("rows\n", encoding="utf-8")
    return import_dataset(store, _Source(name, records), [path], viewer=OPERATOR)


def _index(store: Store, viewer: Viewer, a: str, b: str, year: int) -> float:
    table = compute_dyad_years(store, viewer, use_cache=False).table
    one, two = sorted((a, b))
    for row in table.select(["iso3_1", "iso3_2", "year", "index"]).to_pylist():
        if (row["iso3_1"], row["iso3_2"], row["year"]) == (one, two, year):
            return float(row["index"] or 0.0)
    return 0.0


def _statuses(store: Store) -> list[tuple[str, str | None]]:
    with store.connect() as connection:
        rows = connection.execute(
            select(record_links.c.status, record_links.c.decided_by).order_by(record_links.c.id)
        ).all()
    return [(row.status, row.decided_by) for row in rows]


BALIKATAN = _exercise("Balikatan 2015", "2015-04-20", ["PHL", "USA"], host="PHL")
BALIKATAN_B = _exercise("BALIKATAN 15", "2015-04-21", ["USA", "PHL"], host="PHL")


def test_the_same_event_from_two_sources_links_at_import_and_counts_once(
    any_store: Store, tmp_path: Path
) -> None:
    store = any_store
    _import(store, tmp_path, "source_a", [BALIKATAN])
    alone = _index(store, OPERATOR, "USA", "PHL", 2015)
    report = _import(store, tmp_path, "source_b", [BALIKATAN_B])
    assert (report.linked, report.to_review) == (1, 0)
    assert _statuses(store) == [("linked", None)]
    assert alone > 0
    assert _index(store, OPERATOR, "USA", "PHL", 2015) == pytest.approx(alone)
    # A nation's count of engagements counts the event once too.
    assert count_by_kind(store, OPERATOR, "PHL") == {"exercise": 1}


def test_two_events_on_one_day_between_the_same_nations_stay_two(
    store: Store, tmp_path: Path
) -> None:
    cope = _exercise("Cope Thunder 2015", "2015-04-20", ["PHL", "USA"], host="PHL")
    _import(store, tmp_path, "source_a", [BALIKATAN, cope])
    both = _index(store, OPERATOR, "USA", "PHL", 2015)
    _import(store, tmp_path, "source_b", [BALIKATAN_B])
    # Balikatan is one event in two sources, Cope Thunder another: two events, as before.
    assert _index(store, OPERATOR, "USA", "PHL", 2015) == pytest.approx(both)
    listed = link_service.list_links(store, OPERATOR, status="linked")
    assert [sorted(r["title"] for r in link["records"]) for link in listed] == [
        ["BALIKATAN 15", "Balikatan 2015"]
    ]


def test_a_multilateral_exercise_missing_a_nation_in_one_source_links_and_counts_once(
    store: Store, tmp_path: Path
) -> None:
    nations = ["USA", "AUS", "CAN", "JPN", "KOR", "CHL"]
    _import(store, tmp_path, "source_a", [_exercise("RIMPAC 2010", "2010-06-23", nations[:-1])])
    alone = _index(store, OPERATOR, "USA", "AUS", 2010)
    report = _import(store, tmp_path, "source_b", [_exercise("RIMPAC 2010", "2010-06-23", nations)])
    assert report.linked == 1
    # The event counts once, as its first record (stored first, as precise) records it; its
    # page shows which record gives Chile, for a person to settle.
    assert _index(store, OPERATOR, "USA", "AUS", 2010) == pytest.approx(alone)
    assert _index(store, OPERATOR, "USA", "CHL", 2010) == 0.0
    event = link_service.event_of(store, OPERATOR, 2)
    assert event["event"] == 1
    assert sorted(event["nations"]) == sorted(nations)
    assert event["nations"]["CHL"] == [2] and event["nations"]["USA"] == [1, 2]


def test_a_record_the_viewer_may_not_see_neither_links_nor_unlinks(
    any_store: Store, tmp_path: Path
) -> None:
    store = any_store
    _import(store, tmp_path, "source_a", [BALIKATAN])
    french_before = _index(store, FR, "USA", "PHL", 2015)
    hidden = {**BALIKATAN_B, "releasability": "REL USA"}
    report = _import(store, tmp_path, "source_b", [hidden])
    assert report.linked == 1
    # France sees source A alone, exactly as before; the USA sees one event, counted once.
    assert _index(store, FR, "USA", "PHL", 2015) == pytest.approx(french_before)
    assert _index(store, US, "USA", "PHL", 2015) == pytest.approx(french_before)
    assert link_service.list_links(store, FR, status="linked") == []
    assert len(link_service.list_links(store, US, status="linked")) == 1
    with pytest.raises(NotFoundError):
        link_service.get_link(store, FR, 1)


def test_a_hidden_record_does_not_join_two_records_a_viewer_sees(
    store: Store, tmp_path: Path
) -> None:
    # X and Y are seen by all; H (REL USA) is the only bridge between them.
    x = _exercise("Sea Breeze 2012", "2012-07-09", ["UKR", "USA"], host="UKR")
    y = _exercise(None, "2012-07", ["UKR", "USA", "GEO"], location="Odessa")
    h = _exercise("Sea Breeze 2012", "2012-07-09", ["UKR", "USA", "GEO"], host="UKR")
    _import(store, tmp_path, "source_a", [x])
    _import(store, tmp_path, "source_c", [y])
    french_before = _index(store, FR, "USA", "UKR", 2012)
    _import(store, tmp_path, "source_b", [{**h, "releasability": "REL USA"}])
    assert _index(store, FR, "USA", "UKR", 2012) == pytest.approx(french_before)


def test_importing_again_changes_no_link_and_keeps_decisions(
    any_store: Store, tmp_path: Path
) -> None:
    store = any_store
    _import(store, tmp_path, "source_a", [BALIKATAN])
    _import(store, tmp_path, "source_b", [BALIKATAN_B])
    [link] = link_service.list_links(store, OPERATOR, status="linked")
    link_service.reject_link(store, OPERATOR, link["id"], "two drills, one name")
    before = _statuses(store)
    again = _import(store, tmp_path, "source_b", [BALIKATAN_B])
    assert (again.added, again.updated, again.linked) == (0, 0, 0)
    assert _statuses(store) == before == [("rejected", "tests")]
    # A changed record is scored again: the person's decision stands.
    changed = {**BALIKATAN_B, "location": "Luzon"}
    updated = _import(store, tmp_path, "source_b", [changed])
    assert updated.updated == 1
    assert _statuses(store)[0][0] == "rejected"


def test_undo_and_split(store: Store, tmp_path: Path) -> None:
    _import(store, tmp_path, "source_a", [BALIKATAN])
    _import(store, tmp_path, "source_b", [BALIKATAN_B])
    [link] = link_service.list_links(store, OPERATOR, status="linked")
    done = link_service.split_record(store, OPERATOR, link["right"], "not the same")
    assert [d["status"] for d in done] == ["rejected"]
    two = _index(store, OPERATOR, "USA", "PHL", 2015)
    undone = link_service.undo_link(store, OPERATOR, link["id"])
    assert (undone["status"], undone["decided_by"]) == ("linked", None)
    assert _index(store, OPERATOR, "USA", "PHL", 2015) < two
    accepted = link_service.accept_link(store, OPERATOR, link["id"], "checked the orders")
    assert (accepted["status"], accepted["decided_by"], accepted["reason"]) == (
        "linked",
        "tests",
        "checked the orders",
    )


def test_deciding_needs_a_planner_of_an_owning_nation(store: Store, tmp_path: Path) -> None:
    _import(store, tmp_path, "source_a", [BALIKATAN])
    _import(store, tmp_path, "source_b", [BALIKATAN_B])
    [link] = link_service.list_links(store, OPERATOR, status="linked")
    with pytest.raises(PermissionDeniedError):
        link_service.reject_link(store, US, link["id"])
    # Both records are the installation's (bundled-like imports): only its operator decides.
    with pytest.raises(PermissionDeniedError, match="the installation"):
        link_service.reject_link(store, US_PLANNER, link["id"])


def test_within_one_source_a_pair_waits_for_review(store: Store, tmp_path: Path) -> None:
    report = _import(store, tmp_path, "source_a", [BALIKATAN, BALIKATAN_B])
    assert (report.linked, report.to_review) == (0, 1)
    [waiting] = link_service.list_links(store, OPERATOR)
    assert waiting["status"] == "review"
    assert waiting["explanation"]["nations"]["level"] == "same nations"
    assert waiting["explanation"]["nations"]["weight"] > 0
    with store.connect() as connection:
        assert connection.execute(select(func.count()).select_from(record_links)).scalar() == 1


def test_precedence_puts_a_curated_precise_record_first() -> None:
    members = [
        Member(3, "mme_exercises", "day"),
        Member(1, "mme_exercises", "month"),
        Member(2, None, "year"),
        Member(4, "second", "day"),
    ]
    assert [m.id for m in sorted(members, key=precedence_key)] == [2, 3, 4, 1]


def test_events_keep_one_record_of_each_other_source() -> None:
    def link(left: int, right: int, p: float, decided: bool = False) -> EventLink:
        sources = {1: "a", 2: "b", 3: "b", 4: "c"}
        return EventLink(
            left,
            right,
            p,
            decided,
            (sources[left], sources[right]),
            ("day", "day"),
            (date(2015, 1, 1), date(2015, 1, 1)),
        )

    # Record 1 of source a matches two records of source b: the likelier (2) wins.
    groups = event_groups([link(1, 2, 0.999), link(1, 3, 0.995), link(3, 4, 0.999)])
    assert sorted(sorted(m.id for m in g) for g in groups.values()) == [[1, 2], [3, 4]]
    # A person's decision stands beside the model's choice.
    groups = event_groups([link(1, 2, 0.999), link(1, 3, 0.995, decided=True)])
    assert sorted(sorted(m.id for m in g) for g in groups.values()) == [[1, 2, 3]]


def _series(count: int, source: str = "series", first_id: int = 1) -> list[LinkRecord]:
    """``count`` records of one numbered series on one day between the same two nations."""
    return [
        LinkRecord(
            id=first_id + n,
            source=source,
            within=True,
            kind="exercise",
            year=2015,
            month="2015-03",
            day=date(2015, 3, 2),
            host=None,
            nations=("FRA", "USA"),
            programme=None,
            title=f"Series {first_id + n}",
            location=None,
        )
        for n in range(count)
    ]


def test_a_record_keeps_its_few_likeliest_candidates_of_each_source() -> None:
    records = _series(12)
    everything = score_pairs(record_table(records), candidates=100)
    assert len(everything) == 12 * 11 // 2  # every pair is likely: same day, nations, series
    capped = score_pairs(record_table(records), candidates=2)
    assert {(p.left, p.right) for p in capped} < {(p.left, p.right) for p in everything}
    # Each kept pair is among the two likeliest of one of its records.
    ranked: dict[int, list[tuple[float, int]]] = {r.id: [] for r in records}
    for p in everything:
        ranked[p.left].append((-p.probability, p.right))
        ranked[p.right].append((-p.probability, p.left))
    best = {key: {other for _, other in sorted(values)[:2]} for key, values in ranked.items()}
    for p in capped:
        assert p.right in best[p.left] or p.left in best[p.right]
    for key in best:  # and each record's two likeliest are kept
        kept = {p.right for p in capped if p.left == key} | {
            p.left for p in capped if p.right == key
        }
        assert best[key] <= kept
    # A second source gets its own candidates: the cap is per record and source.
    both = score_pairs(record_table(records + _series(3, "other", 100)), candidates=2)
    crossing = [p for p in both if (p.left < 100) != (p.right < 100)]
    assert {p.left for p in crossing} == {r.id for r in records}
