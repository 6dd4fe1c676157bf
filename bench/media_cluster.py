"""10^7 and 10^8 GDELT-shaped events through the media pipeline: DuckDB and a Spark cluster.

The slope between the two sizes (seconds per 10^7 rows) is what docs/scale.md projects to 10^9
events. The events are generated at run time with the generator of ``import_media``
(deterministic, GDELT 1.0 layout, about 8 % cooperation codes, regions, blanks, re-reported
duplicates) into a temporary folder, in files of consecutive row ranges: a size reads the first
files, so the rows are generated once for every size and engine, and deleted at the end.

Spark runs on a real standalone cluster on this machine (``StandaloneCluster`` of
``tests/spark_helpers.py``): a master and two workers of one core, each executor 1 GiB, the
driver 1 GiB, two shuffle partitions per executor core as in local mode. Each run is a fresh
process, so that its peak memory is its own: DuckDB's process; for Spark the driver (its Python
process and JVM) and each executor (the peak resident memory of its process, read from
``/proc`` before the application ends, and the peaks the executors report to the driver's REST
API).

Settings: ``COMITY_BENCH_CLUSTER_ROWS`` (sizes, default ``1e6,1e7``; docs/scale.md's slope used
``1e7,1e8``) and
``COMITY_BENCH_CLUSTER_TIMEOUT`` (seconds one run may take, default 3600; a run cut short is
reported as not measured).

Figures: ``media_cluster_<size>_<engine>`` rows/s, wall seconds, CPU seconds (of every process
of the run), peak MiB (Spark: driver and executors); ``media_cluster_slope_<engine>_<size>_<size>``,
wall and CPU seconds per 10^7 rows between two consecutive sizes measured. CPU seconds do not
grow when other work shares the cores, where wall seconds do.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import Run, report
from bench.media_spark import jvm_peak_mib, own_peak_mib

SIZES = sorted(
    int(float(size)) for size in os.environ.get("COMITY_BENCH_CLUSTER_ROWS", "1e6,1e7").split(",")
)
TIMEOUT = float(os.environ.get("COMITY_BENCH_CLUSTER_TIMEOUT", "3600"))
# Two shuffle partitions per executor core, as in local mode: Spark's default of 200 is for a
# cluster of many cores, and on two it adds minutes of tasks whatever the size.
PARTITIONS = 4
PART = min(5_000_000, SIZES[0])  # rows per generated file: about 0.9 GB, 4 GiB to generate
BYTES_PER_ROW = 180  # measured on the generated files


def _log(message: str) -> None:
    load = "/".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"{time.strftime('%H:%M:%S')} (load {load}) {message}", file=sys.stderr, flush=True)


def _label(rows: int) -> str:
    return f"{rows:.0e}".replace("+0", "").replace("+", "")


def _executor_pids(app_id: str) -> list[int]:
    """The executor processes of ``app_id`` on this machine."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        launched = any(a.endswith(b".CoarseGrainedExecutorBackend") for a in arguments)
        if launched and app_id.encode() in arguments:
            found.append(int(entry.name))
    return found


def _driver_pids() -> list[int]:
    """This process and its Java children (the Spark driver's JVM)."""
    found = [os.getpid()]
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if name == "java" and fields[1] == str(os.getpid()):
            found.append(int(entry.name))
    return found


def _peak_mib(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process, in MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU time (user and system) each process has used so far, in seconds.

    CPU time, unlike wall time, does not grow when other work shares the cores.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def _reported_peaks(port: int, app_id: str) -> list[dict[str, Any]]:
    """The executors' peak memory metrics as the driver's REST API gives them."""
    url = f"http://127.0.0.1:{port}/api/v1/applications/{app_id}/executors"
    with urllib.request.urlopen(url, timeout=30) as response:
        executors = json.load(response)
    return [e.get("peakMemoryMetrics", {}) for e in executors if e["id"] != "driver"]


def child(engine_name: str, master: str, rows: int, output: Path, files: list[str]) -> None:
    """Run the pipeline once on one engine; print rows, seconds and peaks as JSON."""
    from comity.analytics.engines import DuckDBEngine, SparkEngine, spark_session
    from comity.ingest.base import ImportContext
    from comity.ingest.media.pipeline import run_media_pipeline
    from comity.nations import load_reference
    from comity.nations.resolver import default_resolver

    found: dict[str, Any] = {}
    if engine_name == "spark":
        from tests.spark_helpers import free_port

        port = free_port()
        session = spark_session(
            master,
            partitions=PARTITIONS,
            config={
                "spark.driver.memory": "1g",
                "spark.executor.memory": "1g",
                "spark.driver.host": "127.0.0.1",
                "spark.driver.bindAddress": "127.0.0.1",
                # The driver's REST API, for the executors' peaks (heartbeats every 10 s).
                "spark.ui.enabled": "true",
                "spark.ui.port": str(port),
                "spark.executor.processTreeMetrics.enabled": "true",
            },
        )
        engine: DuckDBEngine | SparkEngine = SparkEngine(session)
    else:
        engine = DuckDBEngine()
    context = ImportContext(default_resolver(), load_reference().nations, "bench")
    app_id = session.sparkContext.applicationId if engine_name == "spark" else ""
    before = _cpu_seconds(_driver_pids() + _executor_pids(app_id))
    start = time.perf_counter()
    run = run_media_pipeline(files, engine, context, output=output, min_sources=2)
    seconds = time.perf_counter() - start
    assert run.written and run.rows_read == rows, (run, context.issues[:3])
    executors = _executor_pids(app_id)
    after = _cpu_seconds(_driver_pids() + executors)
    used = {pid: cpu - before.get(pid, 0.0) for pid, cpu in after.items()}
    found["cpu_s"] = sum(used.values())
    found["peak"] = own_peak_mib()
    if engine_name == "spark":
        found["cpu_s_executors"] = sum(used.get(pid, 0.0) for pid in executors)
        found["driver_jvm_peak"] = jvm_peak_mib()
        found["executor_peaks"] = [_peak_mib(pid) for pid in executors]
        time.sleep(12)  # one more heartbeat carries the last peaks to the driver
        found["reported"] = _reported_peaks(port, app_id)
        session.stop()
    found.update(rows=run.rows_read, seconds=seconds, events=run.events, dyad_years=run.dyad_years)
    print(json.dumps(found))


def _run_child(engine: str, master: str, rows: int, folder: Path) -> dict[str, Any] | None:
    files = [str(folder / "data" / f"part-{n:03d}.tsv") for n in range(rows // PART)]
    command = [sys.executable, "-m", "bench.media_cluster", "child", engine, master, str(rows)]
    command += [str(folder / "out" / f"{engine}-{rows}"), *files]
    # A session of its own, so that a run cut short ends with its JVM (one process group).
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        _log(f"{engine} {rows:,} rows: not finished within {TIMEOUT:.0f} s, stopped")
        return None
    if process.returncode != 0:
        raise RuntimeError(f"{engine} on {rows:,} rows failed (exit {process.returncode})")
    shutil.rmtree(folder / "out" / f"{engine}-{rows}", ignore_errors=True)
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    _log(f"{engine} {rows:,} rows: {json.dumps(result)}")
    return result


def _check_disk(folder: Path) -> None:
    needed = SIZES[-1] * BYTES_PER_ROW * 1.5  # the files, plus DuckDB's and Spark's spills
    free = shutil.disk_usage(folder).free
    _log(f"{folder}: {free / 1e9:.0f} GB free, {needed / 1e9:.0f} GB needed")
    if free < needed:
        raise RuntimeError(
            f"{SIZES[-1]:,} rows need about {needed / 1e9:.0f} GB in {folder}, which has "
            f"{free / 1e9:.0f} GB free: set TMPDIR to a larger disk or lower "
            "COMITY_BENCH_CLUSTER_ROWS."
        )


def _figures(rows: int, engine: str, found: dict[str, Any]) -> list[Run]:
    label = f"media_cluster_{_label(rows)}_{engine}"
    runs = [
        Run(label, "rows_per_s", round(found["rows"] / found["seconds"]), "info", True),
        Run(label, "wall_s", round(found["seconds"], 1), "info", True),
        Run(label, "cpu_s", round(found["cpu_s"], 1), "info", True),
    ]
    if engine == "duckdb":
        return [*runs, Run(label, "peak_mib", round(found["peak"]), "info", True)]
    executors = found["executor_peaks"]
    reported = [r.get("ProcessTreeJVMRSSMemory", 0) / 2**20 for r in found["reported"]]
    heap = [r.get("JVMHeapMemory", 0) / 2**20 for r in found["reported"]]
    return [
        *runs,
        Run(
            label, "driver_peak_mib", round(found["peak"] + found["driver_jvm_peak"]), "info", True
        ),
        Run(label, "executors", len(executors), "info", True),
        Run(label, "executor_cpu_s", round(found["cpu_s_executors"], 1), "info", True),
        Run(label, "executor_peak_mib_max", round(max(executors, default=0)), "info", True),
        Run(label, "executor_peak_mib_sum", round(sum(executors)), "info", True),
        Run(label, "executor_reported_rss_mib_max", round(max(reported, default=0)), "info", True),
        Run(label, "executor_reported_heap_mib_max", round(max(heap, default=0)), "info", True),
    ]


def main() -> None:
    from tests.spark_helpers import StandaloneCluster

    from bench.import_media import generate

    assert all(size % PART == 0 for size in SIZES), f"sizes must be multiples of {PART:,}"
    results: dict[tuple[int, str], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="comity-bench-cluster-") as name:
        folder = Path(name)
        _check_disk(folder)
        (folder / "data").mkdir()
        with StandaloneCluster(folder / "cluster", workers=2, worker_memory="1536m") as cluster:
            _log(f"cluster {cluster.url}: {cluster.alive_workers()} workers")
            made = 0
            for rows in SIZES:
                while made < rows // PART:
                    generate(folder / "data" / f"part-{made:03d}.tsv", PART, first=made * PART)
                    made += 1
                _log(f"generated {made * PART:,} rows")
                for engine, master in (("duckdb", "-"), ("spark", cluster.url)):
                    found = _run_child(engine, master, rows, folder)
                    if found is not None:
                        results[rows, engine] = found
                if (rows, "spark") in results and (rows, "duckdb") in results:
                    duck, spark = results[rows, "duckdb"], results[rows, "spark"]
                    assert (duck["events"], duck["dyad_years"]) == (
                        spark["events"],
                        spark["dyad_years"],
                    )
    runs = [
        run for (rows, engine), found in results.items() for run in _figures(rows, engine, found)
    ]
    for engine in ("duckdb", "spark"):
        measured = sorted(rows for rows, name in results if name == engine)
        for small, large in zip(measured, measured[1:], strict=False):
            label = f"media_cluster_slope_{engine}_{_label(small)}_{_label(large)}"
            for key, metric in (("seconds", "s_per_1e7_rows"), ("cpu_s", "cpu_s_per_1e7_rows")):
                extra = results[large, engine][key] - results[small, engine][key]
                slope = extra / ((large - small) / 10_000_000)
                runs.append(Run(label, metric, round(slope, 1), "info", True))
    report(runs)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        engine, master, rows, output, *files = sys.argv[2:]
        child(engine, master, int(rows), Path(output), files)
    else:
        main()
