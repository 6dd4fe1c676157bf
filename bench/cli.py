"""The command line's start: ``comity --help`` against a bare Python, each in a fresh process.

A command that prints help or fails on a typo should answer at once; only the commands that do
the work load SQLAlchemy, pandas, DuckDB and the rest. In one run, best of 5 fresh processes each:

(a) ``python -m comity --help``, the whole command tree built and its help printed (target
    <= 0.5 s);
(b) ``python -c pass``, the interpreter's own start on this machine, and (a) over it;
(c) ``python -c "import comity.cli"``, the import alone.

Run ``cli_startup``: help_wall_s, python_wall_s, help_over_python, import_cli_wall_s.
"""

from __future__ import annotations

import subprocess
import sys

from bench.common import Run, best_of, check, report

REPEAT = 5
HELP_TARGET = "<= 0.5"


def _run(*args: str) -> None:
    """Run the interpreter with ``args`` in a fresh process; its output is not kept."""
    subprocess.run(
        [sys.executable, *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    # One process first, so the first timed run does not pay for cold files alone.
    _run("-m", "comity", "--help")
    python = best_of(REPEAT, lambda: _run("-c", "pass"))
    help_wall = best_of(REPEAT, lambda: _run("-m", "comity", "--help"))
    import_wall = best_of(REPEAT, lambda: _run("-c", "import comity.cli"))
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
        ]
    )


if __name__ == "__main__":
    main()
