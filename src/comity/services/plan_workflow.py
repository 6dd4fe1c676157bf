"""Moving plans through their states: submit, approve or return, schedule, execute, assess, cancel.

Every move checks :func:`comity.planning.check_transition` first, then writes the new state, the
``plan_transitions`` row and the audit entry in one transaction: a refused move changes nothing.
A plan received from a partner installation is refused every move and decision
(:func:`comity.planning.check_local_workflow`): it keeps the state its origin gave it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from comity.access.viewer import Role, Viewer
from comity.culture.calendar_check import check_calendar
from comity.errors import (
    ComityError,
    ConflictError,
    FieldProblem,
    PermissionDeniedError,
    ValidationError,
)
from comity.model.plans import Agency, Assessment, PlanState
from comity.model.validation import validate_engagement, validate_record
from comity.planning import (
    Action,
    check_local_workflow,
    check_transition,
    missing_approvals,
    target_of,
)
from comity.services.engagements import require
from comity.store import Store
from comity.store import engagements as engagement_store
from comity.store import nations as nation_store
from comity.store import people as people_store
from comity.store import plans as plan_store
from comity.store.audit import append_audit
from comity.store.ownership import check_owner, may_change
from comity.store.plans import StoredPlan

__all__ = [
    "approve_plan",
    "assess_plan",
    "cancel_plan",
    "check_cancel",
    "decide_plan",
    "execute_plan",
    "may_cancel",
    "return_plan",
    "schedule_plan",
    "submit_plan",
]


def _move(
    connection: Any,
    current: StoredPlan,
    action: Action,
    viewer: Viewer,
    reason: str | None,
    expected_version: int | None = None,
    **values: Any,
) -> StoredPlan:
    """Check and make one move, record it, audit it; returns the plan as it is after."""
    target = target_of(action)
    check_transition(current.state, target, current.id)
    plan_store.set_state(
        connection,
        current.id,
        current.state,
        target,
        viewer,
        reason,
        expected_version=expected_version,
        **values,
    )
    after = plan_store.get_plan(connection, current.id, viewer)
    append_audit(
        connection,
        viewer.name,
        action.value,
        "plan",
        current.id,
        {"state": current.state.value, "version": current.version},
        {
            "state": target.value,
            "version": after.version,
            "reason": reason,
            **{k: v for k, v in values.items() if k != "calendar_warnings"},
        },
    )
    return after


def _calendar_warnings(stored: StoredPlan) -> dict[str, Any]:
    plan = stored.plan
    try:
        check = check_calendar(
            plan.start, plan.end, list(plan.nations), search_days=0, host=plan.host
        )
        return check.to_dict()
    except ComityError as error:
        return {"nations": [], "notices": [f"No calendar check: {error.message}"]}


def submit_plan(
    store: Store,
    plan_id: int,
    viewer: Viewer,
    reason: str | None = None,
    *,
    expected_version: int | None = None,
) -> StoredPlan:
    """Submit a draft or returned plan for approval, storing its calendar check's warnings.

    Raises:
        PermissionDeniedError: Unless the viewer is a planner (or higher).
        IllegalTransitionError: When the plan is not a draft nor returned.
    """
    require(viewer, Role.PLANNER, "submit plans")
    with store.transaction() as connection:
        current = plan_store.get_plan(connection, plan_id, viewer)
        check_local_workflow(current.origin, plan_id)
        check_owner(viewer, current.owner_nation, f"Plan {plan_id}")
        check_transition(current.state, PlanState.SUBMITTED, plan_id)
        return _move(
            connection,
            current,
            Action.SUBMIT,
            viewer,
            reason,
            expected_version,
            round=current.round + 1,
            calendar_warnings=_calendar_warnings(current),
        )


def _agency_of(viewer: Viewer, agency: Agency | str | None) -> Agency:
    """The agency the viewer decides for; an approver decides only for their own."""
    require(viewer, Role.APPROVER, "decide on plans")
    try:
        asked = Agency(agency.strip().lower()) if isinstance(agency, str) else agency
    except ValueError:
        known = ", ".join(a.value for a in Agency)
        raise ValidationError(
            [FieldProblem("agency", f"is not one of {known}", str(agency))], "decision"
        ) from None
    if viewer.unrestricted:
        if asked is None:
            raise ValidationError(
                [FieldProblem("agency", "name the agency you decide for")], "decision"
            )
        return asked
    if viewer.agency is None:
        raise PermissionDeniedError(
            f"{viewer.name} decides for no agency.",
            hint="An administrator sets an approver's agency: comity users add --agency.",
        )
    own = Agency(viewer.agency)
    if asked is not None and asked is not own:
        raise PermissionDeniedError(
            f"{viewer.name} decides for {own.value}, not for {asked.value}."
        )
    return own


def _check_decider(viewer: Viewer, current: StoredPlan) -> None:
    """An approver decides on plans of their own nation, never on a plan they wrote or own.

    Raises:
        PermissionDeniedError: Naming the rule broken.
    """
    check_owner(viewer, current.owner_nation, f"Plan {current.id}")
    if viewer.unrestricted:
        return
    if viewer.name in (current.created_by, current.plan.owner):
        raise PermissionDeniedError(
            f"{viewer.name} wrote or owns plan {current.id}: another approver must decide on it.",
            hint="Approvals are a second pair of eyes: ask an approver of your agency.",
        )


def decide_plan(
    store: Store,
    plan_id: int,
    viewer: Viewer,
    decision: str,
    *,
    agency: Agency | str | None = None,
    reason: str | None = None,
) -> StoredPlan:
    """Record an agency's decision on a submitted plan.

    An approval leaves the plan submitted until every required agency has approved this round;
    the last one moves it to approved. A return (a reason is required) moves it to returned at
    once: the approvals of that round no longer count, and a resubmission starts a new round.

    Args:
        store: The store.
        plan_id: Which plan.
        viewer: The approver; decides for their own agency (the local operator names one).
        decision: ``approve`` or ``return``.
        agency: The agency decided for (defaults to the viewer's).
        reason: Why (required to return).

    Raises:
        PermissionDeniedError: When the viewer is not an approver, or decides for another agency.
        IllegalTransitionError: When the plan is not submitted.
        ValidationError: When the plan does not need this agency, or a return has no reason.
        ConflictError: When the agency has already approved this round.
    """
    chosen = _agency_of(viewer, agency)
    action = Action.APPROVE if decision == "approve" else Action.RETURN
    if decision not in ("approve", "return"):
        raise ValidationError(
            [FieldProblem("decision", "is neither approve nor return", decision)], "decision"
        )
    text = (reason or "").strip() or None
    if action is Action.RETURN and text is None:
        raise ValidationError(
            [FieldProblem("reason", "say why the plan goes back to its planner")], "decision"
        )
    with store.transaction() as connection:
        current = plan_store.get_plan(connection, plan_id, viewer)
        check_local_workflow(current.origin, plan_id)
        _check_decider(viewer, current)
        check_transition(current.state, target_of(action), plan_id)
        if chosen not in current.plan.agencies:
            needed = ", ".join(a.value for a in current.plan.agencies)
            raise ValidationError(
                [
                    FieldProblem(
                        "agency", f"is not needed by plan {plan_id} ({needed})", chosen.value
                    )
                ],
                "decision",
            )
        if chosen.value in current.approved_by:
            raise ConflictError(
                f"{chosen.value} has already approved round {current.round} of plan {plan_id}."
            )
        plan_store.add_decision(
            connection, plan_id, current.round, chosen.value, decision, viewer.name, text
        )
        append_audit(
            connection,
            viewer.name,
            decision,
            "plan_approval",
            plan_id,
            None,
            {"agency": chosen.value, "round": current.round, "reason": text},
        )
        if action is Action.RETURN:
            why = f"{chosen.value}: {text}"
            return _move(connection, current, Action.RETURN, viewer, why)
        approved = {Agency(a) for a in current.approved_by} | {chosen}
        if missing_approvals(current.plan.agencies, approved):
            return plan_store.get_plan(connection, plan_id, viewer)
        return _move(connection, current, Action.APPROVE, viewer, text or "every agency approved")


def approve_plan(
    store: Store,
    plan_id: int,
    viewer: Viewer,
    *,
    agency: Agency | str | None = None,
    reason: str | None = None,
) -> StoredPlan:
    """Approve a submitted plan for the viewer's agency (see :func:`decide_plan`)."""
    return decide_plan(store, plan_id, viewer, "approve", agency=agency, reason=reason)


def return_plan(
    store: Store,
    plan_id: int,
    viewer: Viewer,
    reason: str,
    *,
    agency: Agency | str | None = None,
) -> StoredPlan:
    """Return a submitted plan to its planner, with the reason (see :func:`decide_plan`)."""
    return decide_plan(store, plan_id, viewer, "return", agency=agency, reason=reason)


def _simple(
    store: Store, plan_id: int, viewer: Viewer, action: Action, reason: str | None
) -> StoredPlan:
    require(viewer, Role.PLANNER, f"{action.value} plans")
    with store.transaction() as connection:
        current = plan_store.get_plan(connection, plan_id, viewer)
        check_local_workflow(current.origin, plan_id)
        check_owner(viewer, current.owner_nation, f"Plan {plan_id}")
        return _move(connection, current, action, viewer, reason)


def schedule_plan(
    store: Store, plan_id: int, viewer: Viewer, reason: str | None = None
) -> StoredPlan:
    """Schedule an approved plan (planners).

    Raises:
        IllegalTransitionError: When the plan is not approved.
    """
    return _simple(store, plan_id, viewer, Action.SCHEDULE, reason)


def may_cancel(viewer: Viewer, stored: StoredPlan) -> bool:
    """Whether ``viewer`` may cancel the plan: its author or owner, or an administrator.

    Cancelling is final, so another planner of the same nation may not: they ask its author.
    The installation's operator and the owning nation's administrators may; no one may cancel a
    plan received from a partner installation here.
    """
    if not viewer.may(Role.PLANNER) or stored.origin is not None:
        return False
    if not may_change(viewer, stored.owner_nation):
        return False
    return viewer.may(Role.ADMIN) or viewer.name in (stored.created_by, stored.plan.owner)


def check_cancel(viewer: Viewer, stored: StoredPlan) -> None:
    """Refuse unless ``viewer`` may cancel the plan (see :func:`may_cancel`).

    Raises:
        IllegalTransitionError: When the plan was received from a partner installation.
        PermissionDeniedError: Naming who may.
    """
    check_local_workflow(stored.origin, stored.id)
    if not may_cancel(viewer, stored):
        raise PermissionDeniedError(
            f"{viewer.name} may not cancel plan {stored.id}: only its author"
            f" ({stored.created_by}) or an administrator of its nation may.",
            hint="Cancelling is final: ask its author, or an administrator of your nation.",
        )


def cancel_plan(store: Store, plan_id: int, viewer: Viewer, reason: str | None) -> StoredPlan:
    """Cancel a plan that has not been executed: its author or owner, or an administrator.

    A cancelled plan stays cancelled, so the reason is required; it is kept in the history.

    Raises:
        ValidationError: When no reason is given.
        PermissionDeniedError: When the viewer is not the plan's author, owner or an
            administrator of its nation.
        IllegalTransitionError: When the plan is executed, assessed or already cancelled.
    """
    require(viewer, Role.PLANNER, "cancel plans")
    why = (reason or "").strip()
    if not why:
        raise ValidationError(
            [FieldProblem("reason", "say why the plan is cancelled: it cannot be undone")],
            "cancellation",
        )
    with store.transaction() as connection:
        current = plan_store.get_plan(connection, plan_id, viewer)
        check_local_workflow(current.origin, plan_id)
        check_owner(viewer, current.owner_nation, f"Plan {plan_id}")
        check_cancel(viewer, current)
        return _move(connection, current, Action.CANCEL, viewer, why)


def execute_plan(
    store: Store, plan_id: int, viewer: Viewer, reason: str | None = None
) -> StoredPlan:
    """Mark a scheduled plan executed and create its engagement, in one transaction.

    The engagement takes the plan's kind, title, dates, host, partners (with their personnel),
    location, objectives and releasability; the plan links to it.

    Raises:
        IllegalTransitionError: When the plan is not scheduled.
        ValidationError: When the engagement breaks a rule of engagements.
    """
    require(viewer, Role.PLANNER, "execute plans")
    with store.transaction() as connection:
        current = plan_store.get_plan(connection, plan_id, viewer)
        check_local_workflow(current.origin, plan_id)
        check_owner(viewer, current.owner_nation, f"Plan {plan_id}")
        check_transition(current.state, PlanState.EXECUTED, plan_id)
        engagement = validate_engagement(
            current.plan.engagement_record(), nation_store.load_nations(connection)
        )
        (engagement_id,) = engagement_store.insert_engagements(
            connection, [engagement], viewer.name, current.owner_nation
        )
        created = engagement_store.get_engagement(connection, engagement_id, viewer)
        append_audit(
            connection,
            viewer.name,
            "create",
            "engagement",
            engagement_id,
            None,
            {**created.to_dict(), "plan_id": plan_id},
        )
        return _move(
            connection, current, Action.EXECUTE, viewer, reason, engagement_id=engagement_id
        )


def _objective_scores(stored: StoredPlan, scores: Mapping[str, Any]) -> list[dict[str, Any]]:
    objectives = stored.plan.objectives
    problems = [
        FieldProblem("objectives", "is not an objective of the plan", name)
        for name in scores
        if name not in objectives
    ]
    problems += [
        FieldProblem("objectives", "needs a score of 1-5", name)
        for name in objectives
        if scores.get(name) in (None, "")
    ]
    if problems:
        raise ValidationError(problems, "assessment")
    return [{"objective": name, "score": scores[name]} for name in objectives]


def assess_plan(store: Store, plan_id: int, data: Mapping[str, Any], viewer: Viewer) -> StoredPlan:
    """Record the assessment of an executed plan's engagement and mark the plan assessed.

    Args:
        store: The store.
        plan_id: Which plan.
        data: ``objectives`` (each of the plan's objectives -> score 1-5), and optionally
            ``assessed_on``, ``interoperability``, ``trust`` (1-5), ``interoperability_notes``,
            ``cultural_notes``, ``lessons`` (shown in briefings), ``follow_up``.
        viewer: Who assesses (planners).

    Raises:
        IllegalTransitionError: When the plan is not executed.
        ValidationError: When an objective lacks a score, a score is not 1-5, or a field is bad.
    """
    require(viewer, Role.PLANNER, "assess plans")
    with store.transaction() as connection:
        current = plan_store.get_plan(connection, plan_id, viewer)
        check_local_workflow(current.origin, plan_id)
        check_owner(viewer, current.owner_nation, f"Plan {plan_id}")
        check_transition(current.state, PlanState.ASSESSED, plan_id)
        if current.engagement_id is None:
            raise ConflictError(f"Plan {plan_id} has no engagement to assess.")
        record = {
            **{k: v for k, v in data.items() if k != "objectives"},
            "engagement_id": current.engagement_id,
            "assessed_on": data.get("assessed_on") or date.today(),
            "objectives": _objective_scores(current, data.get("objectives") or {}),
            "releasability": str(current.plan.releasability),
        }
        assessment = validate_record(Assessment, record, "assessment")
        assessment_id = people_store.add_assessment(connection, assessment, viewer)
        append_audit(
            connection,
            viewer.name,
            "create",
            "assessment",
            assessment_id,
            None,
            assessment.model_dump(mode="json"),
        )
        return _move(connection, current, Action.ASSESS, viewer, None)
