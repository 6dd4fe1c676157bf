"""What linking reads and which pairs it compares: the columns read from the store, the table
the model reads, the blocking rules within one source, and the links an import rewrites."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from comity.linkage.model import score_pairs
from comity.linkage.records import LinkColumns, LinkRecord, link_record, normal_text, record_table
from comity.services import links as link_service
from comity.store import Store
from comity.store import links as link_store
from comity.store.tables_links import record_links
from tests.test_links import _exercise, _import

_BASE = LinkRecord(
    id=1,
    source="a",
    within=True,
    kind="exercise",
    year=2015,
    month="2015-03",
    day=date(2015, 3, 2),
    host="USA",
    nations=("FRA", "USA"),
    programme=None,
    title="Alpha Strike",
    location=None,
)


def _pairs(records: list[LinkRecord]) -> set[tuple[int, int]]:
    """Every blocked pair, scored or not (no threshold, no cap)."""
    return {
        (p.left, p.right)
        for p in score_pairs(record_table(records), threshold=0.0, candidates=1_000)
    }


def test_one_source_is_compared_with_itself_on_the_tight_rules_only() -> None:
    # Same kind, month and host, other day, nations and title: two events of one source.
    other = replace(
        _BASE, id=2, day=date(2015, 3, 20), nations=("GBR", "USA"), title="Bravo Shield"
    )
    assert _pairs([_BASE, other]) == set()
    # On one day they are compared.
    assert _pairs([_BASE, replace(other, day=_BASE.day)]) == {(1, 2)}
    # The same pair across two sources is compared (one month, and one year and host).
    assert _pairs([_BASE, replace(other, source="b")]) == {(1, 2)}
    assert _pairs([_BASE, replace(other, source="b", month="2015-09", day=None)]) == {(1, 2)}
    # Within one source: one year and the same nations, title or programme.
    same_nations = replace(other, nations=("USA", "FRA"), month="2015-11", day=None)
    same_title = replace(other, id=3, title="Alpha Strike", month="2015-12", day=None)
    assert _pairs([_BASE, same_nations, same_title]) == {(1, 2), (1, 3)}
    with_programme = [
        replace(_BASE, programme="Pacific Partnership"),
        replace(other, programme="Pacific Partnership"),
    ]
    assert _pairs(with_programme) == {(1, 2)}
    # A source of distinct records is not compared with itself at all.
    distinct = [replace(r, within=False) for r in (_BASE, same_nations)]
    assert _pairs(distinct) == set()


def _reference_table(records: list[LinkRecord]) -> list[dict[str, Any]]:
    """The table's rows computed one record at a time (the definition the columns must keep)."""
    rows = []
    for r in records:
        nations = sorted(set(r.nations))
        rows.append(
            {
                "unique_id": r.id,
                "source": r.source,
                "within": r.within,
                "kind": r.kind,
                "year": r.year,
                "month": r.month,
                "day": r.day,
                "host": r.host,
                "nations": nations,
                "nations_key": " ".join(nations),
                "programme": normal_text(r.programme),
                "title": normal_text(r.title),
                "location": normal_text(r.location),
            }
        )
    return rows


_TEXTS = st.one_of(
    st.none(),
    st.sampled_from(["Cobra Gold '08", "Pacific Partnership", "Défilé 2015", "mme12", ""]),
    st.text(max_size=12),
)
_RECORDS = st.lists(
    st.builds(
        lambda key, nations, programme, title, location, within: replace(
            _BASE,
            id=key,
            within=within,
            nations=tuple(nations),
            programme=programme,
            title=title,
            location=location,
        ),
        st.integers(1, 10_000),
        st.lists(st.sampled_from(["FRA", "USA", "GBR", "DEU"]), max_size=5),
        _TEXTS,
        _TEXTS,
        _TEXTS,
        st.booleans(),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(_RECORDS)
def test_the_table_of_columns_is_the_table_of_each_record(records: list[LinkRecord]) -> None:
    assert record_table(records).to_pylist() == _reference_table(records)
    assert LinkColumns.of_records(records).records() == [
        replace(r, nations=tuple(r.nations)) for r in records
    ]


@given(st.text(max_size=30))
def test_ascii_text_skips_the_unicode_fold_with_the_same_result(text: str) -> None:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    # The fold of a folded text is itself, so normalising it takes the ASCII path.
    assert normal_text(folded) == normal_text(text)


RECORDS = [
    _exercise("Balikatan 2015", "2015-04-20", ["PHL", "USA"], host="PHL"),
    _exercise("Cobra Gold", "2014-02", ["THA", "USA", "SGP"], host="THA", location="Sattahip"),
    _exercise("Pitch Black", "2012", ["AUS", "USA"], programme="Pitch Black series"),
    _exercise("Freedom Eagle", "2016-05-03", ["KOR", "USA"]),
]


def _expected(store: Store) -> dict[int, LinkRecord]:
    return {
        key: link_record(
            key,
            source="source_a",
            within=True,
            kind="exercise",
            start=start,
            precision=precision,
            host=host,
            nations=nations,
            programme=programme,
            title=title,
            location=location,
        )
        for key, (start, precision, host, nations, programme, title, location) in zip(
            _ids(store),
            [
                (date(2015, 4, 20), "day", "PHL", ("PHL", "USA"), None, "Balikatan 2015", None),
                (
                    date(2014, 2, 1),
                    "month",
                    "THA",
                    ("SGP", "THA", "USA"),
                    None,
                    "Cobra Gold",
                    "Sattahip",
                ),
                (
                    date(2012, 1, 1),
                    "year",
                    None,
                    ("AUS", "USA"),
                    "Pitch Black series",
                    "Pitch Black",
                    None,
                ),
                (date(2016, 5, 3), "day", None, ("KOR", "USA"), None, "Freedom Eagle", None),
            ],
            strict=True,
        )
    }


def _ids(store: Store) -> list[int]:
    from comity.store.tables import engagements

    with store.connect() as connection:
        return list(
            connection.execute(select(engagements.c.id).order_by(engagements.c.id)).scalars()
        )


def _sorted(records: list[LinkRecord]) -> dict[int, LinkRecord]:
    return {r.id: replace(r, nations=tuple(sorted(r.nations))) for r in records}


@pytest.mark.parametrize("years", [None, {2015}, {2014, 2015}, {2012, 2013, 2014, 2016}])
def test_stored_records_are_read_in_columns_for_the_years_asked(
    any_store: Store, tmp_path: Path, years: set[int] | None
) -> None:
    # One or two years go through the index; four are sieved from one pass over the table.
    _import(any_store, tmp_path, "source_a", RECORDS)
    expected = _expected(any_store)
    with any_store.connect() as connection:
        read = link_store.read_link_records(connection, (), years=years)
        distinct = link_store.read_link_records(connection, ("source_a",))
    wanted = {k: r for k, r in expected.items() if years is None or r.year in years}
    assert _sorted(read) == wanted
    assert {r.within for r in distinct} == {False}


def test_an_import_reads_only_the_years_its_records_start_in(store: Store, tmp_path: Path) -> None:
    _import(store, tmp_path, "source_a", RECORDS)
    report = _import(
        store, tmp_path, "source_b", [_exercise("BALIKATAN 15", "2015-04-21", ["USA", "PHL"])]
    )
    assert (report.linked, report.to_review) == (1, 0)
    with store.transaction() as connection:
        again = link_service.link_connection(connection, fresh_source="source_b")
    assert again.records == 2  # the two records of 2015, not the five stored
    assert (again.linked, again.scored) == (1, 1)


@pytest.mark.parametrize("few", [0, 1_000])
def test_an_import_rescores_and_drops_its_automatic_links_by_either_read(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    # Links of the fresh records are read by id (few) or in one pass over all links (many).
    monkeypatch.setattr(link_store, "_FEW", few)
    _import(store, tmp_path, "source_a", RECORDS[:1])
    _import(store, tmp_path, "source_b", [_exercise("BALIKATAN 15", "2015-04-21", ["USA", "PHL"])])
    with store.connect() as connection:
        [before] = connection.execute(select(record_links.c.probability)).scalars()
    # source_b again, its record now another event: its automatic link goes.
    changed = _exercise("Talisman Sabre", "2015-07-11", ["AUS", "USA"], host="AUS")
    report = _import(store, tmp_path, "source_b", [changed])
    assert before > 0.9
    assert (report.linked, report.to_review) == (0, 0)
    with store.connect() as connection:
        assert connection.execute(select(func.count()).select_from(record_links)).scalar() == 0


def test_the_shipped_model_file_names_the_blocking_rules_in_force() -> None:
    import json
    from importlib import resources

    from comity.linkage.model import base_settings, load_model

    text = resources.files("comity.linkage").joinpath("linkage_model.json").read_text("utf-8")
    rules = base_settings()["blocking_rules_to_generate_predictions"]
    assert json.loads(text)["blocking_rules_to_generate_predictions"] == rules
    assert load_model()["blocking_rules_to_generate_predictions"] == rules
