"""Bulk insert of validated engagements into the SQLite system of record.

Measures, in one run and on the same generated records (fixed seed), starting from records
already validated (validation is measured by the importers' benchmark):
- comity: ``comity.store.engagements.insert_engagements`` (engagements with their labels,
  programmes, participants and sources, ids reserved, one transaction) into a migrated, seeded
  store;
- the limit: the same rows written by ``sqlite3.executemany`` into the same schema, hand-built
  tuples, no ORM or Core layer (what the database alone can do).

Reports participations per second for comity, and comity's time as a ratio to the limit.
Validating the same records with the domain model is timed too, for information.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
from pathlib import Path

from bench.common import Run, check, peak_mib, report, timed
from comity import services
from comity.model.validation import validate_engagement
from comity.store import nations as nation_store
from comity.store import open_store
from comity.store.engagements import insert_engagements

ENGAGEMENTS = 50_000
SEED = 20261124
REPEAT = 3
KINDS = ["exercise", "training", "visit", "port_call", "cultural_event", "education"]


def generate(count: int) -> list[dict[str, object]]:
    """Engagements with 2-12 participants among long-lived states, 1992-2016."""
    rng = random.Random(SEED)
    nations = [
        "USA",
        "GBR",
        "FRA",
        "DEU",
        "ITA",
        "CAN",
        "JPN",
        "KOR",
        "AUS",
        "NZL",
        "IND",
        "CHN",
        "RUS",
        "BRA",
        "ARG",
        "CHL",
        "ZAF",
        "NGA",
        "EGY",
        "TUR",
        "GRC",
        "ESP",
        "PRT",
        "NLD",
        "BEL",
        "NOR",
        "DNK",
        "SWE",
        "FIN",
        "POL",
        "THA",
        "SGP",
        "IDN",
        "MYS",
        "PHL",
        "VNM",
    ]
    records = []
    for i in range(count):
        size = min(2 + int(rng.expovariate(0.4)), 12)
        members = rng.sample(nations, size)
        year = rng.randint(1992, 2016)
        month = rng.randint(1, 12)
        records.append(
            {
                "kind": rng.choice(KINDS),
                "title": f"Generated engagement {i}",
                "start": f"{year}-{month:02d}",
                "host": members[0],
                "participants": [
                    {"nation": n, "personnel": rng.randint(10, 2000)} for n in members
                ],
                "sources": [{"dataset": "bench", "row": str(i)}],
            }
        )
    return records


def _seeded(path: Path) -> None:
    store = open_store(f"sqlite:///{path}")
    services.initialise(store)
    store.dispose()


def comity_insert(path: Path, records: list[dict[str, object]]) -> tuple[float, float]:
    """Validate (timed apart), then insert; return (validation seconds, insert seconds)."""
    store = open_store(f"sqlite:///{path}")
    with store.connect() as connection:
        directory = nation_store.load_nations(connection)
    with timed() as validation:
        engagements = [validate_engagement(r, directory) for r in records]
    with timed() as elapsed:
        with store.transaction() as connection:
            insert_engagements(connection, engagements, "bench")
    store.dispose()
    return validation(), elapsed()


def raw_insert(path: Path, records: list[dict[str, object]]) -> float:
    connection = sqlite3.connect(path)
    # The same settings comity's engine uses, so that only the layers above differ.
    for pragma in (
        "foreign_keys = ON",
        "journal_mode = WAL",
        "synchronous = NORMAL",
        "cache_size = -65536",
    ):
        connection.execute(f"PRAGMA {pragma}")
    with timed() as elapsed:
        with connection:
            engagement_rows = []
            participant_rows = []
            source_rows = []
            for i, r in enumerate(records, start=1):
                year, month = str(r["start"]).split("-")
                engagement_rows.append(
                    (
                        i,
                        r["kind"],
                        r["title"],
                        f"{year}-{month}-01",
                        "month",
                        int(year),
                        int(year),
                        r["host"],
                        "[]",
                        1,
                        "2026-01-01",
                        "b",
                        "2026-01-01",
                        "b",
                    )
                )
                for p in r["participants"]:  # type: ignore[attr-defined]
                    participant_rows.append(
                        (
                            i,
                            p["nation"],
                            "host" if p["nation"] == r["host"] else "participant",
                            p["personnel"],
                            f"{year}-{month}-01",
                        )
                    )
                source_rows.append((i, "bench", str(i)))
            connection.executemany(
                "INSERT INTO engagements (id, kind, title, start_date, start_precision, "
                "start_year, end_year, host, objectives, version, created_at, created_by, "
                "updated_at, updated_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                engagement_rows,
            )
            connection.executemany(
                "INSERT INTO participants (engagement_id, nation, role, personnel, start_date) "
                "VALUES (?,?,?,?,?)",
                participant_rows,
            )
            connection.executemany(
                "INSERT INTO engagement_sources (engagement_id, dataset, row) VALUES (?,?,?)",
                source_rows,
            )
    connection.close()
    return elapsed()


def main() -> None:
    records = generate(ENGAGEMENTS)
    participations = sum(len(r["participants"]) for r in records)  # type: ignore[arg-type]
    limit_times, validate_times, comity_times = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.db"
        _seeded(template)
        for attempt in range(REPEAT):
            ours, limit = Path(folder) / f"comity{attempt}.db", Path(folder) / f"raw{attempt}.db"
            ours.write_bytes(template.read_bytes())
            limit.write_bytes(template.read_bytes())
            limit_times.append(raw_insert(limit, records))
            validate_s, insert_s = comity_insert(ours, records)
            validate_times.append(validate_s)
            comity_times.append(insert_s)
    # Best of REPEAT fresh runs each: the least disturbed by whatever else the machine does.
    limit_s, validate_s, comity_s = min(limit_times), min(validate_times), min(comity_times)
    rate = participations / comity_s
    ratio = comity_s / limit_s
    validated_rate = participations / validate_s
    peak = peak_mib()
    report(
        [
            Run("store_insert", "rows_per_s", round(rate), ">= 100000", check(rate, ">= 100000")),
            Run(
                "store_insert", "ratio_to_limit", round(ratio, 2), "<= 2.0", check(ratio, "<= 2.0")
            ),
            Run("store_insert", "wall_s", round(comity_s, 3), "info", True),
            Run("model_validate", "rows_per_s", round(validated_rate), "info", True),
            Run("store_insert", "peak_mib", round(peak), "<= 2048", peak <= 2048),
        ]
    )


if __name__ == "__main__":
    main()
