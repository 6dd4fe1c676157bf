"""``comity extract`` through the runner: JSON shape, input order, errors, what it writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comity.cli import app
from comity.cli.extract import InputFormat
from comity.extract.readers import FORMATS

LINES = [
    {
        "text": "MANILA, Philippines — Filipino and American troops opened Balikatan 2023 on "
        "Tuesday. More than 17,600 personnel take part through April 28.",
        "published": "2023-04-12",
    },
    {
        "text": "SAN DIEGO — USS Carl Vinson returned to its homeport on Monday.",
        "published": "2022-02-15",
    },
    {
        "text": "Japan and the Philippines signed a reciprocal access agreement on Monday.",
        "published": "2024-07-08",
    },
]


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose store URL names a file that must never be created."""
    monkeypatch.setenv("COMITY_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    monkeypatch.delenv("COMITY_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def _news(path: Path, lines: list[dict[str, str]]) -> str:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return str(path.name)


def test_dry_run_json_is_one_object_per_passage_in_input_order(
    offline: CliRunner, tmp_path: Path
) -> None:
    first = _news(tmp_path / "a.jsonl", LINES[:2])
    second = _news(tmp_path / "b.jsonl", LINES[2:])
    result = offline.invoke(app, ["extract", "--dry-run", "--json", first, second])
    assert result.exit_code == 0, result.output
    drafts = json.loads(result.stdout)
    assert [d["passage"]["origin"] for d in drafts] == ["a.jsonl:1", "a.jsonl:2", "b.jsonl:1"]
    assert [
        (d["kind"], d["title"], d["host"], d["participants"], d["start"], d["end"]) for d in drafts
    ] == [
        ("exercise", "Balikatan 2023", "PHL", ["PHL", "USA"], "2023-04-11", "2023-04-28"),
        (None, None, None, ["USA"], "2022-02-14", None),
        ("agreement", "Japan–Philippines agreement", None, ["JPN", "PHL"], "2024-07-08", None),
    ]
    assert drafts[0]["personnel"] == 17600
    assert drafts[1]["reasons"] == ["a port call in its own territory"]
    assert drafts[0]["fields"]["kind"]["confidence"] > 0
    assert drafts[0]["model_version"].startswith("rules 1; kinds 1 (")
    assert not (tmp_path / "never.db").exists()


def test_standard_input_is_read_when_no_file_or_a_dash_is_given(offline: CliRunner) -> None:
    text = "Indian Navy ships INS Delhi and INS Satpura made a port call in Manila on Monday."
    for args in (["extract", "--dry-run", "--json"], ["extract", "--dry-run", "--json", "-"]):
        result = offline.invoke(app, args, input=text)
        assert result.exit_code == 0, result.output
        [draft] = json.loads(result.stdout)
        assert (draft["kind"], draft["participants"], draft["start"]) == (
            "port_call",
            ["IND", "PHL"],
            None,
        )
        assert draft["passage"]["origin"] == "stdin"


def test_dry_run_shows_a_table_and_a_summary_and_writes_nothing(
    offline: CliRunner, tmp_path: Path
) -> None:
    path = _news(tmp_path / "news.jsonl", LINES)
    result = offline.invoke(app, ["extract", "--dry-run", path], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any("news.jsonl:1" in line and "exercise" in line for line in lines)
    assert any("news.jsonl:2" in line and "no engagement" in line for line in lines)
    assert lines[-2:] == [
        "3 passage(s): 2 engagement(s) proposed, 1 no engagement.",
        "Dry run: nothing was queued.",
    ]
    assert not (tmp_path / "never.db").exists()


def test_bad_input_is_reported_in_full_and_nothing_happens(
    offline: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "bad.jsonl").write_text('{"text": "A."}\nnot json\n{"title": "T"}\n')
    result = offline.invoke(app, ["extract", "--dry-run", "bad.jsonl", "gone.txt"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Invalid passages (3 problems): bad.jsonl:2: is not JSON (Expecting value at "
        "column 1); bad.jsonl:3.text: is missing; gone.txt: no such file\n"
        "  Hint: Each passage needs a text; published is a date (YYYY-MM-DD); files are UTF-8. "
        "See docs/extraction.md.\n"
    )
    assert result.stdout == ""
    assert not (tmp_path / "never.db").exists()


def test_format_overrides_the_extension(offline: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text(json.dumps(LINES[2]) + "\n")
    result = offline.invoke(
        app, ["extract", "--dry-run", "--json", "--format", "jsonl", "notes.txt"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["kind"] == "agreement"
    refused = offline.invoke(app, ["extract", "--format", "pdf", "notes.txt"])
    assert refused.exit_code == 2


def test_the_formats_offered_are_those_the_readers_read() -> None:
    assert tuple(f.value for f in InputFormat) == FORMATS


def test_without_dry_run_the_engagements_are_queued_for_review(
    cli: CliRunner, tmp_path: Path
) -> None:
    path = str(tmp_path / "news.jsonl")
    _news(Path(path), LINES)
    result = cli.invoke(app, ["extract", "--json", path])
    assert result.exit_code == 0, result.output
    queued = json.loads(result.stdout)
    assert len(queued["added"]) == 2 and queued["already_queued"] == 0
    assert len(queued["drafts"]) == 3
    again = cli.invoke(app, ["extract", path])
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == (
        "Queued 0 draft(s) for review (2 already queued); see `comity drafts list`."
    )


def test_comity_help_and_the_extract_help_load_no_extraction_library() -> None:
    heavy = ("dateparser", "bs4", "feedparser", "sklearn", "numpy", "comity.extract.pipeline")
    code = (
        "import sys\nfrom comity.cli import main\n"
        "for args in (['comity', '--help'], ['comity', 'extract', '--help']):\n"
        "    sys.argv = args\n"
        "    try:\n        main()\n    except SystemExit:\n        pass\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    env = {**os.environ, "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "extract" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"
