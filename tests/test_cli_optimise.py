"""``comity optimise`` end to end on a small store."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comity import services
from comity.access import Viewer
from comity.cli import app
from comity.planning.gain import gain
from comity.store import Store

_CSV = """id,title,kind,partners,host,year,personnel,cost,window
A,Pacific drill,exercise,Philippines,PHL,2015,900,50,spring
B,Port call Manila,port_call,PHL,,2015,,10,spring
C,Staff talks,visit,France,,2015,,20,
"""


@pytest.fixture
def candidates(tmp_path: Path, store: Store) -> Path:
    """A CSV of three plans; the store holds one USA-PHL exercise in 2015."""
    record = {
        "kind": "exercise",
        "title": "Balikatan",
        "start": date(2015, 4, 1),
        "participants": [{"nation": "PHL"}, {"nation": "USA"}],
    }
    services.add_engagement(store, record, Viewer.operator("tests"))
    path = tmp_path / "plans.csv"
    path.write_text(_CSV, encoding="utf-8")
    return path


def test_optimise_chooses_and_explains(cli: CliRunner, candidates: Path) -> None:
    args = [
        "optimise",
        "--candidates",
        str(candidates),
        "--budget",
        "70",
        "--as",
        "USA",
        "--priority",
        "PHL=2",
        "--priority",
        "FRA=1",
        "--json",
    ]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    # A (c = 2 on PHL, stock 1) beats B (0.3) in the spring window; C (0.5 on FRA) fits too.
    assert [p["id"] for p in answer["chosen"]] == ["A", "C"]
    expected = 2 * gain(1.0, 2.0, 20.0) + gain(0.0, 0.5, 20.0)
    assert answer["exact_gain"] == pytest.approx(expected)
    assert answer["cost"] == 70
    assert answer["binding"] == ["budget", "one per window spring"]
    table = cli.invoke(app, [*args[:-1], "--currency", "usd"])
    assert table.exit_code == 0, table.output
    assert "Pacific drill" in table.stdout
    assert "2 plans chosen, costing 70 USD of the 70 USD budget (0 USD left)." in table.stdout
    assert (
        "Port call Manila (10 USD): over budget: it costs 10 USD and 0 USD is left; it would "
        "break the rule of one plan per time window (spring)." in table.stdout
    )
    assert "For comparison, taking the best value for money first" in table.stdout


def test_optimise_speaks_plainly(cli: CliRunner, candidates: Path) -> None:
    args = ["optimise", "-c", str(candidates), "-b", "70", "--as", "USA"]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert re.findall(r"\b(highs|gap|chords?|greedy)\b", result.stdout, re.IGNORECASE) == []
    assert "Tie index with each partner in 2015, without and with the plans:" in result.stdout
    assert "  Philippines: 4.9 -> 13.9 (+9.05)\n  France: 0.0 -> 2.5 (+2.47)\n" in result.stdout
    assert "The search proved this the best choice" in result.stdout


def test_optimise_refuses_an_unknown_currency(cli: CliRunner, candidates: Path) -> None:
    args = ["optimise", "-c", str(candidates), "-b", "70", "--as", "USA", "--currency", "XYZ"]
    result = cli.invoke(app, args)
    assert result.exit_code == 1
    assert (
        "Error: Invalid options: currency: is not an ISO 4217 currency code such as EUR "
        "(got XYZ)" in result.stderr
    )


def test_optimise_reports_an_infeasible_must_include(cli: CliRunner, candidates: Path) -> None:
    args = ["optimise", "-c", str(candidates), "-b", "40", "--as", "USA", "--include", "A"]
    result = cli.invoke(app, args)
    assert result.exit_code == 1
    assert "Error: Invalid portfolio: include: breaks budget (got A)" in result.stderr
    assert "Traceback" not in result.output


def test_optimise_needs_a_nation_for_the_operator(cli: CliRunner, candidates: Path) -> None:
    result = cli.invoke(app, ["optimise", "-c", str(candidates), "-b", "40"])
    assert result.exit_code == 1
    assert "Invalid portfolio: nation: name the planning nation" in result.stderr


def test_stored_plans_are_the_candidates(cli: CliRunner, candidates: Path) -> None:
    common = ["--start", "2015-06-01", "--end", "2015-06-05", "-a", "policy"]
    for title, kind, partners, budget in (
        ("Pacific drill", "exercise", ["-p", "Philippines:host:900", "-p", "USA"], ["50 USD"]),
        ("Staff talks", "visit", ["-p", "France:host", "-p", "USA"], ["20 USD"]),
        ("Unfunded talks", "visit", ["-p", "France:host", "-p", "USA"], []),
    ):
        money = ["--budget", *budget] if budget else []
        added = cli.invoke(
            app, ["plans", "add", "-t", title, "-k", kind, *partners, *common, *money]
        )
        assert added.exit_code == 0, added.output
    assert (
        cli.invoke(
            app,
            [
                "plans",
                "add",
                "-t",
                "Dropped",
                "-k",
                "visit",
                "-p",
                "Japan:host",
                "-p",
                "USA",
                *common,
                "--budget",
                "1 USD",
            ],
        ).exit_code
        == 0
    )
    assert cli.invoke(app, ["plans", "cancel", "4", "--reason", "no longer needed"]).exit_code == 0
    args = [
        "optimise",
        "--from-plans",
        "-b",
        "100",
        "--as",
        "USA",
        "--priority",
        "PHL=2",
        "--priority",
        "FRA=1",
        "--json",
    ]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert [p["id"] for p in answer["chosen"]] == ["plan-1", "plan-2"]
    assert answer["cost"] == 70
    assert answer["left_out_plans"] == ["plan 3 (Unfunded talks): it has no budget"]
    assert answer["currency"] == "USD"
    both = cli.invoke(app, ["optimise", "--from-plans", "-c", str(candidates), "-b", "1"])
    assert both.exit_code == 1 and "give either --candidates FILE or --from-plans" in both.stderr
    euros = ["plans", "add", "-t", "Euro talks", "-k", "visit", "-p", "France:host", "-p", "USA"]
    assert cli.invoke(app, [*euros, *common, "--budget", "5 EUR"]).exit_code == 0
    mixed = cli.invoke(app, args[:-1])
    assert mixed.exit_code == 1
    assert "currency: the plans are budgeted in EUR, USD: give the budget's currency" in (
        mixed.stderr
    )
    dollars = cli.invoke(app, [*args, "--currency", "USD"])
    assert dollars.exit_code == 0, dollars.output
    assert (
        "plan 5 (Euro talks): its budget is in EUR, not USD"
        in json.loads(dollars.stdout)["left_out_plans"]
    )
