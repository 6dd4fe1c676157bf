"""Record linkage: how well it links, what index error it leaves, and how fast it is.

The labelled benchmark is the bundled MME exercises and a perturbed copy of them made with seed
2026 (:func:`comity.linkage.synthetic.perturbed_copy`; the shipped model was trained on seed 1).
The nations a copy may add are MME's nations that were states throughout 1979-2011, so that
every copy is a valid record to import. In one run:

(a) quality: every pair of the records and copies scored with the shipped model, cross-source
    pairs kept one to one (:func:`~comity.linkage.model.one_to_one`) and compared with the
    truth. ``linkage_quality``: precision, recall and F1 of the pairs at or above ``UPPER`` (what
    links at import; target F1 >= 0.95) and at or above ``LOWER`` (with what review would add).
(b) index error, end to end through a temporary SQLite store: ``mme_exercises`` imported as
    ``comity import`` does, the dyad-year index computed; the copies imported as a second
    dataset (same coverage: exercises 1980-2010) through ``import_dataset``, which links them,
    and the index computed again (``linked``); then with the true pairs as the only links
    (``true_links``: what perfect links would leave), and with no links (``summed``: both
    sources counted). ``linkage_index``: for each,
    the share of dyad-years whose index moved by at most one point from MME alone and the
    largest move. The copies include events of their own (one
    in ten), which rightly move the index (so that even perfect links cannot reach the target
    against MME alone); a second store holds MME and only those, unlinked: the true index of
    both sources, against which each is measured too (``*_vs_truth``: the target, >= 0.99 for
    ``linked``, is read there; against MME alone the share is reported for information).
    Dyad-years present in one table only count with index 0 in the other. The links the import
    stored, kept one to one, are compared with the truth as well (``stored_*``).
(c) speed: 100,000 synthetic events (kinds exercise, training and visit; dates 1950-2025; two
    to six nations drawn with a skew; titles, series and places from a vocabulary; fixed seed)
    linked against a perturbed copy of them (100,000 more) with
    :func:`~comity.linkage.model.score_pairs`, only pairs with a copy scored, as an import
    does. ``linkage_100k``: seconds (target < 60), peak memory of the process (< 2 GiB), and the
    ratio to a plain DuckDB self-join of the same table on the same blocking rules (the
    candidate pairs alone, measured in the same run: the limit of any blocked linkage).

(d) within one source: a tenth of the bundled MME exercises typed in again into the same dataset
    (perturbed as the copies of (a), seed 2026, with as many events of its own as in (a)),
    every record fresh, as when a user imports a file of their own. Two records of one source
    never link by themselves, so ``linkage_within`` reports the share of the true pairs that
    reach review (``recall_review``), how many pairs wait for review, and how many of those are
    not one event (for information: MME itself holds near-identical records of one series).

Run alone with ``python -m bench linkage`` (``python -m bench.linkage N`` prints the figures
with N synthetic events instead of 100,000).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import Run, check, peak_mib, report

SEED = 2026
FIRST_COPY = 10_000_000
EVENTS = int(sys.argv[1]) if len(sys.argv) == 2 else 100_000
SOURCE = "synthetic"
SECOND_DATASET = "second_exercises"
OWN_DATASET = "second_own_events"
Pairs = set[tuple[int, int]]
"""Pairs of record ids, the smaller first."""


# (a) Quality of the links -----------------------------------------------------------------------


def stable_nations(records: Sequence[Any]) -> list[str]:
    """MME's nations that were states without a break from 1979 to 2011."""
    from comity.nations import load_reference

    reference = load_reference().nations
    first, last = date(1979, 1, 1), date(2011, 12, 31)
    chosen = []
    for key in sorted({n for r in records for n in r.nations}):
        spells = reference[key].spells
        if any(s.start <= first and (s.end is None or s.end >= last) for s in spells):
            chosen.append(key)
    return chosen


def scores(predicted: Pairs, truth: Pairs) -> tuple[float, float, float]:
    """Precision, recall and F1 of the predicted pairs."""
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


def predicted_pairs(pairs: Sequence[Any], source_of: dict[int, str]) -> dict[float, Pairs]:
    """Cross-source pairs kept one to one, at or above each threshold."""
    from comity.linkage.model import LOWER, UPPER, one_to_one

    kept = one_to_one(pairs, source_of)
    return {
        threshold: {
            (p.left, p.right)
            for p in kept
            if p.probability >= threshold and source_of[p.left] != source_of[p.right]
        }
        for threshold in (UPPER, LOWER)
    }


def quality(records: list[Any], copies: list[Any], truth: Pairs) -> list[Run]:
    """(a): the links the shipped model makes, against the truth."""
    from comity.linkage.model import LOWER, UPPER, score_pairs
    from comity.linkage.records import record_table

    start = time.perf_counter()
    pairs = score_pairs(record_table(records + copies), threshold=LOWER)
    seconds = time.perf_counter() - start
    found = predicted_pairs(pairs, {r.id: r.source for r in records + copies})
    runs = [
        Run("linkage_quality", "records", len(records) + len(copies), "info", True),
        Run("linkage_quality", "true_pairs", len(truth), "info", True),
        Run("linkage_quality", "score_s", round(seconds, 2), "info", True),
    ]
    for threshold, label in ((UPPER, "upper"), (LOWER, "lower")):
        precision, recall, f1 = scores(found[threshold], truth)
        target = ">= 0.95" if threshold == UPPER else "info"
        runs += [
            Run("linkage_quality", f"precision_{label}", round(precision, 4), "info", True),
            Run("linkage_quality", f"recall_{label}", round(recall, 4), "info", True),
            Run("linkage_quality", f"f1_{label}", round(f1, 4), target, check(f1, target)),
        ]
    return runs


def within_runs(records: list[Any], nations: Sequence[str]) -> list[Run]:
    """(d): one source holding some of its events twice, linked with itself."""
    from dataclasses import replace

    from comity.linkage.model import LOWER, score_pairs
    from comity.linkage.records import record_table
    from comity.linkage.synthetic import perturbed_copy

    own = [replace(r, within=True) for r in records]
    typed_again = random.Random(SEED).sample(own, len(own) // 10)
    copies, truth = perturbed_copy(typed_again, nations, seed=SEED, first_id=FIRST_COPY)
    copies = [replace(c, source=own[0].source, within=True) for c in copies]
    start = time.perf_counter()
    pairs = score_pairs(record_table(own + copies), threshold=LOWER)
    seconds = time.perf_counter() - start
    review = {(p.left, p.right) for p in pairs}
    hits = len(review & truth)
    return [
        Run("linkage_within", "records", len(own) + len(copies), "info", True),
        Run("linkage_within", "true_pairs", len(truth), "info", True),
        Run("linkage_within", "recall_review", round(hits / len(truth), 4), "info", True),
        Run("linkage_within", "pairs_for_review", len(review), "info", True),
        Run("linkage_within", "not_one_event", len(review - truth), "info", True),
        Run("linkage_within", "score_s", round(seconds, 2), "info", True),
    ]


# (b) The index error it leaves ------------------------------------------------------------------


def copy_rows(
    engagements: Sequence[Any], copies: Sequence[Any], truth: Pairs
) -> tuple[list[dict[str, Any]], int]:
    """The copies as engagement records to import, and how many participants had to go.

    A copy keeps its original's end when it does not fall before the copy's start; a
    participant that was not a state on the copy's (shifted) dates is left out.
    """
    from comity.model.dates import DatePrecision, PartialDate
    from comity.model.engagements import existence_problem
    from comity.nations import load_reference

    reference = load_reference().nations
    original_of = {copy: original for original, copy in truth}
    rows, dropped = [], 0
    for copy in copies:
        if copy.day is not None:
            start = PartialDate(value=copy.day, precision=DatePrecision.DAY)
        elif copy.month is not None:
            start = PartialDate.parse(copy.month)
        else:
            start = PartialDate.parse(copy.year)
        end = None
        if copy.id in original_of:
            end = engagements[original_of[copy.id] - 1].end
            if end is not None and end.last_day < start.first_day:
                end = None
        last = end.last_day if end is not None else start.last_day
        nations = []
        for key in dict.fromkeys(copy.nations):
            if existence_problem(reference[key], start.first_day, last) is None:
                nations.append(key)
            else:
                dropped += 1
        host = copy.host if copy.host in nations else None
        rows.append(
            {
                "kind": copy.kind,
                # A copy without a title has its row name, which linkage reads as no title.
                "title": copy.title or f"second{copy.id}",
                "start": start.isoformat(),
                "end": end.isoformat() if end is not None else None,
                "host": host,
                "participants": [{"nation": key} for key in nations],
                "location": copy.location,
                "programme": copy.programme,
                "external_id": f"second:{copy.id}",
            }
        )
    return rows, dropped


class SecondSource:
    """A second source of exercises: engagement records in a JSON file, exercises 1980-2010."""

    bundled = False
    extra_names: dict[str, str] = {}
    releasability = None
    distinct_records = False

    def __init__(self, name: str) -> None:
        from comity.ingest.base import DatasetInfo

        self.info = DatasetInfo(
            name=name,
            title="A perturbed copy of MME (benchmark)",
            files=(),
            citation="comity benchmark, bench/linkage.py",
            licence="none",
            version=str(SEED),
            becomes="exercise engagements",
        )

    def read(self, paths: Sequence[Path], context: Any) -> Any:
        """Validate each record of the files (as every importer does)."""
        from comity.ingest.base import Batch
        from comity.model.measures import CoverageSpan

        batch = Batch()
        for path in paths:
            rows = json.loads(path.read_text(encoding="utf-8"))
            for line, row in enumerate(rows, start=1):
                batch.rows_read += 1
                provenance = {"dataset": self.info.name, "version": context.version}
                engagement = context.engagement(
                    {**row, "provenance": {**provenance, "row": str(line)}},
                    file=path.name,
                    row=line,
                )
                if engagement is not None:
                    batch.engagements.append(engagement)
        batch.coverage.append(
            CoverageSpan(
                dataset=self.info.name,
                first_year=1980,
                last_year=2010,
                note="a perturbed copy of MME",
                kind="exercise",
            )
        )
        return batch


Index = dict[tuple[str, str, int], float]
"""A dyad-year index table: (iso3_1, iso3_2, year) -> index."""


def index_of(store: Any, viewer: Any) -> Index:
    """The dyad-year index of the store, computed afresh."""
    from comity.services.analytics import compute_dyad_years

    table = compute_dyad_years(store, viewer, use_cache=False).table
    keys = zip(
        table.column("iso3_1").to_pylist(),
        table.column("iso3_2").to_pylist(),
        table.column("year").to_pylist(),
        strict=True,
    )
    return dict(zip(keys, table.column("index").to_pylist(), strict=True))


def index_error(left: Index, right: Index) -> tuple[float, float]:
    """Share of dyad-years whose index differs by one point at most, and the largest gap.

    A dyad-year in one table only counts with index 0 in the other.
    """
    keys = left.keys() | right.keys()
    gaps = [abs(left.get(k, 0.0) - right.get(k, 0.0)) for k in keys]
    return sum(gap <= 1.0 for gap in gaps) / len(gaps), max(gaps)


def unlink(store: Any) -> None:
    """Delete every link, as if the store had none, and tell the analytics."""
    from comity.store.changes import bump_records

    with store.transaction() as connection:
        connection.exec_driver_sql("DELETE FROM record_links")
        bump_records(connection)


def write_source(folder: Path, name: str, rows: list[dict[str, Any]]) -> tuple[Any, list[Path]]:
    """The records as a file of their own, and the importer that reads it."""
    path = folder / f"{name}.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return SecondSource(name), [path]


def store_links(store: Any, external: dict[str, int], source_of: dict[int, str]) -> Pairs:
    """The links the import stored, kept one to one as the analytics keep them, by benchmark id.

    The store's ids are translated to the benchmark's through the external ids.
    """
    from comity.linkage.model import ScoredPair, one_to_one

    with store.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT l.external_id, r.external_id, k.probability FROM record_links k "
            "JOIN engagements l ON l.id = k.left_id JOIN engagements r ON r.id = k.right_id "
            "WHERE k.status = 'linked'"
        ).all()
    pairs = []
    for a, b, probability in rows:
        left, right = sorted((external[a], external[b]))
        pairs.append(ScoredPair(left, right, probability, 0.0, {}))
    return {(p.left, p.right) for p in one_to_one(pairs, source_of)}


def link_truth(store: Any, ids: dict[int, int], truth: Pairs) -> None:
    """Replace the links with the true pairs (``ids``: benchmark id -> store id)."""
    from datetime import UTC, datetime

    from comity.linkage.model import MODEL_VERSION
    from comity.store.changes import bump_records
    from comity.store.tables_links import record_links

    now = datetime.now(UTC)
    rows = []
    for original, copy in sorted(truth):
        left, right = sorted((ids[original], ids[copy]))
        rows.append(
            {
                "left_id": left,
                "right_id": right,
                "probability": 1.0,
                "weight": 0.0,
                "explanation": {},
                "model_version": MODEL_VERSION,
                "status": "linked",
                "scored_at": now,
            }
        )
    with store.transaction() as connection:
        connection.exec_driver_sql("DELETE FROM record_links")
        connection.execute(record_links.insert(), rows)
        bump_records(connection)


def fresh_store(template: Path, folder: Path) -> Any:
    """A copy of the seeded template store in ``folder``."""
    from comity.store import open_store

    folder.mkdir()
    shutil.copyfile(template, folder / "comity.db")
    return open_store(f"sqlite:///{folder / 'comity.db'}")


def index_runs(
    engagements: list[Any],
    records: list[Any],
    copies: list[Any],
    truth: Pairs,
) -> list[Run]:
    """(b): the index of MME alone, linked to the copies, summed with them, and the truth."""
    from comity import services
    from comity.access import Viewer
    from comity.services.imports import import_dataset
    from comity.store import open_store

    operator = Viewer.operator("bench")
    rows, dropped = copy_rows(engagements, copies, truth)
    copied = {copy for _, copy in truth}
    own_rows = [row for row, copy in zip(rows, copies, strict=True) if copy.id not in copied]
    # The benchmark's ids by external id: MME's row numbers (their order in the batch), the
    # copies' own.
    external = {e.external_id: number for number, e in enumerate(engagements, start=1)}
    external.update({f"second:{c.id}": c.id for c in copies})
    index: dict[str, Index] = {}
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        template = folder / "template.db"
        seeded = open_store(f"sqlite:///{template}")
        services.initialise(seeded)
        seeded.dispose()
        store = fresh_store(template, folder / "linked")
        start = time.perf_counter()
        import_dataset(store, "mme_exercises", viewer=operator)
        seconds["mme"] = time.perf_counter() - start
        index["alone"] = index_of(store, operator)
        importer, paths = write_source(folder, SECOND_DATASET, rows)
        start = time.perf_counter()
        second = import_dataset(store, importer, paths, viewer=operator)
        seconds["copy"] = time.perf_counter() - start
        assert second.added == len(rows), second
        index["linked"] = index_of(store, operator)
        stored = store_links(store, external, {r.id: r.source for r in records + copies})
        with store.connect() as connection:
            ids = dict(connection.exec_driver_sql("SELECT external_id, id FROM engagements").all())
        link_truth(store, {external[key]: value for key, value in ids.items()}, truth)
        index["true_links"] = index_of(store, operator)
        unlink(store)
        index["summed"] = index_of(store, operator)
        store.dispose()
        # The truth: MME and the copies that are events of their own, nothing linked.
        store = fresh_store(template, folder / "truth")
        import_dataset(store, "mme_exercises", viewer=operator)
        importer, paths = write_source(folder, OWN_DATASET, own_rows)
        import_dataset(store, importer, paths, viewer=operator)
        unlink(store)
        index["truth"] = index_of(store, operator)
        store.dispose()
    precision, recall, f1 = scores(stored, truth)
    runs = [
        Run("linkage_index", "dyad_years", len(index["alone"]), "info", True),
        Run("linkage_index", "import_mme_s", round(seconds["mme"], 2), "info", True),
        Run("linkage_index", "import_copy_s", round(seconds["copy"], 2), "info", True),
        Run("linkage_index", "copy_records", len(rows), "info", True),
        Run("linkage_index", "copy_participants_dropped", dropped, "info", True),
        Run("linkage_index", "import_linked", second.linked, "info", True),
        Run("linkage_index", "import_to_review", second.to_review, "info", True),
        Run("linkage_index", "stored_precision", round(precision, 4), "info", True),
        Run("linkage_index", "stored_recall", round(recall, 4), "info", True),
        Run("linkage_index", "stored_f1", round(f1, 4), "info", True),
    ]
    for reference, suffix in (("alone", ""), ("truth", "_vs_truth")):
        for variant in ("linked", "summed", "true_links"):
            share, largest = index_error(index[reference], index[variant])
            target = ">= 0.99" if (reference, variant) == ("truth", "linked") else "info"
            runs += [
                Run(
                    "linkage_index",
                    f"share_within_1pt_{variant}{suffix}",
                    round(share, 4),
                    target,
                    check(share, target),
                ),
                Run(
                    "linkage_index",
                    f"max_abs_diff_{variant}{suffix}",
                    round(largest, 2),
                    "info",
                    True,
                ),
            ]
    return runs


# (c) Speed and memory ---------------------------------------------------------------------------

ADJECTIVES = (
    "Northern Southern Eastern Western Golden Silver Iron Steel Blue Red Green Black White Swift "
    "Silent Bold Brave Noble Bright Dark Rapid Steady Vigilant Allied Joint United Coastal Desert "
    "Mountain Arctic Tropical Ocean Thunder Storm Lightning Falcon Eagle Lion Tiger Cobra"
).split()
NOUNS = (
    "Shield Sword Spear Arrow Lance Anchor Harbour Bridge Gate Tower Star Sun Moon Wind Wave "
    "Tide Flame Spark Hammer Anvil Dragon Hawk Wolf Bear Falcon Horizon Frontier Guardian "
    "Sentinel Partner Friendship Resolve Endeavour Venture Strike Response Rescue Challenge Dawn"
).split()
PLACE_WORDS = (
    "Baltic Aegean Adriatic Caspian Coral Andaman Arabian Bengal Biscay Celtic Ionian Ligurian "
    "Tasman Timor Java Sulu Banda Red Yellow Black North Barents Bering Labrador Caribbean "
    "Pacific Atlantic Sahel Rift Atlas Andes Alps Carpathian Balkan Anatolian Deccan Gobi Negev"
).split()
PLACE_SUFFIXES = ("Range", "Bay", "Sea", "Camp", "Training Area", "Air Base", "Coast")
SUBJECTS = (
    "logistics medical engineering demining maritime security peacekeeping staff officer "
    "aviation maintenance cyber defence counter-terrorism border security disaster response "
    "special operations signals intelligence military law leadership"
).split()
VISITORS = ("Minister of Defence", "Chief of Defence", "Army Chief", "Navy Chief", "Air Chief")
KINDS = ("exercise", "training", "visit")
KIND_SHARES = (0.6, 0.25, 0.15)


def synthetic_events(count: int, seed: int) -> tuple[list[Any], list[str]]:
    """``count`` events, 1950-2025, as linkage sees them; and the nations drawn from.

    Nations are drawn with a Zipf-like skew (a few take part in most events, as in MME); about
    half the exercises belong to one of 600 series, each with its host, and carry its name and
    year as title; other titles, the places and the visitors come from small vocabularies.
    """
    from comity.linkage.records import LinkRecord
    from comity.nations import load_reference

    rng = random.Random(seed)
    nations = sorted(k for k, n in load_reference().nations.items() if not n.historical)
    rng.shuffle(nations)
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(nations))]
    years = list(range(1950, 2026))
    year_weights = [1 + (year - 1950) / 25 for year in years]
    names = [f"{a} {n}" for a in ADJECTIVES for n in NOUNS]
    series = [(name, rng.choices(nations, weights)[0]) for name in rng.sample(names, 600)]
    places = [f"{w} {s}" for w in PLACE_WORDS for s in PLACE_SUFFIXES]

    def draw(size: int, first: str | None) -> tuple[str, ...]:
        chosen = [first] if first else []
        while len(chosen) < size:
            key = rng.choices(nations, weights)[0]
            if key not in chosen:
                chosen.append(key)
        return tuple(chosen)

    records = []
    for key in range(1, count + 1):
        kind = rng.choices(KINDS, KIND_SHARES)[0]
        year = rng.choices(years, year_weights)[0]
        day = date.fromordinal(date(year, 1, 1).toordinal() + rng.randrange(365))
        precision = rng.random()
        programme = location = None
        if kind == "exercise":
            size = rng.choices((2, 3, 4, 5, 6), (0.35, 0.25, 0.18, 0.12, 0.10))[0]
            if rng.random() < 0.5:
                programme, host = rng.choice(series)
                title = f"{programme} {year}"
            else:
                host = rng.choices(nations, weights)[0]
                title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
            members = draw(size, host)
            location = rng.choice(places) if rng.random() < 0.6 else None
        elif kind == "training":
            members = draw(rng.choice((2, 2, 3, 4)), None)
            host = members[0]
            title = f"{rng.choice(SUBJECTS)} course"
            location = rng.choice(places) if rng.random() < 0.3 else None
        else:
            members = draw(2, None)
            host = members[0]
            title = f"{rng.choice(VISITORS)} visit"
        records.append(
            LinkRecord(
                id=key,
                source=SOURCE,
                within=True,
                kind=kind,
                year=year,
                month=day.strftime("%Y-%m") if precision < 0.9 else None,
                day=day if precision < 0.7 else None,
                host=host if rng.random() < 0.85 else None,
                nations=members,
                programme=programme,
                title=title,
                location=location,
            )
        )
    return records, nations


def link_child(table_path: Path, out: Path) -> None:
    """Link the copies against the originals; print seconds and this process's peak memory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from comity.linkage.model import score_pairs

    table = pq.read_table(table_path)
    fresh = {key for key in table.column("unique_id").to_pylist() if key >= FIRST_COPY}
    start = time.perf_counter()
    pairs = score_pairs(table, fresh=fresh)
    seconds = time.perf_counter() - start
    columns = {
        "left": pa.array([p.left for p in pairs], pa.int64()),
        "right": pa.array([p.right for p in pairs], pa.int64()),
        "probability": pa.array([p.probability for p in pairs], pa.float64()),
    }
    pq.write_table(pa.table(columns), out)
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib()}))


def blocking_child(table_path: Path, out: Path) -> None:
    """The baseline: the candidate pairs of the same blocking rules, in one DuckDB query."""
    import duckdb

    from comity.linkage.model import base_settings

    rules = [r["blocking_rule"] for r in base_settings()["blocking_rules_to_generate_predictions"]]
    parts = []
    for number, rule in enumerate(rules):
        # Each rule leaves out the pairs an earlier rule found, as Splink does.
        earlier = " OR ".join(f"coalesce(({r}), false)" for r in rules[:number])
        condition = f"({rule}) AND l.unique_id < r.unique_id"
        if earlier:
            condition += f" AND NOT ({earlier})"
        parts.append(
            "SELECT l.unique_id AS left_id, r.unique_id AS right_id "
            f"FROM records AS l JOIN records AS r ON {condition}"
        )
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE records AS SELECT *, unique_id >= {FIRST_COPY} AS fresh "
        f"FROM read_parquet('{table_path}')"
    )
    best = float("inf")
    for _ in range(2):
        con.execute("DROP TABLE IF EXISTS pairs")
        start = time.perf_counter()
        con.execute(f"CREATE TABLE pairs AS {' UNION ALL '.join(parts)}")
        best = min(best, time.perf_counter() - start)
    found = con.execute("SELECT count(*) FROM pairs").fetchone()
    out.write_text(str(found[0] if found else 0), encoding="utf-8")
    print(json.dumps({"seconds": best, "peak_mib": peak_mib()}))


def _run_child(label: str, table_path: Path, out: Path) -> dict[str, float]:
    # Each in its own process, so that the peak memory is the linking's own.
    done = subprocess.run(
        [sys.executable, "-m", "bench.linkage", "--run", label, str(table_path), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def speed_runs(count: int) -> list[Run]:
    """(c): ``count`` synthetic events linked against their copies, and the blocking alone."""
    import pyarrow.parquet as pq

    from comity.linkage.model import UPPER, ScoredPair
    from comity.linkage.records import record_table
    from comity.linkage.synthetic import perturbed_copy

    records, nations = synthetic_events(count, SEED)
    copies, truth = perturbed_copy(records, nations, seed=SEED, first_id=FIRST_COPY)
    name = f"linkage_{count // 1000}k"
    with tempfile.TemporaryDirectory() as folder:
        table_path = Path(folder) / "records.parquet"
        pq.write_table(record_table(records + copies), table_path)
        del records
        limit = _run_child("blocking", table_path, Path(folder) / "blocking.txt")
        candidates = int((Path(folder) / "blocking.txt").read_text(encoding="utf-8"))
        linking = _run_child("link", table_path, Path(folder) / "pairs.parquet")
        scored = pq.read_table(Path(folder) / "pairs.parquet").to_pylist()
    pairs = [ScoredPair(r["left"], r["right"], r["probability"], 0.0, {}) for r in scored]
    source_of = {key: SOURCE for pair in pairs for key in (pair.left, pair.right)}
    source_of.update({c.id: c.source for c in copies})
    precision, recall, f1 = scores(predicted_pairs(pairs, source_of)[UPPER], truth)
    seconds, peak = linking["seconds"], linking["peak_mib"]
    ratio = seconds / limit["seconds"]
    return [
        Run(name, "copies", len(copies), "info", True),
        Run(name, "candidate_pairs", candidates, "info", True),
        Run(name, "wall_s", round(seconds, 2), "< 60", check(seconds, "<= 59.99")),
        Run(name, "blocking_limit_s", round(limit["seconds"], 2), "info", True),
        Run(name, "ratio_to_blocking", round(ratio, 1), "info", True),
        Run(name, "peak_mib", round(peak), "< 2048", check(peak, "<= 2047")),
        Run(name, "pairs_kept", len(pairs), "info", True),
        Run(name, "precision_upper", round(precision, 4), "info", True),
        Run(name, "recall_upper", round(recall, 4), "info", True),
        Run(name, "f1_upper", round(f1, 4), "info", True),
    ]


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--run":
        child = {"link": link_child, "blocking": blocking_child}[sys.argv[2]]
        child(Path(sys.argv[3]), Path(sys.argv[4]))
        return
    from comity.ingest.base import ImportContext
    from comity.ingest.datasets.mme_exercises import IMPORTER
    from comity.ingest.exercise_records import bundled_exercises
    from comity.linkage.synthetic import perturbed_copy
    from comity.nations.resolver import default_resolver
    from comity.services.imports import bundled_paths

    records = bundled_exercises()
    resolver = default_resolver()
    context = ImportContext(resolver, resolver.nations, "linkage")
    engagements = IMPORTER.read(bundled_paths(IMPORTER), context).engagements
    assert len(engagements) == len(records)
    copies, truth = perturbed_copy(records, stable_nations(records), seed=SEED, first_id=FIRST_COPY)
    runs = quality(records, copies, truth)
    runs += within_runs(records, stable_nations(records))
    runs += index_runs(engagements, records, copies, truth)
    runs += speed_runs(EVENTS)
    report(runs)


if __name__ == "__main__":
    main()
