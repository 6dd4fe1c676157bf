"""News-coded events (GDELT 1.0) -> military-cooperation media events in the analytic store.

The pipeline, in DuckDB over an Arrow table so that millions of rows stay in bulk:

1. Read the tab-separated files with pyarrow, every column as text: GDELT 1.0 daily files have no
   header and 58 columns, or 57 before April 2013 (no ``sourceurl``); a row with more is an issue.
2. Check the fields comity uses: ``globaleventid`` a whole number, ``day`` a date (YYYYMMDD),
   ``goldsteinscale`` and ``avgtone`` numbers, ``nummentions``/``numsources``/``numarticles``
   whole numbers. A malformed value is an issue with its file, line and column.
3. Keep the CAMEO codes of ``cameo_codes.tsv``: military cooperation (062 cooperate militarily,
   064 share intelligence, 072 military aid, 074 military protection, and the intents 0312,
   0314, 0332, 0334) and related diplomacy (visits 042-044, negotiation 046, agreements 057).
   Other events are excluded, counted.
4. Resolve both actors' CAMEO country codes (ISO alpha-3 in all but name) for the event's year
   (``RUS`` in 1985 is the Soviet Union). Events without both actors' countries, with a region
   instead of a country (``AFR``, ``EUR``, ``MEA``, ``WST``...), or with both actors in one nation
   are not dyadic and are excluded, counted by reason.
5. De-duplicate: one row per ``globaleventid``, then one per (actors, code, day, source URL),
   keeping the one reported by the most sources.

The result goes to ``<analytic store>/media_events/<dataset>.parquet``; the tie index and the
challenges' public perception read it. Coverage is the span of days the files were published
(``dateadded``), not of the events' own dates, which GDELT back-dates.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from comity.ingest.base import ImportContext

__all__ = ["COLUMNS", "MILITARY_CODES", "read_gdelt_events", "replace_media_events"]

COLUMNS = (
    "globaleventid day monthyear year fractiondate actor1code actor1name actor1countrycode "
    "actor1knowngroupcode actor1ethniccode actor1religion1code actor1religion2code "
    "actor1type1code actor1type2code actor1type3code actor2code actor2name actor2countrycode "
    "actor2knowngroupcode actor2ethniccode actor2religion1code actor2religion2code "
    "actor2type1code actor2type2code actor2type3code isrootevent eventcode eventbasecode "
    "eventrootcode quadclass goldsteinscale nummentions numsources numarticles avgtone "
    "actor1geo_type actor1geo_fullname actor1geo_countrycode actor1geo_adm1code actor1geo_lat "
    "actor1geo_long actor1geo_featureid actor2geo_type actor2geo_fullname actor2geo_countrycode "
    "actor2geo_adm1code actor2geo_lat actor2geo_long actor2geo_featureid actiongeo_type "
    "actiongeo_fullname actiongeo_countrycode actiongeo_adm1code actiongeo_lat actiongeo_long "
    "actiongeo_featureid dateadded sourceurl"
).split()
"""The 58 columns of a GDELT 1.0 event file, in order."""

_USED = (
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


def _codes() -> dict[str, tuple[str, float, str]]:
    text = resources.files("comity.ingest").joinpath("cameo_codes.tsv").read_text("utf-8")
    return {
        row["code"]: (row["label"], float(row["goldstein"]), row["group"])
        for row in csv.DictReader(text.splitlines(), delimiter="\t")
    }


MILITARY_CODES = _codes()
"""CAMEO code -> (label, Goldstein value, group) of the events comity keeps."""


_MALFORMED_SHOWN = 1000


def _reader_sql(paths: Sequence[Path]) -> str:
    columns = ", ".join(f"'{c}': 'VARCHAR'" for c in COLUMNS)
    files = ", ".join(f"'{_quote(p)}'" for p in paths)
    return (
        f"read_csv([{files}], delim='\t', header=false, quote='', escape='', "
        f"columns={{{columns}}}, null_padding=true, auto_detect=false, strict_mode=true, "
        "store_rejects=true, filename=true, nullstr='')"
    )


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def read_gdelt_events(
    paths: Sequence[Path], context: ImportContext, *, dataset: str, connection: Any = None
) -> Any:
    """Run the pipeline over GDELT 1.0 event files; return the media events as an Arrow table.

    Returns None (with the issues noted in ``context``) when a file is malformed.

    Args:
        paths: The event files (tab-separated, plain or gzipped).
        context: Where issues, exclusions and progress go; resolves the actor countries.
        dataset: Recorded on every row.
        connection: A DuckDB connection to use (a new in-memory one by default).
    """
    import duckdb

    con = connection or duckdb.connect()
    try:
        _run(
            con,
            f"CREATE OR REPLACE TEMP TABLE raw AS SELECT {', '.join(_USED)}, filename "
            f"FROM {_reader_sql(paths)}",
        )
    except duckdb.Error as error:
        context.issue(
            ", ".join(p.name for p in paths),
            None,
            f"cannot be read as GDELT 1.0 event files: {str(error).splitlines()[0]}",
        )
        return None
    rows = _count(con, "raw")
    context.advance(rows)
    rejected = con.execute(
        "SELECT s.file_path, e.line, e.error_message FROM reject_errors e "
        "JOIN reject_scans s ON s.scan_id = e.scan_id AND s.file_id = e.file_id "
        "ORDER BY s.file_path, e.line LIMIT 20"
    ).fetchall()
    if rejected:
        shown: set[tuple[str, int]] = set()
        for file_path, line, message in rejected:
            if (file_path, int(line)) in shown:
                continue
            shown.add((file_path, int(line)))
            context.issue(
                Path(file_path).name,
                int(line),
                f"does not have 57 or 58 tab-separated fields ({str(message).splitlines()[0]})",
            )
        return None
    _run(con, _TYPED)
    if not _report_malformed(con, paths, context):
        return None
    _run(
        con,
        "CREATE OR REPLACE TEMP TABLE codes (code VARCHAR, label VARCHAR, goldstein "
        "DOUBLE, grp VARCHAR)",
    )
    con.executemany(
        "INSERT INTO codes VALUES (?, ?, ?, ?)",
        [(c, label, g, grp) for c, (label, g, grp) in MILITARY_CODES.items()],
    )
    _run(
        con,
        "CREATE OR REPLACE TEMP TABLE kept AS SELECT t.* FROM typed t "
        "JOIN codes c ON c.code = t.eventcode",
    )
    kept = _count(con, "kept")
    if rows - kept:
        context.exclude("event code not among the military-cooperation codes", rows - kept)
    _resolve_actors(con, context)
    for reason, count in con.execute(_EXCLUSIONS).fetchall():
        if count:
            context.exclude(reason, int(count))
    before = _count(con, "dyadic")
    query = _DEDUPLICATED.replace("{dataset}", dataset.replace("'", "''"))
    table = con.sql(query).to_arrow_table()
    if before - table.num_rows:
        context.exclude(
            "re-reported event (same id, or same actors, code, day and URL)",
            before - table.num_rows,
        )
    return table


def _run(con: Any, sql: str) -> None:
    # Read every result to its end: DuckDB refuses new work while a result is unfinished.
    for statement in (part for part in sql.split(";") if part.strip()):
        con.execute(statement).fetchall()


def _count(con: Any, table: str) -> int:
    found = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    return int(found[0][0])


_TYPED = """
CREATE OR REPLACE TEMP TABLE typed AS
SELECT
    TRY_CAST(globaleventid AS BIGINT) AS event_id,
    TRY_STRPTIME(day, '%Y%m%d')::DATE AS day,
    TRY_STRPTIME(dateadded, '%Y%m%d')::DATE AS published,
    upper(trim(actor1countrycode)) AS code1,
    upper(trim(actor2countrycode)) AS code2,
    trim(eventcode) AS eventcode,
    TRY_CAST(goldsteinscale AS DOUBLE) AS goldstein,
    TRY_CAST(avgtone AS DOUBLE) AS tone,
    TRY_CAST(nummentions AS INTEGER) AS mentions,
    TRY_CAST(numsources AS INTEGER) AS sources,
    TRY_CAST(numarticles AS INTEGER) AS articles,
    sourceurl AS source_url,
    filename,
    globaleventid, day AS day_text, dateadded, goldsteinscale, avgtone, nummentions, numsources,
    numarticles
FROM raw
"""

_CHECKS = (
    ("globaleventid", "event_id IS NULL", "is not a whole number"),
    ("day", "day IS NULL", "is not a date (YYYYMMDD)"),
    ("dateadded", "dateadded IS NOT NULL AND published IS NULL", "is not a date (YYYYMMDD)"),
    (
        "goldsteinscale",
        "goldsteinscale IS NOT NULL AND (goldstein IS NULL OR goldstein NOT BETWEEN -10 AND 10)",
        "is not a number from -10 to 10",
    ),
    (
        "avgtone",
        "avgtone IS NOT NULL AND (tone IS NULL OR tone NOT BETWEEN -100 AND 100)",
        "is not a number from -100 to 100",
    ),
    (
        "nummentions",
        "nummentions IS NOT NULL AND (mentions IS NULL OR mentions < 0)",
        "is not a whole number of 0 or more",
    ),
    (
        "numsources",
        "numsources IS NOT NULL AND (sources IS NULL OR sources < 0)",
        "is not a whole number of 0 or more",
    ),
    (
        "numarticles",
        "numarticles IS NOT NULL AND (articles IS NULL OR articles < 0)",
        "is not a whole number of 0 or more",
    ),
)


def _report_malformed(con: Any, paths: Sequence[Path], context: ImportContext) -> bool:
    """Note every malformed value (with its line, found by a scan of the file); True if none."""
    found: list[tuple[str, str, str, str]] = []
    for column, condition, reason in _CHECKS:
        shown = "day_text" if column == "day" else column
        for filename, eventid, value in con.execute(
            f"SELECT filename, globaleventid, {shown} FROM typed WHERE {condition} "
            f"LIMIT {_MALFORMED_SHOWN}"
        ).fetchall():
            found.append((filename, eventid or "", column, reason + f" (value {value!r})"))
    if not found:
        return True
    lines = _lines_of(found)
    for filename, eventid, column, reason in found:
        context.issue(Path(filename).name, lines.get((filename, eventid)), reason, column=column)
    return False


def _lines_of(found: list[tuple[str, str, str, str]]) -> dict[tuple[str, str], int]:
    """Line numbers of the rows with these event ids (rare: only read when there are issues)."""
    import gzip

    wanted: dict[str, set[str]] = {}
    for filename, eventid, _, _ in found:
        wanted.setdefault(filename, set()).add(eventid)
    lines: dict[tuple[str, str], int] = {}
    for filename, ids in wanted.items():
        opener: Any = gzip.open if filename.endswith(".gz") else open
        with opener(filename, "rt", encoding="utf-8", errors="replace") as handle:
            for number, text in enumerate(handle, start=1):
                first = text.split("\t", 1)[0]
                if first in ids and (filename, first) not in lines:
                    lines[(filename, first)] = number
    return lines


def _resolve_actors(con: Any, context: ImportContext) -> None:
    pairs = con.execute(
        "SELECT DISTINCT code, year FROM (SELECT code1 AS code, year(day) AS year FROM kept "
        "UNION SELECT code2, year(day) FROM kept) WHERE code IS NOT NULL"
    ).fetchall()
    resolved = []
    for code, year in pairs:
        try:
            key = context.resolver.resolve_key(code, system="iso3", year=int(year))
        except Exception:  # noqa: BLE001 - any code ISO does not know is a region or unknown
            key = None
        if key is not None and key in context.nations:
            resolved.append((code, year, key))
    _run(con, "CREATE OR REPLACE TEMP TABLE actors (code VARCHAR, year INTEGER, nation VARCHAR)")
    if resolved:
        con.executemany("INSERT INTO actors VALUES (?, ?, ?)", resolved)
    _run(
        con,
        """
        CREATE OR REPLACE TEMP TABLE resolved AS
        SELECT k.*, a1.nation AS nation1, a2.nation AS nation2
        FROM kept k
        LEFT JOIN actors a1 ON a1.code = k.code1 AND a1.year = year(k.day)
        LEFT JOIN actors a2 ON a2.code = k.code2 AND a2.year = year(k.day);
        CREATE OR REPLACE TEMP TABLE dyadic AS
        SELECT * FROM resolved
        WHERE nation1 IS NOT NULL AND nation2 IS NOT NULL AND nation1 <> nation2;
        """,
    )


_EXCLUSIONS = """
SELECT 'an actor has no country code', count(*) FILTER (WHERE code1 IS NULL OR code2 IS NULL)
FROM resolved
UNION ALL
SELECT 'an actor country code is a region or not a nation (e.g. AFR, EUR, WST)',
       count(*) FILTER (WHERE code1 IS NOT NULL AND code2 IS NOT NULL
                        AND (nation1 IS NULL OR nation2 IS NULL))
FROM resolved
UNION ALL
SELECT 'both actors in one nation', count(*) FILTER (WHERE nation1 = nation2)
FROM resolved
"""

_DEDUPLICATED = """
WITH by_id AS (
    SELECT * FROM dyadic
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY sources DESC NULLS LAST) = 1
), by_content AS (
    SELECT * FROM by_id
    QUALIFY row_number() OVER (
        PARTITION BY nation1, nation2, eventcode, day, coalesce(source_url, event_id::VARCHAR)
        ORDER BY sources DESC NULLS LAST, event_id
    ) = 1
)
SELECT
    '{dataset}' AS dataset, event_id, day, year(day) AS year, published, nation1, nation2,
    eventcode AS cameo_code, goldstein, tone, mentions, sources, articles, source_url
FROM by_content
ORDER BY event_id
"""


def _digest(table: Any) -> str:
    import io

    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def replace_media_events(
    directory: Path, dataset: str, table: Any, *, dry_run: bool = False
) -> tuple[int, int, int]:
    """Make ``<directory>/media_events/<dataset>.parquet`` hold ``table``.

    The new file is written beside the old and renamed over it (atomic on one file system), so a
    failure leaves the previous data whole.

    Returns:
        Events added, unchanged and removed, compared by event id and content.
    """
    import duckdb
    import pyarrow.parquet as pq

    target = directory / "media_events" / f"{dataset}.parquet"
    old = None
    if target.exists():
        old = pq.read_table(target)
    con = duckdb.connect()
    con.register("new_events", table)
    if old is not None:
        con.register("old_events", old)
        counted = con.execute(
            "SELECT count(*) FILTER (WHERE o.event_id IS NULL), "
            "count(*) FILTER (WHERE o.event_id IS NOT NULL) "
            "FROM new_events n LEFT JOIN old_events o ON n.event_id = o.event_id "
            "AND n.nation1 = o.nation1 AND n.nation2 = o.nation2 AND n.cameo_code = o.cameo_code "
            "AND n.day = o.day AND n.goldstein IS NOT DISTINCT FROM o.goldstein "
            "AND n.tone IS NOT DISTINCT FROM o.tone AND n.sources IS NOT DISTINCT FROM o.sources"
        ).fetchall()
        added, unchanged = int(counted[0][0]), int(counted[0][1])
        removed = old.num_rows - unchanged
    else:
        added, unchanged, removed = table.num_rows, 0, 0
    if not dry_run and (added or removed or old is None):
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_suffix(".parquet.partial")
        pq.write_table(table, staged)
        os.replace(staged, target)
    return int(added), int(unchanged), int(removed)
