"""Plans as rows: reads filtered for a viewer (writes in ``plan_writes``).

Moves between states and agencies' decisions are rows of their own (``plan_transitions``,
``plan_approvals``); the services check the rules of :mod:`comity.planning` before writing them.
A plan's label is judged in its start year, as an engagement's is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, or_, select

from comity.access.viewer import Viewer
from comity.errors import NotFoundError
from comity.model.plans import Plan, PlanState
from comity.store.labels import read_labels
from comity.store.plan_writes import add_decision, insert_plan, set_state, update_plan
from comity.store.tables_plans import (
    plan_agencies,
    plan_approvals,
    plan_partners,
    plan_transitions,
    plans,
)
from comity.store.visibility import visible_to

__all__ = [
    "Decision",
    "StoredPlan",
    "Transition",
    "add_decision",
    "exportable_plans",
    "get_plan",
    "insert_plan",
    "list_plans",
    "read_approval_rows",
    "set_state",
    "update_plan",
]

_P = plans


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Transition:
    """One move of a plan between states: from, to, who, when and why."""

    from_state: PlanState | None
    to_state: PlanState
    actor: str
    at: datetime
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "from": self.from_state.value if self.from_state else None,
            "to": self.to_state.value,
            "actor": self.actor,
            "at": self.at.isoformat(),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Decision:
    """One agency's decision on one round of a plan: approve or return."""

    round: int
    agency: str
    decision: str
    actor: str
    at: datetime
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "round": self.round,
            "agency": self.agency,
            "decision": self.decision,
            "actor": self.actor,
            "at": self.at.isoformat(),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class StoredPlan:
    """A plan as stored: the record, its state and round, its history and who wrote it.

    Attributes:
        id: Its key.
        version: Incremented by every write (for optimistic concurrency).
        state: Where it stands.
        round: How many times it was submitted (0 before the first submission).
        plan: The record.
        calendar_warnings: The calendar check run on the last submission, if any.
        engagement_id: The engagement it became, once executed.
        transitions: Every move, oldest first.
        decisions: Every agency's decision, oldest first.
        created_at: When it was written.
        created_by: Who wrote it.
        updated_at: When it last changed.
        updated_by: Who last changed it.
        owner_nation: The nation it belongs to (None: the installation).
        origin: ``xchg:INSTALLATION:ID`` for a plan received from a partner installation (it
            follows that installation's workflow, not this one's); None for a plan of this
            installation.
    """

    id: int
    version: int
    state: PlanState
    round: int
    plan: Plan
    calendar_warnings: dict[str, Any] | None
    engagement_id: int | None
    transitions: tuple[Transition, ...]
    decisions: tuple[Decision, ...]
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    owner_nation: str | None = None
    origin: str | None = None

    @property
    def received_from(self) -> str | None:
        """The partner installation the plan was received from (None: this installation's)."""
        return None if self.origin is None else self.origin.split(":")[1]

    @property
    def id_at_origin(self) -> str | None:
        """The plan's id at the partner installation it was received from."""
        return None if self.origin is None else self.origin.split(":", 2)[2]

    @property
    def approved_by(self) -> tuple[str, ...]:
        """Agencies that approved the current round (none once it was returned)."""
        if self.state is PlanState.RETURNED:
            return ()
        return tuple(
            d.agency for d in self.decisions if d.round == self.round and d.decision == "approve"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: id, version, state, the plan's fields, then history."""
        return {
            "id": self.id,
            "version": self.version,
            "state": self.state.value,
            "round": self.round,
            **self.plan.model_dump(mode="json"),
            "approved_by": list(self.approved_by),
            "calendar_warnings": self.calendar_warnings,
            "engagement_id": self.engagement_id,
            "transitions": [t.to_dict() for t in self.transitions],
            "decisions": [d.to_dict() for d in self.decisions],
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
            "owner_nation": self.owner_nation,
            "origin": self.origin,
        }


def _visible(viewer: Viewer) -> ColumnElement[bool]:
    return visible_to(viewer, _P.c.label_id, _P.c.start_year)


def _children(
    connection: Connection, ids: Sequence[int]
) -> tuple[dict[int, list[Any]], dict[int, list[Any]], dict[int, list[Any]], dict[int, list[Any]]]:
    found: tuple[dict[int, list[Any]], ...] = ({}, {}, {}, {})
    queries = (
        select(plan_partners)
        .where(plan_partners.c.plan_id.in_(ids))
        .order_by(plan_partners.c.plan_id, plan_partners.c.position),
        select(plan_agencies)
        .where(plan_agencies.c.plan_id.in_(ids))
        .order_by(plan_agencies.c.plan_id, plan_agencies.c.position),
        select(plan_transitions)
        .where(plan_transitions.c.plan_id.in_(ids))
        .order_by(plan_transitions.c.id),
        select(plan_approvals)
        .where(plan_approvals.c.plan_id.in_(ids))
        .order_by(plan_approvals.c.id),
    )
    for into, query in zip(found, queries, strict=True):
        for row in connection.execute(query):
            into.setdefault(row.plan_id, []).append(row)
    return found[0], found[1], found[2], found[3]


def _stored(connection: Connection, rows: Sequence[Any]) -> list[StoredPlan]:
    if not rows:
        return []
    ids = [row.id for row in rows]
    partners, agencies, moves, decisions = _children(connection, ids)
    labels = read_labels(connection, (r.label_id for r in rows))
    result = []
    for row in rows:
        budget = (
            {"amount": Decimal(row.budget_cents) / 100, "currency": row.budget_currency}
            if row.budget_cents is not None and row.budget_currency
            else None
        )
        label = labels.get(row.label_id)
        plan = Plan.model_validate(
            {
                "title": row.title,
                "kind": row.kind,
                "objectives": list(row.objectives or ()),
                "partners": [
                    {"nation": p.nation, "role": p.role, "personnel": p.personnel}
                    for p in partners.get(row.id, [])
                ],
                "start": row.start_date,
                "end": row.end_date,
                "location": row.location,
                "budget": budget,
                "agencies": [a.agency for a in agencies.get(row.id, [])],
                "owner": row.owner,
                "releasability": str(label) if label is not None else None,
                "shared": row.shared,
            }
        )
        result.append(
            StoredPlan(
                id=row.id,
                version=row.version,
                state=PlanState(row.state),
                round=row.round,
                plan=plan,
                calendar_warnings=row.calendar_warnings,
                engagement_id=row.engagement_id,
                transitions=tuple(
                    Transition(
                        PlanState(t.from_state) if t.from_state else None,
                        PlanState(t.to_state),
                        t.actor,
                        _aware(t.at),
                        t.reason,
                    )
                    for t in moves.get(row.id, [])
                ),
                decisions=tuple(
                    Decision(d.round, d.agency, d.decision, d.actor, _aware(d.at), d.reason)
                    for d in decisions.get(row.id, [])
                ),
                created_at=_aware(row.created_at),
                created_by=row.created_by,
                updated_at=_aware(row.updated_at),
                updated_by=row.updated_by,
                owner_nation=row.owner_nation,
                origin=row.origin,
            )
        )
    return result


def get_plan(connection: Connection, plan_id: int, viewer: Viewer) -> StoredPlan:
    """One plan the viewer may see.

    Raises:
        NotFoundError: When there is none visible to the viewer.
    """
    rows = connection.execute(select(_P).where(_P.c.id == plan_id, _visible(viewer))).all()
    if not rows:
        raise NotFoundError(f"No plan with id {plan_id}.", hint="List plans: comity plans list.")
    return _stored(connection, rows)[0]


def list_plans(
    connection: Connection,
    viewer: Viewer,
    *,
    states: Sequence[PlanState] = (),
    nation: str | None = None,
    limit: int | None = None,
) -> list[StoredPlan]:
    """Plans the viewer may see, soonest start first, filtered by state and partner nation."""
    query = select(_P).where(_visible(viewer)).order_by(_P.c.start_date, _P.c.id)
    if states:
        query = query.where(_P.c.state.in_([s.value for s in states]))
    if nation is not None:
        query = query.where(
            _P.c.id.in_(select(plan_partners.c.plan_id).where(plan_partners.c.nation == nation))
        )
    if limit is not None:
        query = query.limit(limit)
    return _stored(connection, connection.execute(query).all())


def exportable_plans(
    connection: Connection, readers: Sequence[Viewer], since: datetime | None = None
) -> list[StoredPlan]:
    """The plans a bundle for ``readers`` holds, soonest start first.

    Those marked shared, written here (a plan received from a partner is never sent on), that
    every reader may see by the label in its start year.

    Args:
        connection: A connection.
        readers: Who must be able to read each plan (the partner; a preview adds its reader).
        since: Only plans changed, or decided on by an agency, at or after this moment.
    """
    query = (
        select(_P)
        .where(
            _P.c.shared.is_(True),
            _P.c.origin.is_(None),
            *(visible_to(reader, _P.c.label_id, _P.c.start_year) for reader in readers),
        )
        .order_by(_P.c.start_date, _P.c.id)
    )
    if since is not None:
        decided = (
            select(plan_approvals.c.id)
            .where(plan_approvals.c.plan_id == _P.c.id, plan_approvals.c.at >= since)
            .exists()
        )
        query = query.where(or_(_P.c.updated_at >= since, decided))
    return _stored(connection, connection.execute(query).all())


def read_approval_rows(
    connection: Connection, viewer: Viewer
) -> list[tuple[int, int, str | None, tuple[str, ...], datetime, datetime]]:
    """Approvals of the plans the viewer may see, with the moment their round was submitted.

    Returns:
        ``(plan_id, round, agency, partners, submitted_at, approved_at)`` per approval: one per
        agency approval (``agency`` set) and one per approval of a whole plan (``agency`` None).
        Round ``n`` was submitted by the ``n``-th move to ``submitted``. Plans received from
        partner installations are left out: their decisions were made in another workflow.
    """
    query = select(_P.c.id).where(_visible(viewer), _P.c.origin.is_(None))
    visible = [row.id for row in connection.execute(query)]
    if not visible:
        return []
    partners: dict[int, list[str]] = {}
    for row in connection.execute(
        select(plan_partners.c.plan_id, plan_partners.c.nation)
        .where(plan_partners.c.plan_id.in_(visible))
        .order_by(plan_partners.c.plan_id, plan_partners.c.position)
    ):
        partners.setdefault(row.plan_id, []).append(row.nation)
    submitted: dict[tuple[int, int], datetime] = {}
    approved: dict[tuple[int, int], datetime] = {}
    rounds: dict[int, int] = {}
    for row in connection.execute(
        select(plan_transitions)
        .where(plan_transitions.c.plan_id.in_(visible))
        .order_by(plan_transitions.c.id)
    ):
        if row.to_state == PlanState.SUBMITTED.value:
            rounds[row.plan_id] = rounds.get(row.plan_id, 0) + 1
            submitted[(row.plan_id, rounds[row.plan_id])] = _aware(row.at)
        elif row.to_state == PlanState.APPROVED.value:
            approved[(row.plan_id, rounds.get(row.plan_id, 0))] = _aware(row.at)
    found: list[tuple[int, int, str | None, tuple[str, ...], datetime, datetime]] = []
    for row in connection.execute(
        select(plan_approvals)
        .where(plan_approvals.c.plan_id.in_(visible), plan_approvals.c.decision == "approve")
        .order_by(plan_approvals.c.id)
    ):
        start = submitted.get((row.plan_id, row.round))
        if start is not None:
            found.append(
                (
                    row.plan_id,
                    row.round,
                    row.agency,
                    tuple(partners.get(row.plan_id, ())),
                    start,
                    _aware(row.at),
                )
            )
    for (plan_id, round_), at in approved.items():
        start = submitted.get((plan_id, round_))
        if start is not None:
            found.append((plan_id, round_, None, tuple(partners.get(plan_id, ())), start, at))
    return found
