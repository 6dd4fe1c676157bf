"""Use cases of engagements: add, edit, delete, read and list them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

from comity.access.viewer import Role, Viewer
from comity.errors import FieldProblem, PermissionDeniedError, ValidationError
from comity.model.engagements import Engagement, EngagementKind, ParticipantRole
from comity.model.releasability import Releasability
from comity.model.validation import validate_engagement
from comity.services.cache import cache_key, remembered, viewer_scope
from comity.services.periods import EngagementPeriods, Period, engagement_periods
from comity.services.registry import resolve_nation
from comity.store import Store
from comity.store import engagements as engagement_store
from comity.store import nations as nation_store
from comity.store.audit import append_audit
from comity.store.changes import records_version
from comity.store.engagements import EngagementFilter, StoredEngagement
from comity.store.ownership import owner_of

__all__ = [
    "EngagementFilter",
    "EngagementPeriods",
    "Period",
    "StoredEngagement",
    "add_engagement",
    "add_engagements",
    "assign_host",
    "check_label",
    "check_release",
    "count_by_kind",
    "count_engagements",
    "delete_engagement",
    "edit_engagement",
    "engagement_periods",
    "get_engagement",
    "list_engagements",
    "require",
    "resolve_nations",
]

_PAGE_MEMO_LIMIT = 500
"""Pages up to this many engagements are remembered per data version and viewer scope."""


def require(viewer: Viewer, role: Role, action: str) -> None:
    """Refuse unless the viewer holds ``role``.

    Raises:
        PermissionDeniedError: Naming the role needed.
    """
    if not viewer.may(role):
        raise PermissionDeniedError(
            f"{viewer.name} may not {action}: it needs the role {role.name.lower()}.",
            hint=f"Ask an administrator for the {role.name.lower()} role.",
        )


def check_release(viewer: Viewer, record: Any, subject: str = "engagement") -> None:
    """Refuse a label that would hide the record from its own author's nation.

    A label naming an organisation passes here; whether the author's nation belonged to it in
    the record's year is checked after the write, by the rule every read applies
    (:func:`comity.store.ownership.check_readable_by`).

    Raises:
        ValidationError: On the ``releasability`` field.
    """
    check_label(viewer, record.releasability, subject)


def check_label(viewer: Viewer, label: Releasability, subject: str = "engagement") -> None:
    """Refuse a releasability label that would hide a record from the viewer's own nation.

    The rule of :func:`check_release`, for a label given apart from a record (an import's).

    Raises:
        ValidationError: On the ``releasability`` field.
    """
    if viewer.unrestricted or label.is_public:
        return
    targets = label.targets
    if viewer.nation in targets or targets & organisation_codes():
        return
    raise ValidationError(
        [
            FieldProblem(
                "releasability",
                f"must include your own nation ({viewer.nation}), or an organisation it "
                "belongs to, so you can read it",
                str(label),
            )
        ],
        subject,
    )


@cache
def organisation_codes() -> frozenset[str]:
    """The codes of the organisations a label may name (NATO, EU, ...)."""
    from comity.nations.organisations import load_organisations

    return frozenset(o.code for o in load_organisations()[0])


def resolve_nations(data: Mapping[str, Any]) -> dict[str, Any]:
    """The same record with its host and participants given by any name or code, as keys.

    Names are read for the engagement's start year ("Russia" in 1985 is the Soviet Union).

    Raises:
        ValidationError: Naming each nation that does not resolve, with the closest names.
    """
    from comity.errors import UnknownNationError
    from comity.model.dates import PartialDate

    result = dict(data)
    year = None
    try:
        year = PartialDate.parse(str(data.get("start"))).year if data.get("start") else None
    except Exception:
        year = None
    problems: list[FieldProblem] = []

    def key(value: Any, field: str) -> Any:
        if not isinstance(value, str) or not value.strip():
            return value
        try:
            return resolve_nation(value, year=year).iso3
        except UnknownNationError as error:
            reason = "unknown nation" + (f"; {error.hint}" if error.hint else "")
            problems.append(FieldProblem(field, reason, value))
            return value

    if result.get("host") is not None:
        result["host"] = key(result["host"], "host")
    participants = result.get("participants")
    if isinstance(participants, list | tuple):
        result["participants"] = [
            {**p, "nation": key(p.get("nation"), f"participants.{i}.nation")}
            if isinstance(p, Mapping)
            else p
            for i, p in enumerate(participants)
        ]
    if problems:
        raise ValidationError(problems, "engagement")
    return result


def assign_host(participants: Sequence[Mapping[str, Any]], host: str) -> list[dict[str, Any]]:
    """The participants with ``host`` as their one host.

    The host takes the role host, and joins first when it was not listed; a participant that
    was the host becomes a plain participant; every other role stays.

    Args:
        participants: Each a mapping with a ``nation`` key, and ``role`` and ``personnel`` when
            known.
        host: The host's nation key.
    """
    host_role, plain = ParticipantRole.HOST.value, ParticipantRole.PARTICIPANT.value

    def role(entry: Mapping[str, Any]) -> str:
        if entry["nation"] == host:
            return host_role
        current = entry.get("role") or plain
        return plain if current == host_role else str(current)

    placed = [{**entry, "role": role(entry)} for entry in participants]
    if host not in {entry["nation"] for entry in placed}:
        placed.insert(0, {"nation": host, "role": host_role})
    return placed


def add_engagement(
    store: Store, data: Mapping[str, Any] | Engagement, viewer: Viewer
) -> StoredEngagement:
    """Validate and store one engagement.

    Args:
        store: The store.
        data: The record's fields (or a record), with nation keys.
        viewer: Who adds it; needs the role planner.

    Raises:
        ValidationError: Naming every offending field.
        PermissionDeniedError: When the viewer may not write.
    """
    require(viewer, Role.PLANNER, "add engagements")
    with store.transaction() as connection:
        directory = nation_store.load_nations(connection)
        engagement = validate_engagement(data, directory)
        check_release(viewer, engagement)
        owner = owner_of(viewer)
        (engagement_id,) = engagement_store.insert_engagements(
            connection, [engagement], viewer.name, owner
        )
        engagement_store.check_readable(connection, engagement_id, owner)
        stored = engagement_store.get_engagement(connection, engagement_id, viewer)
        append_audit(
            connection, viewer.name, "create", "engagement", stored.id, None, stored.to_dict()
        )
        return stored


def add_engagements(
    store: Store, records: Sequence[Mapping[str, Any] | Engagement], viewer: Viewer
) -> list[int]:
    """Validate and store many engagements in one transaction: all of them, or none.

    Raises:
        ValidationError: For the first invalid record, its index in the field names.
    """
    require(viewer, Role.PLANNER, "add engagements")
    with store.transaction() as connection:
        directory = nation_store.load_nations(connection)
        valid = []
        for index, data in enumerate(records):
            try:
                engagement = validate_engagement(data, directory)
            except ValidationError as error:
                problems = [
                    FieldProblem(f"{index}.{p.field}", p.reason, p.value) for p in error.problems
                ]
                raise ValidationError(problems, "engagements") from None
            check_release(viewer, engagement)
            valid.append(engagement)
        owner = owner_of(viewer)
        ids = engagement_store.insert_engagements(connection, valid, viewer.name, owner)
        for index, engagement_id in enumerate(ids):
            engagement_store.check_readable(
                connection, engagement_id, owner, f"engagements.{index}"
            )
        append_audit(
            connection,
            viewer.name,
            "create",
            "engagement",
            None,
            None,
            {"count": len(ids), "ids": [ids[0], ids[-1]] if ids else []},
        )
        return ids


def edit_engagement(
    store: Store,
    engagement_id: int,
    changes: Mapping[str, Any],
    viewer: Viewer,
    *,
    expected_version: int | None = None,
) -> StoredEngagement:
    """Apply ``changes`` (field -> new value) to a stored engagement and re-validate it.

    Raises:
        NotFoundError: When the viewer sees no such engagement.
        ValidationError: When the changed record breaks a rule.
        ConflictError: When ``expected_version`` is given and stale.
    """
    require(viewer, Role.PLANNER, "edit engagements")
    with store.transaction() as connection:
        current = engagement_store.get_engagement(connection, engagement_id, viewer)
        merged = {**current.engagement.model_dump(mode="json"), **changes}
        if "kind" in changes and "details" not in changes:
            merged["details"] = None
        if merged.get("details"):
            merged["details"] = {k: v for k, v in merged["details"].items() if k != "kind"}
        engagement = validate_engagement(merged, nation_store.load_nations(connection))
        check_release(viewer, engagement)
        engagement_store.update_engagement(
            connection, engagement_id, engagement, viewer, expected_version
        )
        stored = engagement_store.get_engagement(connection, engagement_id, viewer)
        append_audit(
            connection,
            viewer.name,
            "update",
            "engagement",
            engagement_id,
            current.to_dict(),
            stored.to_dict(),
        )
        return stored


def delete_engagement(
    store: Store, engagement_id: int, viewer: Viewer, *, expected_version: int | None = None
) -> None:
    """Delete a stored engagement.

    Raises:
        NotFoundError: When the viewer sees no such engagement.
        ConflictError: When ``expected_version`` is given and stale.
    """
    require(viewer, Role.PLANNER, "delete engagements")
    with store.transaction() as connection:
        before = engagement_store.get_engagement(connection, engagement_id, viewer)
        engagement_store.delete_engagement(connection, engagement_id, viewer, expected_version)
        append_audit(
            connection, viewer.name, "delete", "engagement", engagement_id, before.to_dict(), None
        )


def get_engagement(store: Store, engagement_id: int, viewer: Viewer) -> StoredEngagement:
    """One engagement the viewer may see.

    Raises:
        NotFoundError: When there is none visible to the viewer.
    """
    with store.connect() as connection:
        return engagement_store.get_engagement(connection, engagement_id, viewer)


def list_engagements(
    store: Store,
    viewer: Viewer,
    *,
    nation: str | None = None,
    partner: str | None = None,
    kinds: Sequence[EngagementKind | str] = (),
    from_year: int | None = None,
    to_year: int | None = None,
    text: str | None = None,
    programme: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    after: tuple[date, int] | None = None,
    order: str = "oldest",
) -> list[StoredEngagement]:
    """Engagements the viewer may see, filtered, oldest first unless ``order`` says otherwise.

    ``nation`` and ``partner`` may be any name or code; they are resolved for ``from_year``.
    ``order`` is one of :data:`comity.store.engagements.ORDERS`; ``after`` (a keyset cursor)
    goes with ``oldest`` and ``newest``, ``offset`` with any.

    Raises:
        UnknownNationError: When a nation does not resolve.
        ValidationError: When the year range is reversed.
    """
    where = _filter(nation, partner, kinds, from_year, to_year, text, programme, limit, offset)
    if order not in engagement_store.ORDERS:
        known = ", ".join(engagement_store.ORDERS)
        raise ValidationError(
            [FieldProblem("sort", f"is not an order; known orders: {known}", order)], "filter"
        )
    where = replace(where, order=order)
    if after is not None:
        where = replace(where, after=after)
    with store.connect() as connection:
        if where.limit is None or where.limit > _PAGE_MEMO_LIMIT:
            return engagement_store.list_engagements(connection, viewer, where)
        # A page is remembered for the data version and the viewer's scope: any write bumps
        # the version, so a remembered page is never stale.
        key = cache_key(
            "engagements",
            store.describe_url(),
            records_version(connection),
            viewer_scope(viewer),
            repr(where),
        )
        page = remembered(
            key, lambda: engagement_store.list_engagements(connection, viewer, where), small=True
        )
        return list(page)


def count_engagements(
    store: Store,
    viewer: Viewer,
    *,
    nation: str | None = None,
    partner: str | None = None,
    kinds: Sequence[EngagementKind | str] = (),
    from_year: int | None = None,
    to_year: int | None = None,
    text: str | None = None,
    programme: str | None = None,
) -> int:
    """How many engagements the viewer may see match the filters."""
    where = _filter(nation, partner, kinds, from_year, to_year, text, programme, None, 0)
    with store.connect() as connection:
        return engagement_store.count_engagements(connection, viewer, where)


def count_by_kind(store: Store, viewer: Viewer, nation: str) -> dict[str, int]:
    """Engagements per kind that ``nation`` takes part in, of those the viewer may see."""
    key = resolve_nation(nation).iso3
    with store.connect() as connection:
        return engagement_store.count_by_kind(connection, viewer, key)


def _filter(
    nation: str | None,
    partner: str | None,
    kinds: Sequence[EngagementKind | str],
    from_year: int | None,
    to_year: int | None,
    text: str | None,
    programme: str | None,
    limit: int | None,
    offset: int,
) -> EngagementFilter:
    if from_year is not None and to_year is not None and to_year < from_year:
        raise ValidationError(
            [FieldProblem("to_year", f"is before from_year ({from_year})", str(to_year))],
            "filter",
        )
    if partner and not nation:
        raise ValidationError(
            [FieldProblem("partner", "needs a nation to pair with", partner)], "filter"
        )
    if limit is not None and limit < 0:
        raise ValidationError([FieldProblem("limit", "must be 0 or more", str(limit))], "filter")
    try:
        chosen = tuple(EngagementKind(k) for k in kinds)
    except ValueError as error:
        known = ", ".join(k.value for k in EngagementKind)
        raise ValidationError(
            [FieldProblem("kind", f"{error}; known kinds: {known}")], "filter"
        ) from None

    def key(text: str | None) -> str | None:
        return resolve_nation(text, year=from_year).iso3 if text else None

    return EngagementFilter(
        nation=key(nation),
        partner=key(partner),
        kinds=chosen,
        from_year=from_year,
        to_year=to_year,
        text=text,
        programme=programme,
        limit=limit,
        offset=offset,
    )
