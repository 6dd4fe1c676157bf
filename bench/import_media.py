"""Import 1M GDELT-shaped events into the analytic store, against DuckDB's bare ``read_csv``.

A generator writes, deterministically (hashes of the row number), a GDELT 1.0 daily-file layout:
58 tab-separated columns, no header, CAMEO codes with leading zeros, actor country codes drawn
from 60 nations, a few regions and blanks, about 8 % military-cooperation or related codes, and
re-reported duplicates. In one run:

- the limit: DuckDB reading the same file into a table with ``read_csv`` (the practical limit
  of getting the bytes in);
- comity: ``import_dataset`` with the GDELT importer, which runs the media-event pipeline on
  DuckDB (:func:`comity.ingest.media.pipeline.select_media_events`): read, check every used
  field, keep the cooperation codes, resolve both actors for the year, de-duplicate, write
  Parquet, record the dataset and coverage.

Run ``import_media_1m``: wall seconds, ratio to the limit (target <= 3) and peak memory (< 2 GiB).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb

from bench.common import Run, check, peak_mib, report
from comity import services
from comity.access import Viewer
from comity.ingest.media.events import COLUMNS, MILITARY_CODES
from comity.services.imports import import_dataset
from comity.store import open_store

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
NATIONS = (
    "USA GBR FRA DEU ITA CAN JPN KOR AUS NZL IND CHN RUS BRA ARG CHL ZAF NGA EGY TUR GRC "
    "ESP PRT NLD BEL NOR DNK SWE FIN POL THA SGP IDN MYS PHL VNM PAK IRN IRQ ISR SAU ARE "
    "KEN ETH MEX COL PER UKR KAZ MNG AFG BGD LKA MMR KHM QAT KWT JOR MAR DZA"
).split()
OTHER_CODES = ["010", "020", "036", "040", "051", "0831", "100", "112", "120", "141", "173", "190"]


def generate(path: Path, rows: int, first: int = 0) -> None:
    """Write the events file with DuckDB (deterministic: every value is a hash of the row).

    Rows are numbered from ``first``: files of consecutive ranges make one larger set.
    """
    military = list(MILITARY_CODES)
    codes = military + OTHER_CODES * 12  # about 8 % cooperation codes
    actors = NATIONS + ["AFR", "EUR", "MEA", ""]
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE codes AS SELECT unnest(?) AS code, generate_subscripts(?, 1) AS i",
        [codes, codes],
    )
    con.execute(
        "CREATE TABLE actors AS SELECT unnest(?) AS code, generate_subscripts(?, 1) AS i",
        [actors, actors],
    )
    fields = []
    for name in COLUMNS:
        value = {
            "globaleventid": "(500000000 + n - (n % 50 = 7)::INT)::VARCHAR",
            "day": "strftime(DATE '2016-07-28' - (hash(n, 1) % 3)::INT, '%Y%m%d')",
            "year": "'2016'",
            "actor1countrycode": "a1.code",
            "actor2countrycode": "a2.code",
            "eventcode": "c.code",
            "eventbasecode": "c.code",
            "eventrootcode": "left(c.code, 2)",
            "goldsteinscale": "((hash(n, 2) % 200)::DOUBLE / 10 - 10)::VARCHAR",
            "nummentions": "(1 + hash(n, 3) % 20)::VARCHAR",
            "numsources": "(1 + hash(n, 4) % 5)::VARCHAR",
            "numarticles": "(1 + hash(n, 5) % 20)::VARCHAR",
            "avgtone": "((hash(n, 6) % 2000)::DOUBLE / 100 - 10)::VARCHAR",
            "dateadded": "'20160728'",
            "sourceurl": "'https://news.example.org/' || (n // 3)::VARCHAR",
            "actor1name": "'ACTOR ONE'",
            "actor2name": "'ACTOR TWO'",
        }.get(name, "''")
        fields.append(f"{value} AS {name}")
    con.execute(
        f"""
        COPY (
            SELECT {", ".join(fields)}
            FROM (SELECT range AS n FROM range({first}, {first + rows})) r
            JOIN codes c ON c.i = 1 + hash(r.n, 7) % {len(codes)}
            JOIN actors a1 ON a1.i = 1 + hash(r.n, 8) % {len(actors)}
            JOIN actors a2 ON a2.i = 1 + hash(r.n, 9) % {len(actors)}
            ORDER BY n
        ) TO '{path}' (FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')
        """
    )


def bare_read(path: Path) -> float:
    """Seconds for DuckDB to read the file into a table (the limit)."""
    columns = ", ".join(f"'{c}': 'VARCHAR'" for c in COLUMNS)
    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(
        f"CREATE TABLE events AS SELECT * FROM read_csv('{path}', delim='\t', "
        f"header=false, quote='', escape='', columns={{{columns}}}, "
        "auto_detect=false, null_padding=true)"
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        data = folder / "events.tsv"
        generate(data, ROWS)
        store = open_store(f"sqlite:///{folder / 'comity.db'}")
        services.initialise(store)
        limit_s = min(bare_read(data) for _ in range(2))
        start = time.perf_counter()
        result = import_dataset(store, "gdelt_sample", [data], viewer=Viewer.operator("bench"))
        comity_s = time.perf_counter() - start
        assert result.rows_read == ROWS, result
        peak = peak_mib()
    ratio = comity_s / limit_s
    report(
        [
            Run("import_media_1m", "wall_s", round(comity_s, 2), "info", True),
            Run(
                "import_media_1m",
                "ratio_to_limit",
                round(ratio, 2),
                "<= 3.0",
                check(ratio, "<= 3.0"),
            ),
            Run("import_media_1m", "peak_mib", round(peak), "< 2048", check(peak, "<= 2047")),
        ]
    )


if __name__ == "__main__":
    main()
