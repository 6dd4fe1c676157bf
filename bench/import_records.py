"""Import 1M participation rows through the generic importer into the SQLite system of record.

A generator writes, with a fixed seed, a long-layout CSV: one row per participation, rows
sharing an id forming one engagement (2-12 nations, sizes drawn like multilateral exercises),
nations written as names or ISO codes, years 1992-2016. comity imports it with a TOML mapping:
every row resolved and checked, every record with its provenance, in one transaction.

Run ``import_records_1m``: rows per second and peak memory (targets: >= 100,000 rows/s,
< 2 GiB), plus, for information, the ratio to writing the same rows with bare ``sqlite3``.
"""

from __future__ import annotations

import csv
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Run, check, peak_mib, report
from comity import services
from comity.access import Viewer
from comity.services.imports import import_dataset, mapped_importer
from comity.store import open_store

SEED = 20261124
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
NATIONS = {
    "USA": "United States",
    "GBR": "United Kingdom",
    "FRA": "France",
    "DEU": "Germany",
    "ITA": "Italy",
    "CAN": "Canada",
    "JPN": "Japan",
    "KOR": "South Korea",
    "AUS": "Australia",
    "NZL": "New Zealand",
    "IND": "India",
    "CHN": "China",
    "RUS": "Russia",
    "BRA": "Brazil",
    "ARG": "Argentina",
    "CHL": "Chile",
    "ZAF": "South Africa",
    "NGA": "Nigeria",
    "EGY": "Egypt",
    "TUR": "Turkey",
    "GRC": "Greece",
    "ESP": "Spain",
    "PRT": "Portugal",
    "NLD": "Netherlands",
    "BEL": "Belgium",
    "NOR": "Norway",
    "DNK": "Denmark",
    "SWE": "Sweden",
    "FIN": "Finland",
    "POL": "Poland",
    "THA": "Thailand",
    "SGP": "Singapore",
    "IDN": "Indonesia",
    "MYS": "Malaysia",
    "PHL": "Philippines",
    "VNM": "Vietnam",
}
KINDS = ["exercise", "training", "visit", "port_call", "cultural_event", "education"]
MAPPING = """
[dataset]
name = "bench_records"
[columns]
id = "id"
kind = "kind"
title = "title"
start = "start"
end = "end"
host = "host"
[participants]
layout = "long"
nation = "nation"
role = "role"
personnel = "personnel"
"""


def generate(path: Path, rows: int) -> int:
    """Write the CSV; return how many engagements it holds."""
    rng = random.Random(SEED)
    codes = list(NATIONS)
    written = engagement = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "kind", "title", "start", "end", "host", "nation", "role", "personnel"])
        while written < rows:
            engagement += 1
            size = min(2 + int(rng.expovariate(0.4)), 12, rows - written)
            members = rng.sample(codes, size)
            year, month = rng.randint(1992, 2016), rng.randint(1, 12)
            start = f"{year}-{month:02d}"
            kind = rng.choice(KINDS)
            host = members[0]
            for index, code in enumerate(members):
                shown = NATIONS[code] if rng.random() < 0.5 else code
                role = "host" if index == 0 else ("observer" if rng.random() < 0.05 else "")
                out.writerow(
                    [
                        f"E{engagement}",
                        kind,
                        f"Engagement {engagement}",
                        start,
                        start,
                        NATIONS[host],
                        shown,
                        role,
                        rng.randint(5, 3000),
                    ]
                )
                written += 1
    return engagement


def raw_limit(template: Path, data: Path, folder: Path) -> float:
    """Seconds to write the same engagements and participations with bare sqlite3."""
    target = folder / "raw.db"
    target.write_bytes(template.read_bytes())
    with data.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    codes = {**{v: k for k, v in NATIONS.items()}, **{k: k for k in NATIONS}}
    connection = sqlite3.connect(target)
    for pragma in (
        "journal_mode = WAL",
        "synchronous = NORMAL",
        "cache_size = -65536",
        "foreign_keys = ON",
    ):
        connection.execute(f"PRAGMA {pragma}")
    start = time.perf_counter()
    ids: dict[str, int] = {}
    engagements, participants = [], []
    for r in rows:
        eid = ids.get(r["id"])
        if eid is None:
            eid = ids[r["id"]] = len(ids) + 1
            year = int(r["start"][:4])
            engagements.append(
                (
                    eid,
                    r["kind"],
                    r["title"],
                    r["start"] + "-01",
                    "month",
                    year,
                    year,
                    codes[r["host"]],
                    "[]",
                    f"raw:{r['id']}",
                    "raw",
                    1,
                    "2026-01-01",
                    "b",
                    "2026-01-01",
                    "b",
                )
            )
        participants.append(
            (
                eid,
                codes[r["nation"]],
                r["role"] or "participant",
                int(r["personnel"]),
                r["start"] + "-01",
            )
        )
    with connection:
        connection.executemany(
            "INSERT INTO engagements (id, kind, title, start_date, start_precision, start_year, "
            "end_year, host, objectives, external_id, source_dataset, version, created_at, "
            "created_by, updated_at, updated_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            engagements,
        )
        connection.executemany(
            "INSERT INTO participants (engagement_id, nation, role, personnel, start_date) "
            "VALUES (?,?,?,?,?)",
            participants,
        )
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        data, mapping = folder / "records.csv", folder / "mapping.toml"
        generate(data, ROWS)
        mapping.write_text(MAPPING, encoding="utf-8")
        template = folder / "template.db"
        seeded = open_store(f"sqlite:///{template}")
        services.initialise(seeded)
        seeded.dispose()
        ours = folder / "comity.db"
        ours.write_bytes(template.read_bytes())
        store = open_store(f"sqlite:///{ours}")
        start = time.perf_counter()
        result = import_dataset(
            store, mapped_importer(mapping), [data], viewer=Viewer.operator("bench")
        )
        comity_s = time.perf_counter() - start
        store.dispose()
        assert result.rows_read == ROWS and result.added > 0, result
        peak = peak_mib()
        limit_s = raw_limit(template, data, folder)
    rate = ROWS / comity_s
    report(
        [
            Run(
                "import_records_1m",
                "rows_per_s",
                round(rate),
                ">= 100000",
                check(rate, ">= 100000"),
            ),
            Run("import_records_1m", "wall_s", round(comity_s, 2), "info", True),
            Run("import_records_1m", "ratio_to_limit", round(comity_s / limit_s, 2), "info", True),
            Run("import_records_1m", "peak_mib", round(peak), "< 2048", check(peak, "<= 2047")),
        ]
    )


if __name__ == "__main__":
    main()
