"""``--settings FILE`` and ``--set KEY=VALUE`` on every command that reports the index.

On a small store: two 2015 exercises hosted by the Philippines with the United States, no
personnel, so the pair's stock in 2015 is 2 * w(exercise) and its index 100 * (1 - exp(-S / 20)).
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from comity import services
from comity.access import Viewer
from comity.analytics.settings import default_settings
from comity.cli import app
from comity.store import Store

DEFAULT = default_settings().digest()
TOP_LEVEL_HINT = (
    "Settings: half_life, kappa, partner_threshold, window, beyond_coverage, projection_years, "
    "default_year_observed_share, and the keys of weights, alliance, visit, education, "
    "components (e.g. weights.exercise); see docs/methodology.md."
)


def digest_of(overrides: dict[str, object]) -> str:
    return default_settings().with_overrides(overrides).digest()


@pytest.fixture
def runner(cli: CliRunner, store: Store, operator: Viewer) -> CliRunner:
    """The CLI on a store holding two 2015 exercises of the Philippines and the United States."""
    for title in ("Balikatan 2015", "Balikatan 2015 (second phase)"):
        services.add_engagement(
            store,
            {
                "kind": "exercise",
                "title": title,
                "start": date(2015, 4, 20),
                "host": "PHL",
                "participants": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
            },
            operator,
        )
    return cli


def _json(runner: CliRunner, args: list[str]) -> Any:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ties_with_set_differ_from_the_default_and_name_the_new_digest(runner: CliRunner) -> None:
    default = _json(runner, ["ties", "PHL", "--year", "2015", "--json"])
    changed = _json(
        runner, ["ties", "PHL", "--year", "2015", "--json", "--set", "weights.exercise=2"]
    )
    assert default[0]["index"] == round(100 * (1 - math.exp(-2 / 20)), 2) == 9.52
    assert changed[0]["index"] == round(100 * (1 - math.exp(-4 / 20)), 2) == 18.13
    assert default[0]["settings_digest"] == DEFAULT
    assert changed[0]["settings_digest"] == digest_of({"weights": {"exercise": 2}})
    assert changed[0]["method_version"] == default_settings().method_version


def test_ties_csv_and_table_name_the_settings(runner: CliRunner) -> None:
    args = ["ties", "PHL", "--year", "2015", "--set", "half_life=5"]
    digest = digest_of({"half_life": 5})
    csv_text = runner.invoke(app, [*args, "--csv"]).stdout
    assert csv_text.splitlines()[0].endswith(",method_version,settings_digest")
    assert csv_text.splitlines()[1].endswith(f",{default_settings().method_version},{digest}")
    table = runner.invoke(app, args).stdout
    assert f"method {default_settings().method_version}, settings {digest}" in table


@pytest.mark.parametrize(
    "command",
    [
        ["dyad", "PHL", "USA", "--json"],
        ["profile", "PHL", "--json"],
        ["network", "--year", "2015", "--json"],
        ["compare", "PHL", "USA", "--json"],
    ],
    ids=lambda command: command[0],
)
def test_every_report_takes_set_and_names_the_digest(runner: CliRunner, command: list[str]) -> None:
    report = _json(runner, [*command, "--set", "half_life=5", "--set", "beyond_coverage=hold"])
    assert report["settings_digest"] == digest_of({"half_life": 5, "beyond_coverage": "hold"})
    assert report["method_version"] == default_settings().method_version
    assert _json(runner, command)["settings_digest"] == DEFAULT


def test_a_settings_file_is_read_and_set_wins_over_it(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("half_life = 5\n[weights]\nexercise = 3.0\n", encoding="utf-8")
    from_file = _json(runner, ["ties", "PHL", "--year", "2015", "--json", "--settings", str(path)])
    assert from_file[0]["settings_digest"] == digest_of(
        {"half_life": 5, "weights": {"exercise": 3.0}}
    )
    both = _json(
        runner,
        [
            "ties",
            "PHL",
            "--year",
            "2015",
            "--json",
            "--settings",
            str(path),
            "--set",
            "weights.exercise=2",
        ],
    )
    assert both[0]["settings_digest"] == digest_of({"half_life": 5, "weights": {"exercise": 2}})
    assert both[0]["index"] == 18.13


def test_an_unknown_key_exits_1_with_the_valid_keys(runner: CliRunner) -> None:
    result = runner.invoke(app, ["ties", "PHL", "--set", "nope=1"])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == (
        "Error: Invalid index settings: nope: is not a setting of the index\n"
        f"  Hint: {TOP_LEVEL_HINT}\n"
    )


def test_a_malformed_pair_exits_1(runner: CliRunner) -> None:
    result = runner.invoke(app, ["network", "--set", "half_life"])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[0] == (
        "Error: Invalid index settings: set: must be KEY=VALUE, e.g. weights.exercise=2 "
        "(got 'half_life')"
    )


def test_a_value_out_of_range_exits_1(runner: CliRunner) -> None:
    result = runner.invoke(app, ["compare", "PHL", "USA", "--set", "half_life=0"])
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        "Error: Invalid index settings: half_life: Input should be greater than or equal to 0.5 "
        "(got 0)\n  Hint: The range of each setting is in docs/methodology.md.\n"
    )


def test_a_missing_settings_file_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    result = runner.invoke(app, ["profile", "PHL", "--settings", str(path)])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[0] == (
        f"Error: Invalid settings file: {path}: cannot be read (No such file or directory)"
    )


def test_a_settings_file_that_is_not_toml_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[weights\n", encoding="utf-8")
    result = runner.invoke(app, ["dyad", "PHL", "USA", "--settings", str(path)])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[0] == (
        f"Error: Invalid settings file: {path}: is not valid TOML "
        "(Expected ']' at the end of a table declaration (at line 1, column 9))"
    )
