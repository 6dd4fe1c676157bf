"""Warm start: the views of the store's users are prepared before their first page."""

from __future__ import annotations

from comity.access import Role, Viewer
from comity.services import accounts
from comity.services.analytics import compute_dyad_years
from comity.services.cache import forget_everything
from comity.services.warm import warm_up, warm_up_in_background, warm_views
from comity.store import Store

OPERATOR = Viewer.operator("tests")


def _user(store: Store, name: str, nation: str, role: str = "viewer") -> None:
    accounts.create_user(
        store, OPERATOR, username=name, password="a long pass phrase 42", nation=nation, role=role
    )


def test_the_most_shared_views_are_prepared_first(store: Store) -> None:
    assert [v.unrestricted for v in warm_views(store)] == [True]  # no users: all records
    _user(store, "ana", "FRA")
    _user(store, "ben", "FRA", "planner")
    _user(store, "cyd", "USA")
    views = warm_views(store)
    assert [v.nation for v in views] == ["FRA", "USA"]
    assert [v.nation for v in warm_views(store, limit=1)] == ["FRA"]


def test_after_the_warm_up_the_first_answer_is_ready(store: Store) -> None:
    _user(store, "ana", "FRA")
    forget_everything()
    done = warm_up_in_background(store)
    done.join(timeout=300)
    assert not done.is_alive()
    viewer = Viewer(name="ana", nation="FRA", role=Role.VIEWER)
    assert compute_dyad_years(store, viewer).cached
    assert not compute_dyad_years(store, Viewer(name="x", nation="USA", role=Role.VIEWER)).cached
    assert [scope for scope, _ in warm_up(store)] == ["FRA"]
