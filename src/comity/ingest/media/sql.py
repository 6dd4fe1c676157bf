"""The media-event pipeline's one definition: SQL in DuckDB's dialect, run on any engine.

:mod:`comity.ingest.media.pipeline` runs these statements in order on an engine of
:mod:`comity.analytics.engines` (DuckDB as written, Spark after SQLGlot transpiles them). Each
reads the tables the one before made: ``raw`` (text, from :mod:`comity.ingest.media.gdelt_files`) ->
``typed`` -> ``checked`` (one pass over every row, per publication day) and ``kept`` (the
cooperation codes) -> ``resolved`` (with ``actors``) -> ``deduplicated`` -> ``events`` -> dyad-years
and coverage. The SQL keeps to what both engines mean alike (docs/scale.md).
"""

from __future__ import annotations

from comity.ingest.media.events import MILITARY_CODES

__all__ = [
    "CHECKED",
    "CHECKS",
    "COOPERATION",
    "COVERAGE",
    "DEDUPLICATED",
    "DYAD_YEARS",
    "EXCLUSIONS",
    "KEPT",
    "REASONS",
    "RESOLVED",
    "TOTALS",
    "TYPED",
]


def _date(column: str) -> str:
    # Portable on DuckDB and Spark: YYYYMMDD (or YYYYMMDDHHMMSS, GDELT 2.0) -> DATE, else NULL.
    return (
        f"CASE WHEN LENGTH({column}) IN (8, 14) AND TRY_CAST({column} AS BIGINT) IS NOT NULL "
        f"THEN TRY_CAST(CONCAT(SUBSTR({column}, 1, 4), '-', SUBSTR({column}, 5, 2), '-', "
        f"SUBSTR({column}, 7, 2)) AS DATE) END"
    )


TYPED = f"""
SELECT
    TRY_CAST(globaleventid AS BIGINT) AS event_id,
    {_date("day")} AS day,
    {_date("dateadded")} AS published,
    UPPER(TRIM(actor1countrycode)) AS code1,
    UPPER(TRIM(actor2countrycode)) AS code2,
    TRIM(eventcode) AS eventcode,
    TRY_CAST(goldsteinscale AS DOUBLE) AS goldstein,
    TRY_CAST(avgtone AS DOUBLE) AS tone,
    TRY_CAST(nummentions AS INTEGER) AS mentions,
    TRY_CAST(numsources AS INTEGER) AS sources,
    TRY_CAST(numarticles AS INTEGER) AS articles,
    sourceurl AS source_url,
    filename, misshapen, globaleventid, day AS day_text, dateadded, goldsteinscale, avgtone,
    nummentions, numsources, numarticles
FROM (
    SELECT {
    ", ".join(
        f"NULLIF(TRIM({c}), '') AS {c}"
        for c in (
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
        )
    )
},
        NULLIF(sourceurl, '') AS sourceurl, filename, misshapen
    FROM raw
) r
"""

CHECKS = (
    ("globaleventid", "event_id IS NULL", "is not a whole number"),
    ("day", "day IS NULL", "is not a date (YYYYMMDD)"),
    ("dateadded", "dateadded IS NOT NULL AND published IS NULL", "is not a date (YYYYMMDD)"),
    (
        "goldsteinscale",
        "goldsteinscale IS NOT NULL AND (goldstein IS NULL OR goldstein < -10 OR goldstein > 10)",
        "is not a number from -10 to 10",
    ),
    (
        "avgtone",
        "avgtone IS NOT NULL AND (tone IS NULL OR tone < -100 OR tone > 100)",
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

COOPERATION = "eventcode IN (" + ", ".join(f"'{c}'" for c in sorted(MILITARY_CODES)) + ")"
"""The CAMEO codes kept, as a condition (a literal list: no table to ship to a cluster)."""

# One pass over every row read: rows, cooperation events, misshapen rows and each check's
# failures, per publication day (the coverage comes from the same pass).
CHECKED = (
    "SELECT published, COUNT(*) AS rows_read, "
    f"SUM(CASE WHEN {COOPERATION} THEN 1 ELSE 0 END) AS cooperation, "
    "SUM(CASE WHEN misshapen THEN 1 ELSE 0 END) AS misshapen, "
    + ", ".join(
        f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS check_{number}"
        for number, (_, condition, _) in enumerate(CHECKS)
    )
    + " FROM typed GROUP BY published"
)

TOTALS = (
    "SELECT SUM(rows_read), SUM(cooperation), SUM(misshapen), "
    + ", ".join(f"SUM(check_{number})" for number in range(len(CHECKS)))
    + " FROM checked"
)

KEPT = f"""
SELECT event_id, day, published, code1, code2, eventcode, goldstein, tone, mentions, sources,
       articles, source_url, filename
FROM typed WHERE {COOPERATION}
"""

RESOLVED = """
SELECT k.*, a1.nation AS nation1, a2.nation AS nation2
FROM kept k
LEFT JOIN actors a1 ON a1.code = k.code1 AND a1.year = YEAR(k.day)
LEFT JOIN actors a2 ON a2.code = k.code2 AND a2.year = YEAR(k.day)
"""

EXCLUSIONS = """
SELECT
    SUM(CASE WHEN code1 IS NULL OR code2 IS NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN code1 IS NOT NULL AND code2 IS NOT NULL
             AND (nation1 IS NULL OR nation2 IS NULL) THEN 1 ELSE 0 END),
    SUM(CASE WHEN nation1 = nation2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN nation1 IS NOT NULL AND nation2 IS NOT NULL AND nation1 <> nation2
             THEN 1 ELSE 0 END)
FROM resolved
"""

REASONS = (
    "an actor has no country code",
    "an actor country code is a region or not a nation (e.g. AFR, EUR, WST)",
    "both actors in one nation",
)

# Ties are broken down to the last column, so that every engine keeps the same row.
DEDUPLICATED = """
SELECT dataset, event_id, day, year, published, nation1, nation2, cameo_code, goldstein, tone,
       mentions, sources, articles, source_url
FROM (
    SELECT '{dataset}' AS dataset, event_id, day, CAST(YEAR(day) AS INTEGER) AS year, published,
           nation1, nation2, eventcode AS cameo_code, goldstein, tone, mentions, sources,
           articles, source_url,
           ROW_NUMBER() OVER (
               PARTITION BY nation1, nation2, eventcode, day,
                            COALESCE(source_url, CAST(event_id AS VARCHAR))
               ORDER BY sources DESC NULLS LAST, event_id) AS content_rank
    FROM (
        SELECT *, ROW_NUMBER() OVER (
            PARTITION BY event_id
            ORDER BY sources DESC NULLS LAST, mentions DESC NULLS LAST,
                     articles DESC NULLS LAST, published DESC NULLS LAST, filename,
                     nation1, nation2, eventcode, day, goldstein, tone, source_url) AS id_rank
        FROM resolved
        WHERE nation1 IS NOT NULL AND nation2 IS NOT NULL AND nation1 <> nation2
    ) by_id
    WHERE id_rank = 1
) by_content
WHERE content_rank = 1
"""

DYAD_YEARS = """
SELECT LEAST(nation1, nation2) AS nation1, GREATEST(nation1, nation2) AS nation2, year,
       COUNT(*) AS events, AVG(goldstein) AS goldstein, AVG(tone) AS tone
FROM events
GROUP BY LEAST(nation1, nation2), GREATEST(nation1, nation2), year
"""

COVERAGE = """
SELECT CAST(YEAR(published) AS INTEGER) AS year, COUNT(*) AS days
FROM checked WHERE published IS NOT NULL
GROUP BY YEAR(published)
"""
