"""Warm start: the views of the store's users are prepared before their first page."""

from __future__ import annotations

import pytest

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


def test_the_analytic_libraries_are_imported_in_the_background() -> None:
    import subprocess
    import sys

    # A fresh interpreter: in this one the libraries are imported already.
    script = (
        "import sys\n"
        "from comity.services.warm import ANALYTIC_LIBRARIES, import_in_background\n"
        "assert 'igraph' not in sys.modules and 'duckdb' not in sys.modules\n"
        "thread = import_in_background()\n"
        "assert thread.name == 'comity-imports' and thread.daemon\n"
        "thread.join(120)\n"
        "print(all(name in sys.modules for name in ANALYTIC_LIBRARIES))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180, check=True
    )
    assert done.stdout.strip() == "True", done.stderr


def test_a_library_that_fails_to_import_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from comity.services.warm import import_in_background

    with caplog.at_level("WARNING", logger="comity.warm"):
        import_in_background(("comity_no_such_module",)).join(10)
    assert "could not import comity_no_such_module" in caplog.text
