"""Engagement writes, in the caller's transaction: bulk insert, update, delete.

Updates and deletes take the viewer, so that a record the viewer may not see cannot be changed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from comity import collector
from comity.access.viewer import Viewer
from comity.errors import ConflictError, NotFoundError, StaleVersionError
from comity.model.engagements import Engagement
from comity.model.prepared import EngagementColumns, PreparedEngagement, as_columns, prepare
from comity.store import tables
from comity.store.bulk import driver_form, insert_columns, insert_rows
from comity.store.changes import bump_records
from comity.store.labels import LabelCache
from comity.store.ownership import check_owner, check_readable_by
from comity.store.visibility import visible_to

__all__ = ["check_readable", "delete_engagement", "insert_engagements", "update_engagement"]

_E = tables.engagements
_P = tables.participants
_S = tables.engagement_sources
_CHUNK = 2000


def _now() -> datetime:
    return datetime.now(UTC)


class _Programmes:
    """Programme ids by name, created on first use within a transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._ids: dict[str, int] = {}

    def id_for(self, name: str | None, kind: str) -> int | None:
        if not name:
            return None
        if name not in self._ids:
            table = tables.programmes
            found = self._connection.execute(
                select(table.c.id).where(table.c.name == name)
            ).scalar_one_or_none()
            if found is None:
                found = self._connection.execute(
                    insert(table).values(name=name, kind=kind).returning(table.c.id)
                ).scalar_one()
            self._ids[name] = int(found)
        return self._ids[name]


_ROW_COLUMNS = (
    "kind",
    "title",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "start_year",
    "end_year",
    "host",
    "location",
    "latitude",
    "longitude",
    "programme_id",
    "objectives",
    "description",
    "details",
    "label_id",
    "external_id",
    "source_dataset",
    "source_version",
    "source_row",
    "content_hash",
)


def _values(
    record: PreparedEngagement, label_id: int | None, programme_id: int | None
) -> tuple[Any, ...]:
    """The record's values in the order of ``_ROW_COLUMNS``."""
    return (
        record.kind,
        record.title,
        record.start_date,
        record.start_precision,
        record.end_date,
        record.end_precision,
        record.start_year,
        record.end_year,
        record.host,
        record.location,
        record.latitude,
        record.longitude,
        programme_id,
        record.objectives,
        record.description,
        record.details,
        label_id,
        record.external_id,
        record.source_dataset,
        record.source_version,
        record.source_row,
        record.content_hash,
    )


def _row(
    record: PreparedEngagement, label_id: int | None, programme_id: int | None
) -> dict[str, Any]:
    return dict(zip(_ROW_COLUMNS, _values(record, label_id, programme_id), strict=True))


def _children(
    engagement_id: int, record: PreparedEngagement
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    participants = [
        {
            "engagement_id": engagement_id,
            "nation": nation,
            "role": role,
            "personnel": personnel,
            "start_date": record.start_date,
        }
        for nation, role, personnel in record.participants
    ]
    return participants, _sources(engagement_id, record.sources)


def _sources(engagement_id: int, sources: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "engagement_id": engagement_id,
            "dataset": s.get("dataset"),
            "version": s.get("version"),
            "row": s.get("row"),
            "url": s.get("url"),
            "document": s.get("document"),
        }
        for s in sources
    ]


@collector.paused()
def insert_engagements(
    connection: Connection,
    engagements: Sequence[Engagement | PreparedEngagement] | EngagementColumns,
    actor: str,
    owner: str | None = None,
) -> list[int]:
    """Insert validated engagements with their participants and sources.

    Runs in the caller's transaction: nothing is committed here.

    Args:
        connection: A connection inside a transaction.
        engagements: Records already validated (see :func:`comity.model.validate_engagement`),
            or their columns.
        actor: Who writes them.
        owner: The nation they belong to (None: the installation).

    Returns:
        Their new ids, in order.

    Raises:
        ConflictError: When an external id is already stored.
    """
    columns = as_columns(engagements)
    count = len(columns)
    if not count:
        return []
    now = _now()
    labels = LabelCache(connection)
    label_ids = _each_once(labels.id_for, columns.releasability)
    programmes = _Programmes(connection)
    programme_ids = [
        programmes.id_for(name, kind) if name else None
        for name, kind in zip(columns.programme, columns.kind, strict=True)
    ]
    first_id = _reserve_ids(connection, count)
    ids = range(first_id, first_id + count)
    sizes = [b - a for a, b in itertools.pairwise(columns.offsets)]
    starts = _each_once(driver_form(connection, _P, "start_date"), columns.start_date)
    with _indexes_deferred(connection, count, first_id - 1):
        try:
            insert_columns(
                connection,
                _E,
                {
                    "id": ids,
                    **{name: getattr(columns, name) for name in _FIELDS},
                    "label_id": label_ids,
                    "programme_id": programme_ids,
                },
                constants={
                    "created_at": now,
                    "created_by": actor,
                    "updated_at": now,
                    "updated_by": actor,
                    "version": 1,
                    "owner_nation": owner,
                },
            )
        except IntegrityError as error:
            raise _conflict(error) from None
        insert_columns(
            connection,
            _P,
            {
                "engagement_id": _repeated(ids, sizes),
                "nation": columns.nation,
                "role": columns.role,
                "personnel": columns.personnel,
                "start_date": _repeated(starts, sizes),
            },
            ready=("start_date",),
        )
        sources = [
            row
            for engagement_id, given in zip(ids, columns.sources, strict=True)
            if given
            for row in _sources(engagement_id, given)
        ]
        insert_rows(connection, _S, sources)
    # A few records (a form, the API) name the nations whose pairs they move; a bulk write
    # may move any pair.
    few = count <= _FEW
    bump_records(connection, [*columns.nation, *columns.host] if few else None)
    return list(ids)


_FIELDS = tuple(c for c in _ROW_COLUMNS if c not in {"label_id", "programme_id"})
_FEW = 50


def _nations_of(connection: Connection, engagement_id: int) -> list[str | None]:
    """The nations of a stored engagement: its participants and its host."""
    nations: list[str | None] = list(
        connection.execute(select(_P.c.nation).where(_P.c.engagement_id == engagement_id))
        .scalars()
        .all()
    )
    nations.append(
        connection.execute(select(_E.c.host).where(_E.c.id == engagement_id)).scalar_one_or_none()
    )
    return nations


_DEFER_AT = 10_000


def _each_once(convert: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """``convert`` of each value, worked out once per distinct object (records share them)."""
    keys = list(map(id, values))
    distinct = dict(zip(keys, values, strict=True))
    done = {key: convert(value) for key, value in distinct.items()}
    return list(map(done.__getitem__, keys))


def _repeated(values: Sequence[Any], counts: Sequence[int]) -> list[Any]:
    """Each value ``counts[i]`` times, in order."""
    return list(itertools.chain.from_iterable(map(itertools.repeat, values, counts)))


@contextmanager
def _indexes_deferred(connection: Connection, adding: int, stored: int) -> Iterator[None]:
    """On SQLite, build the engagement and participation indexes after a large insert.

    SQLite builds an index from sorted rows several times faster than it grows one row by row;
    this pays when the insert at least doubles the table (``stored`` is the highest id so far,
    at least the rows there are). The indexes are dropped and created again in the caller's
    transaction, so a rollback restores them as they were.
    """
    if connection.dialect.name != "sqlite" or adding < _DEFER_AT or adding < stored:
        yield
        return
    # Unique indexes stay: they check each row as it comes, as the constraints do.
    indexes = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('engagements', 'participants') AND sql NOT LIKE 'CREATE UNIQUE%'"
    ).all()
    for name, _ in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        for _, sql in indexes:
            connection.exec_driver_sql(sql)


def _reserve_ids(connection: Connection, count: int) -> int:
    """Reserve ``count`` consecutive engagement ids and return the first.

    Explicit ids let the rows go in one ``executemany`` (a RETURNING insert runs row by row on
    SQLite). PostgreSQL hands out a block of its sequence, safe under concurrent writers; SQLite
    allows one writer at a time, and the primary key refuses any clash.
    """
    if connection.dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence("engagements", "id")
        numbers = (
            connection.execute(
                select(func.nextval(sequence)).select_from(func.generate_series(1, count))
            )
            .scalars()
            .all()
        )
        first = int(numbers[0])
        if [int(n) for n in numbers] != list(range(first, first + count)):
            # Another writer interleaved; take a fresh contiguous block past everything issued.
            start = int(numbers[-1]) + 1
            connection.execute(select(func.setval(sequence, start + count - 1)))
            return start
        return first
    # The write lock is taken before the read, so no other writer can take the same ids.
    connection.execute(update(_E).where(_E.c.id == -1).values(version=_E.c.version))
    highest = connection.execute(select(func.max(_E.c.id))).scalar_one_or_none()
    return int(highest or 0) + 1


def _conflict(error: IntegrityError) -> ConflictError:
    text = str(error.orig)
    if "external_id" in text:
        return ConflictError(
            "An engagement with this external id is already stored.",
            hint="Edit the stored one, or give a different external id.",
        )
    return ConflictError(f"The store refused the write: {text}")


def update_engagement(
    connection: Connection,
    engagement_id: int,
    engagement: Engagement | PreparedEngagement,
    viewer: Viewer,
    expected_version: int | None = None,
) -> int:
    """Replace a stored engagement with ``engagement``, in the caller's transaction.

    Args:
        connection: A connection inside a transaction.
        engagement_id: Which one.
        engagement: The new, validated record.
        viewer: Who writes; must be able to see the record.
        expected_version: Refuse the write unless the stored version is this one.

    Returns:
        The new version.

    Raises:
        NotFoundError: When there is no such engagement visible to the viewer.
        PermissionDeniedError: When it belongs to another nation (or the installation).
        ValidationError: When the new label would hide it from its owner.
        ConflictError: When the stored version is not ``expected_version``.
    """
    found = connection.execute(
        select(_E.c.version, _E.c.owner_nation).where(
            _E.c.id == engagement_id, visible_to(viewer, _E.c.label_id, _E.c.start_year)
        )
    ).first()
    if found is None:
        raise NotFoundError(f"No engagement with id {engagement_id}.")
    check_owner(viewer, found.owner_nation, f"Engagement {engagement_id}")
    current = found.version
    if expected_version is not None and current != expected_version:
        raise StaleVersionError(
            f"Engagement {engagement_id} changed since you read it "
            f"(version {current}, you had {expected_version}).",
            hint="Read it again and re-apply your change.",
        )
    record = engagement if isinstance(engagement, PreparedEngagement) else prepare(engagement)
    before = _nations_of(connection, engagement_id)
    labels = LabelCache(connection)
    programmes = _Programmes(connection)
    values = {
        **_row(
            record,
            labels.id_for(record.releasability),
            programmes.id_for(record.programme, record.kind),
        ),
        "version": current + 1,
        "updated_at": _now(),
        "updated_by": viewer.name,
    }
    try:
        result = connection.execute(
            update(_E)
            .where(and_(_E.c.id == engagement_id, _E.c.version == current))
            .values(**values)
        )
    except IntegrityError as error:
        raise _conflict(error) from None
    if result.rowcount != 1:
        raise StaleVersionError(f"Engagement {engagement_id} changed since you read it.")
    connection.execute(delete(_P).where(_P.c.engagement_id == engagement_id))
    connection.execute(delete(_S).where(_S.c.engagement_id == engagement_id))
    participants, sources = _children(engagement_id, record)
    connection.execute(insert(_P), participants)
    if sources:
        connection.execute(insert(_S), sources)
    check_readable_by(
        connection, _E, engagement_id, found.owner_nation, _E.c.start_year, "engagement"
    )
    bump_records(connection, [*before, *_nations_of(connection, engagement_id)])
    return int(current) + 1


def delete_engagement(
    connection: Connection,
    engagement_id: int,
    viewer: Viewer,
    expected_version: int | None = None,
) -> None:
    """Delete an engagement with its participants and sources.

    Raises:
        NotFoundError: When there is no such engagement visible to the viewer.
        PermissionDeniedError: When it belongs to another nation (or the installation).
        ConflictError: When ``expected_version`` is given and is not the stored version.
    """
    found = connection.execute(
        select(_E.c.id, _E.c.version, _E.c.owner_nation).where(
            _E.c.id == engagement_id, visible_to(viewer, _E.c.label_id, _E.c.start_year)
        )
    ).first()
    if found is None:
        raise NotFoundError(f"No engagement with id {engagement_id}.")
    check_owner(viewer, found.owner_nation, f"Engagement {engagement_id}")
    if expected_version is not None and found.version != expected_version:
        raise StaleVersionError(
            f"Engagement {engagement_id} changed since you read it "
            f"(version {found.version}, you had {expected_version}).",
            hint="Read it again before deleting it.",
        )
    before = _nations_of(connection, engagement_id)
    # Children first: SQLite enforces ON DELETE CASCADE only with foreign keys on, and a
    # PostgreSQL server may be shared with tools that bypass it.
    for table in (_P, _S, tables.assessments):
        connection.execute(delete(table).where(table.c.engagement_id == engagement_id))
    deleted = connection.execute(
        delete(_E).where(_E.c.id == engagement_id, _E.c.version == found.version)
    )
    if deleted.rowcount != 1:
        raise StaleVersionError(f"Engagement {engagement_id} changed since you read it.")
    bump_records(connection, before)


def check_readable(
    connection: Connection, engagement_id: int, nation: str | None, subject: str = "engagement"
) -> None:
    """Refuse (the caller's transaction rolls back) when ``nation`` cannot read the engagement.

    Raises:
        ValidationError: On the ``releasability`` field.
    """
    check_readable_by(connection, _E, engagement_id, nation, _E.c.start_year, subject)
