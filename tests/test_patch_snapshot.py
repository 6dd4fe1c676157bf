"""The snapshot a patch reads: only the records that tie two of the nations it recomputes."""

from __future__ import annotations

from comity import services
from comity.access import Viewer
from comity.analytics.snapshot import load_snapshot
from comity.store import Store

OPERATOR = Viewer.operator("tests")


def _add(store: Store, title: str, host: str, nations: str) -> None:
    services.add_engagement(
        store,
        {
            "kind": "exercise",
            "title": title,
            "start": "2010",
            "host": host,
            "participants": [{"nation": n} for n in nations.split()],
        },
        OPERATOR,
    )


def _titles(store: Store, nations: set[str]) -> set[str]:
    full = load_snapshot(store, OPERATOR, horizon=2020)
    found = load_snapshot(store, OPERATOR, horizon=2020, nations=frozenset(nations), like=full)
    ids = set(found.engagements.column("engagement_id").to_pylist())
    return {e.engagement.title for e in services.list_engagements(store, OPERATOR) if e.id in ids}


def test_a_patch_reads_the_records_that_tie_two_of_its_nations_and_no_other(store: Store) -> None:
    _add(store, "both take part", "USA", "USA MNG")
    _add(store, "host and guest", "MNG", "USA MNG GBR")
    _add(store, "one of them hosts others", "USA", "USA GBR FRA")
    _add(store, "neither", "GBR", "GBR FRA")
    assert _titles(store, {"USA", "MNG"}) == {"both take part", "host and guest"}


def test_a_multilateral_record_keeps_all_its_participants_but_only_its_pairs_media(
    store: Store,
) -> None:
    _add(store, "four nations", "USA", "USA MNG GBR FRA")
    full = load_snapshot(store, OPERATOR, horizon=2020)
    found = load_snapshot(
        store, OPERATOR, horizon=2020, nations=frozenset({"USA", "MNG"}), like=full
    )
    # The record's size (four participants) weighs each of its pairs: all four are read.
    assert sorted(found.participants.column("nation").to_pylist()) == ["FRA", "GBR", "MNG", "USA"]
    codes = set(found.ccodes.column("nation").to_pylist())
    assert codes <= {"USA", "MNG"} and codes
