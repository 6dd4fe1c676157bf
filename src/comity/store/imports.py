"""Writes of an import: bring a dataset's records in line with a batch, and record the run.

Each function works in the caller's transaction and changes only what differs, so importing the
same file twice writes nothing the second time and reports every record unchanged. A dataset's
coverage spans are in :mod:`comity.store.coverage`, its record in :mod:`comity.store.datasets`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, not_, select, update

from comity.access.viewer import Role, Viewer
from comity.errors import ConflictError, FieldProblem, ValidationError
from comity.model.engagements import Engagement
from comity.model.measures import CoverageSpan, DisputeYear, NationScore, Rivalry
from comity.model.nations import Membership, Organisation
from comity.model.prepared import EngagementColumns, PreparedEngagement, as_columns
from comity.store import tables
from comity.store.audit import append_audit
from comity.store.bulk import insert_rows
from comity.store.changes import bump_records
from comity.store.coverage import coverage_ends, list_coverage, replace_coverage
from comity.store.datasets import DatasetRecord, list_datasets
from comity.store.engagement_writes import insert_engagements, update_engagement
from comity.store.engagements import engagement_images
from comity.store.nations import seed_organisations, sync_memberships
from comity.store.visibility import visible_to

__all__ = [
    "DatasetRecord",
    "SyncCounts",
    "coverage_ends",
    "list_coverage",
    "list_datasets",
    "record_dataset",
    "replace_coverage",
    "sync_disputes",
    "sync_engagements",
    "sync_rivalries",
    "sync_scores",
    "write_import",
]

_CHUNK = 2000


@dataclass
class SyncCounts:
    """Records added, updated, left unchanged and removed by a sync."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def __iadd__(self, other: SyncCounts) -> SyncCounts:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.removed += other.removed
        return self


def _delete_ids(connection: Connection, table: Table, column: str, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        connection.execute(delete(table).where(table.c[column].in_(chunk)))


def sync_engagements(
    connection: Connection,
    dataset: str,
    engagements: Sequence[Engagement | PreparedEngagement] | EngagementColumns,
    viewer: Viewer,
    owner: str | None = None,
) -> SyncCounts:
    """Make the dataset's stored engagements equal to ``engagements``, matched by external id.

    New external ids are added, changed records (by content digest) updated in place (their ids
    and assessments stay), and records the dataset no longer has removed. Only records stored
    under the key ``dataset`` are touched (a nation's key is ``NAT/name``); each record updated
    or removed is written to the audit log with its image before.

    Args:
        connection: A connection inside a transaction.
        dataset: The import's key (:func:`comity.store.ownership.dataset_key`).
        engagements: What the dataset holds now.
        viewer: Who imports.
        owner: The nation the records belong to (None: the installation).

    Raises:
        ValueError: When a record has no external id (an importer's bug).
        ValidationError: When a record's label hides it from its owner.
    """
    table = tables.engagements
    existing = {
        row.external_id: (row.id, row.content_hash)
        for row in connection.execute(
            select(table.c.id, table.c.external_id, table.c.content_hash).where(
                table.c.source_dataset == dataset
            )
        )
    }
    given = as_columns(engagements)
    given.source_dataset = [dataset] * len(given)
    if not _references_checked(connection):
        _check_nations(connection, given)
    if None in given.external_id:
        raise ValueError(f"an engagement of {dataset} has no external id")
    counts = SyncCounts()
    if not existing:  # a first import: every record is new
        new = list(range(len(given)))
        compared: Iterable[tuple[str | None, str]] = ()
    else:
        new = []
        compared = zip(given.external_id, given.content_hash, strict=True)
    changed: list[tuple[int, int]] = []  # (index in the batch, stored id)
    for index, (key, digest) in enumerate(compared):
        stored = existing.get(key)
        if stored is None:
            new.append(index)
        elif stored[1] != digest:
            changed.append((index, stored[0]))
        else:
            counts.unchanged += 1
    if changed:
        before = engagement_images(connection, [i for _, i in changed])
        for index, engagement_id in changed:
            update_engagement(connection, engagement_id, given.record(index), viewer)
        after = engagement_images(connection, [i for _, i in changed])
        for _, engagement_id in changed:
            append_audit(
                connection,
                viewer.name,
                "import_update",
                "engagement",
                engagement_id,
                before[engagement_id],
                after[engagement_id],
            )
        counts.updated = len(changed)
    insert_engagements(
        connection, given if len(new) == len(given) else given.take(new), viewer.name, owner
    )
    counts.added = len(new)
    seen = set(given.external_id) if existing else set()
    gone = [engagement_id for key, (engagement_id, _) in existing.items() if key not in seen]
    removed = engagement_images(connection, gone)
    for engagement_id in gone:
        append_audit(
            connection,
            viewer.name,
            "import_remove",
            "engagement",
            engagement_id,
            removed[engagement_id],
            None,
        )
    for child in (tables.participants, tables.engagement_sources, tables.assessments):
        _delete_ids(connection, child, "engagement_id", gone)
    _delete_ids(connection, table, "id", gone)
    counts.removed = len(gone)
    _check_owner_reads(connection, dataset, owner)
    return counts


def _check_owner_reads(connection: Connection, dataset: str, owner: str | None) -> None:
    """Refuse an import that would hide any of its records from its owner."""
    if owner is None:
        return
    table = tables.engagements
    reader = Viewer(name=f"{owner} reader", nation=owner, role=Role.VIEWER)
    hidden = (
        connection.execute(
            select(table.c.external_id)
            .where(
                table.c.source_dataset == dataset,
                not_(visible_to(reader, table.c.label_id, table.c.start_year)),
            )
            .limit(3)
        )
        .scalars()
        .all()
    )
    if hidden:
        raise ValidationError(
            [
                FieldProblem(
                    "releasability",
                    f"must let {owner}, whose import this is, read "
                    f"every record (not: {', '.join(map(str, hidden))})",
                )
            ],
            "import",
        )


def _references_checked(connection: Connection) -> bool:
    """Whether the database checks each row's references (SQLite can be told not to)."""
    if connection.dialect.name != "sqlite":
        return True
    return bool(connection.exec_driver_sql("PRAGMA foreign_keys").scalar())


def _check_nations(connection: Connection, engagements: EngagementColumns) -> None:
    """Refuse engagements naming a nation the store does not have (what the keys would check)."""
    named = {*engagements.nation, *(h for h in engagements.host if h is not None)}
    nations = tables.nations
    known = set(
        connection.execute(select(nations.c.iso3).where(nations.c.iso3.in_(named))).scalars()
    )
    missing = sorted(named - known)
    if missing:
        raise ConflictError(
            f"The store has no nation {', '.join(missing)}: the engagements were not written.",
            hint="Run `comity init` to bring the nation registry up to date.",
        )


def _sync_rows(
    connection: Connection,
    table: Table,
    dataset: str,
    rows: Iterable[dict[str, Any]],
    key: tuple[str, ...],
) -> SyncCounts:
    """Make the dataset's rows of ``table`` equal to ``rows`` (matched on ``key``)."""
    columns = [c.name for c in table.columns if c.name not in {"id"}]
    existing: dict[tuple[Any, ...], tuple[int, tuple[Any, ...]]] = {}
    for row in connection.execute(
        select(table.c.id, *(table.c[c] for c in columns)).where(table.c.dataset == dataset)
    ):
        mapping = row._mapping
        existing[tuple(mapping[k] for k in key)] = (row.id, tuple(mapping[c] for c in columns))
    counts = SyncCounts()
    to_insert: list[dict[str, Any]] = []
    to_delete: list[int] = []
    seen: set[tuple[Any, ...]] = set()
    for record in rows:
        identity = tuple(record[k] for k in key)
        seen.add(identity)
        values = tuple(record[c] for c in columns)
        stored = existing.get(identity)
        if stored is None:
            to_insert.append(record)
            counts.added += 1
        elif stored[1] != values:
            to_delete.append(stored[0])
            to_insert.append(record)
            counts.updated += 1
        else:
            counts.unchanged += 1
    gone = [row_id for identity, (row_id, _) in existing.items() if identity not in seen]
    counts.removed = len(gone)
    _delete_ids(connection, table, "id", to_delete + gone)
    for start in range(0, len(to_insert), _CHUNK):
        insert_rows(
            connection,
            table,
            [{c: r[c] for c in columns} for r in to_insert[start : start + _CHUNK]],
        )
    return counts


def sync_scores(connection: Connection, dataset: str, scores: Sequence[NationScore]) -> SyncCounts:
    """Make the dataset's nation scores equal to ``scores``."""
    return _sync_rows(
        connection,
        tables.nation_scores,
        dataset,
        (asdict(s) for s in scores),
        ("measure", "nation", "year"),
    )


def sync_disputes(
    connection: Connection, dataset: str, disputes: Sequence[DisputeYear]
) -> SyncCounts:
    """Make the dataset's dispute dyad-years equal to ``disputes``."""
    return _sync_rows(
        connection,
        tables.dispute_years,
        dataset,
        (asdict(d) for d in disputes),
        ("dispute", "nation1", "nation2", "year"),
    )


def sync_rivalries(
    connection: Connection, dataset: str, rivalries: Sequence[Rivalry]
) -> SyncCounts:
    """Make the dataset's rivalries equal to ``rivalries``."""
    rows = ({**asdict(r), "types": ",".join(r.types) or None} for r in rivalries)
    return _sync_rows(
        connection, tables.rivalries, dataset, rows, ("rivalry", "nation1", "nation2")
    )


def record_dataset(
    connection: Connection, record: DatasetRecord, counts: SyncCounts, excluded: int = 0
) -> None:
    """Upsert the dataset's row (only when something changed) and log the run."""
    table = tables.datasets
    values = asdict(record)
    stored = connection.execute(select(table).where(table.c.name == record.name)).first()
    compared = (
        "title",
        "version",
        "citation",
        "licence",
        "checksum",
        "records",
        "first_year",
        "last_year",
        "source_file",
    )
    if stored is None:
        connection.execute(insert(table).values(**values))
    elif any(getattr(stored, c) != values[c] for c in compared):
        connection.execute(update(table).where(table.c.name == record.name).values(**values))
    if counts.added or counts.updated or counts.removed or stored is None:
        connection.execute(
            insert(tables.import_runs).values(
                dataset=record.name,
                source_file=record.source_file,
                checksum=record.checksum,
                started_at=record.imported_at,
                finished_at=datetime.now(UTC),
                actor=record.imported_by,
                added=counts.added,
                updated=counts.updated,
                unchanged=counts.unchanged,
                removed=counts.removed,
                excluded=excluded,
            )
        )


def write_import(
    connection: Connection,
    record: DatasetRecord,
    viewer: Viewer,
    *,
    engagements: Sequence[Engagement | PreparedEngagement] | EngagementColumns = (),
    scores: Sequence[NationScore] = (),
    disputes: Sequence[DisputeYear] = (),
    rivalries: Sequence[Rivalry] = (),
    coverage: Sequence[CoverageSpan] = (),
    organisations: Sequence[Organisation] | None = None,
    memberships: Sequence[Membership] | None = None,
    excluded: int = 0,
) -> SyncCounts:
    """Bring everything the dataset ``record.name`` owns in line with what was read.

    Runs in the caller's transaction; touches only rows of this dataset.
    """
    name = record.name
    counts = SyncCounts()
    counts += sync_engagements(connection, name, engagements, viewer, record.owner_nation)
    counts += sync_scores(connection, name, scores)
    counts += sync_disputes(connection, name, disputes)
    counts += sync_rivalries(connection, name, rivalries)
    if organisations is not None and memberships is not None:
        seed_organisations(connection, organisations, None)
        synced = sync_memberships(connection, [o.code for o in organisations], memberships)
        counts += SyncCounts(added=synced.added, unchanged=synced.unchanged)
    replace_coverage(connection, name, coverage)
    record_dataset(connection, record, counts, excluded)
    if counts.added or counts.updated or counts.removed:
        bump_records(connection)
        append_audit(
            connection,
            viewer.name,
            "import",
            "dataset",
            name,
            None,
            {
                "checksum": record.checksum,
                "added": counts.added,
                "updated": counts.updated,
                "removed": counts.removed,
                "unchanged": counts.unchanged,
            },
        )
    return counts
