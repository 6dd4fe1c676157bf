"""Plans in exchange bundles: which travel, what of each travels, and merging a partner's.

A plan travels when it is marked ``shared``, was written here (a plan received from a partner is
never sent on) and a viewer of the partner's nation may read it, by the releasability filter
every read applies (the label in the plan's start year). Of a plan, a bundle holds its title,
kind, objectives, partners (nation, role, planned personnel), first and last day, location, the
agencies whose approval it needs, its label, its state and round, and the agencies' decisions of
that round (agency, approve or return, when), with its id, owner nation and last change. It
never holds the budget, the responsible account, who decided for an agency and why, earlier
rounds, the calendar check's warnings or the history of moves: they are the writing nation's own
(docs/exchange.md).

An import stores a partner's plan as a plan of the nation that owns it there, marked with its
origin (``xchg:INSTALLATION:ID``). It never enters this installation's workflow: it keeps the
state, round and decisions the partner sent, and every move of it here is refused
(:func:`comity.planning.check_local_workflow`). Added, unchanged, updated and conflicts follow
the rules of :mod:`comity.services.exchange_merge`, and so does the label of an update
(:func:`~comity.services.exchange_merge.narrowed_label`): never wider than the stored one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from comity.access.viewer import Viewer
from comity.errors import ComityError, FieldProblem, NotFoundError, ValidationError
from comity.model.nations import Nation
from comity.model.plans import Agency, PlanState
from comity.services.exchange_merge import (
    MergeReport,
    origin_of,
    record_digest,
)
from comity.services.plans import validate_plan
from comity.store import exchange as exchange_store
from comity.store import nations as nation_store
from comity.store import plans as plan_store
from comity.store.audit import append_audit
from comity.store.exchange import Partner, Received
from comity.store.ownership import check_readable_by
from comity.store.plan_writes import ReceivedPlan, insert_received_plan, replace_received_plan
from comity.store.plans import StoredPlan
from comity.store.tables_plans import plans as plans_table

__all__ = ["PLAN_FIELDS", "exportable_plan_items", "merge_plans", "plan_record"]

PLAN_FIELDS = (
    "title",
    "kind",
    "objectives",
    "partners",
    "start",
    "end",
    "location",
    "agencies",
    "releasability",
)
"""The fields of a plan a bundle holds, besides its state, round and decisions."""
_DECISIONS = ("approve", "return")


def plan_record(stored: StoredPlan) -> dict[str, Any]:
    """A plan as a bundle holds it (and as an import compares it): fields, state, decisions."""
    record = stored.plan.model_dump(mode="json", include=set(PLAN_FIELDS))
    record["state"] = stored.state.value
    record["round"] = stored.round
    record["decisions"] = [
        {"agency": d.agency, "decision": d.decision, "at": d.at.isoformat()}
        for d in stored.decisions
        if d.round == stored.round
    ]
    return record


def exportable_plan_items(
    connection: Any,
    readers: Sequence[Viewer],
    engagement_ids: Collection[int],
    since: datetime | None = None,
) -> list[dict[str, Any]]:
    """The plans a bundle for ``readers[0]`` holds (each also visible to the others).

    Each: ``id``, ``owner`` (its nation), ``updated_at``, ``engagement`` (the engagement it
    became, when the bundle may hold that engagement too) and ``record``.

    Args:
        connection: A connection.
        readers: The partner, and for a preview the person asking.
        engagement_ids: The engagements a bundle for the partner may hold.
        since: Only plans changed, or decided on, at or after this moment.
    """
    sendable = set(engagement_ids)
    return [
        {
            "id": stored.id,
            "owner": stored.owner_nation,
            "updated_at": stored.updated_at.isoformat(),
            "engagement": stored.engagement_id if stored.engagement_id in sendable else None,
            "record": plan_record(stored),
        }
        for stored in plan_store.exportable_plans(connection, readers, since)
    ]


def _problem(origin: str, field: str, reason: str, value: Any) -> ValidationError:
    return ValidationError([FieldProblem(field, reason, value)], f"plan {origin}")


def _decisions(
    origin: str, value: Any, agencies: Collection[Agency]
) -> tuple[tuple[str, str, datetime], ...]:
    """The agencies' decisions of a plan's round, checked."""
    if not isinstance(value, list):
        raise _problem(origin, "decisions", "is not a list", value)
    needed = {a.value for a in agencies}
    found = []
    for index, entry in enumerate(value):
        where = f"decisions.{index}"
        if not isinstance(entry, dict):
            raise _problem(origin, where, "is not an object", entry)
        agency, decision = entry.get("agency"), entry.get("decision")
        if agency not in needed:
            raise _problem(origin, f"{where}.agency", "is not an agency the plan needs", agency)
        if decision not in _DECISIONS:
            raise _problem(origin, f"{where}.decision", "is neither approve nor return", decision)
        try:
            at = datetime.fromisoformat(str(entry.get("at")))
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            raise _problem(origin, f"{where}.at", "is not a time with its zone", entry.get("at"))
        found.append((str(agency), str(decision), at))
    return tuple(found)


def _received(
    item: dict[str, Any],
    origin: str,
    partner: Partner,
    nations: Mapping[str, Nation],
    engagements: Mapping[str, Received],
) -> ReceivedPlan:
    """The partner's plan as it is stored here, checked by the rules of every plan."""
    record = item["record"]
    fields = {name: record[name] for name in PLAN_FIELDS if name in record}
    try:
        plan = validate_plan({**fields, "budget": None, "owner": None, "shared": False}, nations)
    except ValidationError as error:
        raise ValidationError(error.problems, f"plan {origin}") from None
    try:
        state = PlanState(record.get("state"))
    except ValueError:
        raise _problem(origin, "state", "is not a plan state", record.get("state")) from None
    round_ = record.get("round")
    if not isinstance(round_, int) or isinstance(round_, bool) or round_ < 0:
        raise _problem(origin, "round", "is not a whole number from 0", round_)
    engagement = engagements.get(str(item.get("engagement")))
    return ReceivedPlan(
        plan=plan,
        state=state,
        round=round_,
        decisions=_decisions(origin, record.get("decisions", []), plan.agencies),
        origin=f"xchg:{partner.name}:{origin}",
        engagement_id=engagement.local_id if engagement is not None else None,
    )


def _members(connection: Any, year: int) -> Callable[[Iterable[str]], set[str]]:
    return lambda codes: exchange_store.members_in(connection, codes, year)


def _stored(connection: Any, key: int, writer: Viewer) -> StoredPlan | None:
    try:
        return plan_store.get_plan(connection, key, writer)
    except NotFoundError:
        return None


def merge_plans(
    connection: Any,
    items: list[Any],
    partner: Partner,
    writer: Viewer,
    report: MergeReport,
) -> None:
    """Add, update or leave each of a partner's plans, in the import's transaction.

    Runs after the engagements are merged, so a plan links to its engagement when that came too.

    Args:
        connection: A connection inside the import's transaction.
        items: The bundle's plans.
        partner: The partner that signed it.
        writer: Who writes (unrestricted: the import decides what it may write).
        report: The import's report, counted into (kind ``plan``).

    Raises:
        ComityError: For a plan that is not of the format, or whose owner is not a nation here.
        ValidationError: For a plan that breaks a rule of plans.
    """
    nations = nation_store.load_nations(connection)
    received = exchange_store.read_received(connection, partner.id, "plan")
    engagements = exchange_store.read_received(connection, partner.id, "engagement")
    counts = report.kinds["plan"]
    for item in items:
        origin = origin_of(item, "plan")
        owner = str(item.get("owner") or partner.nation)
        if owner not in nations:
            raise ComityError(f"plan {origin} belongs to {owner!r}, not a nation here")
        incoming = record_digest(item)
        plan = _received(item, origin, partner, nations, engagements)
        known = received.get(origin)
        if known is not None and known.bundle_digest == incoming:
            counts.unchanged += 1
            continue
        if known is None:
            key = insert_received_plan(connection, plan, writer.name, owner)
            counts.added += 1
        else:
            key = known.local_id
            before = _stored(connection, key, writer)
            if before is None or record_digest(plan_record(before)) != known.local_digest:
                why = "deleted here since imported" if before is None else "changed here and there"
                report.conflict("plan", origin, key, why)
                continue
            label = report.label_of_update(
                "plan",
                origin,
                key,
                before.plan.releasability,
                plan.plan.releasability,
                _members(connection, plan.plan.start.year),
            )
            if label is None:
                continue
            plan = replace(plan, plan=plan.plan.model_copy(update={"releasability": label}))
            replace_received_plan(connection, key, plan, writer.name)
            after = plan_store.get_plan(connection, key, writer)
            append_audit(
                connection,
                writer.name,
                "exchange_update",
                "plan",
                key,
                before.to_dict(),
                after.to_dict(),
            )
            counts.updated += 1
        check_readable_by(
            connection, plans_table, key, owner, plan.plan.start.year, f"plan {origin}"
        )
        stored = plan_store.get_plan(connection, key, writer)
        exchange_store.write_received(
            connection,
            partner.id,
            "plan",
            origin,
            Received(key, incoming, record_digest(plan_record(stored))),
        )
