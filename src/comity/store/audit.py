"""The append-only audit log: entries written in the caller's transaction, chained by hash.

Appends are serialised (PostgreSQL: a transaction-level advisory lock; SQLite: one writer at a
time by design), so that two concurrent writes cannot both follow the same entry.

Reads are filtered for the viewer, as every read of records is. An entry shows a record before
and after a write, so an account sees an entry only when it may see both images: each by its
own label and year, with the one SQL condition of :mod:`comity.store.visibility`. Entries about
accounts and tokens show to the admins of the account's nation, entries about the installation
(imports of datasets, media runs, backups) to those of the nation of the account that made
them; the installation's operator sees those of every nation. Only the local operator sees
every entry; the chain is verified whole (:func:`iter_audit`).
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Table,
    and_,
    case,
    cast,
    false,
    func,
    insert,
    or_,
    select,
    text,
    true,
)

from comity.access.audit import GENESIS, AuditEntry, entry_hash
from comity.access.viewer import Viewer
from comity.store import tables as records
from comity.store import tables_access as tables
from comity.store import tables_alumni, tables_plans
from comity.store.visibility import visible_to

__all__ = [
    "append_audit",
    "audit_id_of",
    "iter_audit",
    "last_audit_hash",
    "last_audit_id",
    "read_audit",
]

_LOCK_KEY = 727_100_001
"""PostgreSQL advisory lock of the audit chain."""

_A = tables.audit_log


def _jsonable(value: Any) -> Any:
    # Round-trip through the JSON column's own form, so the hash covers what is stored.
    import json

    return None if value is None else json.loads(json.dumps(value, default=str))


def append_audit(
    connection: Connection,
    actor: str,
    action: str,
    entity: str,
    entity_id: object = None,
    before: Any = None,
    after: Any = None,
) -> str:
    """Append one entry after the last, in the caller's transaction; return its hash.

    Args:
        connection: A connection inside the transaction of the write being recorded.
        actor: Who wrote.
        action: What was done (create, update, delete, import, login...).
        entity: The kind of record (engagement, person, user...).
        entity_id: The record's key.
        before: The record before the write (None when created).
        after: The record after (None when deleted).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    last = connection.execute(
        select(_A.c.hash).order_by(_A.c.id.desc()).limit(1)
    ).scalar_one_or_none()
    prev_hash = last or GENESIS
    at = datetime.now(UTC)
    key = None if entity_id is None else str(entity_id)
    before, after = _jsonable(before), _jsonable(after)
    digest = entry_hash(prev_hash, at, actor, action, entity, key, before, after)
    connection.execute(
        insert(_A).values(
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=key,
            before=before,
            after=after,
            prev_hash=prev_hash,
            hash=digest,
        )
    )
    # Once the transaction commits, the store checkpoints the new head (audit_checkpoint).
    connection.info["audit_head"] = digest
    return digest


def _entry(row: Any) -> AuditEntry:
    at = row.at.astimezone(UTC) if row.at.tzinfo is not None else row.at.replace(tzinfo=UTC)
    return AuditEntry(
        id=row.id,
        at=at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        before=row.before,
        after=row.after,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def iter_audit(connection: Connection) -> Generator[AuditEntry, None, None]:
    """Every entry in order (streamed)."""
    query = select(_A).order_by(_A.c.id)
    result = connection.execution_options(yield_per=10_000).execute(query)
    try:
        for row in result:
            yield _entry(row)
    finally:
        result.close()  # also when the reader stops early


def read_audit(
    connection: Connection,
    viewer: Viewer,
    *,
    after_id: int = 0,
    limit: int = 100,
    entity: str | None = None,
    entity_id: str | None = None,
) -> tuple[list[AuditEntry], int]:
    """A page of the entries ``viewer`` may see after ``after_id``, oldest first, and their count.

    Args:
        connection: A connection for reading.
        viewer: Who reads: entries about records, accounts and imports they may not see are
            left out of the page and the count.
        after_id: Entries after this id.
        limit: At most this many.
        entity: Only entries about this kind of record.
        entity_id: Only entries about this record.
    """
    conditions = [] if viewer.unrestricted else [_shown_to(viewer)]
    if entity:
        conditions.append(_A.c.entity == entity)
    if entity_id:
        conditions.append(_A.c.entity_id == entity_id)
    query = select(_A).where(_A.c.id > after_id, *conditions).order_by(_A.c.id).limit(limit)
    count = select(func.count()).select_from(_A).where(*conditions)
    return [_entry(r) for r in connection.execute(query)], int(
        connection.execute(count).scalar_one()
    )


_ACCOUNT_KINDS = ("user", "token")
_INSTALLATION_KINDS = ("dataset", "media", "store")
_PUBLIC_KINDS = ("institution",)
_E = records.engagements
_P = tables_plans.plans
_PEOPLE = records.people


def _this_year() -> int:
    return datetime.now(UTC).year


def _records() -> dict[str, tuple[Table, ColumnElement[int] | int]]:
    """The table of each kind of labelled record, and the year its label is read for."""
    return {
        "engagement": (_E, _E.c.start_year),
        "plan": (_P, _P.c.start_year),
        "plan_approval": (_P, _P.c.start_year),
        "note": (records.notes, _this_year()),
        "person": (_PEOPLE, _this_year()),
        "posting": (records.postings, records.postings.c.start_year),
        "attendance": (tables_alumni.attendances, tables_alumni.attendances.c.start_year),
        "career_step": (tables_alumni.career_steps, tables_alumni.career_steps.c.step_year),
    }


def _shown_to(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition: ``viewer`` (an account) may see the entry."""
    users = tables.users
    own_account: ColumnElement[bool] = true()
    own_token: ColumnElement[bool] = true()
    own_actor: ColumnElement[bool] = true()
    if not viewer.spans_nations:
        own_account = (
            select(users.c.id)
            .where(users.c.username == _A.c.entity_id, users.c.nation == viewer.nation)
            .exists()
        )
        own_token = (
            select(tables.api_tokens.c.id)
            .join(users, users.c.id == tables.api_tokens.c.user_id)
            .where(tables.api_tokens.c.id == _entity_key(), users.c.nation == viewer.nation)
            .exists()
        )
        own_actor = (
            select(users.c.id)
            .where(users.c.username == _A.c.actor, users.c.nation == viewer.nation)
            .exists()
        )
    known = _records()
    labelled = or_(_label(_A.c.before).is_not(None), _label(_A.c.after).is_not(None))
    record_shown = or_(
        *(
            and_(_A.c.entity == kind, _record_visible(viewer, table, year))
            for kind, (table, year) in known.items()
        )
    )
    # An entry whose images carry no label (a plan's move, a bulk import's summary) follows the
    # record it is about; one of a kind not known here, only the installation's operator sees.
    unknown_kind = _A.c.entity.not_in(list(known)) if viewer.spans_nations else false()
    images_shown = and_(_image_visible(viewer, _A.c.before), _image_visible(viewer, _A.c.after))
    special = (*_ACCOUNT_KINDS, *_INSTALLATION_KINDS, *_PUBLIC_KINDS)
    return or_(
        and_(_A.c.entity == "user", own_account),
        and_(_A.c.entity == "token", own_token),
        and_(_A.c.entity.in_(_INSTALLATION_KINDS), own_actor),
        _A.c.entity.in_(_PUBLIC_KINDS),
        and_(_A.c.entity.not_in(special), images_shown, or_(labelled, record_shown, unknown_kind)),
    )


def _label(image: Any) -> ColumnElement[str]:
    label: ColumnElement[str] = image["releasability"].as_string()
    return label


def _image_visible(viewer: Viewer, image: Any) -> ColumnElement[bool]:
    """SQL condition: the record image (a JSON object, or NULL) may be shown to ``viewer``.

    Its label is read for the year it starts in (``start`` or ``date``; this year for records
    without one, as notes and people are), as the record's own would be. A record it names
    (``engagement_id``, ``person_id``) must be visible too.
    """
    labels = records.release_labels
    label = _label(image)
    year = func.coalesce(
        _year(image["start"].as_string()), _year(image["date"].as_string()), _this_year()
    )
    named = (
        select(labels.c.id)
        .where(labels.c.label == label, visible_to(viewer, labels.c.id, year))
        .exists()
    )
    engagement = image["engagement_id"].as_integer()
    person = image["person_id"].as_integer()
    return and_(
        or_(label.is_(None), label == "PUBLIC", named),
        or_(engagement.is_(None), _parent_visible(viewer, _E, engagement, _E.c.start_year)),
        or_(person.is_(None), _parent_visible(viewer, _PEOPLE, person, _this_year())),
    )


def _entity_key() -> ColumnElement[int]:
    # The entry's record id as a number, so the record's primary key finds it (None when the
    # entity_id is not a number: casting it would fail on PostgreSQL).
    key = _A.c.entity_id
    return case((key.regexp_match("^[0-9]{1,9}$"), cast(key, Integer)), else_=None)


def _year(value: ColumnElement[str]) -> ColumnElement[int]:
    # ISO dates and partial dates (2015, 2015-04, 2015-04-20) start with their year.
    head = func.substr(value, 1, 4)
    return case((head.regexp_match("^[0-9]{4}$"), cast(head, Integer)), else_=None)


def _parent_visible(
    viewer: Viewer, table: Table, key: ColumnElement[int], year: ColumnElement[int] | int
) -> ColumnElement[bool]:
    return (
        select(table.c.id)
        .where(table.c.id == key, visible_to(viewer, table.c.label_id, year))
        .exists()
    )


def _record_visible(
    viewer: Viewer, table: Table, year: ColumnElement[int] | int
) -> ColumnElement[bool]:
    return (
        select(table.c.id)
        .where(table.c.id == _entity_key(), visible_to(viewer, table.c.label_id, year))
        .exists()
    )


def last_audit_id(connection: Connection) -> int:
    """The id of the log's last entry (0 when empty)."""
    return int(connection.execute(select(func.max(_A.c.id))).scalar() or 0)


def last_audit_hash(connection: Connection) -> str | None:
    """The hash of the log's last entry (None when empty)."""
    return connection.execute(
        select(_A.c.hash).order_by(_A.c.id.desc()).limit(1)
    ).scalar_one_or_none()


def audit_id_of(connection: Connection, entry_hash: str) -> int | None:
    """The id of the entry with this hash, if the log holds it."""
    return connection.execute(select(_A.c.id).where(_A.c.hash == entry_hash)).scalar()
