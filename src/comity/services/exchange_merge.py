"""Merging a verified bundle into the store: add, update, leave, or report a conflict.

Every record from a partner is keyed by the partner and its id there (``external_id``
``xchg:NAME:ID``, provenance dataset ``xchg:NAME``), and :mod:`comity.store.exchange` keeps two
digests of it: of the record as the partner last sent it, and of the stored record as that
import wrote it. So, for each record of a bundle:

- not seen before: added;
- sent as before: unchanged (whatever was done to it here);
- changed at the partner, untouched here: updated, its label never wider than the stored one
  (:func:`narrowed_label`);
- changed at the partner and here (or deleted here): a conflict, reported and left as it is.

All of it runs in the import's transaction: a record that breaks a rule refuses the bundle.
Plans follow the same rules, in :mod:`comity.services.exchange_plans`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from comity.access.signing import canonical_bytes
from comity.access.viewer import Viewer
from comity.errors import ComityError, NotFoundError, ValidationError
from comity.model.engagements import Engagement
from comity.model.notes import Note
from comity.model.plans import Assessment
from comity.model.prepared import content_digest
from comity.model.releasability import Releasability
from comity.model.validation import validate_engagement, validate_record
from comity.services.links import link_connection
from comity.store import engagements as engagement_store
from comity.store import exchange as exchange_store
from comity.store import exchange_records as record_store
from comity.store import notes as note_store
from comity.store import tables
from comity.store.audit import append_audit
from comity.store.exchange import Partner, Received
from comity.store.ownership import check_readable_by
from comity.store.tables_exchange import EXCHANGED_KINDS

__all__ = [
    "KindCounts",
    "MergeReport",
    "merge_bundle",
    "narrowed_label",
    "origin_dataset",
    "origin_of",
    "record_digest",
]


@dataclass
class KindCounts:
    """What an import did with the records of one kind."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0


@dataclass
class MergeReport:
    """What an import did: per kind, the links, the labels kept narrow, the conflicts.

    Attributes:
        kinds: Per kind of record (engagement, assessment, note, plan), added, updated,
            unchanged and conflicts.
        partner_links: The partner's links between two of its records, taken here.
        linked: Pairs with a record of this partner that record linkage links as one event.
        review: Pairs it left for a person to review.
        narrowed: Updates whose label was kept narrower than the partner's.
        conflicts: Each conflict: ``kind``, ``id`` (the partner's), ``local_id``, ``reason``.
        skipped: Records left out, each with its ``kind``, ``id`` and ``reason``.
        added_ids: The engagements added here.
    """

    kinds: dict[str, KindCounts] = field(
        default_factory=lambda: {k: KindCounts() for k in EXCHANGED_KINDS}
    )
    partner_links: int = 0
    linked: int = 0
    review: int = 0
    narrowed: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    added_ids: list[int] = field(default_factory=list)

    def conflict(self, kind: str, origin: str, local_id: int, reason: str) -> None:
        """Count and describe a conflict."""
        self.kinds[kind].conflicts += 1
        self.conflicts.append({"kind": kind, "id": origin, "local_id": local_id, "reason": reason})

    def label_of_update(
        self,
        kind: str,
        origin: str,
        local_id: int,
        stored: Releasability,
        incoming: Releasability,
        members: Callable[[Iterable[str]], set[str]],
    ) -> Releasability | None:
        """The label an update takes (:func:`narrowed_label`), a narrowing counted.

        None, the conflict counted, when the stored and the incoming label share no reader.
        """
        label = narrowed_label(stored, incoming, members)
        if label is None:
            self.conflict(kind, origin, local_id, "the new label shares no reader here")
        elif label != incoming:
            self.narrowed += 1
        return label


def origin_dataset(partner: str) -> str:
    """The provenance dataset of the records imported from ``partner``."""
    return f"xchg:{partner}"


def record_digest(value: Any) -> str:
    """SHA-256 of a record's canonical bytes (what an import compares)."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


def narrowed_label(
    stored: Releasability,
    incoming: Releasability,
    members: Callable[[Iterable[str]], set[str]],
) -> Releasability | None:
    """The label of an update: what both the stored and the incoming label allow.

    A target of either label is kept when the other label reaches it too: names it, or names
    an organisation it belonged to in the record's year (``members``). So the updated record is
    never shown to a nation the stored one was hidden from, and a partner's narrowing is kept.

    Args:
        stored: The label stored here.
        incoming: The label the partner sends.
        members: The nations that belonged to any of the given organisations in the record's
            year.

    Returns:
        The label to store, or None when the two labels share no reader.
    """
    if stored.is_public:
        return incoming
    if incoming.is_public:
        return stored
    stored_reach = stored.targets | members(stored.targets)
    incoming_reach = incoming.targets | members(incoming.targets)
    kept = {t for t in incoming.targets if t in stored_reach}
    kept |= {t for t in stored.targets if t in incoming_reach}
    return Releasability(targets=frozenset(kept)) if kept else None


@dataclass
class _Context:
    connection: Any
    partner: Partner
    sequence: int
    writer: Viewer
    directory: dict[str, Any]
    report: MergeReport

    def members(self, year: int) -> Callable[[Iterable[str]], set[str]]:
        return lambda codes: exchange_store.members_in(self.connection, codes, year)

    def owner(self, item: dict[str, Any]) -> str:
        owner = item.get("owner") or self.partner.nation
        if owner not in self.directory:
            raise ComityError(f"record {item.get('id')} belongs to {owner!r}, not a nation here")
        return str(owner)


def origin_of(item: Any, kind: str) -> str:
    """A bundle item's id at the partner, checked (at most 40 characters).

    Raises:
        ComityError: When the item is not an object with its id and record.
    """
    if not isinstance(item, dict) or not isinstance(item.get("record"), dict):
        raise ComityError(f"a {kind} is not an object with its id and record")
    origin = item.get("id")
    if not isinstance(origin, int | str) or isinstance(origin, bool) or not str(origin):
        raise ComityError(f"a {kind} has no id")
    return str(origin)[:40]


def _localised(item: dict[str, Any], origin: str, context: _Context) -> Engagement:
    """The partner's engagement as it is stored here: its id and provenance the partner's."""
    name = context.partner.name
    record = dict(item["record"])
    provenance = record.pop("provenance", None)
    record.pop("external_id", None)
    where = f"{name} engagement {origin}"
    source: dict[str, Any] = {"document": where}
    if isinstance(provenance, dict) and provenance.get("dataset"):
        source.update({k: provenance.get(k) for k in ("dataset", "version", "row")})
    record["sources"] = [*(record.get("sources") or []), source]
    record["external_id"] = f"xchg:{name}:{origin}"
    record["provenance"] = {
        "dataset": origin_dataset(name),
        "version": str(context.sequence),
        "row": origin,
    }
    try:
        return validate_engagement(record, context.directory)
    except ValidationError as error:
        raise ValidationError(error.problems, f"engagement {origin}") from None


def _image(connection: Any, key: int) -> dict[str, Any] | None:
    return engagement_store.engagement_images(connection, [key]).get(key)


def _merge_engagements(context: _Context, items: list[Any]) -> list[int]:
    """Add, update or leave each engagement; returns the ids added or updated."""
    connection, report = context.connection, context.report
    counts = report.kinds["engagement"]
    received = exchange_store.read_received(connection, context.partner.id, "engagement")
    adding: dict[str, list[tuple[str, Engagement, str]]] = {}
    changed: list[int] = []
    for item in items:
        origin = origin_of(item, "engagement")
        incoming = record_digest(item)
        owner = context.owner(item)
        engagement = _localised(item, origin, context)
        known = received.get(origin)
        if known is None:
            adding.setdefault(owner, []).append((origin, engagement, incoming))
            continue
        if known.bundle_digest == incoming:
            counts.unchanged += 1
            continue
        before = _image(connection, known.local_id)
        if before is None:
            report.conflict("engagement", origin, known.local_id, "deleted here since imported")
            continue
        if content_digest(before) != known.local_digest:
            report.conflict("engagement", origin, known.local_id, "changed here and there")
            continue
        label = report.label_of_update(
            "engagement",
            origin,
            known.local_id,
            Releasability.parse(before["releasability"]),
            engagement.releasability,
            context.members(engagement.start_year),
        )
        if label is None:
            continue
        engagement = engagement.model_copy(update={"releasability": label})
        engagement_store.update_engagement(connection, known.local_id, engagement, context.writer)
        after = _image(connection, known.local_id)
        assert after is not None
        exchange_store.write_received(
            connection,
            context.partner.id,
            "engagement",
            origin,
            Received(known.local_id, incoming, content_digest(after)),
        )
        append_audit(
            connection,
            context.writer.name,
            "exchange_update",
            "engagement",
            known.local_id,
            before,
            after,
        )
        counts.updated += 1
        changed.append(known.local_id)
    for owner, entries in adding.items():
        ids = engagement_store.insert_engagements(
            connection, [e for _, e, _ in entries], context.writer.name, owner
        )
        images = engagement_store.engagement_images(connection, ids)
        for key, (origin, _, incoming) in zip(ids, entries, strict=True):
            engagement_store.check_readable(connection, key, owner, f"engagement {origin}")
            exchange_store.write_received(
                connection,
                context.partner.id,
                "engagement",
                origin,
                Received(key, incoming, content_digest(images[key])),
            )
        counts.added += len(ids)
        report.added_ids.extend(ids)
        changed.extend(ids)
    return changed


def _take_links(context: _Context, items: list[Any]) -> None:
    """Link the imported records the partner linked as one event (when not linked here)."""
    received = exchange_store.read_received(context.connection, context.partner.id, "engagement")
    for link in items:
        if not isinstance(link, dict):
            raise ComityError("a link is not an object")
        left = received.get(str(link.get("left")))
        right = received.get(str(link.get("right")))
        if left is None or right is None:
            continue
        if record_store.add_partner_link(
            context.connection, left.local_id, right.local_id, context.partner.name, link
        ):
            context.report.partner_links += 1


def _start_year(context: _Context, engagement_id: int) -> int:
    found = engagement_store.get_engagement(context.connection, engagement_id, context.writer)
    return found.engagement.start_year


def _merge_assessments(context: _Context, items: list[Any]) -> None:
    connection, report = context.connection, context.report
    counts = report.kinds["assessment"]
    engagements = exchange_store.read_received(connection, context.partner.id, "engagement")
    received = exchange_store.read_received(connection, context.partner.id, "assessment")
    table = tables.assessments
    for item in items:
        origin = origin_of(item, "assessment")
        parent = engagements.get(str(item.get("engagement")))
        if parent is None or _image(connection, parent.local_id) is None:
            report.skipped.append(
                {"kind": "assessment", "id": origin, "reason": "its engagement is not here"}
            )
            continue
        checked = validate_record(
            Assessment, {**item["record"], "engagement_id": parent.local_id}, f"assessment {origin}"
        )
        record = checked.model_dump(mode="json", exclude={"engagement_id"})
        incoming, owner = record_digest(item), context.owner(item)
        year = _start_year(context, parent.local_id)
        known = received.get(origin)
        if known is not None and known.bundle_digest == incoming:
            counts.unchanged += 1
            continue
        if known is None:
            key = record_store.insert_assessment(
                connection, parent.local_id, record, owner, context.writer.name
            )
            counts.added += 1
        else:
            key = known.local_id
            before = record_store.read_assessment(connection, key)
            if before is None or record_digest(before) != known.local_digest:
                why = "deleted here since imported" if before is None else "changed here and there"
                report.conflict("assessment", origin, key, why)
                continue
            label = report.label_of_update(
                "assessment",
                origin,
                key,
                Releasability.parse(before["releasability"]),
                checked.releasability,
                context.members(year),
            )
            if label is None:
                continue
            record_store.update_assessment(
                connection, key, {**record, "releasability": str(label)}, context.writer.name
            )
            append_audit(
                connection,
                context.writer.name,
                "exchange_update",
                "assessment",
                key,
                before,
                record_store.read_assessment(connection, key),
            )
            counts.updated += 1
        check_readable_by(connection, table, key, owner, year, f"assessment {origin}")
        after = record_store.read_assessment(connection, key)
        exchange_store.write_received(
            connection,
            context.partner.id,
            "assessment",
            origin,
            Received(key, incoming, record_digest(after)),
        )


def _note_digest(context: _Context, key: int) -> tuple[dict[str, Any] | None, str]:
    try:
        stored = note_store.get_note(context.connection, key, context.writer)
    except NotFoundError:
        return None, ""
    image = stored.note.model_dump(mode="json")
    return image, record_digest(image)


def _merge_notes(context: _Context, items: list[Any]) -> None:
    connection, report = context.connection, context.report
    counts = report.kinds["note"]
    received = exchange_store.read_received(connection, context.partner.id, "note")
    year = datetime.now(UTC).year
    for item in items:
        origin = origin_of(item, "note")
        note = validate_record(Note, item["record"], f"note {origin}")
        incoming, owner = record_digest(item), context.owner(item)
        known = received.get(origin)
        if known is not None and known.bundle_digest == incoming:
            counts.unchanged += 1
            continue
        if known is None:
            key = note_store.add_note(connection, note, context.writer.name, owner)
            counts.added += 1
        else:
            key = known.local_id
            before, local = _note_digest(context, key)
            if before is None or local != known.local_digest:
                why = "deleted here since imported" if before is None else "changed here and there"
                report.conflict("note", origin, key, why)
                continue
            label = report.label_of_update(
                "note",
                origin,
                key,
                Releasability.parse(before["releasability"]),
                note.releasability,
                context.members(year),
            )
            if label is None:
                continue
            note = note.model_copy(update={"releasability": label})
            note_store.update_note(connection, key, note, context.writer)
            after, _ = _note_digest(context, key)
            append_audit(
                connection, context.writer.name, "exchange_update", "note", key, before, after
            )
            counts.updated += 1
        check_readable_by(connection, tables.notes, key, owner, year, f"note {origin}")
        _, local = _note_digest(context, key)
        exchange_store.write_received(
            connection, context.partner.id, "note", origin, Received(key, incoming, local)
        )


def merge_bundle(
    connection: Any,
    records: dict[str, list[Any]],
    partner: Partner,
    sequence: int,
    writer: Viewer,
) -> MergeReport:
    """Merge a verified bundle's records, in the caller's transaction.

    Args:
        connection: A connection inside the import's transaction.
        records: The bundle's parts.
        partner: The partner that signed it.
        sequence: Its sequence number (the provenance version of what it writes).
        writer: Who writes (unrestricted: the import decides what it may write).

    Raises:
        ComityError: For a record that is not of the format (naming it).
        ValidationError: For a record that breaks a rule of the model.
    """
    from comity.store import nations as nation_store

    directory = nation_store.load_nations(connection)
    context = _Context(connection, partner, sequence, writer, dict(directory), MergeReport())
    changed = _merge_engagements(context, records["engagements"])
    _take_links(context, records["links"])
    if changed:
        # Records that describe events already stored link to them (or wait for review).
        linking = link_connection(connection, fresh_source=origin_dataset(partner.name))
        context.report.linked, context.report.review = linking.linked, linking.review
    _merge_assessments(context, records["assessments"])
    _merge_notes(context, records["notes"])
    return context.report
