"""Plan writes, in the caller's transaction: insert, update, moves between states, decisions.

Updates and moves take the viewer and, when given, the version the caller read: a plan the viewer
may not see, one of another nation (:func:`comity.store.ownership.check_owner`) or one changed
since is refused. The services check the rules of :mod:`comity.planning` before writing; the
reads are in :mod:`comity.store.plans`.

A plan received from a partner installation (:class:`ReceivedPlan`) is written as the partner
sent it: its state, its round and the agencies' decisions of that round, recorded as the
partner's (``xchg:INSTALLATION``), never as a move of this installation's workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from comity.access.viewer import Viewer
from comity.errors import NotFoundError, StaleVersionError
from comity.model.plans import Plan, PlanState
from comity.store.labels import LabelCache
from comity.store.ownership import check_owner
from comity.store.tables_plans import (
    plan_agencies,
    plan_approvals,
    plan_partners,
    plan_transitions,
    plans,
)
from comity.store.visibility import visible_to

__all__ = [
    "ReceivedPlan",
    "add_decision",
    "insert_plan",
    "insert_received_plan",
    "replace_received_plan",
    "set_state",
    "update_plan",
]

_P = plans


def _now() -> datetime:
    return datetime.now(UTC)


def _values(connection: Connection, plan: Plan) -> dict[str, Any]:
    return {
        "title": plan.title,
        "kind": plan.kind.value,
        "objectives": list(plan.objectives),
        "start_date": plan.start,
        "end_date": plan.end,
        "start_year": plan.start.year,
        "location": plan.location,
        "budget_cents": int(plan.budget.amount * 100) if plan.budget else None,
        "budget_currency": plan.budget.currency if plan.budget else None,
        "owner": plan.owner,
        "label_id": LabelCache(connection).id_for(plan.releasability),
        "shared": plan.shared,
    }


def _write_children(connection: Connection, plan_id: int, plan: Plan) -> None:
    connection.execute(delete(plan_partners).where(plan_partners.c.plan_id == plan_id))
    connection.execute(delete(plan_agencies).where(plan_agencies.c.plan_id == plan_id))
    connection.execute(
        insert(plan_partners),
        [
            {
                "plan_id": plan_id,
                "nation": p.nation,
                "position": i,
                "role": p.role.value,
                "personnel": p.personnel,
            }
            for i, p in enumerate(plan.partners)
        ],
    )
    connection.execute(
        insert(plan_agencies),
        [
            {"plan_id": plan_id, "agency": a.value, "position": i}
            for i, a in enumerate(plan.agencies)
        ],
    )


def insert_plan(connection: Connection, plan: Plan, actor: str, owner: str | None = None) -> int:
    """Store a new plan in the draft state, with its first transition; returns its id.

    ``owner`` is the nation the plan belongs to (None: the installation).
    """
    now = _now()
    plan_id = int(
        connection.execute(
            insert(_P)
            .values(
                **_values(connection, plan),
                state=PlanState.DRAFT.value,
                round=0,
                version=1,
                created_at=now,
                created_by=actor,
                updated_at=now,
                updated_by=actor,
                owner_nation=owner,
            )
            .returning(_P.c.id)
        ).scalar_one()
    )
    _write_children(connection, plan_id, plan)
    connection.execute(
        insert(plan_transitions).values(
            plan_id=plan_id, from_state=None, to_state="draft", actor=actor, at=now, reason=None
        )
    )
    return plan_id


def _current(
    connection: Connection, plan_id: int, viewer: Viewer, expected_version: int | None
) -> int:
    found = connection.execute(
        select(_P.c.version, _P.c.owner_nation).where(
            _P.c.id == plan_id, visible_to(viewer, _P.c.label_id, _P.c.start_year)
        )
    ).first()
    if found is None:
        raise NotFoundError(f"No plan with id {plan_id}.", hint="List plans: comity plans list.")
    # A plan is its nation's: only its planners change it, only its approvers decide on it.
    check_owner(viewer, found.owner_nation, f"Plan {plan_id}")
    current = found.version
    if expected_version is not None and current != expected_version:
        raise StaleVersionError(
            f"Plan {plan_id} changed since you read it "
            f"(version {current}, you had {expected_version}).",
            hint="Read it again and re-apply your change.",
        )
    return int(current)


def _bump(connection: Connection, plan_id: int, current: int, viewer: Viewer, **values: Any) -> int:
    result = connection.execute(
        update(_P)
        .where(_P.c.id == plan_id, _P.c.version == current)
        .values(**values, version=current + 1, updated_at=_now(), updated_by=viewer.name)
    )
    if result.rowcount != 1:
        raise StaleVersionError(f"Plan {plan_id} changed since you read it.")
    return current + 1


def update_plan(
    connection: Connection,
    plan_id: int,
    plan: Plan,
    viewer: Viewer,
    expected_version: int | None = None,
) -> int:
    """Replace a plan's fields (not its state); returns the new version.

    Raises:
        NotFoundError: When the viewer sees no such plan.
        StaleVersionError: When ``expected_version`` is given and stale.
    """
    current = _current(connection, plan_id, viewer, expected_version)
    version = _bump(connection, plan_id, current, viewer, **_values(connection, plan))
    _write_children(connection, plan_id, plan)
    return version


def set_state(
    connection: Connection,
    plan_id: int,
    from_state: PlanState,
    to_state: PlanState,
    viewer: Viewer,
    reason: str | None = None,
    *,
    expected_version: int | None = None,
    **values: Any,
) -> int:
    """Move a plan to ``to_state`` (the caller checked the move is legal) and record the move.

    Args:
        connection: A connection inside the transaction of the move.
        plan_id: Which plan.
        from_state: The state the caller read; the write is refused if it changed since.
        to_state: The new state.
        viewer: Who moves it.
        reason: Why, in words.
        expected_version: Refuse unless the stored version is this one.
        values: Other columns to set with the move (round, calendar_warnings, engagement_id).

    Returns:
        The new version.
    """
    current = _current(connection, plan_id, viewer, expected_version)
    result = connection.execute(
        update(_P)
        .where(_P.c.id == plan_id, _P.c.version == current, _P.c.state == from_state.value)
        .values(
            **values,
            state=to_state.value,
            version=current + 1,
            updated_at=_now(),
            updated_by=viewer.name,
        )
    )
    if result.rowcount != 1:
        raise StaleVersionError(f"Plan {plan_id} changed since you read it.")
    connection.execute(
        insert(plan_transitions).values(
            plan_id=plan_id,
            from_state=from_state.value,
            to_state=to_state.value,
            actor=viewer.name,
            at=_now(),
            reason=reason,
        )
    )
    return current + 1


def add_decision(
    connection: Connection,
    plan_id: int,
    round_: int,
    agency: str,
    decision: str,
    actor: str,
    reason: str | None,
) -> None:
    """Record one agency's decision on a round of a plan."""
    connection.execute(
        insert(plan_approvals).values(
            plan_id=plan_id,
            round=round_,
            agency=agency,
            decision=decision,
            actor=actor,
            at=_now(),
            reason=reason,
        )
    )


@dataclass(frozen=True)
class ReceivedPlan:
    """A partner installation's plan, as an import stores it.

    Attributes:
        plan: Its fields (no budget nor owner account travel; it is never shared on).
        state: Its state at the partner.
        round: The partner's round of approval.
        decisions: The agencies' decisions of that round: agency, ``approve`` or ``return``,
            and when.
        origin: ``xchg:INSTALLATION:ID``, its id at the partner.
        engagement_id: The engagement here it became (the partner's, imported), if any.
    """

    plan: Plan
    state: PlanState
    round: int
    decisions: tuple[tuple[str, str, datetime], ...]
    origin: str
    engagement_id: int | None

    @property
    def actor(self) -> str:
        """Who its moves and decisions are recorded as: ``xchg:INSTALLATION``."""
        return self.origin.rsplit(":", 1)[0]


def _write_decisions(connection: Connection, plan_id: int, received: ReceivedPlan) -> None:
    connection.execute(delete(plan_approvals).where(plan_approvals.c.plan_id == plan_id))
    if received.decisions:
        connection.execute(
            insert(plan_approvals),
            [
                {
                    "plan_id": plan_id,
                    "round": received.round,
                    "agency": agency,
                    "decision": decision,
                    "actor": received.actor,
                    "at": at,
                    "reason": None,
                }
                for agency, decision, at in received.decisions
            ],
        )


def insert_received_plan(
    connection: Connection, received: ReceivedPlan, actor: str, owner: str
) -> int:
    """Store a plan received from a partner installation, in the partner's state; its id.

    Args:
        connection: A connection inside the import's transaction.
        received: The plan as the partner sent it, checked already.
        actor: Who imports it.
        owner: The nation it belongs to.
    """
    now = _now()
    plan_id = int(
        connection.execute(
            insert(_P)
            .values(
                **_values(connection, received.plan),
                state=received.state.value,
                round=received.round,
                engagement_id=received.engagement_id,
                origin=received.origin,
                version=1,
                created_at=now,
                created_by=actor,
                updated_at=now,
                updated_by=actor,
                owner_nation=owner,
            )
            .returning(_P.c.id)
        ).scalar_one()
    )
    _write_children(connection, plan_id, received.plan)
    _write_decisions(connection, plan_id, received)
    installation = received.actor.removeprefix("xchg:")
    connection.execute(
        insert(plan_transitions).values(
            plan_id=plan_id,
            from_state=None,
            to_state=received.state.value,
            actor=received.actor,
            at=now,
            reason=f"received from {installation}",
        )
    )
    return plan_id


def replace_received_plan(
    connection: Connection, plan_id: int, received: ReceivedPlan, actor: str
) -> None:
    """Replace a received plan with the partner's new version: fields, state and decisions.

    A change of state is recorded as a move made at the partner (``xchg:INSTALLATION``).
    """
    current = connection.execute(select(_P.c.state, _P.c.version).where(_P.c.id == plan_id)).one()
    connection.execute(
        update(_P)
        .where(_P.c.id == plan_id)
        .values(
            **_values(connection, received.plan),
            state=received.state.value,
            round=received.round,
            engagement_id=received.engagement_id,
            version=current.version + 1,
            updated_at=_now(),
            updated_by=actor,
        )
    )
    _write_children(connection, plan_id, received.plan)
    _write_decisions(connection, plan_id, received)
    if current.state != received.state.value:
        installation = received.actor.removeprefix("xchg:")
        connection.execute(
            insert(plan_transitions).values(
                plan_id=plan_id,
                from_state=current.state,
                to_state=received.state.value,
                actor=received.actor,
                at=_now(),
                reason=f"moved at {installation}",
            )
        )
