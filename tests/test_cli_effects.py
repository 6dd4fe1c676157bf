"""``comity effect``: the answer for scripts (JSON) and for people (Rich), and its refusals."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from comity.cli import app
from comity.store import Store
from tests.effect_world import EFFECT, seed_effect_world

KEYS = {
    "design",
    "estimator",
    "treatment",
    "outcome",
    "answerable",
    "reason",
    "estimate",
    "standard_error",
    "ci_low",
    "ci_high",
    "level",
    "p_value",
    "n_treated",
    "n_comparison",
    "comparison",
    "verdict",
    "pre_trend",
    "event_study",
    "caveats",
    "diagnostics",
    "treated",
    "outcome_name",
    "years",
}


@pytest.fixture
def world(store: Store) -> Store:
    """The effect world in the CLI's store."""
    seed_effect_world(store)
    return store


def test_effect_json_gives_the_estimate_and_its_interval(cli: CliRunner, world: Store) -> None:
    result = cli.invoke(app, ["effect", "--kind", "training", "--provider", "USA", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) == KEYS
    assert answer["answerable"] is True
    assert answer["ci_low"] <= EFFECT <= answer["ci_high"]
    assert answer["level"] == 0.95
    assert answer["n_treated"] == 11
    assert answer["outcome_name"] == "exercises"
    assert set(answer["pre_trend"]) == {"statistic", "df", "p_value", "passed", "alpha"}
    assert set(answer["event_study"][0]) == {
        "relative_year",
        "estimate",
        "standard_error",
        "ci_low",
        "ci_high",
    }
    assert answer["treated"]["kinds"] == ["training"]


def test_effect_shows_estimate_comparison_verdict_and_caveats(cli: CliRunner, world: Store) -> None:
    result = cli.invoke(app, ["effect", "--programme", "IMET", "--provider", "USA"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Effect of IMET from USA"
    for label in ("Outcome", "Estimate", "Pairs", "Pre-trend", "Naive TWFE", "Years"):
        assert any(line.startswith(label) for line in lines), label
    assert "After IMET from USA, the exercise contribution rose by " in result.stdout
    assert "Caveats" in lines
    assert any(line.startswith("- Spillovers (SUTVA)") for line in lines)


def test_effect_says_why_the_data_cannot_answer(cli: CliRunner, world: Store) -> None:
    result = cli.invoke(
        app, ["effect", "--kind", "training", "--provider", "USA", "--outcome", "agreements"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "The data cannot answer: the outcome (agreements entered) is 0 in every pair and year "
        "used: there is nothing to compare." in " ".join(result.stdout.split())
    )


def test_effect_synth_without_a_pair_is_refused(cli: CliRunner, world: Store) -> None:
    result = cli.invoke(
        app, ["effect", "--kind", "training", "--provider", "USA", "--design", "synth"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: Invalid effect: pair: the synthetic control needs one pair, e.g. USA-PHL"
    )


def test_effect_needs_a_provider(cli: CliRunner, world: Store) -> None:
    result = cli.invoke(app, ["effect", "--kind", "training"])
    assert result.exit_code == 2
    assert "Missing option '--provider'" in result.stderr
