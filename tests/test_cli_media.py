"""``comity media run`` through the runner: DuckDB by default, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from comity.cli import app
from comity.ingest.media.pipeline import read_media_output
from tests.gdelt_rows import event, generated_events, write_events


def test_media_run_uses_duckdb_by_default_and_writes_dyad_years(
    cli: CliRunner, tmp_path: Path
) -> None:
    path = write_events(tmp_path / "events.tsv", generated_events(300))
    result = cli.invoke(app, ["media", "run", str(path), "-o", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["engine"], summary["min_sources"], summary["written"]) == ("duckdb", 2, True)
    assert summary["rows_read"] == 300
    assert summary["dyad_years"] == read_media_output(tmp_path / "out").dyad_years.num_rows > 0


def test_media_run_feeds_the_index_from_the_analytic_store(cli: CliRunner, tmp_path: Path) -> None:
    rows = [event(n, actor2countrycode="FRA", sourceurl=f"u{n}") for n in range(1, 6)]
    path = write_events(tmp_path / "events.tsv", rows)
    result = cli.invoke(app, ["media", "run", str(path)])
    assert result.exit_code == 0, result.output
    assert "5 events in 1 dyad-years from 5 rows of 1 file(s) on duckdb" in result.stdout
    dyad = json.loads(cli.invoke(app, ["dyad", "USA", "FRA", "--json"]).stdout)
    year = next(y for y in dyad["years"] if y["year"] == 2016)
    assert year["media_events"] == 5


def test_media_run_refuses_an_unknown_engine_and_a_master_without_spark(
    cli: CliRunner, tmp_path: Path
) -> None:
    path = str(write_events(tmp_path / "events.tsv", [event(1)]))
    result = cli.invoke(app, ["media", "run", path, "--engine", "hive"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Unknown engine 'hive'.")
    result = cli.invoke(app, ["media", "run", path, "--master", "spark://head:7077"])
    assert result.exit_code == 1
    assert "Error: --master names a Spark cluster; DuckDB runs in this process." in result.stderr


def test_media_run_names_the_malformed_line_and_writes_nothing(
    cli: CliRunner, tmp_path: Path
) -> None:
    path = write_events(tmp_path / "bad.tsv", [event(1), event(2, avgtone="loud")])
    result = cli.invoke(app, ["media", "run", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert (
        "Error: gdelt: 1 problem(s) found; nothing was written. First: bad.tsv, row 2, avgtone: "
        "is not a number from -100 to 100 (value 'loud')"
    ) in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_media_run_that_writes_is_in_the_audit_log_and_a_refused_one_is_not(
    cli: CliRunner, tmp_path: Path
) -> None:
    bad = write_events(tmp_path / "bad.tsv", [event(1), event(2, avgtone="loud")])
    assert cli.invoke(app, ["media", "run", str(bad), "-o", str(tmp_path / "no")]).exit_code == 1
    path = write_events(tmp_path / "events.tsv", generated_events(50))
    result = cli.invoke(app, ["media", "run", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    listed = cli.invoke(app, ["audit", "list", "--entity", "media", "--json"])
    assert listed.exit_code == 0, listed.output
    entries = json.loads(listed.stdout)["items"]
    assert [(e["action"], e["entity_id"]) for e in entries] == [("media_run", "gdelt")]
    after = entries[0]["after"]
    assert (after["engine"], after["rows_read"], after["written"]) == ("duckdb", 50, True)
    assert after["output"] == str(tmp_path / "out")
    verified = cli.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
