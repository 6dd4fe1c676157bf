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


def test_a_patch_reads_the_records_that_tie_two_of_its_nations_and_no_other(
    any_store: Store,
) -> None:
    _add(any_store, "both take part", "USA", "USA MNG")
    _add(any_store, "host and guest", "MNG", "USA MNG GBR")
    _add(any_store, "one of them hosts others", "USA", "USA GBR FRA")
    _add(any_store, "neither", "GBR", "GBR FRA")
    assert _titles(any_store, {"USA", "MNG"}) == {"both take part", "host and guest"}


def test_a_multilateral_record_keeps_all_its_participants_but_only_its_pairs_media(
    any_store: Store,
) -> None:
    _add(any_store, "four nations", "USA", "USA MNG GBR FRA")
    full = load_snapshot(any_store, OPERATOR, horizon=2020)
    found = load_snapshot(
        any_store, OPERATOR, horizon=2020, nations=frozenset({"USA", "MNG"}), like=full
    )
    # The record's size (four participants) weighs each of its pairs: all four are read.
    assert sorted(found.participants.column("nation").to_pylist()) == ["FRA", "GBR", "MNG", "USA"]
    codes = set(found.ccodes.column("nation").to_pylist())
    assert codes <= {"USA", "MNG"} and codes


def test_records_tying_any_two_of_several_nations_are_read_whichever_is_busiest(
    any_store: Store,
) -> None:
    for n in range(5):  # the United States takes part most
        _add(any_store, f"busy {n}", "USA", "USA GBR")
    _add(any_store, "the two quieter ones", "MNG", "MNG KAZ")
    _add(any_store, "busiest hosts a quiet one", "USA", "USA KAZ")
    _add(any_store, "a quiet one alone with others", "KAZ", "KAZ FRA")
    assert _titles(any_store, {"USA", "MNG", "KAZ"}) == {
        "the two quieter ones",
        "busiest hosts a quiet one",
    }
