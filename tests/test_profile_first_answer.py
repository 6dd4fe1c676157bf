"""The first profile of a view computes its pair-kind table once, beside the network."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from comity import services
from comity.access import Viewer
from comity.services import analytics
from comity.services import network as network_service
from comity.store import Store
from tests.api_world import engagement_record


def test_the_pair_kind_table_is_computed_once_in_the_background(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator = Viewer.operator("tests")
    services.add_engagement(store, engagement_record("Balikatan 2015"), operator)
    services.add_engagement(
        store, engagement_record("Balikatan 2016", start="2016-04-18"), operator
    )
    threads: list[str] = []
    started = threading.Event()
    original, measure = analytics.pair_kind_year_sql, network_service.compute_network

    def counting(*args: Any, **kwargs: Any) -> str:
        threads.append(threading.current_thread().name)
        started.set()
        return original(*args, **kwargs)

    def measuring(*args: Any, **kwargs: Any) -> Any:
        started.wait(timeout=10)  # the network is measured while the table is computed
        return measure(*args, **kwargs)

    monkeypatch.setattr(analytics, "pair_kind_year_sql", counting)
    monkeypatch.setattr(network_service, "compute_network", measuring)
    first = json.loads(network_service.profile_document(store, operator, "USA"))
    # Computed once, by the background thread, and shared with the profile that needed it.
    assert len(threads) == 1 and threads[0].startswith("comity-profile")
    again = json.loads(network_service.profile_document(store, operator, "PHL"))
    assert len(threads) == 1  # the second profile of the view reads the remembered table
    assert first["nation"] == "USA" and again["nation"] == "PHL"
    partners = {row["partner"] for row in first["top_partners"]}
    assert partners == {"PHL"}
