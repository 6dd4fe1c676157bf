"""Plans in exchange bundles: which travel, what of them, and how a partner's plans are kept.

Two installations on two SQLite stores, ``us`` (USA) and ``fr`` (France), trusting each other.
What a bundle holds is read from its bytes, never through comity.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from comity import services
from comity.access import Role, Viewer
from comity.errors import ValidationError
from comity.model.plans import PlanState
from comity.planning import IllegalTransitionError
from comity.services import exchange
from comity.services import plan_workflow as workflow
from comity.services import plans as plan_service
from comity.services.exchange_format import BundleRefusedError
from comity.services.exchange_plans import PLAN_FIELDS
from comity.store import Store
from comity.store.plans import StoredPlan
from comity.store.tables_plans import plans
from tests.exchange_world import (
    OPERATOR,
    Installation,
    PartnerKeys,
    audit_entries,
    dump,
    installation,
    sqlite_copy,
    trust_each_other,
)
from tests.test_plans import FINANCE, PLANNER, POLICY, plan_record

FRENCH = Viewer(name="fr.viewer", nation="FRA", role=Role.VIEWER)


@pytest.fixture
def us(store: Store) -> Installation:
    """The US installation, on the test's SQLite store."""
    return installation(store, "us-hq", "USA")


@pytest.fixture
def fr(seeded_sqlite_file: Path, tmp_path: Path, us: Installation) -> Iterator[Installation]:
    """The French installation, on a second SQLite store; the two trust each other."""
    site = installation(sqlite_copy(seeded_sqlite_file, tmp_path / "fr"), "fr-hq", "FRA")
    trust_each_other(us, site)
    yield site
    site.store.dispose()


def _plan(site: Installation, title: str = "Cobra Gold 2027", **extra: Any) -> int:
    """A plan of the US planner at ``site``, shared unless said otherwise; its id."""
    record = plan_record(title=title, **{"shared": True, **extra})
    return plan_service.add_plan(site.store, record, PLANNER).id


def _export(site: Installation, nation: str = "FRA") -> bytes:
    return exchange.export_bundle(site.store, OPERATOR, nation).data


def _plans_in(data: bytes) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(data)["records"]["plans"]
    return items


def _send(source: Installation, target: Installation) -> exchange.ExchangeReport:
    return exchange.receive_bundle(target.store, _export(source, target.nation), OPERATOR)


def _received(site: Installation, key: int) -> StoredPlan:
    [found] = [
        p for p in plan_service.list_plans(site.store, OPERATOR) if p.origin == f"xchg:us-hq:{key}"
    ]
    return found


def test_a_shared_plan_releasable_to_the_partner_travels_and_arrives(
    us: Installation, fr: Installation
) -> None:
    key = _plan(us, releasability="REL FRA,USA")
    workflow.submit_plan(us.store, key, PLANNER)
    workflow.approve_plan(us.store, key, POLICY, reason="Within the ceiling agreed in March")
    data = _export(us)
    [item] = _plans_in(data)
    assert (item["id"], item["owner"], item["engagement"]) == (key, "USA", None)
    record = item["record"]
    assert set(record) == {*PLAN_FIELDS, "state", "round", "decisions"}
    assert (record["title"], record["state"], record["round"]) == (
        "Cobra Gold 2027",
        "submitted",
        1,
    )
    assert record["releasability"] == "REL FRA,USA"
    assert [(d["agency"], d["decision"]) for d in record["decisions"]] == [("policy", "approve")]
    assert set(record["decisions"][0]) == {"agency", "decision", "at"}
    # The budget, who decided and why, the responsible account and the calendar stay home.
    for kept in (b"budget", b"2500000", b"Within the ceiling", b"us.policy", b"us.planner"):
        assert kept not in data
    assert b"calendar" not in data
    report = exchange.receive_bundle(fr.store, data, OPERATOR)
    assert report.to_dict()["by_kind"]["plan"] == {
        "added": 1,
        "updated": 0,
        "unchanged": 0,
        "conflicts": 0,
    }
    [stored] = plan_service.list_plans(fr.store, FRENCH)
    assert (stored.origin, stored.owner_nation) == (f"xchg:us-hq:{key}", "USA")
    assert (stored.received_from, stored.id_at_origin) == ("us-hq", str(key))
    assert (stored.state, stored.round, stored.approved_by) == (PlanState.SUBMITTED, 1, ("policy",))
    assert [(d.actor, d.reason) for d in stored.decisions] == [("xchg:us-hq", None)]
    assert (stored.plan.budget, stored.plan.owner, stored.plan.shared) == (None, None, False)
    assert str(stored.plan.releasability) == "REL FRA,USA"
    assert [(t.to_state, t.actor, t.reason) for t in stored.transitions] == [
        (PlanState.SUBMITTED, "xchg:us-hq", "received from us-hq")
    ]
    # Received plans are left out of the friction figures: no submission was made here.
    assert plan_service.plan_friction(fr.store, OPERATOR) == []


def test_a_plan_not_shared_or_labelled_for_another_nation_never_travels(
    us: Installation, fr: Installation
) -> None:
    _plan(us)
    _plan(us, "Cobra Gold 2027 (kept home)", shared=False)
    _plan(us, "Cobra Gold 2027 (with Britain)", releasability="REL GBR,USA")
    _plan(us, "Cobra Gold 2027 (US eyes)", releasability="REL USA")
    _plan(us, "Cobra Gold 2027 (NATO)", releasability="REL NATO")
    data = _export(us)
    titles = sorted(item["record"]["title"] for item in _plans_in(data))
    assert titles == ["Cobra Gold 2027", "Cobra Gold 2027 (NATO)"]
    for hidden in (b"kept home", b"Britain", b"US eyes"):
        assert hidden not in data
    assert json.loads(data)["manifest"]["counts"]["plans"] == 2
    assert _send(us, fr).to_dict()["by_kind"]["plan"]["added"] == 2


def test_importing_the_same_plans_again_changes_nothing(us: Installation, fr: Installation) -> None:
    key = _plan(us)
    workflow.submit_plan(us.store, key, PLANNER)
    workflow.approve_plan(us.store, key, POLICY)
    _send(us, fr)
    before = dump(fr.store, without_audit=True)
    report = _send(us, fr)
    assert report.to_dict()["by_kind"]["plan"] == {
        "added": 0,
        "updated": 0,
        "unchanged": 1,
        "conflicts": 0,
    }
    after = dump(fr.store, without_audit=True)
    assert {k: v for k, v in after.items() if k != "exchange_partners"} == {
        k: v for k, v in before.items() if k != "exchange_partners"
    }


def test_a_plan_moved_there_is_updated_here(us: Installation, fr: Installation) -> None:
    key = _plan(us)
    workflow.submit_plan(us.store, key, PLANNER)
    workflow.approve_plan(us.store, key, POLICY)
    _send(us, fr)
    workflow.approve_plan(us.store, key, FINANCE)
    report = _send(us, fr)
    assert (report.updated, report.unchanged) == (1, 0)
    stored = _received(fr, key)
    assert (stored.state, stored.approved_by) == (PlanState.APPROVED, ("policy", "finance"))
    assert [(t.from_state, t.to_state, t.reason) for t in stored.transitions] == [
        (None, PlanState.SUBMITTED, "received from us-hq"),
        (PlanState.SUBMITTED, PlanState.APPROVED, "moved at us-hq"),
    ]
    [entry] = audit_entries(fr.store, "exchange_update")
    assert (entry["entity_id"], entry["after"]["state"]) == (str(stored.id), "approved")


def test_a_plan_edited_here_and_there_is_a_conflict_left_as_it_is(
    us: Installation, fr: Installation
) -> None:
    key = _plan(us)
    _send(us, fr)
    local = _received(fr, key)
    plan_service.edit_plan(fr.store, local.id, {"location": "Chonburi"}, OPERATOR)
    # A local edit alone is kept.
    assert _send(us, fr).to_dict()["by_kind"]["plan"]["unchanged"] == 1
    plan_service.edit_plan(us.store, key, {"location": "U-Tapao"}, PLANNER)
    report = _send(us, fr)
    assert report.to_dict()["conflicts"] == [
        {"kind": "plan", "id": str(key), "local_id": local.id, "reason": "changed here and there"}
    ]
    assert report.updated == 0
    assert _received(fr, key).plan.location == "Chonburi"


def test_an_update_never_widens_a_plans_label(us: Installation, fr: Installation) -> None:
    key = _plan(us, releasability="REL FRA,USA")
    _send(us, fr)
    plan_service.edit_plan(
        us.store, key, {"releasability": "REL FRA,GBR,USA", "location": "Rayong"}, PLANNER
    )
    report = _send(us, fr)
    assert (report.updated, report.to_dict()["labels_kept_narrower"]) == (1, 1)
    stored = _received(fr, key)
    assert (str(stored.plan.releasability), stored.plan.location) == ("REL FRA,USA", "Rayong")
    british = Viewer(name="gb", nation="GBR", role=Role.VIEWER)
    assert plan_service.list_plans(fr.store, british) == []


_US_APPROVER = Viewer(name="us.finance", nation="USA", role=Role.APPROVER, agency="finance")
_MOVES = {
    "submit": lambda store, key: workflow.submit_plan(store, key, OPERATOR),
    "approve": lambda store, key: workflow.approve_plan(store, key, _US_APPROVER),
    "return": lambda store, key: workflow.return_plan(store, key, OPERATOR, "No", agency="legal"),
    "schedule": lambda store, key: workflow.schedule_plan(store, key, OPERATOR),
    "cancel": lambda store, key: workflow.cancel_plan(store, key, OPERATOR, "Not ours"),
}


@pytest.mark.parametrize("move", list(_MOVES))
def test_a_received_plan_never_moves_here(us: Installation, fr: Installation, move: str) -> None:
    key = _plan(us)
    workflow.submit_plan(us.store, key, PLANNER)
    _send(us, fr)
    local = _received(fr, key)
    before = dump(fr.store)
    with pytest.raises(IllegalTransitionError) as refused:
        _MOVES[move](fr.store, local.id)
    assert refused.value.message == (
        f"Plan {local.id} was received from the partner installation us-hq (its plan {key}): "
        "it moves through us-hq's approval, not this installation's, and keeps the state "
        "us-hq's last bundle gave it."
    )
    assert refused.value.hint == "Ask us-hq to move it; its next bundle brings the new state here."
    assert dump(fr.store) == before


def test_a_received_plan_is_never_shared_on(us: Installation, fr: Installation) -> None:
    key = _plan(us)
    _send(us, fr)
    local = _received(fr, key)
    with pytest.raises(ValidationError, match="shared: is a plan received from us-hq"):
        plan_service.edit_plan(fr.store, local.id, {"shared": True}, OPERATOR)
    # Even marked shared by other means, it goes back to no one: it travels from its origin.
    with fr.store.transaction() as connection:
        connection.execute(update(plans).where(plans.c.id == local.id).values(shared=True))
    assert _plans_in(_export(fr, "USA")) == []
    assert _plans_in(_export(fr, "GBR")) == []


def test_an_executed_plan_comes_with_its_engagement(us: Installation, fr: Installation) -> None:
    key = _plan(us)
    workflow.submit_plan(us.store, key, PLANNER)
    workflow.approve_plan(us.store, key, POLICY)
    workflow.approve_plan(us.store, key, FINANCE)
    workflow.schedule_plan(us.store, key, PLANNER)
    engagement = workflow.execute_plan(us.store, key, PLANNER).engagement_id
    [item] = _plans_in(_export(us))
    assert item["engagement"] == engagement
    _send(us, fr)
    stored = _received(fr, key)
    assert stored.state is PlanState.EXECUTED
    [here] = [
        s
        for s in services.list_engagements(fr.store, OPERATOR)
        if s.engagement.external_id == f"xchg:us-hq:{engagement}"
    ]
    assert stored.engagement_id == here.id


def test_a_bundle_with_a_plan_that_breaks_a_rule_is_refused_whole(store: Store) -> None:
    partners = PartnerKeys(store, "FRA")
    good = {
        **{k: v for k, v in plan_record().items() if k in PLAN_FIELDS},
        "state": "submitted",
        "round": 1,
        "decisions": [],
    }
    bad = {**good, "state": "pending"}
    records = {
        "plans": [
            {"id": 8, "owner": "USA", "record": good},
            {"id": 9, "owner": "USA", "record": bad},
        ]
    }
    data = partners.bundle("USA", records)
    before = dump(store, without_audit=True)
    with pytest.raises(BundleRefusedError, match="Invalid plan 9: state: is not a plan state"):
        exchange.receive_bundle(store, data, OPERATOR)
    assert dump(store, without_audit=True) == before
