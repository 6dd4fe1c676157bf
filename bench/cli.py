"""The command line's start: ``comity --help`` against a bare Python, each in a fresh process.

A command that prints help or fails on a typo should answer at once; only the commands that do
the work load SQLAlchemy, pandas, DuckDB and the rest. In one run, best of 5 fresh processes each:

(a) ``python -m comity --help``, the whole command tree built and its help printed (target
    <= 0.5 s);
(b) ``python -c pass``, the interpreter's own start on this machine, and (a) over it;
(c) ``python -c "import comity.cli"``, the import alone;
(d) ``comity ties USA --year 2010`` over a store with every bundled dataset (built first, not
    timed): the first call computes the index and writes it to the analytic store, and each
    later call, in a fresh process, reads it back (target <= 1 s for the best of the later
    calls); the first call is the reference.

Run ``cli_startup``: help_wall_s, python_wall_s, help_over_python, import_cli_wall_s,
ties_first_s, ties_second_s and ties_second_over_first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Run, best_of, check, report

REPEAT = 5
HELP_TARGET = "<= 0.5"


TIES_TARGET = "<= 1"


def _run(*args: str, env: dict[str, str] | None = None) -> None:
    """Run the interpreter with ``args`` in a fresh process; its output is not kept."""
    subprocess.run(
        [sys.executable, *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def _ties() -> tuple[float, float]:
    """The first ``comity ties`` over the bundled data, and the best later one (seconds)."""
    from bench.network_view import build_store

    with tempfile.TemporaryDirectory(prefix="comity-bench-cli-") as folder:
        url = build_store(Path(folder), None)
        env = {**os.environ, "COMITY_DATABASE_URL": url}
        arguments = ("-m", "comity", "ties", "USA", "--year", "2010")
        start = time.perf_counter()
        _run(*arguments, env=env)
        first = time.perf_counter() - start
        return first, best_of(REPEAT, lambda: _run(*arguments, env=env))


def main() -> None:
    # One process first, so the first timed run does not pay for cold files alone.
    _run("-m", "comity", "--help")
    python = best_of(REPEAT, lambda: _run("-c", "pass"))
    help_wall = best_of(REPEAT, lambda: _run("-m", "comity", "--help"))
    import_wall = best_of(REPEAT, lambda: _run("-c", "import comity.cli"))
    ties_first, ties_second = _ties()
    report(
        [
            Run(
                name="cli_startup",
                metric="help_wall_s",
                value=round(help_wall, 3),
                target=HELP_TARGET,
                met=check(help_wall, HELP_TARGET),
            ),
            Run(
                name="cli_startup",
                metric="python_wall_s",
                value=round(python, 3),
                target="info",
                met=True,
            ),
            Run(
                name="cli_startup",
                metric="help_over_python",
                value=round(help_wall / python, 1),
                target="info",
                met=True,
            ),
            Run(
                name="cli_startup",
                metric="import_cli_wall_s",
                value=round(import_wall, 3),
                target="info",
                met=True,
            ),
            Run("cli_startup", "ties_first_s", round(ties_first, 3), "info", True),
            Run(
                "cli_startup",
                "ties_second_s",
                round(ties_second, 3),
                TIES_TARGET,
                check(ties_second, TIES_TARGET),
            ),
            Run(
                "cli_startup",
                "ties_second_over_first",
                round(ties_second / ties_first, 3),
                "info",
                True,
            ),
        ]
    )


if __name__ == "__main__":
    main()
