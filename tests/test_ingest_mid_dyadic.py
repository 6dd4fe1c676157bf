"""The mid_dyadic importer: GML MID and MID 5 dispute dyad-years, Thompson-Dreyer rivalries."""

from __future__ import annotations

import csv
import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, select

from comity.access import Viewer
from comity.errors import ImportRejectedError, UnknownNationError
from comity.ingest.base import ImportReport
from comity.ingest.datasets.mid_dyadic import IMPORTER
from comity.nations.resolver import default_resolver
from comity.services.imports import bundled_paths, import_dataset
from comity.store import Store, open_store, tables

_VENICE = (
    "rivalry with the Republic of Venice (code 324), which ended before the state system (1816) "
    "and has no nation in comity"
)
_GML_HEADER = (
    "dispnum,ccode1,ccode2,year,gmlmidongoing,gmlmidonset,sidea1,sidea2,fatality1,fatality2,"
    "fatalpre1,fatalpre2,hiact1,hiact2,hostlev1,hostlev2,orig1,orig2,fatality,hostlev,recip,"
    "mindur,maxdur,stmon"
).split(",")
_RIVALRY_HEADER = "rivalryno,rivalryname,ccode1,ccode2,styear,endyear,region,type1,type2,type3"


# --- helpers ---------------------------------------------------------------------------------


def _paths() -> list[Path]:
    return bundled_paths(IMPORTER)


def _frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    gml, mid5, rivalries = _paths()
    return pd.read_csv(gml), pd.read_csv(mid5), pd.read_csv(rivalries, keep_default_na=False)


def _import(store: Store, viewer: Viewer, paths: list[Path] | None = None) -> ImportReport:
    return import_dataset(store, IMPORTER, paths, viewer=viewer)


def _rejected(store: Store, viewer: Viewer, paths: list[Path]) -> ImportReport:
    with pytest.raises(ImportRejectedError) as caught:
        _import(store, viewer, paths)
    report = caught.value.report
    assert isinstance(report, ImportReport)
    return report


def _rows(store: Store, table: Any) -> list[Any]:
    with store.connect() as connection:
        return list(connection.execute(select(table).where(table.c.dataset == "mid_dyadic")))


def _written(store: Store) -> int:
    """Rows of any table that belong to the dataset."""
    with store.connect() as connection:
        return sum(
            int(
                connection.execute(
                    select(func.count()).select_from(table).where(table.c[column] == "mid_dyadic")
                ).scalar_one()
            )
            for table, column in (
                (tables.dispute_years, "dataset"),
                (tables.rivalries, "dataset"),
                (tables.coverage, "dataset"),
                (tables.datasets, "name"),
                (tables.import_runs, "dataset"),
            )
        )


def _dispute_row(**values: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(_GML_HEADER, 0)
    row.update(
        {
            "dispnum": 2968,
            "ccode1": 2,
            "ccode2": 20,
            "year": 1979,
            "gmlmidongoing": 1,
            "gmlmidonset": 1,
            "sidea2": 1,
            "hostlev1": 1,
            "hostlev2": 4,
            "hostlev": 4,
            "orig1": 1,
            "orig2": 1,
            "mindur": 6,
            "maxdur": 6,
            "stmon": 8,
        }
    )
    row.update(values)
    return row


def _mirror(row: dict[str, object]) -> dict[str, object]:
    swapped = dict(row)
    for name in ("ccode", "sidea", "fatality", "fatalpre", "hiact", "hostlev", "orig"):
        swapped[f"{name}1"], swapped[f"{name}2"] = row[f"{name}2"], row[f"{name}1"]
    return swapped


def _write_disputes(folder: Path, rows: list[dict[str, object]]) -> Path:
    path = folder / "gml_mid_ddydisps.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=_GML_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _write_rivalries(folder: Path, lines: list[str]) -> Path:
    path = folder / "td_rivalries.csv"
    path.write_text("\n".join([_RIVALRY_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


_USA_CANADA = [_dispute_row(), _mirror(_dispute_row())]
_INDIA_PAKISTAN = "106,India-Pakistan,750,770,1947,2010,South Asia,positional,spatial,"


# --- the bundled files -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def imported(
    seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, ImportReport]]:
    """The bundled files imported once into a fresh store, read only by the tests below."""
    path = tmp_path_factory.mktemp("mid_dyadic") / "comity.db"
    shutil.copyfile(seeded_sqlite_file, path)
    store = open_store(f"sqlite:///{path}")
    report = _import(store, Viewer.operator("tester"))
    yield store, report
    store.dispose()


@pytest.mark.full_data
def test_import_reads_every_row_and_folds_the_two_orders(
    imported: tuple[Store, ImportReport],
) -> None:
    store, report = imported
    gml, mid5, rivalries = _frames()
    assert report.rows_read == len(gml) + len(mid5) + len(rivalries) == 9284 + 10234 + 197

    def folded(frame: pd.DataFrame) -> int:
        low = frame[["ccode1", "ccode2"]].min(axis=1)
        high = frame[["ccode1", "ccode2"]].max(axis=1)
        return len(set(zip(frame.dispnum, low, high, frame.year, strict=True)))

    # Every dyad-year is written in both orders: folding halves each file.
    assert (folded(gml), folded(mid5)) == (len(gml) // 2, len(mid5) // 2) == (4642, 5117)
    venice = int(((rivalries.ccode1 == 324) | (rivalries.ccode2 == 324)).sum())
    assert venice == 2
    expected = folded(gml) + folded(mid5) + len(rivalries) - venice
    assert report.added == expected == 9954
    assert len(_rows(store, tables.dispute_years)) == 4642 + 5117
    assert len(_rows(store, tables.rivalries)) == 195
    # The only rows left out: Ottoman Empire-Venice (1494-1717) and Portugal-Venice (1494-1580).
    assert report.excluded == {_VENICE: 2}
    # The two orders of every dyad-year agree in both files: nothing to correct.
    assert report.corrected == {}


@pytest.mark.full_data
def test_every_code_resolves_for_its_year() -> None:
    resolver = default_resolver()
    gml, mid5, rivalries = _frames()
    wanted = {
        (c, y)
        for frame in (gml, mid5)
        for col in ("ccode1", "ccode2")
        for c, y in zip(frame[col], frame.year, strict=True)
    }
    wanted |= {
        (c, max(y, 1816))
        for col in ("ccode1", "ccode2")
        for c, y in zip(rivalries[col], rivalries.styear, strict=True)
    }
    unresolved = set()
    for code, year in wanted:
        try:
            resolver.resolve_key(str(code), system="cow", year=int(year))
        except UnknownNationError:
            unresolved.add(code)
    # Documented exclusion: 324, the Republic of Venice, in the rivalry file only.
    assert unresolved == {324}
    assert 324 not in set(gml.ccode1) | set(mid5.ccode1)


def _dispute(store: Store, dispute: str, year: int, pair: tuple[str, str]) -> tuple[Any, ...]:
    table = tables.dispute_years
    with store.connect() as connection:
        row = connection.execute(
            select(
                table.c.nation1,
                table.c.nation2,
                table.c.onset,
                table.c.hostility,
                table.c.fatality,
                table.c.initiator,
            ).where(
                table.c.dispute == dispute,
                table.c.year == year,
                table.c.nation1 == pair[0],
                table.c.nation2 == pair[1],
            )
        ).one()
    return tuple(row)


@pytest.mark.full_data
@pytest.mark.parametrize(
    ("dispute", "year", "expected"),
    [
        # USA-Canada 1979 (fishing dispute): Canada alone on side A.
        ("gml:2968", 1979, ("CAN", "USA", True, 4, 0, "CAN")),
        # Cuban missile crisis: under the Soviet Union, not Russia; US fatality level 4.
        ("gml:1353", 1962, ("SUN", "USA", True, 5, 4, "SUN")),
        # Taiwan Strait 1954: the dispute's fatality is 6, but neither the US nor the USSR lost
        # anyone: the pair's level is 0.
        ("gml:50", 1954, ("SUN", "USA", True, 4, 0, "USA")),
        # Kargil 1999.
        ("gml:4223", 1999, ("IND", "PAK", True, 4, 2, "IND")),
        # Berlin 1961: West Germany (260) is DEU, East Germany (265) DDR.
        ("gml:2219", 1961, ("DDR", "DEU", True, 4, 1, "DDR")),
        # Senkaku/Diaoyu, MID 5: ongoing in 2012; in 2013 the dyad-year went to another MID.
        ("mid5:4491", 2012, ("CHN", "JPN", False, 4, 0, "JPN")),
        ("mid5:4694", 2013, ("CHN", "JPN", True, 3, 0, "JPN")),
        # USA-Syria 2012: Syria's fatality unknown (-9), so the pair's is unknown.
        ("mid5:4691", 2012, ("SYR", "USA", True, 4, None, "SYR")),
        # After 1991, 365 is Russia again.
        ("mid5:4691", 2013, ("RUS", "USA", True, 3, 0, "RUS")),
    ],
)
def test_known_disputes_are_stored_as_in_the_files(
    imported: tuple[Store, ImportReport], dispute: str, year: int, expected: tuple[Any, ...]
) -> None:
    assert _dispute(imported[0], dispute, year, expected[:2]) == expected


@pytest.mark.full_data
def test_the_two_files_overlap_and_both_are_kept(imported: tuple[Store, ImportReport]) -> None:
    store = imported[0]
    pair = ("IRQ", "USA")
    assert _dispute(store, "gml:4273", 2003, pair) == _dispute(store, "mid5:4273", 2003, pair)
    years = {row.year for row in _rows(store, tables.dispute_years)}
    assert (min(years), max(years)) == (1816, 2014)


def _rivalry(store: Store, number: str) -> tuple[Any, ...] | None:
    table = tables.rivalries
    with store.connect() as connection:
        row = connection.execute(
            select(
                table.c.name,
                table.c.nation1,
                table.c.nation2,
                table.c.first_year,
                table.c.last_year,
                table.c.region,
                table.c.types,
            ).where(table.c.rivalry == number)
        ).first()
    return None if row is None else tuple(row)


@pytest.mark.full_data
@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("106", ("India-Pakistan", "IND", "PAK", 1947, 2010, "South Asia", "positional,spatial")),
        (
            "99",
            (
                "Russia-United States 1",
                "SUN",
                "USA",
                1945,
                1989,
                "Global",
                "positional,ideological",
            ),
        ),
        ("197", ("Russia-United States 2", "RUS", "USA", 2007, 2010, "Multiple", "positional")),
        # Before 1816 the codes are read for 1816.
        ("3", ("Britain-France 1", "FRA", "GBR", 1494, 1716, "European GPs", "spatial,positional")),
        (
            "117",
            (
                "West Germany-East Germany",
                "DDR",
                "DEU",
                1949,
                1973,
                "Eastern Europe",
                "ideological,positional,spatial",
            ),
        ),
        # 345 in 1992 is Yugoslavia (Serbia and Montenegro) in the CoW system.
        ("185", ("Bosnia-Serbia", "BIH", "YUG", 1992, 2010, "Southeast Europe", "spatial")),
        ("6", None),
        ("8", None),
    ],
)
def test_known_rivalries_are_stored_as_in_the_file(
    imported: tuple[Store, ImportReport], number: str, expected: tuple[Any, ...] | None
) -> None:
    assert _rivalry(imported[0], number) == expected


@pytest.mark.full_data
def test_coverage_is_recorded_per_file(imported: tuple[Store, ImportReport]) -> None:
    spans = sorted(
        (row.first_year, row.last_year, row.note.split(":")[0])
        for row in _rows(imported[0], tables.coverage)
    )
    assert spans == [
        (1494, 2010, "td_rivalries"),
        (1816, 2010, "gml_mid_ddydisps"),
        (1816, 2014, "cow_mid5_ddydisps"),
    ]


@pytest.mark.full_data
def test_importing_twice_changes_nothing(store: Store, operator: Viewer) -> None:
    first = _import(store, operator)
    second = _import(store, operator)
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == first.added


@pytest.mark.full_data
def test_one_changed_value_updates_one_record(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    first = _import(store, operator)
    copies = []
    for path in _paths():
        copies.append(tmp_path / path.name)
        shutil.copyfile(path, copies[-1])
    text = copies[2].read_text(encoding="utf-8")
    assert text.count(_INDIA_PAKISTAN) == 1
    copies[2].write_text(text.replace(_INDIA_PAKISTAN, _INDIA_PAKISTAN.replace("2010", "2009")))
    second = _import(store, operator, copies)
    assert (second.added, second.updated, second.removed) == (0, 1, 0)
    assert second.unchanged == first.added - 1
    assert _rivalry(store, "106") == (
        "India-Pakistan",
        "IND",
        "PAK",
        1947,
        2009,
        "South Asia",
        "positional,spatial",
    )


# --- rules, on small files -------------------------------------------------------------------


def test_a_dyad_year_written_in_both_orders_becomes_one_record(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    report = _import(store, operator, [_write_disputes(tmp_path, _USA_CANADA)])
    assert (report.rows_read, report.added, report.corrected) == (2, 1, {})
    row = _rows(store, tables.dispute_years)[0]
    assert (row.dispute, row.nation1, row.nation2, row.year) == ("gml:2968", "CAN", "USA", 1979)


def test_orders_that_disagree_are_corrected_to_the_higher_level(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    rows = [_dispute_row(), _mirror(_dispute_row(hostlev2=5, fatality1=2, gmlmidonset=0))]
    report = _import(store, operator, [_write_disputes(tmp_path, rows)])
    assert report.corrected == {
        "the two orders disagree on hostility: the higher kept": 1,
        "the two orders disagree on fatality: the higher kept": 1,
        "the two orders disagree on onset: onset kept": 1,
    }
    row = _rows(store, tables.dispute_years)[0]
    assert (row.onset, row.hostility, row.fatality, row.initiator) == (True, 5, 2, "CAN")


def test_unknown_fatality_and_hostility_are_stored_as_none(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    row = _dispute_row(fatality1=-9, hostlev1="NA", hostlev2=-9, sidea1=1)
    _import(store, operator, [_write_disputes(tmp_path, [row, _mirror(row)])])
    stored = _rows(store, tables.dispute_years)[0]
    assert (stored.hostility, stored.fatality, stored.initiator) == (None, None, None)


def test_a_third_row_for_the_same_dyad_year_is_rejected(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    path = _write_disputes(tmp_path, [*_USA_CANADA, _dispute_row()])
    report = _rejected(store, operator, [path])
    assert [(i.file, i.row, i.column, i.reason) for i in report.issues] == [
        (
            "gml_mid_ddydisps.csv.gz",
            4,
            "dispnum",
            "repeats the dispute, pair, year and order of row 2",
        ),
    ]
    assert _written(store) == 0


def test_a_venice_rivalry_after_1815_is_rejected(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    path = _write_rivalries(tmp_path, ["6,Ottoman Empire-Venice,324,640,1494,1817,x,spatial,,"])
    report = _rejected(store, operator, [path])
    assert [(i.file, i.row, i.column, i.value) for i in report.issues] == [
        ("td_rivalries.csv", 2, "ccode1", "324")
    ]


def test_a_venice_rivalry_before_1816_is_excluded(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    lines = ["8,Portugal-Venice,235,324,1494,1580,European GPs,positional,,", _INDIA_PAKISTAN]
    report = _import(store, operator, [_write_rivalries(tmp_path, lines)])
    assert (report.rows_read, report.added, report.excluded) == (2, 1, {_VENICE: 1})


# --- bad input -------------------------------------------------------------------------------


def _bad_disputes(folder: Path, case: str) -> Path:
    path = folder / "gml_mid_ddydisps.csv"
    header = ",".join(_GML_HEADER)
    good = ",".join(str(v) for v in _dispute_row().values())
    text = {
        "malformed value": f"{header}\n{good.replace('1979', '19x9', 1)}\n",
        "too many fields": f"{header}\n{good},1\n",
        "unknown code": f"{header}\n{good.replace('2968,2,20', '2968,2,999', 1)}\n",
        "missing column": header.replace(",hostlev2", "") + "\n",
        "empty file": "",
    }[case]
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("case", "row", "column", "reason"),
    [
        ("malformed value", 2, "year", "is not a whole number"),
        ("too many fields", 2, None, "has 25 fields, the header 24"),
        ("unknown code", 2, "ccode2", "999"),
        ("missing column", 1, None, "missing column(s) hostlev2"),
        ("empty file", None, None, "the file is empty"),
    ],
)
def test_bad_dispute_files_are_rejected_with_their_place(
    store: Store,
    operator: Viewer,
    tmp_path: Path,
    case: str,
    row: int | None,
    column: str | None,
    reason: str,
) -> None:
    report = _rejected(store, operator, [_bad_disputes(tmp_path, case)])
    issue = report.issues[0]
    assert (issue.file, issue.row, issue.column) == ("gml_mid_ddydisps.csv", row, column)
    assert reason in str(issue)
    assert _written(store) == 0


def test_a_file_that_is_not_utf8_is_rejected(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    path = _write_rivalries(tmp_path, [])
    path.write_bytes(
        (_RIVALRY_HEADER + "\n").encode()
        + "1,Côte-Mali,437,432,1990,2000,x,spatial,,\n".encode("latin-1")
    )
    report = _rejected(store, operator, [path])
    assert [(i.file, i.row) for i in report.issues] == [("td_rivalries.csv", None)]
    assert "is not UTF-8" in report.issues[0].reason
    assert _written(store) == 0


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        ("1,A-B,2,20,1990,1980,x,spatial,,", "styear/endyear", "the years must run forward"),
        ("1,A-B,2,20,1990,2000,x,,,", "type1", "at least one type"),
        ("1,A-B,2,20,1990,2000,x,cultural,,", "type1..type3", "must be spatial"),
        ("1,,2,20,1990,2000,x,spatial,,", "rivalryname", "is empty"),
        ("1,A-B,2,2,1990,2000,x,spatial,,", "ccode1/ccode2", "both codes stand for USA"),
    ],
)
def test_bad_rivalries_are_rejected_with_their_place(
    store: Store, operator: Viewer, tmp_path: Path, line: str, column: str, reason: str
) -> None:
    report = _rejected(store, operator, [_write_rivalries(tmp_path, [line])])
    issue = report.issues[0]
    assert (issue.file, issue.row, issue.column) == ("td_rivalries.csv", 2, column)
    assert reason in issue.reason
    assert _written(store) == 0
