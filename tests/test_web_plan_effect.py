"""The plan page's section "Change after the plan": a table once executed, else why not."""

from __future__ import annotations

from comity.access import Viewer
from comity.services import accounts
from comity.services import plans as plan_service
from comity.store import Store
from tests.effect_world import AUTHOR, executed_plan, seed_effect_world
from tests.web_client import PASSWORD, client_for


def _viewer(store: Store) -> None:
    accounts.create_user(
        store, Viewer.operator("tests"), username="viewer.usa", password=PASSWORD, nation="USA"
    )


def test_an_executed_plan_shows_observed_against_expected(store: Store) -> None:
    seed_effect_world(store)
    _viewer(store)
    plan_id = executed_plan(store, "2008-03-01", "2008-03-20")
    page = client_for(store, "viewer.usa").get(f"/plans/{plan_id}")
    assert page.status_code == 200
    section = page.text.split('id="plan-effect"')[1].split("</section>")[0]
    assert "Change after the plan" in section
    assert "Observed against expected tie index without training" in section
    assert section.count("<td>PHL-USA</td>") == 5


def test_a_plan_not_executed_says_when_the_change_will_show(store: Store) -> None:
    _viewer(store)
    record = {
        "title": "Later",
        "kind": "training",
        "partners": [{"nation": "PHL"}, {"nation": "USA"}],
        "start": "2027-05-01",
        "end": "2027-05-02",
        "agencies": ["policy"],
    }
    stored = plan_service.add_plan(store, record, AUTHOR)
    page = client_for(store, "viewer.usa").get(f"/plans/{stored.id}").text
    assert "The plan is draft: the change after it is shown once it is executed." in page
