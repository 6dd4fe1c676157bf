"""What every importer shares: its dataset, its context, its batch and its report.

An importer reads files and returns a :class:`Batch` of model records; it never writes. Problems
are collected as :class:`Issue` (file, row, column, value, reason) instead of stopping at the first
one; rows dropped by a documented rule of the dataset are counted as *excluded* with their reason.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from comity.errors import UnknownNationError, UnknownNationReason, ValidationError
from comity.ingest.unreadable import DAMAGED, damaged_file, field_too_long
from comity.model.engagements import Engagement
from comity.model.measures import CoverageSpan, DisputeYear, NationScore, Rivalry
from comity.model.nations import Membership, Nation, Organisation
from comity.model.prepared import EngagementColumns, PreparedEngagement
from comity.model.releasability import Releasability
from comity.model.validation import validate_engagement
from comity.nations.resolver import NationResolver

__all__ = [
    "Batch",
    "DatasetInfo",
    "ImportContext",
    "ImportReport",
    "Importer",
    "Issue",
    "checksum",
    "read_delimited",
]

MAX_ISSUES = 1000
"""Issues kept per import; the count goes on beyond it."""


@dataclass(frozen=True)
class DatasetInfo:
    """A dataset comity can import.

    Attributes:
        name: Its name, the folder under ``comity/data`` (e.g. ``mme_exercises``).
        title: Its title.
        files: Files read by default, relative to its folder.
        citation: How to cite it.
        licence: Its terms of use.
        version: Its version as published.
        becomes: What it becomes in comity, in a few words.
    """

    name: str
    title: str
    files: tuple[str, ...]
    citation: str
    licence: str
    version: str
    becomes: str


@dataclass(frozen=True)
class Issue:
    """One problem found in an input file.

    Attributes:
        file: The file's name.
        row: Its line number (1 is the header of a CSV), or None for the whole file.
        column: The column or field, if one.
        value: The offending value, if one.
        reason: What is wrong.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file + (f", row {self.row}" if self.row is not None else "")
        what = f", {self.column}" if self.column else ""
        shown = f" {self.value!r}" if self.value not in (None, "") else ""
        return f"{where}{what}:{shown} {self.reason}".replace(":  ", ": ")


@dataclass
class Batch:
    """Everything an importer read, checked and ready to write.

    Engagements come as records (``engagements``) or, from a bulk reader, as ``columns``.
    ``coverage`` is what the dataset declares it covers; an importer that assumed parts of it
    (a user's mapping that does not state them) names them in ``coverage_assumed`` (``years``,
    ``kinds``, ``pairs``), with advice in ``coverage_hint``.
    """

    engagements: list[Engagement | PreparedEngagement] = field(default_factory=list)
    columns: EngagementColumns | None = None
    scores: list[NationScore] = field(default_factory=list)
    disputes: list[DisputeYear] = field(default_factory=list)
    rivalries: list[Rivalry] = field(default_factory=list)
    coverage: list[CoverageSpan] = field(default_factory=list)
    organisations: list[Organisation] | None = None
    memberships: list[Membership] | None = None
    media_events: Any = None
    rows_read: int = 0
    coverage_assumed: tuple[str, ...] = ()
    coverage_hint: str | None = None

    @property
    def records(self) -> int:
        """How many records the batch holds, of every sort."""
        return (
            len(self.engagements)
            + len(self.columns or ())
            + len(self.scores)
            + len(self.disputes)
            + len(self.rivalries)
            + len(self.memberships or ())
            + (self.media_events.num_rows if self.media_events is not None else 0)
        )

    @property
    def engagements_only(self) -> bool:
        """True when the batch holds engagements (as columns) and their coverage, nothing else."""
        return (
            self.columns is not None
            and not (self.engagements or self.scores or self.disputes or self.rivalries)
            and self.memberships is None
            and self.media_events is None
            and all(span.nation is None for span in self.coverage)
        )

    def years(self) -> tuple[int | None, int | None]:
        """First and last year the batch's coverage spans."""
        if not self.coverage:
            return None, None
        return (
            min(span.first_year for span in self.coverage),
            max(span.last_year for span in self.coverage),
        )


@dataclass
class ImportReport:
    """What an import did, or would do (``dry_run``), or why it wrote nothing.

    ``coverage`` says in words what the dataset declares it covers (``exercise 2019-2021, every
    pair``); ``coverage_assumed`` which parts were assumed from the rows, and ``coverage_hint``
    how to state them. ``linked`` counts the pairs of its records and others' that now make one
    event, ``to_review`` those that wait for a person (``comity links review``).
    """

    dataset: str
    files: list[str]
    version: str | None = None
    dry_run: bool = False
    written: bool = False
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    corrected: Counter[str] = field(default_factory=Counter)
    issues: list[Issue] = field(default_factory=list)
    issue_count: int = 0
    seconds: float = 0.0
    coverage: list[str] = field(default_factory=list)
    coverage_assumed: list[str] = field(default_factory=list)
    coverage_hint: str | None = None
    linked: int = 0
    to_review: int = 0

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return self.issue_count == 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form of the report."""
        return {
            "dataset": self.dataset,
            "files": self.files,
            "version": self.version,
            "dry_run": self.dry_run,
            "written": self.written,
            "rows_read": self.rows_read,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "excluded": dict(sorted(self.excluded.items())),
            "corrected": dict(sorted(self.corrected.items())),
            "rejected": self.issue_count,
            "issues": [vars(issue) for issue in self.issues],
            "seconds": round(self.seconds, 3),
            "coverage": self.coverage,
            "coverage_assumed": self.coverage_assumed,
            "coverage_hint": self.coverage_hint,
            "linked": self.linked,
            "to_review": self.to_review,
        }


Progress = Callable[[int], None]
"""Told how many more input rows were read."""


class ImportContext:
    """Where an importer resolves nations, validates records and notes what went wrong.

    Args:
        resolver: Resolves names and codes (with the user's extra spellings).
        nations: The store's nations by key, for the registry rules.
        version: The checksum of the files read, recorded as the records' version.
        progress: Told of rows read, for a progress bar.
    """

    def __init__(
        self,
        resolver: NationResolver,
        nations: Mapping[str, Nation],
        version: str,
        progress: Progress | None = None,
    ) -> None:
        self.resolver = resolver
        self.nations = nations
        self.version = version
        self._progress = progress
        self.issues: list[Issue] = []
        self.issue_count = 0
        self.excluded: Counter[str] = Counter()
        self.corrected: Counter[str] = Counter()

    def issue(
        self,
        file: str,
        row: int | None,
        reason: str,
        column: str | None = None,
        value: object = None,
    ) -> None:
        """Note a problem; the import will write nothing."""
        self.issue_count += 1
        if len(self.issues) < MAX_ISSUES:
            shown = None if value is None else str(value)
            self.issues.append(Issue(file, row, column, shown, reason))

    def exclude(self, reason: str, count: int = 1) -> None:
        """Count rows left out by a documented rule of the dataset."""
        self.excluded[reason] += count

    def correct(self, reason: str, count: int = 1) -> None:
        """Count values changed by a documented rule of the dataset (a known error in it)."""
        self.corrected[reason] += count

    def advance(self, rows: int = 1) -> None:
        """Report progress."""
        if self._progress is not None:
            self._progress(rows)

    def resolve(
        self,
        value: object,
        *,
        file: str,
        row: int | None,
        column: str,
        system: str | None = None,
        year: int | None = None,
    ) -> str | None:
        """Resolve a name or code to a nation key, or note the issue and return None."""
        key, reason = self.resolution(value, system=system, year=year)
        if reason is not None:
            self.issue(file, row, reason, column=column, value=value)
        return key

    def resolution(
        self, value: object, *, system: str | None = None, year: int | None = None
    ) -> tuple[str | None, str | None]:
        """A name or code as (nation key, None), or (None, why it did not resolve)."""
        try:
            return self.resolver.resolve_key(str(value), system=system, year=year), None
        except UnknownNationError as error:
            if error.reason is UnknownNationReason.NO_MATCH:
                reason = "unknown nation" + (f" as a {error.system} code" if error.system else "")
            else:  # ambiguous, or a bare number: the message says which
                reason = error.message.rstrip(".")
            if error.hint:
                reason += f"; {error.hint}"
            return None, reason

    def engagement(
        self, data: Mapping[str, Any], *, file: str, row: int | None
    ) -> Engagement | None:
        """Validate an engagement against the model and the registry, or note every problem."""
        try:
            return validate_engagement(data, self.nations)
        except ValidationError as error:
            for problem in error.problems:
                self.issue(file, row, problem.reason, column=problem.field, value=problem.value)
            return None


class Importer(Protocol):
    """An importer of one dataset: what :func:`comity.services.imports.import_dataset` uses.

    The members with a value are defaults, those of a bundled dataset: an importer that
    subclasses this protocol (every bundled one does) inherits them and sets only what differs.

    Attributes:
        info: The dataset it reads.
        bundled: True for a dataset comity ships: it belongs to the installation (only the
            operator may replace it), and its version includes
            :data:`~comity.services.imports.READER_REVISION`. False for a user's own files:
            they belong to the importing user's nation, and their version is their checksum.
        extra_names: Spellings of nations its files use that the registry does not know
            (name -> nation key); the user's ``--names`` file adds to them.
        releasability: The label it gives every record it reads, checked against the
            importing user (their nation must be able to read it); None when its records
            carry their own.
        distinct_records: True when its records are one per key by construction (a recipient's
            courses of a year, a mission's year): linkage never compares two of them
            (docs/importing.md, "One event, many sources").
    """

    info: DatasetInfo
    bundled: bool = True
    extra_names: Mapping[str, str] = MappingProxyType({})
    releasability: Releasability | None = None
    distinct_records: bool = False

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the files, resolve and validate, and return the batch (writes nothing)."""
        ...


def checksum(paths: Sequence[Path]) -> str:
    """SHA-256 over the files' bytes, in order (the version of what was imported)."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        import gzip

        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def read_delimited(
    path: Path,
    context: ImportContext,
    *,
    required: Sequence[str],
    delimiter: str = ",",
    fieldnames: Sequence[str] | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV or TSV file (plain or gzipped) as (line number, column -> text).

    Structural problems become issues: a file that is not UTF-8, an empty file, missing
    columns, a row with too many fields. Line numbers count the header as line 1. A file that
    cannot be read at all stops the import: a truncated or corrupt gzip file, a field longer
    than :data:`~comity.ingest.unreadable.MAX_FIELD_CHARACTERS`.

    Args:
        path: The file.
        context: Where issues go.
        required: Columns the file must have.
        delimiter: The field separator.
        fieldnames: Column names for a file without a header line.

    Raises:
        ImportRejectedError: When the file is damaged or holds a field too long to read.
    """
    name = path.name
    line = 0  # the last line read: the next one is where a read fails
    try:
        with _open_text(path) as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            if fieldnames is None:
                header = next(reader, None)
                if header is None:
                    context.issue(name, None, "the file is empty: no header line")
                    return
                first_line = 2
            else:
                header = list(fieldnames)
                first_line = 1
            header = [h.strip().lstrip("\ufeff") for h in header]
            missing = [c for c in required if c not in header]
            if missing:
                context.issue(
                    name,
                    1 if fieldnames is None else None,
                    f"missing column(s) {', '.join(missing)}; the header has {', '.join(header)}",
                )
                return
            width = len(header)
            line = first_line - 1
            for line, values in enumerate(reader, start=first_line):
                if not values or (len(values) == 1 and not values[0].strip()):
                    continue
                if len(values) > width:
                    context.issue(
                        name, line, f"has {len(values)} fields, the header {width}", value=None
                    )
                    continue
                yield line, dict(zip(header, values + [""] * (width - len(values)), strict=True))
    except UnicodeDecodeError as error:
        context.issue(
            name,
            None,
            f"is not UTF-8 text (byte {error.object[error.start]:#04x} at offset {error.start}); "
            "save it as UTF-8",
        )
    except DAMAGED as error:
        raise damaged_file(name, error) from None
    except OSError as error:
        context.issue(name, None, f"cannot be read: {error}")
    except csv.Error as error:
        # The reader's limit on a field has no error type of its own: only its text tells it.
        if "field larger than field limit" in str(error):
            raise field_too_long(name, line + 1, None, None) from None
        context.issue(name, None, f"is not well-formed CSV: {error}")
