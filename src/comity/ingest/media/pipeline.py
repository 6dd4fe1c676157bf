"""The media-event pipeline on any engine: GDELT files -> cooperation events -> dyad-years.

One definition, as SQL in DuckDB's dialect (:mod:`comity.ingest.media.sql`), run by an engine of
:mod:`comity.analytics.engines` (DuckDB here, Spark on a cluster: SQLGlot transpiles each step).
The files are read in two passes, neither held: one over every row for the checks, the counts
and the coverage, then one for the cooperation events, the only rows kept. Steps:

1. read the files (:mod:`comity.ingest.media.gdelt_files`: GDELT 1.0 or 2.0, plain, gzipped or
   zipped, a header file or Parquet, paths or globs) into a raw table of text columns;
2. check every used field (``globaleventid`` whole, ``day`` YYYYMMDD, Goldstein -10..10, tone
   -100..100, counts of 0 or more): a malformed value is an issue naming file, line and field,
   and nothing is written;
3. keep the CAMEO codes of ``cameo_codes.tsv`` (docs/scale.md lists them with their Goldstein
   values);
4. resolve both actors' CAMEO country codes for the event's year; drop events that are not
   between two nations;
5. de-duplicate re-reported events: one row per ``globaleventid``, then one per (actors, code,
   day, source URL), keeping the one reported by the most sources;
6. keep events reported by at least ``min_sources`` sources (:data:`DEFAULT_MIN_SOURCES`);
7. aggregate to non-directed dyad-years: events, mean Goldstein, mean tone.

Output, a folder of Parquet folders that :func:`read_media_output` reads back whichever engine
wrote them: ``events/``, ``dyad_years/`` (nation1 < nation2, year, events, goldstein, tone) and
``coverage/`` (year, days): the years in which the files were published, with the number of days.
A pair-year is 0 events only within that coverage; outside it, missing.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from comity.ingest.base import ImportContext
from comity.ingest.media.events import DEFAULT_MIN_SOURCES
from comity.ingest.media.gdelt_files import (
    InputFile,
    find_inputs,
    load_raw,
    note_unreadable,
    read_errors,
    report_misshapen,
    shown_names,
)
from comity.ingest.media.sql import (
    CHECKED,
    CHECKS,
    COVERAGE,
    DEDUPLICATED,
    DYAD_YEARS,
    EXCLUSIONS,
    KEPT,
    REASONS,
    RESOLVED,
    TOTALS,
    TYPED,
)

__all__ = [
    "DEFAULT_MIN_SOURCES",
    "MediaOutput",
    "MediaRun",
    "dyad_year_events",
    "read_media_output",
    "run_media_pipeline",
    "select_media_events",
]

_EXAMPLES = 20


@dataclass
class MediaRun:
    """What a run of the pipeline read, kept, left out, and wrote (or why it wrote nothing)."""

    engine: str
    files: list[str]
    output: Path
    min_sources: int
    rows_read: int = 0
    events: int = 0
    dyad_years: int = 0
    coverage: list[tuple[int, int]] = field(default_factory=list)
    excluded: Counter[str] = field(default_factory=Counter)
    written: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form of the run."""
        return {
            "engine": self.engine,
            "files": self.files,
            "output": str(self.output),
            "min_sources": self.min_sources,
            "rows_read": self.rows_read,
            "events": self.events,
            "dyad_years": self.dyad_years,
            "coverage": [{"year": y, "days": d} for y, d in self.coverage],
            "excluded": dict(sorted(self.excluded.items())),
            "written": self.written,
            "seconds": round(self.seconds, 3),
        }


def _report_malformed(
    engine: Any, inputs: list[InputFile], context: ImportContext, counts: list[int]
) -> None:
    """Note malformed values (the first of each check) with their file, line and field."""
    found: list[tuple[str, str, str, str]] = []
    for (column, condition, reason), count in zip(CHECKS, counts, strict=True):
        if not count:
            continue
        shown = "day_text" if column == "day" else column
        for filename, eventid, value in engine.rows(
            f"SELECT filename, globaleventid, {shown} FROM typed WHERE {condition} "
            f"ORDER BY filename, globaleventid LIMIT {_EXAMPLES}"
        ):
            found.append((filename, eventid or "", column, f"{reason} (value {value!r})"))
    lines = _lines_of(found)
    names = shown_names(inputs)
    for filename, eventid, column, reason in found:
        context.issue(
            names.get(filename, Path(filename).name),
            lines.get((filename, eventid)),
            reason,
            column=column,
        )


def _lines_of(found: list[tuple[str, str, str, str]]) -> dict[tuple[str, str], int]:
    """Line numbers of the rows with these event ids (read only when there are issues)."""
    import gzip

    wanted: dict[str, set[str]] = {}
    for filename, eventid, _, _ in found:
        wanted.setdefault(filename, set()).add(eventid)
    lines: dict[tuple[str, str], int] = {}
    for filename, ids in wanted.items():
        if filename.endswith(".parquet"):
            continue
        opener: Any = gzip.open if filename.endswith(".gz") else open
        with opener(filename, "rt", encoding="utf-8", errors="replace") as handle:
            for number, text in enumerate(handle, start=1):
                first = text.split("\t", 1)[0].split(",", 1)[0]
                if first in ids and (filename, first) not in lines:
                    lines[(filename, first)] = number
    return lines


def _resolve_actors(engine: Any, context: ImportContext) -> None:
    import pyarrow as pa

    pairs = engine.rows(
        "SELECT DISTINCT code, year FROM (SELECT code1 AS code, YEAR(day) AS year FROM kept "
        "UNION SELECT code2 AS code, YEAR(day) AS year FROM kept) c WHERE code IS NOT NULL"
    )
    resolved: list[tuple[str, int, str]] = []
    for code, year in pairs:
        try:
            key = context.resolver.resolve_key(code, system="iso3", year=int(year))
        except Exception:
            key = None
        if key is not None and key in context.nations:
            resolved.append((code, int(year), key))
    engine.register(
        "actors",
        pa.table(
            {
                "code": pa.array([r[0] for r in resolved], pa.string()),
                "year": pa.array([r[1] for r in resolved], pa.int32()),
                "nation": pa.array([r[2] for r in resolved], pa.string()),
            }
        ),
    )


def run_media_pipeline(
    patterns: list[str],
    engine: Any,
    context: ImportContext,
    *,
    output: Path,
    dataset: str = "gdelt",
    min_sources: int = DEFAULT_MIN_SOURCES,
) -> MediaRun:
    """Run the pipeline over GDELT event files on ``engine``; write its Parquet to ``output``.

    Nothing is written when a file is malformed: the issues (file, line, field, value) are in
    ``context`` and the run says ``written=False``.

    Args:
        patterns: Paths or glob patterns of event files.
        engine: A :class:`comity.analytics.engines.Engine`.
        context: Resolves actor countries; collects issues and exclusions.
        output: The folder to write ``events/``, ``dyad_years/`` and ``coverage/`` in (on a
            cluster: a path every node and this machine see).
        dataset: Recorded on every event.
        min_sources: Events reported by fewer sources are excluded.
    """
    started = time.perf_counter()
    run = MediaRun(engine.name, [], output, min_sources)
    with tempfile.TemporaryDirectory(prefix="comity-media-") as staging:
        if _prepare(patterns, Path(staging), engine, context, run, dataset):
            _write(engine, run)
    run.excluded = Counter(context.excluded)
    run.seconds = time.perf_counter() - started
    return run


def select_media_events(
    patterns: list[str],
    context: ImportContext,
    *,
    dataset: str,
    min_sources: int = DEFAULT_MIN_SOURCES,
) -> tuple[MediaRun, Any]:
    """Run the pipeline on DuckDB in this process and return its events as an Arrow table.

    The importers' way in (``comity import gdelt_sample``): the same reading, checks, resolution
    and de-duplication as :func:`run_media_pipeline`, but the events come back to be stored with
    the dataset's record, all or nothing, instead of being written to a folder.

    Args:
        patterns: Paths or glob patterns of event files.
        context: Resolves actor countries; collects issues and exclusions.
        dataset: Recorded on every event.
        min_sources: Events reported by fewer sources are excluded.

    Returns:
        The run (rows read, events, coverage) and the events ordered by id; the table is None
        when a file is malformed (the issues are in ``context``).
    """
    from comity.analytics.engines import DuckDBEngine

    started = time.perf_counter()
    engine = DuckDBEngine()
    run = MediaRun(engine.name, [], Path(), min_sources)
    table = None
    try:
        with tempfile.TemporaryDirectory(prefix="comity-media-") as staging:
            if _prepare(patterns, Path(staging), engine, context, run, dataset):
                table = engine.arrow("SELECT * FROM events ORDER BY event_id")
                run.coverage = sorted((int(y), int(d)) for y, d in engine.rows(COVERAGE))
    finally:
        engine.connection.close()
    run.excluded = Counter(context.excluded)
    run.seconds = time.perf_counter() - started
    return run, table


def _prepare(
    patterns: list[str],
    staging: Path,
    engine: Any,
    context: ImportContext,
    run: MediaRun,
    dataset: str,
) -> bool:
    """Read, check and select: leave ``events`` and ``checked`` on the engine; False on issues."""
    inputs = find_inputs(patterns, staging, context)
    run.files = [i.shown for i in inputs]
    if context.issue_count or not inputs or not load_raw(engine, inputs, context):
        return False
    engine.create("typed", TYPED)
    try:  # the first pass over the files: where a file that cannot be read shows
        engine.create("checked", CHECKED, keep=True)
        totals = engine.rows(TOTALS)[0]
    except read_errors(engine) as error:
        note_unreadable(inputs, context, error)
        return False
    rows_read, cooperation, misshapen, *failures = (int(n or 0) for n in totals)
    run.rows_read = rows_read
    context.advance(rows_read)
    if not report_misshapen(engine, inputs, context, misshapen):
        return False
    if any(failures):
        _report_malformed(engine, inputs, context, failures)
        return False
    if rows_read - cooperation:
        context.exclude(
            "event code not among the military-cooperation codes", rows_read - cooperation
        )
    _select(engine, context, run, dataset)
    return True


def _select(engine: Any, context: ImportContext, run: MediaRun, dataset: str) -> None:
    engine.create("kept", KEPT, keep=True)
    _resolve_actors(engine, context)
    engine.create("resolved", RESOLVED)
    *counts, dyadic = (int(n or 0) for n in engine.rows(EXCLUSIONS)[0])
    for reason, count in zip(REASONS, counts, strict=True):
        if count:
            context.exclude(reason, count)
    engine.create(
        "deduplicated", DEDUPLICATED.replace("{dataset}", dataset.replace("'", "''")), keep=True
    )
    enough = f"COALESCE(sources, 0) >= {int(run.min_sources)}"
    unique, run.events = (
        int(n or 0)
        for n in engine.rows(
            f"SELECT COUNT(*), SUM(CASE WHEN {enough} THEN 1 ELSE 0 END) FROM deduplicated"
        )[0]
    )
    engine.release("kept")
    if dyadic - unique:
        context.exclude(
            "re-reported event (same id, or same actors, code, day and URL)", dyadic - unique
        )
    if unique - run.events:
        context.exclude(f"reported by fewer than {run.min_sources} sources", unique - run.events)
    engine.create("events", f"SELECT * FROM deduplicated WHERE {enough}")


def _write(engine: Any, run: MediaRun) -> None:
    engine.write_parquet("SELECT * FROM events", run.output / "events")
    engine.write_parquet(DYAD_YEARS, run.output / "dyad_years")
    engine.write_parquet(COVERAGE, run.output / "coverage")
    written = read_media_output(run.output)
    run.dyad_years = written.dyad_years.num_rows
    years = written.coverage.column("year").to_pylist()
    run.coverage = sorted(zip(years, written.coverage.column("days").to_pylist(), strict=True))
    run.written = True


@dataclass(frozen=True)
class MediaOutput:
    """What a run wrote, read back: Arrow tables of dyad-years and coverage (year, days)."""

    dyad_years: Any
    coverage: Any

    def covered_years(self) -> set[int]:
        """Years in which some file was published."""
        return {int(y) for y in self.coverage.column("year").to_pylist()}


def read_media_output(folder: Path) -> MediaOutput:
    """Read back what :func:`run_media_pipeline` wrote in ``folder``, whichever engine wrote it.

    The dyad-years are sorted by pair and year and typed alike for every engine.
    """
    import pyarrow as pa

    from comity.analytics.engines import read_parquet_folder

    dyads = read_parquet_folder(folder / "dyad_years")
    schema = pa.schema(
        [
            ("nation1", pa.string()),
            ("nation2", pa.string()),
            ("year", pa.int32()),
            ("events", pa.int64()),
            ("goldstein", pa.float64()),
            ("tone", pa.float64()),
        ]
    )
    dyads = dyads.select(schema.names).cast(schema)
    dyads = dyads.sort_by(
        [("nation1", "ascending"), ("nation2", "ascending"), ("year", "ascending")]
    )
    coverage = read_parquet_folder(folder / "coverage").select(["year", "days"])
    coverage = coverage.cast(pa.schema([("year", pa.int32()), ("days", pa.int64())]))
    return MediaOutput(dyads, coverage.sort_by("year"))


def dyad_year_events(output: MediaOutput, nation1: str, nation2: str, year: int) -> int | None:
    """Events of a pair in a year: 0 when the year is covered and none was found, None outside.

    Args:
        output: A run's output.
        nation1: One nation's key.
        nation2: The other's.
        year: The year.
    """
    first, second = sorted((nation1, nation2))
    for row in output.dyad_years.to_pylist():
        if (row["nation1"], row["nation2"], row["year"]) == (first, second, year):
            return int(row["events"])
    return 0 if year in output.covered_years() else None
