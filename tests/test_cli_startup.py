"""Starting the command line loads no heavy library: only the commands that use one import it.

Each check runs in a fresh interpreter, since this one has imported everything already.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import typer

from comity.cli import app

HEAVY = (
    "alembic",
    "babel",
    "duckdb",
    "fastapi",
    "holidays",
    "igraph",
    "jinja2",
    "networkx",
    "numpy",
    "pandas",
    "pyarrow",
    "pyspark",
    "splink",
    "sqlalchemy",
    "uvicorn",
    "weasyprint",
    # Not heavy alone, but building the records' models costs a third of the 0.5 s `--help` may
    # take (bench/cli.py): the command line needs only the enums of comity.model.vocabulary.
    "pydantic",
)

_REPORT = """
import json, sys
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100", "PYTHONIOENCODING": "utf-8"}
    env.pop("COMITY_DEBUG", None)
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=120
    )


def _heavy_after(code: str) -> list[str]:
    """The heavy libraries in ``sys.modules`` once ``code`` has run in a fresh interpreter."""
    done = _python("-c", code + _REPORT.format(heavy=HEAVY))
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("import comity", id="import comity"),
        pytest.param("from comity import __version__, __all__", id="comity's names"),
        pytest.param("from comity.cli import app", id="import the cli"),
        # Typer evaluates every option's type and default when it builds the commands.
        pytest.param(
            "import typer\nfrom comity.cli import app\ntyper.main.get_command(app)",
            id="build every command",
        ),
        pytest.param(
            "import sys\nfrom comity.cli import main\nsys.argv = ['comity', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass",
            id="comity --help",
        ),
    ],
)
def test_starting_the_cli_loads_no_heavy_library(code: str) -> None:
    assert _heavy_after(code) == []


def _imported(importtime: str) -> set[str]:
    """The top-level packages named in ``-X importtime`` output."""
    names = re.findall(r"^import time:.*\|\s*(\S+)$", importtime, flags=re.MULTILINE)
    return {name.split(".")[0] for name in names}


def test_python_m_comity_help_exits_0_without_a_heavy_library() -> None:
    done = _python("-X", "importtime", "-m", "comity", "--help")
    assert done.returncode == 0, done.stderr
    assert "comity" in _imported(done.stderr)
    assert sorted(_imported(done.stderr) & set(HEAVY)) == []


def test_python_m_comity_help_lists_every_command_and_group() -> None:
    done = _python("-m", "comity", "--help")
    assert done.returncode == 0, done.stderr
    # A command's row starts with its name; the rows its help wraps onto start with spaces.
    listed = set(re.findall(r"^[│|] (\S+)", done.stdout, flags=re.MULTILINE))
    groups = {info.name for info in app.registered_groups}
    commands = {info.name for info in app.registered_commands}
    assert groups and commands
    assert groups | commands <= listed, done.stdout
    assert set(getattr(typer.main.get_command(app), "commands", {})) == groups | commands


def _built(arguments: list[str]) -> set[str]:
    from comity.cli import app_for

    return set(getattr(typer.main.get_command(app_for(arguments)), "commands", {}))


def test_a_run_builds_only_the_command_it_names() -> None:
    everything = _built([])
    assert len(everything) > 30
    assert _built(["ties", "USA", "--year", "2010"]) == {"ties"}
    assert _built(["--database", "sqlite:///x.db", "-v", "--user", "ana", "links", "list"]) == {
        "links"
    }
    # Help alone, and a name no command has, get the whole app (the list, or the suggestion).
    assert _built(["--help"]) == everything
    assert _built(["--database", "ties"]) == everything  # "ties" is the option's value
    assert _built(["tiez", "USA"]) == everything
    assert everything == _built([])  # the app itself is unchanged


def test_the_root_options_that_take_a_value_are_those_skipped() -> None:
    from comity.cli import _ROOT_VALUES

    root = typer.main.get_command(app)
    taking = {
        name
        for parameter in root.params
        if not getattr(parameter, "is_flag", False) and parameter.opts[0].startswith("--")
        for name in parameter.opts
    }
    assert taking == _ROOT_VALUES


def test_a_named_command_runs_as_before_and_a_misspelt_one_is_suggested() -> None:
    done = _python("-m", "comity", "nations", "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and "nations" in done.stdout
    wrong = _python("-m", "comity", "nation5")
    assert wrong.returncode == 2
    assert "No such command" in wrong.stderr
