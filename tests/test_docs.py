"""Documentation kept in step with the code: commands, data sources, the README's set-up."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from comity.cli.reference import iter_commands, render_reference

ROOT = Path(__file__).resolve().parents[1]


def test_readme_opens_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```") + 1 : lines.index("```", lines.index("```") + 1)]
    assert [line.split()[:2] for line in block] == [["make", "run"], ["make", "test"]]


@pytest.mark.parametrize("path", [p for p, _ in iter_commands()], ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    command = dict(iter_commands())[path]
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
    for param in command.params:
        if param.name != "help":
            assert (param.help or "").strip(), f"{' '.join(path)} {param.name} has no help"


def test_cli_reference_is_current() -> None:
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == render_reference(), (
        "docs/cli.md is out of date: run `make docs`"
    )


def _bundled() -> list[str]:
    data = resources.files("comity").joinpath("data")
    return sorted(p.name for p in data.iterdir() if p.is_dir() and not p.name.startswith("_"))


@pytest.mark.parametrize("folder", _bundled())
def test_every_bundled_dataset_has_provenance_and_a_citation(folder: str) -> None:
    provenance = resources.files("comity").joinpath(f"data/{folder}/PROVENANCE.md")
    assert provenance.is_file(), f"{folder} has no PROVENANCE.md"
    sources = (ROOT / "docs" / "data-sources.md").read_text(encoding="utf-8")
    assert f"`{folder}`" in sources, f"docs/data-sources.md does not list {folder}"
    row = next(line for line in sources.splitlines() if line.startswith(f"| `{folder}`"))
    assert len(row.split("|")[4].strip()) > 20, f"{folder} has no citation in the docs"


def test_every_doc_linked_from_the_readme_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in readme.splitlines():
        if "](docs/" in line:
            target = line.split("](")[1].split(")")[0]
            assert (ROOT / target).is_file(), target
