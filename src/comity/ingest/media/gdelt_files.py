"""GDELT event files as the media-event pipeline reads them: layouts, inputs, raw tables.

Layouts, told apart by the first line of each file:

``gdelt1``
    GDELT 1.0 event files: tab-separated, no header, 58 fields (57 before April 2013, without
    ``sourceurl``); ``dateadded`` is YYYYMMDD.
``gdelt2``
    GDELT 2.0 event files (``*.export.CSV.zip``): tab-separated despite the name, no header, 61
    fields (each of the three geographies gains ``adm2code``); ``dateadded`` is YYYYMMDDHHMMSS.
``header``
    A delimited file (comma or tab) whose first line names the GDELT columns, as exports from
    GDELT's BigQuery tables are (``SQLDATE`` is read as ``day``).
``parquet``
    Parquet files with the GDELT column names (any case).

Inputs are paths or glob patterns; ``.gz`` files are read as they are, ``.zip`` archives (as GDELT
ships 2.0 files) are unpacked to a staging folder first. Every layout becomes one *raw* table of
text columns (:data:`RAW_COLUMNS`), on DuckDB or Spark, for the rest of the pipeline.
"""

from __future__ import annotations

import glob
import gzip
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comity.errors import ComityError
from comity.ingest.base import ImportContext
from comity.ingest.media.events import COLUMNS as GDELT1_COLUMNS
from comity.ingest.unreadable import DAMAGED, damaged_file

__all__ = [
    "GDELT2_COLUMNS",
    "RAW_COLUMNS",
    "InputFile",
    "find_inputs",
    "load_raw",
    "note_unreadable",
    "read_errors",
    "report_misshapen",
]


def _gdelt2() -> tuple[str, ...]:
    columns: list[str] = []
    for name in GDELT1_COLUMNS:
        columns.append(name)
        if name.endswith("geo_adm1code"):
            columns.append(name.replace("adm1code", "adm2code"))
    return tuple(columns)


GDELT2_COLUMNS = _gdelt2()
"""The 61 columns of a GDELT 2.0 event file, in order."""

RAW_COLUMNS = (
    "globaleventid",
    "day",
    "actor1countrycode",
    "actor2countrycode",
    "eventcode",
    "goldsteinscale",
    "nummentions",
    "numsources",
    "numarticles",
    "avgtone",
    "dateadded",
    "sourceurl",
)
"""The columns the pipeline uses, as text, plus ``filename``."""

_FIELDS = {"gdelt1": (57, 58), "gdelt2": (61,)}
_EXPECTED = {"gdelt1": "57 or 58", "gdelt2": "61"}


@dataclass(frozen=True)
class InputFile:
    """One file to read: where it is, what layout it has, and how it was named by the user."""

    path: Path
    layout: str
    shown: str
    delimiter: str = "\t"


def _first_line(path: Path) -> str:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        return str(handle.readline()).rstrip("\r\n")


def _unzip(path: Path, staging: Path) -> list[Path]:
    target = staging / f"{len(list(staging.iterdir()))}-{path.stem}"
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.namelist() if not m.endswith("/")]
        archive.extractall(target, members)
    return [target / m for m in members]


def _layout(path: Path, shown: str, context: ImportContext) -> InputFile | None:
    if path.suffix.lower() == ".parquet":
        return InputFile(path, "parquet", shown)
    line = _first_line(path)
    if line.lower().startswith("globaleventid"):
        return InputFile(path, "header", shown, "\t" if "\t" in line else ",")
    fields = line.count("\t") + 1
    for layout, counts in _FIELDS.items():
        if fields in counts:
            return InputFile(path, layout, shown)
    context.issue(
        shown,
        1,
        f"has {fields} tab-separated fields: not a GDELT 1.0 (57 or 58) or 2.0 (61) event "
        "file, nor a file with a header of GDELT column names",
    )
    return None


def find_inputs(patterns: list[str], staging: Path, context: ImportContext) -> list[InputFile]:
    """Expand paths and globs, unpack zip archives, and tell each file's layout.

    Args:
        patterns: Paths or glob patterns (``events/2016*.export.CSV.zip``).
        staging: A folder for unpacked archives.
        context: Where unreadable files are noted as issues.

    Raises:
        ComityError: When a pattern matches no file.
        ImportRejectedError: When a zip archive or a gzip file is truncated or corrupt.
    """
    found: list[InputFile] = []
    for pattern in patterns:
        paths = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
        paths = [p for p in paths if p.is_file()]
        if not paths:
            raise ComityError(
                f"No file matches {pattern!r}.", hint="Give paths or glob patterns of event files."
            )
        for path in paths:
            try:
                members = _unzip(path, staging) if path.suffix.lower() == ".zip" else [path]
            except DAMAGED as error:
                raise damaged_file(path.name, error) from None
            for member in members:
                shown = path.name if member == path else f"{path.name}:{member.name}"
                try:
                    layout = _layout(member, shown, context)
                except DAMAGED as error:
                    raise damaged_file(shown, error) from None
                if layout is not None:
                    found.append(layout)
    return found


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _used(names: list[str]) -> str:
    lowered = {n.lower(): n for n in names}
    chosen = []
    for column in RAW_COLUMNS:
        source = lowered.get(column) or (lowered.get("sqldate") if column == "day" else None)
        chosen.append(f'CAST("{source}" AS VARCHAR)' if source else "CAST(NULL AS VARCHAR)")
    return ", ".join(
        f"{value} AS {column}" for value, column in zip(chosen, RAW_COLUMNS, strict=True)
    )


def _duckdb_part(con: Any, group: list[InputFile], layout: str) -> str | None:
    """The SELECT of one layout's files on DuckDB, or None (issues noted) when rows are bad."""
    files = ", ".join(f"'{_quote(str(f.path))}'" for f in group)
    if layout == "parquet":
        source = f"read_parquet([{files}], filename=true, union_by_name=true)"
    elif layout == "header":
        source = (
            f"read_csv([{files}], delim='{group[0].delimiter}', header=true, all_varchar=true, "
            "filename=true, union_by_name=true)"
        )
    else:
        names = GDELT1_COLUMNS if layout == "gdelt1" else GDELT2_COLUMNS
        columns = ", ".join(f"'{c}': 'VARCHAR'" for c in names)
        return (
            f"SELECT {', '.join(RAW_COLUMNS)}, filename, FALSE AS misshapen "
            f"FROM read_csv([{files}], delim='\t', "
            f"header=false, quote='', escape='', columns={{{columns}}}, "
            f"null_padding={'true' if layout == 'gdelt1' else 'false'}, auto_detect=false, "
            "strict_mode=true, store_rejects=true, filename=true, nullstr='')"
        )
    names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    return (
        f"SELECT {_used(names)}, CAST(filename AS VARCHAR) AS filename, FALSE AS misshapen "
        f"FROM {source}"
    )


def _shown(inputs: list[InputFile]) -> dict[str, str]:
    return {str(f.path): f.shown for f in inputs}


def _load_duckdb(engine: Any, inputs: list[InputFile], context: ImportContext) -> bool:
    con = engine.connection
    parts = []
    try:
        for layout in ("gdelt1", "gdelt2", "header", "parquet"):
            group = [f for f in inputs if f.layout == layout]
            if group:
                parts.append(_duckdb_part(con, group, layout))
        engine.create("raw", " UNION ALL ".join(p for p in parts if p))
    except read_errors(engine) as error:
        note_unreadable(inputs, context, error)
        return False
    return True


def read_errors(engine: Any) -> tuple[type[Exception], ...]:
    """The errors ``engine`` raises for a file it cannot read."""
    if engine.name == "spark":
        from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]
        from pyspark.errors import PySparkException

        return (PySparkException, Py4JJavaError)
    import duckdb

    return (duckdb.Error,)


def note_unreadable(inputs: list[InputFile], context: ImportContext, error: Exception) -> None:
    """Note that the files cannot be read, with the first line of the engine's error."""
    # A Java error (Spark) says what went wrong in its exception, not in its Python message.
    text = str(getattr(error, "java_exception", None) or error).strip()
    context.issue(
        ", ".join(f.shown for f in inputs),
        None,
        f"cannot be read as GDELT event files: {text.splitlines()[0]}",
    )


def report_misshapen(
    engine: Any, inputs: list[InputFile], context: ImportContext, marked: int
) -> bool:
    """After a pass over ``raw``, note its rows of the wrong shape; True when there is none.

    DuckDB sets such rows aside as it reads (its reject tables); Spark marks them
    (``misshapen``, ``marked`` of them), and their lines are found by reading the files again.
    """
    if engine.name == "spark":
        if marked:
            _report_bad_lines(inputs, context)
        return not marked
    if not any(f.layout in _FIELDS for f in inputs):
        return True
    rejected = engine.rows(
        "SELECT s.file_path, e.line, e.error_message FROM reject_errors e "
        "JOIN reject_scans s ON s.scan_id = e.scan_id AND s.file_id = e.file_id "
        "ORDER BY s.file_path, e.line LIMIT 20"
    )
    layouts = {str(f.path): f.layout for f in inputs}
    shown = _shown(inputs)
    for file_path, line, message in dict.fromkeys(rejected):
        expected = _EXPECTED.get(layouts.get(file_path, "gdelt1"), "57 or 58")
        context.issue(
            shown.get(file_path, Path(file_path).name),
            int(line),
            f"does not have {expected} tab-separated fields ({str(message).splitlines()[0]})",
        )
    return not rejected


def _bad_lines(path: Path, counts: tuple[int, ...], limit: int) -> list[tuple[int, int]]:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    found: list[tuple[int, int]] = []
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            fields = text.rstrip("\r\n").count("\t") + 1
            if fields not in counts and text.strip("\r\n"):  # blank lines are skipped
                found.append((number, fields))
                if len(found) >= limit:
                    break
    return found


def _report_bad_lines(inputs: list[InputFile], context: ImportContext) -> None:
    """Note the lines of GDELT files with the wrong number of fields (read only when some are)."""
    for item in inputs:
        if item.layout not in _FIELDS:
            continue
        for number, count in _bad_lines(item.path, _FIELDS[item.layout], 20):
            context.issue(
                item.shown,
                number,
                f"does not have {_EXPECTED[item.layout]} tab-separated fields (found {count})",
            )


def _load_spark(engine: Any, inputs: list[InputFile]) -> None:
    from pyspark.sql import functions as f

    spark = engine.session
    frames = []
    # Spark names files by URI: ``file:///data/x.tsv``; comity by path. The file's path comes
    # from the scan's metadata (not ``input_file_name()``, which would keep Spark from filtering
    # rows before typing them).
    filename = f.regexp_replace(f.col("_metadata.file_path"), "^file:(//)?", "").alias("filename")
    for layout in ("gdelt1", "gdelt2"):
        group = [i for i in inputs if i.layout == layout]
        if not group:
            continue
        names = GDELT1_COLUMNS if layout == "gdelt1" else GDELT2_COLUMNS
        # Split each line once: the fields are a column of their own, which Spark's optimiser
        # does not copy into every expression that reads one of them. Blank lines are skipped,
        # as DuckDB's reader skips them.
        lines = spark.read.text([str(i.path) for i in group])
        lines = lines.where(lines.value != "")
        fields = lines.select(f.split(lines.value, "\t", -1).alias("fields"), filename)
        size = f.size(fields.fields)
        frames.append(
            fields.select(
                *(
                    f.when(
                        size > names.index(c), f.nullif(fields.fields[names.index(c)], f.lit(""))
                    ).alias(c)
                    for c in RAW_COLUMNS
                ),
                "filename",
                (~size.isin(*_FIELDS[layout])).alias("misshapen"),
            )
        )
    for layout in ("header", "parquet"):
        for item in (i for i in inputs if i.layout == layout):
            if layout == "parquet":
                frame = spark.read.parquet(str(item.path))
            else:
                frame = spark.read.csv(str(item.path), header=True, sep=item.delimiter)
            lowered = {n.lower(): n for n in frame.columns}
            frames.append(
                frame.select(
                    *(
                        (
                            f.col(lowered.get(c) or lowered.get("sqldate", c)).cast("string")
                            if (c in lowered or (c == "day" and "sqldate" in lowered))
                            else f.lit(None).cast("string")
                        ).alias(c)
                        for c in RAW_COLUMNS
                    ),
                    filename,
                    f.lit(False).alias("misshapen"),
                )
            )
    raw = frames[0]
    for frame in frames[1:]:
        raw = raw.unionByName(frame)
    engine.register_frame("raw", raw)


def load_raw(engine: Any, inputs: list[InputFile], context: ImportContext) -> bool:
    """Make the inputs queryable as ``raw``: :data:`RAW_COLUMNS`, ``filename``, ``misshapen``.

    ``raw`` is a view: the files are read where it is read, not held. The shape of rows is
    checked in the first pass over it (:func:`report_misshapen`): DuckDB sets rows of the wrong
    shape aside, Spark marks them true in ``misshapen``.

    Returns:
        False, with issues noted in ``context``, when the files cannot be read.
    """
    if engine.name == "spark":
        _load_spark(engine, inputs)
        return True
    return _load_duckdb(engine, inputs, context)


def shown_names(inputs: list[InputFile]) -> dict[str, str]:
    """How the user named each file read, by the path the engine reports."""
    return _shown(inputs)
