"""Plans in the store: the approval workflow, execution, assessment, roles and releasability."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

from comity import services
from comity.access import Role, Viewer
from comity.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from comity.model.plans import PlanState
from comity.planning import TRANSITIONS, Action, IllegalTransitionError, target_of
from comity.services import plan_workflow as workflow
from comity.services import plans as plan_service
from comity.services.accounts import verify_audit
from comity.store import Store, tables
from comity.store.tables_access import audit_log
from comity.store.tables_plans import plan_transitions, plans

PLANNER = Viewer(name="us.planner", nation="USA", role=Role.PLANNER)
POLICY = Viewer(name="us.policy", nation="USA", role=Role.APPROVER, agency="policy")
FINANCE = Viewer(name="us.finance", nation="USA", role=Role.APPROVER, agency="finance")


def plan_record(**extra: Any) -> dict[str, Any]:
    """A bilateral exercise hosted by Thailand, needing policy and finance."""
    return {
        "title": "Cobra Gold 2027",
        "kind": "exercise",
        "objectives": ["Interoperability", "Trust"],
        "partners": [
            {"nation": "THA", "role": "host", "personnel": 300},
            {"nation": "USA", "personnel": 500},
        ],
        "start": "2027-02-22",
        "end": "2027-03-05",
        "location": "Sattahip",
        "budget": {"amount": "2500000", "currency": "USD"},
        "agencies": ["policy", "finance"],
        **extra,
    }


def _submitted(store: Store, **extra: Any) -> int:
    stored = plan_service.add_plan(store, plan_record(**extra), PLANNER)
    workflow.submit_plan(store, stored.id, PLANNER)
    return stored.id


def _approved(store: Store) -> int:
    plan_id = _submitted(store)
    workflow.approve_plan(store, plan_id, POLICY)
    workflow.approve_plan(store, plan_id, FINANCE)
    return plan_id


def test_a_new_plan_is_a_draft_owned_by_its_author(store: Store) -> None:
    stored = plan_service.add_plan(store, plan_record(), PLANNER)
    assert (stored.state, stored.round, stored.plan.owner) == (PlanState.DRAFT, 0, "us.planner")
    assert str(stored.plan.budget) == "2,500,000.00 USD"
    assert [t.to_state for t in stored.transitions] == [PlanState.DRAFT]


@pytest.mark.parametrize(
    ("extra", "field", "reason"),
    [
        ({"end": "2027-02-01"}, "end", "the end (2027-02-01) is before the start (2027-02-22)"),
        (
            {"budget": {"amount": "-1", "currency": "USD"}},
            "budget.amount",
            "Input should be greater than or equal to 0",
        ),
        (
            {"budget": {"amount": "10", "currency": "XYZ"}},
            "budget.currency",
            "'XYZ' is not an ISO 4217 currency code (e.g. EUR, USD)",
        ),
        ({"agencies": []}, "agencies", "name at least one agency whose approval the plan needs"),
        (
            {"partners": [{"nation": "THA", "role": "host"}, {"nation": "USA", "role": "host"}]},
            "partners",
            "partners name THA, USA as host; one host at most",
        ),
        (
            {"partners": [{"nation": "SUN"}]},
            "partners.0.nation",
            "Soviet Union was not a state in 2027 (state-system years 1922-1991)",
        ),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field(
    store: Store, extra: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        plan_service.add_plan(store, plan_record(**extra), PLANNER)
    assert [(p.field, p.reason) for p in raised.value.problems] == [(field, reason)]


def test_a_plan_is_approved_only_when_every_required_agency_has(store: Store) -> None:
    plan_id = _submitted(store)
    after_policy = workflow.approve_plan(store, plan_id, POLICY)
    assert (after_policy.state, after_policy.approved_by) == (PlanState.SUBMITTED, ("policy",))
    after_finance = workflow.approve_plan(store, plan_id, FINANCE)
    assert after_finance.state is PlanState.APPROVED
    assert set(after_finance.approved_by) == {"policy", "finance"}


def test_an_agency_cannot_approve_the_same_round_twice(store: Store) -> None:
    plan_id = _submitted(store)
    workflow.approve_plan(store, plan_id, POLICY)
    with pytest.raises(ConflictError, match="policy has already approved round 1 of plan"):
        workflow.approve_plan(store, plan_id, POLICY)


def test_a_return_sends_the_plan_back_and_clears_the_round(store: Store) -> None:
    plan_id = _submitted(store)
    workflow.approve_plan(store, plan_id, POLICY)
    returned = workflow.return_plan(store, plan_id, FINANCE, "Budget over the ceiling")
    assert (returned.state, returned.approved_by) == (PlanState.RETURNED, ())
    assert returned.transitions[-1].reason == "finance: Budget over the ceiling"
    edited = plan_service.edit_plan(
        store, plan_id, {"budget": {"amount": "900000", "currency": "USD"}}, PLANNER
    )
    assert str(edited.plan.budget) == "900,000.00 USD"
    again = workflow.submit_plan(store, plan_id, PLANNER)
    assert (again.state, again.round, again.approved_by) == (PlanState.SUBMITTED, 2, ())
    # Policy's approval of round 1 does not count: finance alone does not approve it.
    assert workflow.approve_plan(store, plan_id, FINANCE).state is PlanState.SUBMITTED
    assert workflow.approve_plan(store, plan_id, POLICY).state is PlanState.APPROVED


def test_a_return_needs_a_reason(store: Store) -> None:
    plan_id = _submitted(store)
    with pytest.raises(ValidationError, match="reason: say why the plan goes back"):
        workflow.return_plan(store, plan_id, FINANCE, "  ")


def test_a_submitted_plan_cannot_be_edited(store: Store) -> None:
    plan_id = _submitted(store)
    with pytest.raises(IllegalTransitionError, match="only a draft or returned plan may be"):
        plan_service.edit_plan(store, plan_id, {"title": "Other"}, PLANNER)


def test_submitting_stores_the_calendar_warnings(store: Store) -> None:
    plan_id = _submitted(
        store, partners=[{"nation": "SAU"}, {"nation": "USA"}], start="2027-03-08", end="2027-03-12"
    )
    warnings = plan_service.get_plan(store, plan_id, PLANNER).calendar_warnings
    assert warnings is not None
    saudi = next(n for n in warnings["nations"] if n["nation"] == "SAU")
    assert "2027-03-09" in {c["date"] for c in saudi["conflicts"] if "Eid" in c["name"]}


@pytest.mark.parametrize("state", list(PlanState))
def test_cancellation_only_before_execution(store: Store, state: PlanState) -> None:
    plan_id = plan_service.add_plan(store, plan_record(), PLANNER).id
    _force(store, plan_id, state)
    if (state, PlanState.CANCELLED) in TRANSITIONS:
        assert workflow.cancel_plan(store, plan_id, PLANNER, "No longer needed").state is (
            PlanState.CANCELLED
        )
    else:
        with pytest.raises(IllegalTransitionError):
            workflow.cancel_plan(store, plan_id, PLANNER, "No longer needed")


def _force(store: Store, plan_id: int, state: PlanState) -> None:
    with store.transaction() as connection:
        connection.execute(
            update(plans).where(plans.c.id == plan_id).values(state=state.value, round=1)
        )


def _snapshot(store: Store, plan_id: int) -> tuple[Any, ...]:
    with store.connect() as connection:
        return (
            connection.execute(
                select(plans.c.state, plans.c.version).where(plans.c.id == plan_id)
            ).one(),
            connection.execute(select(func.count()).select_from(plan_transitions)).scalar_one(),
            connection.execute(select(func.count()).select_from(audit_log)).scalar_one(),
            connection.execute(select(func.count()).select_from(tables.engagements)).scalar_one(),
        )


_MOVES = {
    Action.SUBMIT: lambda s, i: workflow.submit_plan(s, i, PLANNER),
    Action.APPROVE: lambda s, i: workflow.approve_plan(s, i, POLICY),
    Action.RETURN: lambda s, i: workflow.return_plan(s, i, POLICY, "No"),
    Action.SCHEDULE: lambda s, i: workflow.schedule_plan(s, i, PLANNER),
    Action.EXECUTE: lambda s, i: workflow.execute_plan(s, i, PLANNER),
    Action.ASSESS: lambda s, i: workflow.assess_plan(s, i, {"objectives": {}}, PLANNER),
    Action.CANCEL: lambda s, i: workflow.cancel_plan(s, i, PLANNER, "No longer needed"),
}


@pytest.mark.parametrize(
    ("state", "action"),
    [(s, a) for s in PlanState for a in Action if (s, target_of(a)) not in TRANSITIONS],
)
def test_an_illegal_move_in_the_store_is_refused_and_changes_nothing(
    store: Store, state: PlanState, action: Action
) -> None:
    plan_id = plan_service.add_plan(store, plan_record(), PLANNER).id
    _force(store, plan_id, state)
    before = _snapshot(store, plan_id)
    with pytest.raises(IllegalTransitionError) as raised:
        _MOVES[action](store, plan_id)
    assert raised.value.message == (
        f"Plan {plan_id} cannot move from {state.value} to {target_of(action).value}."
    )
    assert _snapshot(store, plan_id) == before


def test_execution_creates_the_engagement_with_its_participants(store: Store) -> None:
    plan_id = _approved(store)
    workflow.schedule_plan(store, plan_id, PLANNER)
    executed = workflow.execute_plan(store, plan_id, PLANNER, "Held as planned")
    assert executed.state is PlanState.EXECUTED and executed.engagement_id is not None
    e = services.get_engagement(store, executed.engagement_id, PLANNER).engagement
    assert (e.kind.value, e.title, str(e.start), str(e.end), e.host) == (
        "exercise",
        "Cobra Gold 2027",
        "2027-02-22",
        "2027-03-05",
        "THA",
    )
    assert {(p.nation, p.role.value, p.personnel) for p in e.participants} == {
        ("THA", "host", 300),
        ("USA", "participant", 500),
    }
    assert e.objectives == ("Interoperability", "Trust")


def test_a_failed_execution_changes_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    plan_id = _approved(store)
    workflow.schedule_plan(store, plan_id, PLANNER)
    before = _snapshot(store, plan_id)
    real = workflow.append_audit

    def failing(connection: Any, actor: str, action: str, *args: Any) -> str:
        if action == "execute":
            raise RuntimeError("disk full")
        return real(connection, actor, action, *args)

    monkeypatch.setattr(workflow, "append_audit", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        workflow.execute_plan(store, plan_id, PLANNER)
    assert _snapshot(store, plan_id) == before
    assert plan_service.get_plan(store, plan_id, PLANNER).state is PlanState.SCHEDULED


def test_assessment_scores_each_objective_and_feeds_lessons(store: Store) -> None:
    plan_id = _approved(store)
    workflow.schedule_plan(store, plan_id, PLANNER)
    workflow.execute_plan(store, plan_id, PLANNER)
    with pytest.raises(ValidationError, match="objectives: needs a score of 1-5"):
        workflow.assess_plan(store, plan_id, {"objectives": {"Trust": 4}}, PLANNER)
    assessed = workflow.assess_plan(
        store,
        plan_id,
        {"objectives": {"Interoperability": 4, "Trust": 5}, "lessons": "Bring interpreters"},
        PLANNER,
    )
    assert assessed.state is PlanState.ASSESSED
    ((_, assessment),) = services.list_assessments(store, PLANNER, [assessed.engagement_id])
    assert [(o.objective, o.score) for o in assessment.objectives] == [
        ("Interoperability", 4),
        ("Trust", 5),
    ]
    assert assessment.lessons == "Bring interpreters"


def test_every_move_is_in_the_audit_log_and_the_chain_holds(store: Store) -> None:
    plan_id = _approved(store)
    workflow.schedule_plan(store, plan_id, PLANNER)
    with store.connect() as connection:
        actions = (
            connection.execute(
                select(audit_log.c.action)
                .where(audit_log.c.entity == "plan", audit_log.c.entity_id == str(plan_id))
                .order_by(audit_log.c.id)
            )
            .scalars()
            .all()
        )
    assert actions == ["create", "submit", "approve", "schedule"]
    stored = plan_service.get_plan(store, plan_id, PLANNER)
    assert [(t.from_state, t.to_state) for t in stored.transitions][1:] == [
        (PlanState.DRAFT, PlanState.SUBMITTED),
        (PlanState.SUBMITTED, PlanState.APPROVED),
        (PlanState.APPROVED, PlanState.SCHEDULED),
    ]
    assert verify_audit(store, Viewer.operator("tests")).first_broken is None


def test_a_viewer_cannot_submit(store: Store) -> None:
    plan_id = plan_service.add_plan(store, plan_record(), PLANNER).id
    viewer = Viewer(name="us.viewer", nation="USA", role=Role.VIEWER)
    with pytest.raises(PermissionDeniedError, match="may not submit plans: it needs the role"):
        workflow.submit_plan(store, plan_id, viewer)


def test_an_approver_decides_only_for_their_own_agency(store: Store) -> None:
    plan_id = _submitted(store)
    with pytest.raises(PermissionDeniedError) as raised:
        workflow.approve_plan(store, plan_id, POLICY, agency="finance")
    assert raised.value.message == "us.policy decides for policy, not for finance."
    legal = Viewer(name="us.legal", nation="USA", role=Role.APPROVER, agency="legal")
    with pytest.raises(ValidationError, match="agency: is not needed by plan"):
        workflow.approve_plan(store, plan_id, legal)
    nobody = Viewer(name="us.approver", nation="USA", role=Role.APPROVER)
    with pytest.raises(PermissionDeniedError, match="decides for no agency"):
        workflow.approve_plan(store, plan_id, nobody)
    with pytest.raises(PermissionDeniedError, match="needs the role approver"):
        workflow.approve_plan(store, plan_id, PLANNER)


def test_a_plan_rel_gbr_is_invisible_to_a_usa_user(store: Store) -> None:
    british = Viewer(name="gb.planner", nation="GBR", role=Role.PLANNER)
    secret = plan_service.add_plan(store, plan_record(releasability="REL GBR"), british)
    public = plan_service.add_plan(store, plan_record(title="Open plan"), PLANNER)
    assert [p.id for p in plan_service.list_plans(store, PLANNER)] == [public.id]
    assert {p.id for p in plan_service.list_plans(store, british)} == {secret.id, public.id}
    with pytest.raises(NotFoundError):
        plan_service.get_plan(store, secret.id, PLANNER)
    with pytest.raises(ValidationError, match="must include your own nation"):
        plan_service.add_plan(store, plan_record(releasability="REL GBR"), PLANNER)


def test_friction_counts_only_plans_the_viewer_may_read(store: Store) -> None:
    british = Viewer(name="gb.planner", nation="GBR", role=Role.PLANNER)
    gb_policy = Viewer(name="gb.policy", nation="GBR", role=Role.APPROVER, agency="policy")
    secret = plan_service.add_plan(
        store, plan_record(releasability="REL GBR", agencies=["policy"]), british
    )
    workflow.submit_plan(store, secret.id, british)
    workflow.approve_plan(store, secret.id, gb_policy)
    assert [f.key for f in plan_service.plan_friction(store, british, "agency")] == ["policy"]
    assert plan_service.plan_friction(store, PLANNER, "agency") == []
    pair = plan_service.pair_friction(store, PLANNER, "THA", "USA")
    assert (pair["approvals"], pair["median_days"], pair["p90_days"]) == (0, None, None)
    assert pair["note"].startswith("Missing: no plan with both THA and USA")


def test_friction_from_stored_times(store: Store) -> None:
    plan_id = _approved(store)
    from datetime import UTC, datetime

    from comity.store.tables_plans import plan_approvals

    day = datetime(2027, 1, 1, tzinfo=UTC)
    with store.transaction() as connection:
        connection.execute(
            update(plan_transitions)
            .where(
                plan_transitions.c.plan_id == plan_id, plan_transitions.c.to_state == "submitted"
            )
            .values(at=day)
        )
        connection.execute(
            update(plan_transitions)
            .where(plan_transitions.c.plan_id == plan_id, plan_transitions.c.to_state == "approved")
            .values(at=day.replace(day=11))
        )
        for agency, date_ in (("policy", 3), ("finance", 11)):
            connection.execute(
                update(plan_approvals)
                .where(plan_approvals.c.agency == agency)
                .values(at=day.replace(day=date_))
            )
    agencies = {
        f.key: (f.median_days, f.p90_days) for f in plan_service.plan_friction(store, PLANNER)
    }
    assert agencies == {"finance": (10.0, 10.0), "policy": (2.0, 2.0)}
    pair = plan_service.pair_friction(store, PLANNER, "THA", "USA")
    assert (pair["approvals"], pair["median_days"]) == (1, 10.0)


def test_the_briefing_lists_the_open_plans_the_viewer_may_see(store: Store) -> None:
    from comity.services.culture import create_briefing

    british = Viewer(name="gb.planner", nation="GBR", role=Role.PLANNER)
    open_plan = plan_service.add_plan(store, plan_record(), PLANNER)
    plan_service.add_plan(store, plan_record(title="Hidden", releasability="REL GBR"), british)
    cancelled = plan_service.add_plan(store, plan_record(title="Dropped"), PLANNER)
    workflow.cancel_plan(store, cancelled.id, PLANNER, "Dropped")
    briefing = create_briefing(store, PLANNER, "Thailand").to_dict()
    assert [p["id"] for p in briefing["open_plans"]] == [open_plan.id]
    assert briefing["plans"] == (
        f"Open plans: #{open_plan.id} Cobra Gold 2027 (draft, 2027-02-22 to 2027-03-05)."
    )
    empty = create_briefing(store, PLANNER, "Japan").to_dict()
    assert empty["open_plans"] == []
    assert empty["plans"] == "Open plans: none with this nation that you may see."
