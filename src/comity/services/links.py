"""Use cases of record linkage: link the store, review uncertain links, decide, undo, split.

Linking scores pairs of records with the shipped model (:mod:`comity.linkage.model`): a pair at
or above :data:`~comity.linkage.model.UPPER` links (one event), one at or above
:data:`~comity.linkage.model.LOWER` waits for review, and two records of one source only ever
wait. Every decision is a person's, audited, kept when the records are imported again, and can
be undone. Deciding needs the role planner and a record of one's own nation in the pair (the
installation's operator decides for bundled records).
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from comity.access.viewer import Role, Viewer
from comity.collector import paused
from comity.errors import FieldProblem, NotFoundError, PermissionDeniedError, ValidationError
from comity.linkage.events import EventLink, Member, event_groups, kept_links, precedence_key
from comity.linkage.model import LOWER, MODEL_VERSION, UPPER, score_pairs
from comity.services.engagements import require
from comity.store import Store
from comity.store import engagements as engagement_store
from comity.store import links as link_store
from comity.store.audit import append_audit
from comity.store.ownership import may_change
from comity.store.tables_links import REASON_LENGTH

__all__ = [
    "LinkReport",
    "accept_link",
    "distinct_sources",
    "event_of",
    "get_link",
    "link_connection",
    "link_store_records",
    "list_links",
    "reject_link",
    "review_pair",
    "split_record",
    "undo_link",
]


@dataclass(frozen=True)
class LinkReport:
    """What a linkage run did: records read, pairs scored, links made, pairs for review."""

    records: int
    scored: int
    linked: int
    review: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "records": self.records,
            "scored": self.scored,
            "linked": self.linked,
            "review": self.review,
            "seconds": round(self.seconds, 2),
            "model_version": MODEL_VERSION,
            "thresholds": {"link": UPPER, "review": LOWER},
        }


def distinct_sources() -> frozenset[str]:
    """Bundled datasets whose records are one per key by construction (never one event twice)."""
    from comity.ingest.catalog import IMPORTERS

    return frozenset(name for name, importer in IMPORTERS.items() if importer.distinct_records)


@paused()
def link_connection(
    connection: Any, fresh_source: str | None = None, fresh_ids: Collection[int] | None = None
) -> LinkReport:
    """Score and store links in the caller's transaction.

    Args:
        connection: A connection inside a transaction.
        fresh_source: Only pairs with a record of this dataset key (an import's).
        fresh_ids: Only pairs with one of these records (a record just written). Every pair
            when neither is given.
    """
    started = time.perf_counter()
    years = None
    if fresh_source is not None or fresh_ids is not None:
        years = link_store.fresh_link_years(connection, fresh_source, fresh_ids or ())
        if not years:
            return LinkReport(0, 0, 0, 0, time.perf_counter() - started)
    # Every blocking rule pairs records of one year: other years' records are not read.
    columns = link_store.read_link_columns(connection, distinct_sources(), years=years)
    source_of = dict(zip(columns.ids, columns.sources, strict=True))
    fresh = None
    if years is not None:
        wanted = set(fresh_ids or ())
        fresh = {
            key
            for key, source in source_of.items()
            if (fresh_source is not None and source == fresh_source) or key in wanted
        }
        if not fresh:
            return LinkReport(len(columns), 0, 0, 0, time.perf_counter() - started)
    pairs = score_pairs(columns.table(), fresh=fresh)
    linked, review = link_store.write_scored(connection, pairs, source_of, fresh)
    return LinkReport(len(columns), len(pairs), linked, review, time.perf_counter() - started)


def link_store_records(store: Store, viewer: Viewer) -> LinkReport:
    """Score every pair of records again (after a change of model or by hand); operator only."""
    if not viewer.spans_nations:
        raise PermissionDeniedError(
            "You may not link every record: that is the installation operator's task.",
            hint="Ask the operator to run `comity links run`.",
        )
    with store.transaction() as connection:
        report = link_connection(connection)
        append_audit(connection, viewer.name, "link", "record_links", None, None, report.to_dict())
    return report


def _record(connection: Any, viewer: Viewer, key: int) -> dict[str, Any]:
    stored = engagement_store.get_engagement(connection, key, viewer)
    return stored.to_dict()


def review_pair(connection: Any, viewer: Viewer, link: link_store.StoredLink) -> dict[str, Any]:
    """A link with its two records side by side (what the review shows)."""
    return {
        **link.to_dict(),
        "records": [
            _record(connection, viewer, link.left),
            _record(connection, viewer, link.right),
        ],
    }


def _counted(connection: Any, viewer: Viewer) -> set[tuple[int, int]]:
    """The ``linked`` pairs that join events for the viewer (one record per other source)."""
    kept = kept_links(link_store.read_event_links(connection, viewer))
    return {(link.left, link.right) for link in kept}


def _as_seen(link: link_store.StoredLink, counted: set[tuple[int, int]]) -> link_store.StoredLink:
    """A ``linked`` pair that another record of one source outranks waits for review."""
    if link.status == "linked" and (link.left, link.right) not in counted:
        return replace(link, status="review")
    return link


def _without_outranked(
    connection: Any, links: list[link_store.StoredLink], kept: list[EventLink]
) -> list[link_store.StoredLink]:
    """Leave out the pairs for review whose record already counts with the other's source."""
    joined: dict[int, set[str | None]] = {}
    for link in kept:
        joined.setdefault(link.left, set()).add(link.sources[1])
        joined.setdefault(link.right, set()).add(link.sources[0])
    waiting = [link for link in links if link.status == "review"]
    sources = link_store.sources_of(
        connection, {key for link in waiting for key in (link.left, link.right)}
    )
    return [
        link
        for link in links
        if link.status != "review"
        or not (
            sources[link.right] in joined.get(link.left, set())
            or sources[link.left] in joined.get(link.right, set())
        )
    ]


def list_links(
    store: Store,
    viewer: Viewer,
    *,
    status: str | None = "review",
    record: int | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Links the viewer may see (both records visible), likeliest first, with their records.

    A link the model scored ``linked`` but that does not count, because its record's source
    matches better elsewhere (a source records an event once), is listed as ``review``. A pair
    for review whose record already counts as one event with a record of the other's source is
    left out of the review list (it is outranked).

    Raises:
        ValidationError: For an unknown status or a limit outside 1-500.
    """
    if status is not None and status not in ("linked", "review", "rejected"):
        raise ValidationError(
            [FieldProblem("status", "must be linked, review or rejected", status)], "query"
        )
    if not 1 <= limit <= 500:
        raise ValidationError([FieldProblem("limit", "must be 1 to 500", str(limit))], "query")
    with store.connect() as connection:
        kept = kept_links(link_store.read_event_links(connection, viewer))
        counted = {(link.left, link.right) for link in kept}
        stored = link_store.read_links(
            connection,
            viewer,
            statuses=None if status is None or status == "rejected" else ("linked", "review"),
            status=status if status == "rejected" else None,
            record=record,
        )
        seen = [_as_seen(link, counted) for link in stored]
        if status == "review":
            seen = _without_outranked(connection, seen, kept)
        chosen = [link for link in seen if status is None or link.status == status]
        page = chosen[offset : offset + limit]
        return [review_pair(connection, viewer, link) for link in page]


def get_link(store: Store, viewer: Viewer, link_id: int) -> dict[str, Any]:
    """One link with its two records side by side.

    Raises:
        NotFoundError: When there is no such link whose two records the viewer may see.
    """
    with store.connect() as connection:
        link = link_store.get_link(connection, viewer, link_id)
        if link is None:
            raise NotFoundError(f"No link {link_id} that you may see.")
        return review_pair(connection, viewer, _as_seen(link, _counted(connection, viewer)))


def _decidable(connection: Any, viewer: Viewer, link_id: int) -> link_store.StoredLink:
    require(viewer, Role.PLANNER, "decide links")
    link = link_store.get_link(connection, viewer, link_id)
    if link is None:
        raise NotFoundError(f"No link {link_id} that you may see.")
    owners = {
        engagement_store.get_engagement(connection, key, viewer).owner
        for key in (link.left, link.right)
    }
    if not any(may_change(viewer, owner) for owner in owners):
        named = ", ".join(sorted(o or "the installation" for o in owners))
        raise PermissionDeniedError(
            f"Link {link_id} joins records of {named}: you may not decide it, they may."
        )
    return link


def _checked_reason(reason: str | None) -> str | None:
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > REASON_LENGTH:
        raise ValidationError(
            [FieldProblem("reason", f"at most {REASON_LENGTH} characters", reason[:40] + "...")],
            "decision",
        )
    return reason


def _decide(
    store: Store, viewer: Viewer, link_id: int, action: str, status: str | None, reason: str | None
) -> dict[str, Any]:
    reason = _checked_reason(reason)
    with store.transaction() as connection:
        link = _decidable(connection, viewer, link_id)
        who: str | None = viewer.name
        if status is None:
            # Undo: back to what the thresholds say.
            same = _same_source(connection, viewer, link)
            status = link_store.automatic_status(link.probability, same) or "review"
            who = None
        link_store.decide_link(connection, link_id, status, who, reason)
        after = link_store.get_link(connection, viewer, link_id)
        assert after is not None
        append_audit(
            connection,
            viewer.name,
            action,
            "record_link",
            link_id,
            link.to_dict(),
            after.to_dict(),
        )
        return after.to_dict()


def _same_source(connection: Any, viewer: Viewer, link: link_store.StoredLink) -> bool:
    sources = link_store.sources_of(connection, (link.left, link.right))
    return sources[link.left] is not None and sources[link.left] == sources[link.right]


def accept_link(
    store: Store, viewer: Viewer, link_id: int, reason: str | None = None
) -> dict[str, Any]:
    """A person says the two records are one event.

    Raises:
        NotFoundError: When the viewer may not see both records.
        PermissionDeniedError: Below planner, or when neither record is the viewer's nation's.
    """
    return _decide(store, viewer, link_id, "accept", "linked", reason)


def reject_link(
    store: Store, viewer: Viewer, link_id: int, reason: str | None = None
) -> dict[str, Any]:
    """A person says the two records are two events (as :func:`accept_link`)."""
    return _decide(store, viewer, link_id, "reject", "rejected", reason)


def undo_link(store: Store, viewer: Viewer, link_id: int) -> dict[str, Any]:
    """Undo a person's decision: the link goes back to the model's status."""
    return _decide(store, viewer, link_id, "undo", None, None)


def split_record(
    store: Store, viewer: Viewer, record_id: int, reason: str | None = None
) -> list[dict[str, Any]]:
    """Take a record out of its event: every link of it the viewer may see is rejected.

    Raises:
        NotFoundError: When the record is not visible to the viewer.
        PermissionDeniedError: Below planner, or for a record of another nation.
    """
    require(viewer, Role.PLANNER, "split records from their events")
    reason = _checked_reason(reason)
    with store.connect() as connection:
        stored = engagement_store.get_engagement(connection, record_id, viewer)
        if not may_change(viewer, stored.owner):
            owner = stored.owner or "the installation"
            raise PermissionDeniedError(
                f"Engagement {record_id} is {owner}'s: you may not split it from its event.",
                hint="Reject the link to your own record instead (`comity links reject`).",
            )
        links = link_store.read_links(connection, viewer, status="linked", record=record_id)
    return [reject_link(store, viewer, link.id, reason or "split") for link in links]


_FIELDS = ("title", "start", "end", "host", "location", "programme", "description")


def event_of(store: Store, viewer: Viewer, record_id: int) -> dict[str, Any]:
    """The event a record belongs to, as the viewer sees it.

    Returns ``records`` (each record, the one that speaks for the event first, with its
    provenance), ``fields`` (each field's value and the record it came from, by precedence) and
    ``nations`` (every record's nations). A record linked to nothing is an event of its own.

    Raises:
        NotFoundError: When the record is not visible to the viewer.
    """
    with store.connect() as connection:
        engagement_store.get_engagement(connection, record_id, viewer)
        links = link_store.read_event_links(connection, viewer)
        groups = event_groups(links)
        members: list[Member] = next(
            (group for group in groups.values() if any(m.id == record_id for m in group)), []
        )
        ids = [m.id for m in members] or [record_id]
        stored = [engagement_store.get_engagement(connection, key, viewer) for key in ids]
        sources = link_store.sources_of(connection, ids)
    order = sorted(
        stored,
        key=lambda s: precedence_key(
            Member(s.id, sources[s.id], s.engagement.start.precision.value)
        ),
    )
    records = [s.to_dict() for s in order]
    fields: dict[str, Any] = {}
    for name in _FIELDS:
        for record in records:
            if record.get(name) not in (None, "", [], {}):
                fields[name] = {"value": record[name], "record": record["id"]}
                break
    nations: dict[str, list[int]] = {}
    for record in records:
        for participant in record["participants"]:
            nations.setdefault(participant["nation"], []).append(record["id"])
    return {"event": records[0]["id"], "records": records, "fields": fields, "nations": nations}
