"""The UN peacekeeping importer: row accounting, real facts, months, names, idempotency, input."""

from __future__ import annotations

import csv
import gzip
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from comity.access import Viewer
from comity.errors import ImportRejectedError
from comity.ingest.base import Batch, ImportContext
from comity.ingest.datasets.un_peacekeeping import (
    IMPORTER,
    NAMES,
    UnPeacekeeping,
    read_missions,
    read_months,
)
from comity.model.engagements import Engagement
from comity.nations.resolver import default_resolver
from comity.services.imports import bundled_paths, import_dataset
from comity.store import Store, tables

HEADER = "Year,Country,Mission,Female,Male,Total"
ITALY = "2015,Italy,UNIFIL,47,1001,1048"
MISSIONS_HEADER = "mission\tname\ttype\thost_iso3\tlocation\tmandating_body\tnote"
MONTHS_HEADER = "year\tmonths\tbasis"
DATA = Path(__file__).parent / "data" / "un_peacekeeping"
ROOT = Path(__file__).parents[1]
INCOMPLETE_2010 = (
    "2010 holds 8 contributors (Albania to Benin): the year is incomplete in its contributors"
)


def _read(paths: list[Path] | None = None) -> tuple[Batch, ImportContext]:
    return _read_with(IMPORTER, paths or bundled_paths(IMPORTER))


def _read_with(importer: UnPeacekeeping, paths: list[Path]) -> tuple[Batch, ImportContext]:
    context = _context()
    return importer.read(paths, context), context


def _by_title(batch: Batch) -> dict[str, Engagement]:
    return {e.title: e for e in batch.engagements if isinstance(e, Engagement)}


def _personnel(engagement: Engagement) -> dict[str, int | None]:
    return {p.nation: p.personnel for p in engagement.participants}


def _by_nation(batch: Batch, year: int) -> Counter[str]:
    totals: Counter[str] = Counter()
    for engagement in batch.engagements:
        if engagement.start_year == year:
            for participant in engagement.participants:
                totals[participant.nation] += participant.personnel or 0
    return totals


def _scaled(months: int) -> str:
    return f"Total scaled by 12/{months} ({months} of 12 months reported; the source divided by 12)"


def _context() -> ImportContext:
    resolver = default_resolver()
    return ImportContext(resolver, resolver.nations, "test")


def _file_rows() -> list[dict[str, str]]:
    path = bundled_paths(IMPORTER)[0]
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _stored(store: Store) -> tuple[int, int]:
    engagements, datasets = tables.engagements, tables.datasets
    with store.connect() as connection:
        count = connection.execute(
            select(func.count())
            .select_from(engagements)
            .where(engagements.c.source_dataset == "un_peacekeeping")
        ).scalar_one()
        known = connection.execute(
            select(func.count()).select_from(datasets).where(datasets.c.name == "un_peacekeeping")
        ).scalar_one()
    return int(count), int(known)


def _write(tmp_path: Path, *lines: str, name: str = "personnel.csv") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bundled() -> tuple[Batch, ImportContext]:
    """The bundled file, read once."""
    return _read()


@pytest.mark.full_data
def test_every_row_is_accounted_for(bundled: tuple[Batch, ImportContext]) -> None:
    batch, context = bundled
    rows = _file_rows()
    assert batch.rows_read == len(rows) == 6215
    assert context.issue_count == 0
    # No row has Female, Male and Total all 0 (PROVENANCE: they were dropped): only 2010's rows
    # are excluded. Every row of a year of fewer than 12 months is scaled; no country is listed
    # twice for a mission and year.
    kept = [r for r in rows if r["Year"] != "2010"]
    assert context.excluded == {INCOMPLETE_2010: len(rows) - len(kept)} == {INCOMPLETE_2010: 45}
    assert context.corrected == {
        f"2012: {_scaled(9)}": 583,
        f"2013: {_scaled(11)}": 565,
        f"2014: {_scaled(11)}": 615,
        f"2015: {_scaled(11)}": 626,
        f"2016: {_scaled(11)}": 643,
        f"2017: {_scaled(5)}": 556,
        f"2021: {_scaled(1)}": 260,
    }
    mission_years = {(r["Mission"], r["Year"]) for r in kept}
    assert len(batch.engagements) == batch.records == len(mission_years) == 222
    # Every row kept is one participant.
    assert sum(len(e.participants) for e in batch.engagements) == len(kept) == 6170


@pytest.mark.full_data
def test_unifil_2015_has_its_contributors(bundled: tuple[Batch, ImportContext]) -> None:
    unifil = _by_title(bundled[0])["UNIFIL 2015"]
    personnel = _personnel(unifil)
    # The file's 1048, 822 and 1183 over 11 months of 2015: x 12/11.
    assert (personnel["ITA"], personnel["IND"], personnel["IDN"]) == (1143, 897, 1291)
    assert personnel["KOR"] == 322  # "Republic of Korea", 295 in the file
    assert personnel["TZA"] == 144  # "United Republic of Tanzania", 132 in the file
    rows = [r for r in _file_rows() if (r["Mission"], r["Year"]) == ("UNIFIL", "2015")]
    assert len(unifil.participants) == len(rows) == 40
    assert "LBN" not in personnel and unifil.host is None
    assert unifil.kind == "peacekeeping"
    assert (str(unifil.start), unifil.end, unifil.location) == ("2015", None, "Lebanon")
    assert unifil.details is not None and unifil.details.model_dump() == {
        "kind": "peacekeeping",
        "mission": "UNIFIL",
        "mandating_body": "UN",
    }
    assert unifil.external_id == "un_peacekeeping:UNIFIL:2015"
    assert unifil.programme == "UNIFIL"
    assert unifil.provenance is not None and unifil.provenance.dataset == "un_peacekeeping"


@pytest.mark.full_data
def test_south_asian_contributors_are_large(bundled: tuple[Batch, ImportContext]) -> None:
    monusco = _personnel(_by_title(bundled[0])["MONUSCO 2015"])
    assert (monusco["IND"], monusco["PAK"], monusco["BGD"]) == (3837, 3597, 2417)
    assert _personnel(_by_title(bundled[0])["UNISFA 2015"])["ETH"] == 4267
    totals = _by_nation(bundled[0], 2016)
    assert totals.most_common(4) == [("ETH", 8325), ("IND", 7691), ("PAK", 7270), ("BGD", 7108)]


@pytest.mark.full_data
def test_un_spellings_resolve(bundled: tuple[Batch, ImportContext]) -> None:
    titles = _by_title(bundled[0])
    assert _personnel(titles["MINUSMA 2020"])["IRN"] == 1  # Iran (Islamic Republic of), line 505
    assert _personnel(titles["MINUSMA 2020"])["CIV"] == 547  # Côte d’Ivoire
    assert _personnel(titles["UNVMC 2020"])["BOL"] == 12  # Bolivia (Plurinational State of)
    assert _personnel(titles["UNAMA 2015"])["TUR"] == 1  # Turkey


@pytest.mark.full_data
def test_political_missions_are_kept_and_marked(bundled: tuple[Batch, ImportContext]) -> None:
    unama = _by_title(bundled[0])["UNAMA 2015"]
    assert len(unama.participants) == 12
    assert unama.location == "Afghanistan"
    assert unama.description is not None and "special political mission" in unama.description


@pytest.mark.full_data
def test_every_name_and_mission_is_known(bundled: tuple[Batch, ImportContext]) -> None:
    resolver = default_resolver()
    context = ImportContext(resolver, resolver.nations, "test")
    missions = read_missions(bundled_paths(IMPORTER)[0].parent / "missions.tsv", context)
    assert context.issue_count == 0 and len(missions) == 36
    rows = _file_rows()
    assert {r["Mission"] for r in rows} == set(missions)
    assert NAMES == {}  # every UN spelling of the bundled file is known to the resolver
    for name, year in {(r["Country"], int(r["Year"])) for r in rows}:
        key = resolver.resolve_key(name, year=year)
        assert resolver.nations[key].exists_in(year), (name, year)
    political = {m.acronym for m in missions.values() if m.type == "political"}
    assert {"UNAMA", "UNAMI", "UNSOM", "UNSMIL", "UNVMC"} <= political


@pytest.mark.full_data
def test_the_coverage_starts_in_2011_and_names_the_months(
    bundled: tuple[Batch, ImportContext],
) -> None:
    (span,) = bundled[0].coverage
    assert (span.first_year, span.last_year, span.kind) == (2011, 2021, "peacekeeping")
    assert (span.nation, span.organisation) == (None, None)
    assert span.note is not None
    assert "(2011: 12 months, 2012: 9 months, 2013-2016: 11 months, 2017: 5 months, " in span.note
    assert "2021 rests on January 2021 alone" in span.note
    assert "2010 is left out" in span.note


@pytest.mark.full_data
def test_2010_is_excluded_for_its_missing_contributors(
    bundled: tuple[Batch, ImportContext],
) -> None:
    batch, context = bundled
    assert not [e for e in batch.engagements if e.start_year == 2010]
    assert context.excluded[INCOMPLETE_2010] == 45
    contributors = {r["Country"] for r in _file_rows() if r["Year"] == "2010"}
    assert sorted(contributors) == [
        "Albania",
        "Algeria",
        "Argentina",
        "Australia",
        "Austria",
        "Bangladesh",
        "Belgium",
        "Benin",
    ]


@pytest.mark.full_data
def test_2021_matches_the_uns_own_ranking_of_january_2021(
    bundled: tuple[Batch, ImportContext],
) -> None:
    totals = _by_nation(bundled[0], 2021)
    with (DATA / "rank_2021-01-31.csv").open(encoding="utf-8", newline="") as handle:
        ranking = {
            r["ISOCode3"]: int(r["Total_Uniformed_Personnel"]) for r in csv.DictReader(handle)
        }
    assert len(ranking) == 15 and ranking["BGD"] == 6711
    assert (totals["BGD"], totals["RWA"], totals["ETH"]) == (6696, 6372, 6300)
    off = {nation: abs(totals[nation] / un - 1) for nation, un in ranking.items()}
    assert max(off.values()) < 0.02, off


@pytest.mark.full_data
@pytest.mark.parametrize("year", range(2012, 2021))
def test_no_year_is_far_from_its_neighbours(
    bundled: tuple[Batch, ImportContext], year: int
) -> None:
    # 2017 read about 40,000 against about 90,000 around it before its 5 months were scaled.
    totals = {y: sum(_by_nation(bundled[0], y).values()) for y in (year - 1, year, year + 1)}
    neighbours = (totals[year - 1] + totals[year + 1]) / 2
    assert abs(totals[year] / neighbours - 1) <= 0.25, totals


def test_the_months_table_covers_2011_to_2021() -> None:
    context = _context()
    path = bundled_paths(IMPORTER)[0].parent / "months_reported.tsv"
    months = read_months(path, context)
    assert context.issue_count == 0
    assert sorted(months) == list(range(2011, 2022))
    assert all(1 <= m <= 12 for m in months.values())
    assert (months[2011], months[2012], months[2017], months[2021]) == (12, 9, 5, 1)


@pytest.mark.full_data
def test_the_months_table_is_what_its_script_derives() -> None:
    script = ROOT / "scripts" / "reference" / "build_un_peacekeeping_months.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_personnel_are_scaled_to_the_months_reported() -> None:
    batch, context = _read([DATA / "excerpt.csv"])
    assert context.issue_count == 0
    assert context.excluded == {INCOMPLETE_2010: 1}
    assert context.corrected == {
        f"2012: {_scaled(9)}": 2,
        f"2015: {_scaled(11)}": 1,
        f"2017: {_scaled(5)}": 3,
        f"2021: {_scaled(1)}": 4,
    }
    titles = _by_title(batch)
    assert sorted(titles) == [
        "MINUSMA 2021",
        "MONUSCO 2017",
        "MONUSCO 2021",
        "UNIFIL 2012",
        "UNIFIL 2015",
        "UNIFIL 2017",
        "UNIFIL 2019",
        "UNIFIL 2021",
    ]
    # By hand: 2021 x 12; 2019 as is; 2017 x 12/5; 2015 x 12/11; 2012 x 12/9; half up.
    assert _personnel(titles["UNIFIL 2021"]) == {"BLR": 12, "ITA": 1152}  # 1 x 12, 96 x 12
    assert _personnel(titles["MONUSCO 2021"]) == {"BGD": 1860}  # 155 x 12
    assert _personnel(titles["MINUSMA 2021"]) == {"CIV": 828}  # 69 x 12
    assert _personnel(titles["UNIFIL 2019"]) == {"ITA": 1093}
    assert _personnel(titles["UNIFIL 2017"]) == {"GHA": 871, "ITA": 1116}  # 871.2, 1116
    assert _personnel(titles["MONUSCO 2017"]) == {"BGD": 1901}  # 1900.8
    assert _personnel(titles["UNIFIL 2015"]) == {"ITA": 1143}  # 1143.27
    assert _personnel(titles["UNIFIL 2012"]) == {"GHA": 875, "ITA": 1015}  # 874.67, 1014.67
    description = titles["UNIFIL 2017"].description
    assert description is not None and "over the 5 months of 2017 the UN's file held" in description
    (span,) = batch.coverage
    assert (span.first_year, span.last_year) == (2012, 2021)


def test_a_scaled_half_is_rounded_up(tmp_path: Path) -> None:
    months = _write(tmp_path, MONTHS_HEADER, "2015\t8\ta test of rounding", name="months.tsv")
    personnel = _write(tmp_path, HEADER, "2015,Italy,UNIFIL,0,7,7")
    batch, context = _read_with(UnPeacekeeping(months=months), [personnel])
    assert context.issue_count == 0
    assert _personnel(_by_title(batch)["UNIFIL 2015"]) == {"ITA": 11}  # 7 x 12/8 = 10.5


def test_a_year_without_months_is_an_issue(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER, ITALY, "2009,Italy,UNIFIL,0,1,1")
    _, context = _read([path])
    assert [str(issue) for issue in context.issues] == [
        "personnel.csv, row 3, Year: '2009' has no entry in months_reported.tsv (the months the "
        "UN's file held per year); add the year and its months, found as the data folder's "
        "PROVENANCE.md describes"
    ]


def test_duplicates_are_summed_and_empty_rows_excluded(tmp_path: Path) -> None:
    # 2019 has its 12 months: no scaling, so only these two rules show.
    path = _write(
        tmp_path,
        HEADER,
        "2019,Italy,UNIFIL,1,9,10",
        "2019,Italy,UNIFIL,0,5,5.5",
        "2019,Côte d’Ivoire,UNIFIL,0,0.4,0.4",
        "2019,Ghana,UNIFIL,0,0,0",
        "2019,Ghana,UNAMA,1,1,2",
    )
    batch, context = _read([path])
    assert context.issue_count == 0
    assert context.corrected == {
        "country listed twice for one mission and year: personnel summed": 1
    }
    assert context.excluded == {"no personnel (Female, Male and Total all 0)": 1}
    titles = _by_title(batch)
    assert _personnel(titles["UNIFIL 2019"]) == {"CIV": 0, "ITA": 16}  # 15.5 rounded half up
    assert titles["UNIFIL 2019"].provenance is not None
    assert titles["UNIFIL 2019"].provenance.row == "2-4 (3 rows)"
    assert _personnel(titles["UNAMA 2019"]) == {"GHA": 2}


@pytest.mark.full_data
def test_importing_twice_changes_nothing(store: Store, operator: Viewer) -> None:
    first = import_dataset(store, IMPORTER, viewer=operator)
    second = import_dataset(store, IMPORTER, viewer=operator)
    assert first.added == 222
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == first.added


@pytest.mark.full_data
def test_one_changed_value_updates_one_engagement(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    original = bundled_paths(IMPORTER)[0]
    import_dataset(store, IMPORTER, viewer=operator)
    text = gzip.decompress(original.read_bytes()).decode("utf-8")
    assert text.count(ITALY + "\n") == 1
    copy = tmp_path / original.name
    copy.write_bytes(gzip.compress(text.replace(ITALY, "2015,Italy,UNIFIL,47,1002,1049").encode()))
    report = import_dataset(store, IMPORTER, [copy], viewer=operator)
    # 1049 x 12/11 = 1144.4 against 1143: the engagement changes.
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 1, 221, 0)


# Each case: the file's lines, then the row, column and reason of its one issue.
BAD_INPUT: dict[str, tuple[list[str], int | None, str | None, str]] = {
    "unknown-country": ([HEADER, "2015,Atlantis,UNIFIL,0,1,1"], 2, "Country", "Unknown nation"),
    "not-yet-a-state": ([HEADER, "2005,South Sudan,UNMIS,0,1,1"], 2, "Country", "not a state"),
    "unknown-mission": ([HEADER, "2015,Italy,UNXYZ,0,1,1"], 2, "Mission", "missions.tsv"),
    "missing-column": (
        ["Year,Country,Mission,Female,Male", "2015,Italy,UNIFIL,0,1"],
        1,
        None,
        "missing column(s) Total",
    ),
    "malformed-number": ([HEADER, "2015,Italy,UNIFIL,0,1,many"], 2, "Total", "is not a number"),
    "negative-number": ([HEADER, "2015,Italy,UNIFIL,0,0,-3"], 2, "Total", "is not a number"),
    "malformed-year": ([HEADER, "20x5,Italy,UNIFIL,0,1,1"], 2, "Year", "is not a year"),
    "year-without-months": ([HEADER, "2009,Italy,UNIFIL,0,1,1"], 2, "Year", "has no entry"),
    "total-not-female-plus-male": (
        [HEADER, "2015,Italy,UNIFIL,0,10,20"],
        2,
        "Total",
        "more than rounding",
    ),
    "header-only": ([HEADER], None, None, "has a header but no rows"),
    "empty-file": ([], None, None, "the file is empty"),
}


@pytest.mark.parametrize(
    ("lines", "row", "column", "reason"), list(BAD_INPUT.values()), ids=list(BAD_INPUT)
)
def test_bad_input_is_rejected_and_nothing_is_written(
    store: Store,
    operator: Viewer,
    tmp_path: Path,
    lines: list[str],
    row: int | None,
    column: str | None,
    reason: str,
) -> None:
    path = _write(tmp_path, *lines)
    with pytest.raises(ImportRejectedError) as caught:
        import_dataset(store, IMPORTER, [path], viewer=operator)
    report = caught.value.report
    assert report is not None
    assert [(i.file, i.row, i.column) for i in report.issues] == [("personnel.csv", row, column)]
    assert reason.casefold() in report.issues[0].reason.casefold()
    assert _stored(store) == (0, 0)


def test_a_bad_missions_table_is_rejected(store: Store, operator: Viewer, tmp_path: Path) -> None:
    missions = _write(
        tmp_path,
        MISSIONS_HEADER,
        "UNIFIL\tUnited Nations Interim Force in Lebanon\tpeacekeeping\tLBN\tLebanon\tUN\t",
        "UNAMA\tUnited Nations Assistance Mission in Afghanistan\tpolitcal\tAFG\tAfghanistan\tUN\t",
        "UNXYZ\tA mission\tpeacekeeping\tXYZ\tNowhere\tUN\t",
        name="missions.tsv",
    )
    personnel = _write(tmp_path, HEADER, ITALY)
    with pytest.raises(ImportRejectedError) as caught:
        import_dataset(store, UnPeacekeeping(missions), [personnel], viewer=operator)
    report = caught.value.report
    assert report is not None
    assert [(i.file, i.row, i.column, i.value) for i in report.issues] == [
        ("missions.tsv", 3, "type", "politcal"),
        ("missions.tsv", 4, "host_iso3", "XYZ"),
    ]
    assert _stored(store) == (0, 0)


def test_a_bad_months_table_is_rejected(store: Store, operator: Viewer, tmp_path: Path) -> None:
    months = _write(
        tmp_path,
        MONTHS_HEADER,
        "2015\t11\tmedian ratio",
        "2015\t12\tlisted twice",
        "2016\t13\tmore than a year",
        "2017\t5\t",
        "two thousand\t5\tnot a year",
        name="months.tsv",
    )
    personnel = _write(tmp_path, HEADER, ITALY)
    with pytest.raises(ImportRejectedError) as caught:
        import_dataset(store, UnPeacekeeping(months=months), [personnel], viewer=operator)
    report = caught.value.report
    assert report is not None
    assert [(i.file, i.row, i.column, i.value) for i in report.issues] == [
        ("months.tsv", 3, "year", "2015"),
        ("months.tsv", 4, "months", "13"),
        ("months.tsv", 5, "basis", ""),
        ("months.tsv", 6, "year", "two thousand"),
    ]
    assert _stored(store) == (0, 0)
