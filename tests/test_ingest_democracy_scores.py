"""The democracy_scores importer: V-Dem polyarchy, Polity2 and extended UDS by CoW state-year."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, select

from comity.access import Viewer
from comity.errors import ImportRejectedError
from comity.ingest.base import ImportReport
from comity.ingest.datasets.democracy_scores import IMPORTER
from comity.nations.resolver import default_resolver
from comity.services.imports import bundled_paths, import_dataset
from comity.store import Store, open_store, tables

_MEASURES = ("v2x_polyarchy", "polity2", "xm_qudsest")
_NOT_CODED = "not coded (empty or NA)"
_SUPERSEDED = (
    "value of a code that did not hold the nation on 1 July (the value of the code that did is "
    "kept)"
)
_HEADER = "ccode,year,v2x_polyarchy,polity2,xm_qudsest"


def _path() -> Path:
    return bundled_paths(IMPORTER)[0]


def _import(store: Store, viewer: Viewer, paths: list[Path] | None = None) -> ImportReport:
    return import_dataset(store, IMPORTER, paths, viewer=viewer)


def _rejected(store: Store, viewer: Viewer, path: Path) -> ImportReport:
    with pytest.raises(ImportRejectedError) as caught:
        _import(store, viewer, [path])
    report = caught.value.report
    assert isinstance(report, ImportReport)
    return report


def _write(folder: Path, lines: list[str], header: str = _HEADER) -> Path:
    path = folder / "ccode_democracy.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _scores(store: Store) -> dict[tuple[str, str, int], float]:
    table = tables.nation_scores
    with store.connect() as connection:
        rows = connection.execute(
            select(table.c.measure, table.c.nation, table.c.year, table.c.value).where(
                table.c.dataset == "democracy_scores"
            )
        )
        return {(r.measure, r.nation, r.year): r.value for r in rows}


def _written(store: Store) -> int:
    """Rows of any table that belong to the dataset."""
    with store.connect() as connection:
        return sum(
            int(
                connection.execute(
                    select(func.count())
                    .select_from(table)
                    .where(table.c[column] == "democracy_scores")
                ).scalar_one()
            )
            for table, column in (
                (tables.nation_scores, "dataset"),
                (tables.coverage, "dataset"),
                (tables.datasets, "name"),
                (tables.import_runs, "dataset"),
            )
        )


# --- the bundled file ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imported(
    seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, ImportReport, dict[tuple[str, str, int], float]]]:
    """The bundled file imported once into a fresh store, with its scores, read only below."""
    path = tmp_path_factory.mktemp("democracy_scores") / "comity.db"
    shutil.copyfile(seeded_sqlite_file, path)
    store = open_store(f"sqlite:///{path}")
    report = _import(store, Viewer.operator("tester"))
    yield store, report, _scores(store)
    store.dispose()


@pytest.mark.full_data
def test_import_writes_one_score_per_coded_value(imported: tuple[Any, ...]) -> None:
    _, report, scores = imported
    frame = pd.read_csv(_path())
    assert report.rows_read == len(frame) == 16731
    coded = int(frame[list(_MEASURES)].notna().sum().sum())
    missing = int(frame[list(_MEASURES)].isna().sum().sum())
    assert coded + missing == 3 * len(frame)
    # Three values of a second code for the same nation-year are dropped: DEU 1990 xm_qudsest
    # of 255 (260 held Germany on 1 July 1990), YEM 1990 polity2 and xm_qudsest of 678 (679
    # held Yemen from 22 May 1990).
    assert report.excluded == {_NOT_CODED: missing, _SUPERSEDED: 3}
    assert missing == 4030
    assert report.added == len(scores) == coded - 3 == 46160
    assert report.corrected == {}


@pytest.mark.full_data
def test_every_code_resolves_for_its_year() -> None:
    resolver = default_resolver()
    frame = pd.read_csv(_path())
    pairs = set(zip(frame.ccode, frame.year, strict=True))
    keys = {(c, y): resolver.resolve_key(str(c), system="cow", year=int(y)) for c, y in pairs}
    assert len(keys) == len(frame)
    # Only two nation-years have two codes: the mid-1990 successions, handled by a rule.
    nation_years = pd.Series(list(keys.values())).to_frame("nation")
    nation_years["year"] = [y for _, y in keys]
    doubled = nation_years[nation_years.duplicated(keep=False)]
    assert sorted(set(zip(doubled.nation, doubled.year, strict=True))) == [
        ("DEU", 1990),
        ("YEM", 1990),
    ]


@pytest.mark.full_data
@pytest.mark.parametrize(
    ("measure", "nation", "year", "value"),
    [
        ("polity2", "USA", 2000, 10.0),
        ("v2x_polyarchy", "USA", 2000, 0.863),
        # West Germany (260) is DEU; V-Dem has no value for it before 1990 (see below).
        ("polity2", "DEU", 1985, 10.0),
        ("v2x_polyarchy", "DEU", 1991, 0.909),
        ("v2x_polyarchy", "DEU", 1930, 0.564),
        ("polity2", "DDR", 1985, -9.0),
        # 365 is the Soviet Union from 1922 to 1991 and Russia again after.
        ("polity2", "SUN", 1985, -7.0),
        ("v2x_polyarchy", "SUN", 1985, 0.112),
        ("polity2", "RUS", 1992, 5.0),
        ("v2x_polyarchy", "RUS", 1921, 0.106),
        ("polity2", "YUG", 1985, -5.0),
        ("xm_qudsest", "IND", 2000, 1.201795),
        # 1990: 260's values where it has one, 255's V-Dem value where it has none; Yemen: 679.
        ("polity2", "DEU", 1990, 10.0),
        ("xm_qudsest", "DEU", 1990, 1.314243),
        ("v2x_polyarchy", "DEU", 1990, 0.891),
        ("xm_qudsest", "YEM", 1990, -0.159029),
        ("v2x_polyarchy", "YEM", 1990, 0.204),
    ],
)
def test_known_scores_are_stored_under_the_nation_of_their_year(
    imported: tuple[Any, ...], measure: str, nation: str, year: int, value: float
) -> None:
    assert imported[2][measure, nation, year] == pytest.approx(value, abs=1e-6)


@pytest.mark.full_data
def test_missing_values_are_not_stored(imported: tuple[Any, ...]) -> None:
    scores = imported[2]
    assert ("v2x_polyarchy", "DEU", 1985) not in scores
    assert ("polity2", "DEU", 1945) not in scores
    assert ("polity2", "RUS", 1985) not in scores
    assert not [key for key in scores if key[2] == 2020]


@pytest.mark.full_data
def test_coverage_is_recorded_per_measure(imported: tuple[Any, ...]) -> None:
    store = imported[0]
    with store.connect() as connection:
        rows = connection.execute(
            select(tables.coverage).where(tables.coverage.c.dataset == "democracy_scores")
        )
        spans = sorted((r.note.split(":")[0], r.first_year, r.last_year) for r in rows)
    assert spans == [
        ("polity2", 1816, 2017),
        ("v2x_polyarchy", 1816, 2019),
        ("xm_qudsest", 1816, 2017),
    ]


@pytest.mark.full_data
def test_importing_twice_changes_nothing(store: Store, operator: Viewer) -> None:
    first = _import(store, operator)
    second = _import(store, operator)
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == first.added


@pytest.mark.full_data
def test_one_changed_value_updates_one_score(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    first = _import(store, operator)
    with gzip.open(_path(), "rt", encoding="utf-8") as handle:
        text = handle.read()
    line = "2,2000,0.863,10,1.5906689784684143"
    assert sum(row.startswith(line) for row in text.splitlines()) == 1
    changed = tmp_path / "ccode_democracy.csv.gz"
    with gzip.open(changed, "wt", encoding="utf-8") as handle:
        handle.write(text.replace(line, line.replace(",10,", ",9,")))
    second = _import(store, operator, [changed])
    assert (second.added, second.updated, second.removed) == (0, 1, 0)
    assert second.unchanged == first.added - 1
    assert _scores(store)["polity2", "USA", 2000] == 9.0


# --- rules, on small files -------------------------------------------------------------------


def test_missing_values_are_counted_as_not_coded(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    report = _import(store, operator, [_write(tmp_path, ["2,2000,0.863,,NA", "20,2000,,,"])])
    assert (report.rows_read, report.added, report.excluded) == (2, 1, {_NOT_CODED: 5})
    assert _scores(store) == {("v2x_polyarchy", "USA", 2000): 0.863}


def test_a_nation_year_under_two_unknown_codes_is_rejected(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    path = _write(tmp_path, ["255,1991,0.9,10,1.9", "260,1991,,10,1.3"])
    report = _rejected(store, operator, path)
    issue = report.issues[0]
    assert (issue.file, issue.row, issue.column, issue.value) == (
        "ccode_democracy.csv",
        3,
        "ccode",
        "260",
    )
    assert "DEU in 1991 is also given under code 255 (row 2)" in issue.reason
    assert _written(store) == 0


@pytest.mark.parametrize(
    ("lines", "row", "column", "reason"),
    [
        (["2,2000,0.863,10,1.59", "2,2000,0.9,10,1.6"], 3, "ccode/year", "repeats the state-year"),
        (["2,2000,0.863,10.5,1.59"], 2, "polity2", "must be a whole number from -10 to 10"),
        (["2,2000,1.863,10,1.59"], 2, "v2x_polyarchy", "must be a number from 0 to 1"),
        (["2,2000,0.863,10,high"], 2, "xm_qudsest", "must be a number from -5 to 5"),
        (["2,2x00,0.863,10,1.59"], 2, "year", "is not a whole number"),
        (["2,1700,0.863,10,1.59"], 2, "year", "is not a year from 1789"),
        (["999,2000,0.5,1,0.1"], 2, "ccode", "999"),
        (["2,2000,0.863,10,1.59,7"], 2, None, "has 6 fields, the header 5"),
    ],
)
def test_bad_rows_are_rejected_with_their_place(
    store: Store,
    operator: Viewer,
    tmp_path: Path,
    lines: list[str],
    row: int,
    column: str | None,
    reason: str,
) -> None:
    report = _rejected(store, operator, _write(tmp_path, lines))
    issue = report.issues[0]
    assert (issue.file, issue.row, issue.column) == ("ccode_democracy.csv", row, column)
    assert reason in str(issue)
    assert _written(store) == 0


@pytest.mark.parametrize(
    ("content", "row", "reason"),
    [
        (b"", None, "the file is empty"),
        (b"ccode,year,v2x_polyarchy,polity2\n2,2000,0.8,10\n", 1, "missing column(s) xm_qudsest"),
        (_HEADER.encode() + b"\n2,2000,0.8,10,1\n\xff\xfe,2001,,,\n", None, "is not UTF-8"),
    ],
)
def test_bad_files_are_rejected(
    store: Store, operator: Viewer, tmp_path: Path, content: bytes, row: int | None, reason: str
) -> None:
    path = tmp_path / "ccode_democracy.csv"
    path.write_bytes(content)
    report = _rejected(store, operator, path)
    issue = report.issues[0]
    assert (issue.file, issue.row) == ("ccode_democracy.csv", row)
    assert reason in issue.reason
    assert _written(store) == 0
