"""Settings changed for one call: ``key=value`` pairs and TOML files, read once for CLI and API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from comity.analytics.settings import (
    IndexSettings,
    default_settings,
    parse_assignments,
    parse_overrides,
    read_overrides_file,
    setting_keys,
)
from comity.errors import ValidationError

TOP_LEVEL_HINT = (
    "Settings: half_life, kappa, partner_threshold, window, beyond_coverage, projection_years, "
    "default_year_observed_share, and the keys of weights, alliance, visit, education, "
    "components (e.g. weights.exercise); see docs/methodology.md."
)
METHOD = default_settings().method_version
WEIGHTS_HINT = (
    "Keys of weights: exercise, humanitarian, research, training, cultural_event, port_call, "
    "peacekeeping, outreach, agreement, media_event, arms_transfer, presence, posting."
)


def _error(assignments: list[str], file: Path | None = None) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse_overrides(assignments, file=file)
    return caught.value


@pytest.mark.parametrize(
    ("assignments", "expected"),
    [
        (["half_life=5"], {"half_life": 5}),
        (["kappa=12.5"], {"kappa": 12.5}),
        (["weights.exercise=2"], {"weights": {"exercise": 2}}),
        (["beyond_coverage=missing"], {"beyond_coverage": "missing"}),
        (['beyond_coverage="hold"'], {"beyond_coverage": "hold"}),
        ([" half_life = 4 "], {"half_life": 4}),
        (["kappa=1_000"], {"kappa": 1000}),
        (
            ['components.cultural=["education", "visit"]'],
            {"components": {"cultural": ["education", "visit"]}},
        ),
        (
            ["weights.exercise=2", "weights.training=0.5", "half_life=5"],
            {"weights": {"exercise": 2, "training": 0.5}, "half_life": 5},
        ),
        (["half_life=5", "half_life=6"], {"half_life": 6}),
        ([], {}),
    ],
)
def test_pairs_are_read_as_toml_values_nested_by_section(
    assignments: list[str], expected: dict[str, Any]
) -> None:
    assert parse_overrides(assignments) == expected


def test_the_overrides_are_what_the_settings_take() -> None:
    overrides = parse_overrides(["weights.exercise=2", "half_life=5", "beyond_coverage=hold"])
    settings = default_settings().with_overrides(overrides)
    assert (settings.weights.exercise, settings.half_life, settings.beyond_coverage) == (
        2.0,
        5.0,
        "hold",
    )
    assert settings.weights.training == default_settings().weights.training
    assert settings.digest() != default_settings().digest()


def test_setting_a_default_value_keeps_the_default_digest() -> None:
    overrides = parse_overrides(["half_life=3", "weights.exercise=1"])
    assert default_settings().with_overrides(overrides).digest() == default_settings().digest()


def test_setting_keys_are_every_field_but_the_method_version() -> None:
    keys = setting_keys()
    assert keys[:7] == (
        "half_life",
        "kappa",
        "partner_threshold",
        "window",
        "beyond_coverage",
        "projection_years",
        "default_year_observed_share",
    )
    assert "weights.exercise" in keys and "alliance.defence" in keys
    assert "components.cultural" in keys and "method_version" not in keys
    assert len(keys) == len(IndexSettings.model_fields) - 1 - 5 + 13 + 6 + 4 + 3 + 3


def test_an_unknown_key_is_named_with_the_valid_keys() -> None:
    error = _error(["nope=1"])
    assert error.message == "Invalid index settings: nope: is not a setting of the index"
    assert error.hint == TOP_LEVEL_HINT
    assert [(p.field, p.reason) for p in error.problems] == [
        ("nope", "is not a setting of the index")
    ]


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        ("halflife", "half_life"),
        ("exercise", "weights.exercise"),
        ("wieghts.exercise", "weights.exercise"),
    ],
)
def test_an_unknown_key_suggests_the_closest(key: str, suggestion: str) -> None:
    error = _error([f"{key}=2"])
    assert error.message == f"Invalid index settings: {key}: is not a setting of the index"
    assert error.hint is not None and error.hint.startswith(f"Did you mean {suggestion}?")


def test_an_unknown_key_of_a_section_lists_that_sections_keys() -> None:
    error = _error(["weights.exercse=2"])
    assert error.message == (
        "Invalid index settings: weights.exercse: is not a setting of the index"
    )
    assert error.hint == f"Did you mean weights.exercise? {WEIGHTS_HINT}"


@pytest.mark.parametrize("text", ["half_life", "=3", "half_life=", "  =  "])
def test_a_pair_without_key_or_value_is_malformed(text: str) -> None:
    error = _error([text])
    assert error.message == (
        f"Invalid index settings: set: must be KEY=VALUE, e.g. weights.exercise=2 (got {text!r})"
    )
    assert error.hint == "Every setting is described in docs/methodology.md."


def test_every_bad_pair_is_named_at_once() -> None:
    error = _error(["a.b.c=1", "x", "nope=2", "half_life=5"])
    assert error.message == (
        "Invalid index settings (3 problems): a.b.c: is not a setting of the index; "
        "set: must be KEY=VALUE, e.g. weights.exercise=2 (got 'x'); "
        "nope: is not a setting of the index"
    )


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        (
            "weights=2",
            "weights: is a table of settings: set one of its keys, e.g. weights.exercise",
        ),
        ("half_life.years=2", "half_life.years: is not a setting of the index"),
        ("window=true", "window: must be a number, not true or false (got true)"),
        (
            "weights.exercise=false",
            "weights.exercise: must be a number, not true or false (got false)",
        ),
        (
            "method_version=0.1",
            f"method_version: is {METHOD}: it names the method and cannot be changed (got 0.1)",
        ),
    ],
)
def test_a_key_in_the_wrong_place_is_named(assignment: str, message: str) -> None:
    assert _error([assignment]).message == f"Invalid index settings: {message}"


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("half_life=-1", "half_life: Input should be greater than or equal to 0.5 (got -1)"),
        (
            "kappa=abc",
            "kappa: Input should be a valid number, unable to parse string as a number (got 'abc')",
        ),
        (
            "beyond_coverage=sometimes",
            "beyond_coverage: Input should be 'project', 'hold', "
            "'decay' or 'missing' (got 'sometimes')",
        ),
        (
            "weights.exercise=1001",
            "weights.exercise: Input should be less than or equal to 1000 (got 1001)",
        ),
        (
            "window=2.5",
            "window: Input should be a valid integer, got a number with a "
            "fractional part (got 2.5)",
        ),
    ],
)
def test_a_value_out_of_its_range_is_named(assignment: str, message: str) -> None:
    error = _error([assignment])
    assert error.message == f"Invalid index settings: {message}"
    assert error.hint == "The range of each setting is in docs/methodology.md."


def test_parse_assignments_leaves_ranges_to_the_settings() -> None:
    assert parse_assignments(["half_life=-1"]) == {"half_life": -1}


def test_a_settings_file_is_read_in_the_shape_of_tie_index_toml(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'method_version = "2.1"\nhalf_life = 5\nbeyond_coverage = "decay"\n\n'
        "[weights]\nexercise = 2.0\ntraining = 0\n",
        encoding="utf-8",
    )
    assert parse_overrides(file=path) == {
        "half_life": 5,
        "beyond_coverage": "decay",
        "weights": {"exercise": 2.0, "training": 0},
    }


def test_set_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("half_life = 5\n[weights]\nexercise = 2.0\nresearch = 3\n", encoding="utf-8")
    overrides = parse_overrides(["weights.exercise=4", "kappa=30"], file=path)
    assert overrides == {
        "half_life": 5,
        "weights": {"exercise": 4, "research": 3},
        "kappa": 30,
    }


def test_set_may_correct_a_value_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("half_life = 0.1\n", encoding="utf-8")
    assert parse_overrides(["half_life=2"], file=path) == {"half_life": 2}


def test_the_whole_default_file_is_a_valid_settings_file() -> None:
    from importlib import resources

    path = Path(str(resources.files("comity.analytics").joinpath("tie_index.toml")))
    overrides = parse_overrides(file=path)
    assert default_settings().with_overrides(overrides) == default_settings()


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    error = _error([], file=path)
    assert error.message == (
        f"Invalid settings file: {path}: cannot be read (No such file or directory)"
    )
    assert error.hint == (
        "Give a TOML file shaped like tie_index.toml, e.g. half_life = 5, then [weights] and "
        "exercise = 2."
    )


def test_a_folder_is_not_a_settings_file(tmp_path: Path) -> None:
    assert _error([], file=tmp_path).message == (
        f"Invalid settings file: {tmp_path}: cannot be read (Is a directory)"
    )


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(b"# caf\xe9\nhalf_life = 5\n")
    assert _error([], file=path).message.startswith(
        f"Invalid settings file: {path}: cannot be read ('utf-8' codec can't decode byte 0xe9"
    )


def test_a_file_that_is_not_toml_is_named_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("half_life = 5\nkappa\n", encoding="utf-8")
    assert _error([], file=path).message == (
        f"Invalid settings file: {path}: is not valid TOML "
        "(Expected '=' after a key in a key/value pair (at line 2, column 6))"
    )


def test_unknown_keys_of_a_file_are_named_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "typos.toml"
    path.write_text("halflife = 5\n[weights]\nexcercise = 2\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        read_overrides_file(path)
    assert caught.value.message == (
        f"Invalid settings file {path} (2 problems): halflife: is not a setting of the index; "
        "weights.excercise: is not a setting of the index"
    )
    assert caught.value.hint == f"Did you mean half_life or weights.exercise? {TOP_LEVEL_HINT}"


def test_a_table_where_a_value_belongs_is_named(tmp_path: Path) -> None:
    path = tmp_path / "table.toml"
    path.write_text("[kappa]\nvalue = 3\n", encoding="utf-8")
    assert _error([], file=path).message == (
        f"Invalid settings file {path}: kappa: takes one value, not a table"
    )


def test_another_method_version_in_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text('method_version = "0.1"\n', encoding="utf-8")
    assert _error([], file=path).message == (
        f"Invalid settings file {path}: method_version: is {METHOD}: it names the method and "
        "cannot be changed (got '0.1')"
    )
