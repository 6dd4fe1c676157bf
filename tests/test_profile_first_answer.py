"""The first profile of a view computes its nation's pairs by kind beside the network, from the
records that include the nation; the whole pair-kind table follows after the answer."""

from __future__ import annotations

import json
import os
import threading
from typing import Any

import pyarrow as pa
import pytest

from comity import services
from comity.access import Viewer
from comity.analytics.settings import IndexSettings
from comity.analytics.snapshot import Snapshot
from comity.services import analytics, pair_kinds
from comity.services import network as network_service
from comity.services.cache import forget_everything
from comity.store import Store
from tests.api_world import engagement_record


def _record(title: str, year: int, host: str, *guests: str, **extra: Any) -> dict[str, Any]:
    return engagement_record(
        title,
        start=f"{year}-05-10",
        host=host,
        participants=[{"nation": host, "role": "host"}, *({"nation": g} for g in guests)],
        **extra,
    )


RECORDS = [
    _record("Balikatan 2015", 2015, "PHL", "USA"),
    _record("Balikatan 2016", 2016, "PHL", "USA"),
    _record("Cope Thunder", 2016, "PHL", "FRA"),
    _record("Northern Star", 1985, "SUN", "FRA", "USA"),
    _record("Ladoga", 1995, "RUS", "FRA"),
    _record("Sea Breeze", 2000, "UKR", "RUS", "USA"),
    _record("Staff talks", 1988, "SUN", "FRA", kind="visit", details={"level": "minister"}),
]


def _computations(monkeypatch: pytest.MonkeyPatch, seen: threading.Event | None = None) -> Any:
    """Record (thread, records read) of each pair-kind computation from here on."""
    calls: list[tuple[str, int]] = []
    original = pair_kinds._computed

    def counting(settings: IndexSettings, snapshot: Snapshot) -> Any:
        calls.append((threading.current_thread().name, snapshot.engagements.num_rows))
        priorities.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        if seen is not None:
            seen.set()
        return original(settings, snapshot)

    monkeypatch.setattr(pair_kinds, "_computed", counting)
    priorities.clear()
    return calls


priorities: list[int] = []
"""The nice value of the thread of each computation :func:`_computations` recorded."""


def _sorted(table: Any) -> Any:
    return table.sort_by([(c, "ascending") for c in ("n1", "n2", "year", "kind")])


def test_the_first_profile_computes_its_nations_pairs_beside_the_network_then_the_whole_table(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator = Viewer.operator("tests")
    for record in RECORDS[:3]:
        services.add_engagement(store, record, operator)
    started = threading.Event()
    calls = _computations(monkeypatch, started)
    measure = network_service.compute_network

    def measuring(*args: Any, **kwargs: Any) -> Any:
        started.wait(timeout=10)  # the network is measured while the nation's pairs are computed
        return measure(*args, **kwargs)

    monkeypatch.setattr(network_service, "compute_network", measuring)
    first = json.loads(network_service.profile_document(store, operator, "USA", 2000))
    network_service.wait_for_background()
    # The United States' two records beside the network; then all three, after the answer, in
    # a thread that yields the cores to answers.
    assert [(name.split("_")[0], size) for name, size in calls] == [
        ("comity-profile", 2),
        ("comity-later", 3),
    ]
    assert priorities == [os.getpriority(os.PRIO_PROCESS, 0), 19]
    again = json.loads(network_service.profile_document(store, operator, "PHL"))
    assert len(calls) == 2  # the second profile of the view reads the remembered whole table
    assert first["nation"] == "USA" and again["nation"] == "PHL"
    assert {row["partner"] for row in first["top_partners"]} == {"PHL"}
    assert {row["partner_region"] for row in first["mechanisms"]} == {"South-eastern Asia"}
    # The same profile from the whole table alone.
    forget_everything()
    monkeypatch.setattr(analytics, "handed_over", lambda *args, **kwargs: None)
    monkeypatch.setattr(pair_kinds, "handed_over", lambda *args, **kwargs: None)
    alone = json.loads(network_service.profile_document(store, operator, "USA", 2000))
    network_service.wait_for_background()
    assert alone["mechanisms"] == first["mechanisms"]
    assert alone["mechanisms_by_year"] == first["mechanisms_by_year"]


def test_a_nations_pairs_from_its_own_records_are_the_whole_tables_lineages_included(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator = Viewer.operator("tests")
    for record in RECORDS:
        services.add_engagement(store, record, operator)
    analytics.compute_dyad_years(store, operator)  # reads the records and keeps them at hand
    calls = _computations(monkeypatch)
    nations = ("USA", "RUS", "SUN", "UKR", "PHL", "FRA")
    own = {n: pair_kinds.compute_pair_kind_years(store, operator, nation=n) for n in nations}
    sizes = dict(zip(nations, (size for _, size in calls), strict=True))
    # The Philippines' three records; the Soviet Union's lineage brings Russia's two.
    assert sizes["PHL"] == 3 and sizes["SUN"] == 4 and sizes["FRA"] == 4
    whole = pair_kinds.compute_pair_kind_years(store, operator)
    assert len(calls) == len(nations) + 1
    for nation in nations:
        expected = pair_kinds._of_nation(whole, nation)
        assert expected.num_rows > 0, nation
        assert _sorted(own[nation]).equals(_sorted(expected)), nation
    # Once the whole table is known, a nation's rows are taken from it.
    again = pair_kinds.compute_pair_kind_years(store, operator, nation="RUS")
    assert len(calls) == len(nations) + 1
    assert _sorted(again).equals(_sorted(own["RUS"]))
    assert set(pa.concat_arrays(again.column("n1").chunks).to_pylist()) <= {"FRA", "RUS"}


def test_result_files_are_written_by_a_thread_that_yields_to_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from comity.services import cache

    def priority() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    assert cache._writer().submit(priority).result() == 19
    # Where threads have no priority of their own, nothing changes (the process's would).
    monkeypatch.setattr(cache.sys, "platform", "darwin")
    before = os.getpriority(os.PRIO_PROCESS, 0)
    cache.after_answers()
    assert os.getpriority(os.PRIO_PROCESS, 0) == before == priority()
