"""Use cases of plans: add, edit, read and list them; friction figures; open plans per partner.

The moves between states (submit, approve, return, schedule, execute, assess, cancel) are in
:mod:`comity.services.plan_workflow`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from comity.access.viewer import Role, Viewer
from comity.errors import FieldProblem, UnknownNationError, ValidationError
from comity.model.engagements import existence_problem
from comity.model.nations import Nation
from comity.model.numbers import is_whole
from comity.model.plans import Plan, PlanState
from comity.model.validation import validate_record
from comity.planning import EDITABLE, IllegalTransitionError
from comity.planning.friction import (
    FrictionBy,
    FrictionFigure,
    FrictionRow,
    create_friction,
    median,
    p90,
)
from comity.services.engagements import check_release, require
from comity.services.registry import resolve_nation
from comity.store import Store
from comity.store import nations as nation_store
from comity.store import plans as plan_store
from comity.store.audit import append_audit
from comity.store.ownership import owner_of
from comity.store.plans import StoredPlan

__all__ = [
    "OPEN_STATES",
    "StoredPlan",
    "add_plan",
    "edit_plan",
    "get_plan",
    "list_plans",
    "open_plans_with",
    "pair_friction",
    "plan_friction",
    "resolve_partners",
    "validate_plan",
]

OPEN_STATES = (
    PlanState.DRAFT,
    PlanState.SUBMITTED,
    PlanState.RETURNED,
    PlanState.APPROVED,
    PlanState.SCHEDULED,
)
"""States of a plan that has not happened (nor been cancelled) yet."""


def resolve_partners(data: Mapping[str, Any]) -> dict[str, Any]:
    """The same plan with its partners given by any name or code, as keys.

    Raises:
        ValidationError: Naming each partner that does not resolve, with the closest names.
    """
    result = dict(data)
    partners = result.get("partners")
    if not isinstance(partners, list | tuple):
        return result
    start = str(result.get("start") or "")
    year = int(start[:4]) if is_whole(start[:4]) else None
    problems: list[FieldProblem] = []
    resolved = []
    for index, partner in enumerate(partners):
        nation = partner.get("nation") if isinstance(partner, Mapping) else None
        if isinstance(nation, str) and nation.strip():
            try:
                partner = {**partner, "nation": resolve_nation(nation, year=year).iso3}
            except UnknownNationError as error:
                reason = "unknown nation" + (f"; {error.hint}" if error.hint else "")
                problems.append(FieldProblem(f"partners.{index}.nation", reason, nation))
        resolved.append(partner)
    if problems:
        raise ValidationError(problems, "plan")
    result["partners"] = resolved
    return result


def validate_plan(data: Mapping[str, Any] | Plan, nations: Mapping[str, Nation]) -> Plan:
    """Validate a plan, with the registry's rules: known partners, states in the plan's dates.

    Raises:
        ValidationError: Naming every offending field.
    """
    plan = data if isinstance(data, Plan) else validate_record(Plan, data, "plan")
    problems = []
    for index, partner in enumerate(plan.partners):
        field = f"partners.{index}.nation"
        nation = nations.get(partner.nation)
        if nation is None:
            problems.append(FieldProblem(field, "unknown nation", partner.nation))
        elif (reason := existence_problem(nation, plan.start, plan.end)) is not None:
            problems.append(FieldProblem(field, reason, partner.nation))
    if problems:
        raise ValidationError(problems, "plan")
    return plan


def add_plan(store: Store, data: Mapping[str, Any] | Plan, viewer: Viewer) -> StoredPlan:
    """Validate and store a plan, in the draft state; its owner defaults to its author.

    Raises:
        PermissionDeniedError: Unless the viewer is a planner (or higher).
        ValidationError: Naming every offending field, or a label beyond the author's reach.
    """
    require(viewer, Role.PLANNER, "add plans")
    if not isinstance(data, Plan) and not data.get("owner"):
        data = {**data, "owner": viewer.name}
    with store.transaction() as connection:
        plan = validate_plan(data, nation_store.load_nations(connection))
        check_release(viewer, plan, "plan")
        plan_id = plan_store.insert_plan(connection, plan, viewer.name, owner_of(viewer))
        stored = plan_store.get_plan(connection, plan_id, viewer)
        append_audit(connection, viewer.name, "create", "plan", plan_id, None, stored.to_dict())
        return stored


def edit_plan(
    store: Store,
    plan_id: int,
    changes: Mapping[str, Any],
    viewer: Viewer,
    *,
    expected_version: int | None = None,
) -> StoredPlan:
    """Apply ``changes`` (field -> new value) to a draft or returned plan; validate the whole.

    Raises:
        NotFoundError: When the viewer sees no such plan.
        IllegalTransitionError: When the plan is past editing (submitted or later).
        ValidationError: When the changed plan breaks a rule, or would share a plan received
            from a partner installation (only its origin shares it).
        StaleVersionError: When ``expected_version`` is given and stale.
    """
    require(viewer, Role.PLANNER, "edit plans")
    with store.transaction() as connection:
        current = plan_store.get_plan(connection, plan_id, viewer)
        if current.state not in EDITABLE:
            raise IllegalTransitionError(
                f"Plan {plan_id} is {current.state.value}: only a draft or returned plan may be "
                "edited.",
                hint="Cancel it and add a new plan, or ask an approver to return it.",
            )
        merged = {**current.plan.model_dump(mode="json"), **changes}
        plan = validate_plan(merged, nation_store.load_nations(connection))
        if plan.shared and current.received_from is not None:
            reason = f"is a plan received from {current.received_from}: only its origin shares it"
            raise ValidationError([FieldProblem("shared", reason, "true")], "plan")
        check_release(viewer, plan, "plan")
        plan_store.update_plan(connection, plan_id, plan, viewer, expected_version)
        stored = plan_store.get_plan(connection, plan_id, viewer)
        append_audit(
            connection, viewer.name, "update", "plan", plan_id, current.to_dict(), stored.to_dict()
        )
        return stored


def get_plan(store: Store, plan_id: int, viewer: Viewer) -> StoredPlan:
    """One plan the viewer may see, with its history.

    Raises:
        NotFoundError: When there is none visible to the viewer.
    """
    with store.connect() as connection:
        return plan_store.get_plan(connection, plan_id, viewer)


def _states(states: Sequence[PlanState | str]) -> tuple[PlanState, ...]:
    try:
        return tuple(PlanState(s) for s in states)
    except ValueError as error:
        known = ", ".join(s.value for s in PlanState)
        raise ValidationError(
            [FieldProblem("state", f"{error}; known states: {known}")], "filter"
        ) from None


def list_plans(
    store: Store,
    viewer: Viewer,
    *,
    states: Sequence[PlanState | str] = (),
    nation: str | None = None,
    limit: int | None = None,
) -> list[StoredPlan]:
    """Plans the viewer may see, soonest first, by state and by partner (any name or code).

    Raises:
        ValidationError: For an unknown state.
        UnknownNationError: When the nation does not resolve.
    """
    chosen = _states(states)
    key = resolve_nation(nation).iso3 if nation else None
    with store.connect() as connection:
        return plan_store.list_plans(connection, viewer, states=chosen, nation=key, limit=limit)


def open_plans_with(store: Store, viewer: Viewer, nation: str) -> list[StoredPlan]:
    """Plans not yet executed nor cancelled that ``nation`` (a key) takes part in."""
    with store.connect() as connection:
        return plan_store.list_plans(connection, viewer, states=OPEN_STATES, nation=nation)


def _friction_rows(store: Store, viewer: Viewer) -> list[FrictionRow]:
    with store.connect() as connection:
        return [FrictionRow(*row) for row in plan_store.read_approval_rows(connection, viewer)]


def plan_friction(
    store: Store, viewer: Viewer, by: FrictionBy | str = FrictionBy.AGENCY
) -> list[FrictionFigure]:
    """Median and p90 days from submission to approval per agency or partner.

    Only plans the viewer may read count (see :mod:`comity.planning.friction`).

    Raises:
        ValidationError: When ``by`` is neither ``agency`` nor ``partner``.
    """
    try:
        grouping = FrictionBy(by)
    except ValueError:
        raise ValidationError(
            [FieldProblem("by", "is neither agency nor partner", str(by))], "friction"
        ) from None
    return create_friction(_friction_rows(store, viewer), grouping)


def pair_friction(store: Store, viewer: Viewer, a: str, b: str) -> dict[str, Any]:
    """Bureaucratic friction of one pair: days to approval of plans both nations take part in.

    Returns:
        ``approvals`` (how many plans), ``median_days`` and ``p90_days`` (None when no plan of
        the pair was ever approved: missing, not zero), and ``note`` in words.
    """
    days = [
        (row.approved_at - row.submitted_at).total_seconds() / 86_400
        for row in _friction_rows(store, viewer)
        if row.agency is None and a in row.partners and b in row.partners
    ]
    note = (
        f"Median and p90 days from submission to approval of {len(days)} plan approval(s) "
        f"with both {a} and {b} among the partners."
        if days
        else f"Missing: no plan with both {a} and {b} has been approved, so no friction figure."
    )
    return {
        "approvals": len(days),
        "median_days": median(days),
        "p90_days": p90(days),
        "note": note,
    }
