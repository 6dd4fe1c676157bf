"""Tables for people in the terminal: headings in words, the columns that fit, a trend line."""

from __future__ import annotations

from typing import Any

import pytest

from comity.cli.output import Column, OutputFormat, emit, heading_of, sparkline

ROWS = [
    {"year": 2020, "index": 12.5, "fatal_disputes_50y": 3, "media_tone": -1.25},
    {"year": 2021, "index": 13.0, "fatal_disputes_50y": None, "media_tone": 0.5},
]


def _columns(priorities: dict[str, int]) -> list[Column]:
    return [
        Column(name, lambda row, name=name: row[name], priority=priority)
        for name, priority in priorities.items()
    ]


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


@pytest.fixture(autouse=True)
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal of 40 columns."""
    monkeypatch.setenv("COLUMNS", "40")


def test_headings_are_words_and_every_line_fits(capsys: pytest.CaptureFixture[str]) -> None:
    columns = _columns({"year": 0, "index": 0, "fatal_disputes_50y": 1})
    emit(ROWS, columns, OutputFormat.TABLE, wide=False)
    lines = _lines(capsys)
    assert all(len(line) <= 40 for line in lines)
    assert "Fatal 50y" in lines[1] and "fatal_disputes" not in "".join(lines)
    # A missing value is an empty cell, not "None".
    assert "None" not in "".join(lines)


def test_columns_that_do_not_fit_are_named_under_the_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    columns = _columns({"year": 0, "index": 0, "fatal_disputes_50y": 2, "media_tone": 1})
    emit(ROWS, columns, OutputFormat.TABLE, wide=False)
    out = "\n".join(_lines(capsys))
    # Year, Index and Media tone (priority 1) take 7 + 8 + 13 + 1 = 29 columns (the widest
    # cell or heading, padding and border, and the left border); Fatal 50y needs 12 more.
    header = out.splitlines()[1]
    assert "Year" in header and "Index" in header and "Media tone" in header
    assert "Fatal 50y" not in header
    assert "Not shown at this width: Fatal 50y (--wide shows them; --json and --csv" in out
    emit(ROWS, columns, OutputFormat.TABLE, wide=True)
    assert "Fatal 50y" in _lines(capsys)[1]


def test_a_command_without_wide_points_to_json_and_csv(
    capsys: pytest.CaptureFixture[str],
) -> None:
    columns = _columns({"year": 0, "index": 0, "fatal_disputes_50y": 2, "media_tone": 1})
    emit(ROWS, columns, OutputFormat.TABLE)
    out = capsys.readouterr().out
    assert "Not shown at this width: Fatal 50y (--json and --csv carry every column)." in out


def test_json_and_csv_keep_every_column_and_key(capsys: pytest.CaptureFixture[str]) -> None:
    columns = _columns({"year": 0, "index": 0, "fatal_disputes_50y": 2, "media_tone": 1})
    emit(ROWS, columns, OutputFormat.CSV)
    assert capsys.readouterr().out.splitlines()[0] == "year,index,fatal_disputes_50y,media_tone"


@pytest.mark.parametrize(
    ("name", "heading"),
    [("fatal_disputes_50y", "Fatal 50y"), ("interoperability", "Interop."), ("name", "Name")],
)
def test_heading_of(name: str, heading: str) -> None:
    assert heading_of(name) == heading


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ([0.0, 1.0, None, 2.0], "▁▅ █"),  # 1 is half-way: the fifth of eight blocks
        ([5.0, 5.0], "▁▁"),
        ([None], ""),
        ([], ""),
    ],
)
def test_sparkline(values: list[Any], line: str) -> None:
    assert sparkline(values) == line


def test_a_long_title_is_cut_to_fit_and_the_short_columns_stay_whole(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [{"id": 7768, "title": "ATOP alliance: Germany - United Kingdom (defence)", "kind": "x"}]
    emit(rows, _columns({"id": 0, "title": 0, "kind": 0}), OutputFormat.TABLE)
    lines = _lines(capsys)
    assert {len(line) for line in lines} == {40}
    # Id and Kind keep their widest cell ("7768", "Kind": 4 + 3 each); the title takes what is
    # left, 40 - 1 - 7 - 7 - 3 = 22 characters, the last an ellipsis.
    assert [cell.strip() for cell in lines[3].split("│")[1:-1]] == [
        "7768",
        "ATOP alliance: German…",
        "x",
    ]


def test_a_list_wraps_over_lines_rather_than_being_cut(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    text = "alliance 1949-2025, co-members of NATO; alliance 1992-2025, co-members of CSTO"
    columns = [
        Column("name", lambda row: row["name"]),
        Column("coverage", lambda row: row["coverage"], wrap=True),
    ]
    emit([{"name": "organisations", "coverage": text}], columns, OutputFormat.TABLE)
    lines = _lines(capsys)
    # The name keeps its 13 characters (16 with padding and border); the list gets the 40
    # left (60 - 1 - 16 - 3) and wraps at its words.
    assert {len(line) for line in lines} == {60}
    cells = [line.split("│")[2].strip() for line in lines[3:-1]]
    assert cells == [
        "alliance 1949-2025, co-members of NATO;",
        "alliance 1992-2025, co-members of CSTO",
    ]
