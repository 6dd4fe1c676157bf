"""Use cases of imports: run one importer, all bundled ones, and list the sources."""

from __future__ import annotations

import csv
import hashlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from comity import collector
from comity.access.viewer import Role, Viewer
from comity.config import analytic_directory
from comity.errors import ImportRejectedError
from comity.ingest.base import ImportContext, Importer, ImportReport, Progress, checksum
from comity.ingest.catalog import IMPORTERS, UserFiles, get_importer
from comity.ingest.coverage import describe_coverage, pairs_of
from comity.ingest.mapped.mapping import read_mapping
from comity.ingest.media.events import replace_media_events
from comity.model.measures import CoverageSpan
from comity.nations.resolver import NationResolver, default_resolver
from comity.services.engagements import check_label, require
from comity.services.links import link_connection
from comity.store import Store
from comity.store import imports as import_store
from comity.store import nations as nation_store
from comity.store.imports import DatasetRecord, SyncCounts
from comity.store.ownership import check_owner, dataset_key, owner_of
from comity.store.refusals import import_refusals

__all__ = [
    "SourceStatus",
    "bundled_paths",
    "datasets_to_import",
    "import_dataset",
    "list_sources",
    "mapped_importer",
    "read_names",
]


class _DryRun(Exception):  # noqa: N818 - a signal that rolls the dry run back
    """Raised inside the transaction of a dry run so that it rolls back."""


READER_REVISION = 2
"""The revision of how comity reads its bundled datasets. It is part of each bundled import's
version, so raising it (when an importer changes what it derives from the same files, as the
coverage, censoring and treaty ties of method 2.0 did) makes ``comity import --all`` import
every bundled dataset again, once, without ``--force``."""


def dataset_version(importer: Importer, files: list[Path]) -> str:
    """An import's version: the files' checksum, with the reader's revision for bundled ones."""
    digest = checksum(files)
    if not importer.bundled:
        return digest
    return hashlib.sha256(f"{digest}:reader-{READER_REVISION}".encode()).hexdigest()


def bundled_paths(importer: Importer) -> list[Path]:
    """The files of a bundled dataset, inside the installed package."""
    folder = resources.files("comity").joinpath("data", importer.info.name)
    return [Path(str(folder.joinpath(name))) for name in importer.info.files]


def read_names(path: Path) -> dict[str, str]:
    """Read extra spellings from a two-column file: a name, then the nation it means.

    Comma- or tab-separated, with or without a header line (``name,nation``).

    Raises:
        ImportRejectedError: When the file cannot be read or a line has not two columns.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportRejectedError(f"Cannot read the names file {path}: {error}") from None
    first_line = text.splitlines()[0] if text else ""
    delimiter = "\t" if "\t" in first_line else ","
    names: dict[str, str] = {}
    for line, row in enumerate(csv.reader(text.splitlines(), delimiter=delimiter), start=1):
        if not row or not "".join(row).strip():
            continue
        if len(row) != 2:
            raise ImportRejectedError(
                f"{path.name}, line {line}: write a name and a nation key, separated by a comma."
            )
        name, key = row[0].strip(), row[1].strip().upper()
        if line == 1 and key in {"NATION", "ISO3", "KEY"}:
            continue
        names[name] = key
    return names


@collector.paused()
def import_dataset(
    store: Store,
    dataset: str | Importer,
    paths: Sequence[Path] | None = None,
    *,
    viewer: Viewer,
    dry_run: bool = False,
    names: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one dataset: read, resolve and validate everything, then write it in one transaction.

    Args:
        store: The store.
        dataset: The dataset's name (see ``comity sources``) or an importer.
        paths: Files to read instead of the bundled ones.
        viewer: Who imports; needs the role planner.
        dry_run: Do everything, report, and write nothing.
        names: Extra spellings of nations (name -> key) for names the resolver does not know.
        progress: Told of rows read.

    Returns:
        The report: added, updated, unchanged, removed and excluded records.

    Raises:
        ImportRejectedError: When any problem is found; nothing is written. Its ``report`` lists
            every problem with its file, row and column.
    """
    require(viewer, Role.PLANNER, "import data")
    importer = get_importer(dataset) if isinstance(dataset, str) else dataset
    if importer.releasability is not None:
        check_label(viewer, importer.releasability, "mapping")
    if importer.bundled:
        # The bundled datasets belong to the installation: a nation's user may not replace them.
        check_owner(viewer, None, f"The bundled dataset {importer.info.name}")
    # A nation's import is keyed by its nation and name: it never touches another's records.
    owner = None if importer.bundled else owner_of(viewer)
    name = dataset_key(owner, importer.info.name)
    names = {**importer.extra_names, **(names or {})}
    if not paths and not importer.info.files:
        raise ImportRejectedError(
            f"{name} has no bundled files: give the files to read.",
            hint="comity import --mapping MAPPING.toml FILE [FILE...]",
        )
    files = list(paths) if paths else bundled_paths(importer)
    for path in files:
        if not path.is_file():
            raise ImportRejectedError(
                f"{path} does not exist or is not a file.",
                hint=f"Give the path of a {importer.info.title} file, or none for the bundled one.",
            )
    started = time.perf_counter()
    version = dataset_version(importer, files)
    report = ImportReport(
        dataset=name, files=[str(p) for p in files], version=version, dry_run=dry_run
    )
    with store.connect() as connection:
        nations = nation_store.load_nations(connection)
    if names:
        unknown = sorted({key for key in names.values() if key not in nations})
        if unknown:
            raise ImportRejectedError(
                f"The names file maps to unknown nation keys: {', '.join(unknown)}.",
                hint="Use ISO alpha-3 keys; `comity nations --search TEXT` finds them.",
            )
        resolver = NationResolver(extra_aliases=names)
    else:
        resolver = default_resolver()
    context = ImportContext(resolver, nations, version, progress)
    batch = importer.read(files, context)
    report.rows_read = batch.rows_read
    report.excluded = context.excluded
    report.corrected = context.corrected
    report.issues = context.issues
    report.issue_count = context.issue_count
    if context.issue_count:
        report.seconds = time.perf_counter() - started
        raise ImportRejectedError(
            f"{name}: {context.issue_count} problem(s) found; nothing was written. "
            f"First: {context.issues[0]}",
            hint="Fix the file, or map unknown names with --names FILE, and run again.",
            report=report,
        )
    report.coverage = [describe_coverage(span) for span in batch.coverage]
    report.coverage_assumed = list(batch.coverage_assumed)
    report.coverage_hint = batch.coverage_hint
    first, last = batch.years()
    info = importer.info
    record = DatasetRecord(
        name=name,
        title=info.title,
        version=info.version,
        citation=info.citation,
        licence=info.licence,
        source_file=", ".join(p.name for p in files),
        checksum=version,
        records=batch.records,
        first_year=first,
        last_year=last,
        imported_at=datetime.now(UTC),
        imported_by=viewer.name,
        owner_nation=owner,
    )
    writer = Viewer(name=viewer.name, nation=viewer.nation, role=Role.ADMIN, unrestricted=True)
    counts = SyncCounts()
    try:
        # Engagements alone have their nations checked in one query, not row by row. A value the
        # database refuses (PostgreSQL checks lengths) names the dataset and field, in one line.
        with (
            import_refusals(name),
            store.transaction(foreign_keys=not batch.engagements_only) as connection,
        ):
            counts = import_store.write_import(
                connection,
                record,
                writer,
                engagements=batch.engagements if batch.columns is None else batch.columns,
                scores=batch.scores,
                disputes=batch.disputes,
                rivalries=batch.rivalries,
                coverage=batch.coverage,
                organisations=batch.organisations,
                memberships=batch.memberships,
                excluded=sum(context.excluded.values()),
            )
            if batch.media_events is not None:
                # Parquet is written last, inside the transaction: if it fails, nothing is kept.
                added, unchanged, removed = replace_media_events(
                    analytic_directory(store.describe_url()),
                    name.replace("/", "-"),
                    batch.media_events,
                    dry_run=dry_run,
                )
                counts += SyncCounts(added=added, unchanged=unchanged, removed=removed)
            if counts.added or counts.updated:
                # Records that describe events stored from other sources link now (or wait).
                linking = link_connection(connection, fresh_source=name)
                report.linked, report.to_review = linking.linked, linking.review
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    report.written = not dry_run
    report.added, report.updated = counts.added, counts.updated
    report.unchanged, report.removed = counts.unchanged, counts.removed
    report.seconds = time.perf_counter() - started
    return report


def mapped_importer(path: Path) -> UserFiles:
    """An importer for the user's own files, from a TOML mapping file.

    Raises:
        ImportRejectedError: When the mapping cannot be read or is not valid.
    """
    return UserFiles(read_mapping(path))


def datasets_to_import(store: Store, *, force: bool = False) -> list[str]:
    """The bundled datasets to import: all with ``force``, else those new or changed since."""
    with store.connect() as connection:
        imported = import_store.list_datasets(connection)
    chosen = []
    for name, importer in IMPORTERS.items():
        record = imported.get(name)
        current = dataset_version(importer, bundled_paths(importer))
        if force or record is None or record.checksum != current:
            chosen.append(name)
    return chosen


@dataclass(frozen=True)
class SourceStatus:
    """A dataset comity can import, and what the store holds of it.

    Attributes:
        importer: Its importer.
        imported: What the store knows of its import; None until imported.
        coverage: What it declared it covers when imported (kinds, years, pairs).
    """

    importer: Importer
    imported: DatasetRecord | None
    coverage: tuple[CoverageSpan, ...] = ()

    @property
    def engagement_coverage(self) -> list[str]:
        """Its coverage of engagements in words: ``alliance 1815-2018, every pair``, ..."""
        return [describe_coverage(span) for span in self.coverage if span.kind is not None]

    def coverage_dicts(self) -> list[dict[str, Any]]:
        """Its coverage for scripts: kind, years, pairs in words, nation, organisation, note."""
        return [
            {
                "kind": span.kind,
                "first_year": span.first_year,
                "last_year": span.last_year,
                "pairs": pairs_of(span),
                "nation": span.nation,
                "organisation": span.organisation,
                "note": span.note,
            }
            for span in self.coverage
        ]


def list_sources(store: Store) -> list[SourceStatus]:
    """Every bundled dataset with its citation; once imported, its years, records and coverage."""
    with store.connect() as connection:
        imported = import_store.list_datasets(connection)
        coverage = import_store.list_coverage(connection)
    return [
        SourceStatus(importer, imported.get(name), tuple(coverage.get(name, ())))
        for name, importer in IMPORTERS.items()
    ]
