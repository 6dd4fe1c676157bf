"""Run every benchmark in its own process and write bench/results.json (DESIGN.md section 8).

Usage: ``python -m bench [NAME ...]`` (``make bench``). Each benchmark module prints its runs as
JSON; running each in a fresh process keeps peak-memory figures honest.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

BENCHMARKS = [
    "store_insert",
    "import_media",
    "import_records",
    "index",
    "network",
    "network_view",
    "pages",
    "api",
    "media_spark",
    "media_cluster",
    "optimiser",
    "linkage",
    "robustness",
    "extraction",
    "cli",
]
HERE = Path(__file__).resolve().parent


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        total_kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {total_kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    python = platform.python_version()
    return f"{platform.system()} {cpu}, {os.cpu_count()} cores{memory}, Python {python}"


def main() -> None:
    chosen = sys.argv[1:] or BENCHMARKS
    runs = []
    console = Console()
    for name in chosen:
        console.print(f"[bold]bench {name}[/bold] ...")
        done = subprocess.run(
            [sys.executable, "-m", f"bench.{name}"],
            check=True,
            capture_output=True,
            text=True,
            cwd=HERE.parent,
        )
        runs.extend(json.loads(done.stdout.strip().splitlines()[-1]))
    target = HERE / "results.json"
    if sys.argv[1:] and target.exists():
        # A subset was run: keep the other benchmarks' figures from the last full run.
        fresh = {run["name"] for run in runs}
        earlier = json.loads(target.read_text(encoding="utf-8")).get("runs", [])
        runs = [run for run in earlier if run["name"] not in fresh] + runs
    results = {"machine": _machine(), "runs": runs}
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    table = Table(title=f"comity benchmarks — {results['machine']}", header_style="bold")
    for heading in ("name", "metric", "value", "target", "met"):
        table.add_column(heading)
    for run in runs:
        mark = "[green]yes[/green]" if run["met"] else "[red]NO[/red]"
        table.add_row(run["name"], run["metric"], f"{run['value']:,}", run["target"], mark)
    console.print(table)
    if not all(run["met"] for run in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
