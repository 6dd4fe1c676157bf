"""10M GDELT-shaped events through the media-event pipeline, on DuckDB and on Spark (local mode).

The events are generated at run time with a fixed seed (the generator of ``import_media``: GDELT
1.0 layout, about 8 % cooperation codes, regions, blanks and re-reported duplicates) into a
temporary folder. Each engine runs in a fresh process, so that its peak memory is its own:
DuckDB's is that process's; Spark's adds the peak of its JVM (``local[2]``, driver memory 1 GiB,
so that the two together stay under 2 GiB).

Figures: ``media_pipeline_10m_duckdb`` and ``media_pipeline_10m_spark``, rows/s (target "info")
and peak MiB. docs/scale.md projects them to 10^9 events on a cluster.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Run, check, peak_mib, report

ROWS = int(os.environ.get("COMITY_BENCH_MEDIA_ROWS", "10000000"))


def own_peak_mib() -> float:
    """Peak resident memory of this process since it started, in MiB.

    Not ``getrusage``: Linux carries its maximum over from the parent that started the process
    (here one that has just written the events), which would count the parent's memory.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return peak_mib()  # pragma: no cover - without /proc


def jvm_peak_mib() -> float:
    """Peak resident memory of this process's Java children (the Spark driver), in MiB."""
    peak = 0.0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("Name", "").strip() == "java" and fields.get("PPid", "").strip() == str(
            os.getpid()
        ):
            peak += int(fields.get("VmHWM", "0 kB").split()[0]) / 1024
    return peak


def child(engine_name: str, data: Path, output: Path) -> None:
    """Run the pipeline once on one engine; print rows, seconds and peak MiB as JSON."""
    from comity.analytics.engines import DuckDBEngine, SparkEngine, spark_session
    from comity.ingest.base import ImportContext
    from comity.ingest.media.pipeline import run_media_pipeline
    from comity.nations import load_reference
    from comity.nations.resolver import default_resolver

    if engine_name == "spark":
        engine: DuckDBEngine | SparkEngine = SparkEngine(
            spark_session("local[2]", config={"spark.driver.memory": "1g"})
        )
    else:
        engine = DuckDBEngine()
    context = ImportContext(default_resolver(), load_reference().nations, "bench")
    start = time.perf_counter()
    run = run_media_pipeline([str(data)], engine, context, output=output, min_sources=2)
    seconds = time.perf_counter() - start
    assert run.written and run.rows_read == ROWS, (run, context.issues[:3])
    peak = own_peak_mib() + (jvm_peak_mib() if engine_name == "spark" else 0.0)
    print(
        json.dumps(
            {
                "rows": run.rows_read,
                "seconds": seconds,
                "peak": peak,
                "events": run.events,
                "dyad_years": run.dyad_years,
            }
        )
    )


def main() -> None:
    from bench.import_media import generate

    runs = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        data = folder / "events.tsv"
        generate(data, ROWS)
        results = {}
        for engine in ("duckdb", "spark"):
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.media_spark",
                    engine,
                    str(data),
                    str(folder / engine),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            results[engine] = json.loads(done.stdout.strip().splitlines()[-1])
        duck, spark = results["duckdb"], results["spark"]
        assert (duck["events"], duck["dyad_years"]) == (spark["events"], spark["dyad_years"])
    for engine, found in results.items():
        label = f"media_pipeline_{ROWS:.0e}_{engine}".replace("+0", "")
        rate = found["rows"] / found["seconds"]
        runs.append(Run(label, "rows_per_s", round(rate), "info", True))
        runs.append(Run(label, "wall_s", round(found["seconds"], 2), "info", True))
        peak = found["peak"]
        runs.append(Run(label, "peak_mib", round(peak), "< 2048", check(peak, "<= 2047")))
    report(runs)


if __name__ == "__main__":
    if len(sys.argv) == 4:
        child(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        main()
