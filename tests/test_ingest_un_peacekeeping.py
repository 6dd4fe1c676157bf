"""The UN peacekeeping importer: row accounting, real facts, names, idempotency, bad input."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from comity.access import Viewer
from comity.errors import ImportRejectedError
from comity.ingest.base import Batch, ImportContext
from comity.ingest.un_peacekeeping import IMPORTER, NAMES, UnPeacekeeping, read_missions
from comity.model.engagements import Engagement
from comity.nations.resolver import default_resolver
from comity.services.imports import bundled_paths, import_dataset
from comity.store import Store, tables

HEADER = "Year,Country,Mission,Female,Male,Total"
ITALY = "2015,Italy,UNIFIL,47,1001,1048"
MISSIONS_HEADER = "mission\tname\ttype\thost_iso3\tlocation\tmandating_body\tnote"


def _read(paths: list[Path] | None = None) -> tuple[Batch, ImportContext]:
    resolver = default_resolver()
    context = ImportContext(resolver, resolver.nations, "test")
    return IMPORTER.read(paths or bundled_paths(IMPORTER), context), context


def _by_title(batch: Batch) -> dict[str, Engagement]:
    return {e.title: e for e in batch.engagements if isinstance(e, Engagement)}


def _personnel(engagement: Engagement) -> dict[str, int | None]:
    return {p.nation: p.personnel for p in engagement.participants}


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
    # No row has Female, Male and Total all 0 (PROVENANCE: they were dropped), and no country
    # is listed twice for a mission and year: nothing excluded, nothing corrected.
    assert not context.excluded
    assert not context.corrected
    mission_years = {(r["Mission"], r["Year"]) for r in rows}
    assert len(batch.engagements) == batch.records == len(mission_years) == 240
    # Every row is one participant.
    assert sum(len(e.participants) for e in batch.engagements) == 6215


@pytest.mark.full_data
def test_unifil_2015_has_its_contributors(bundled: tuple[Batch, ImportContext]) -> None:
    unifil = _by_title(bundled[0])["UNIFIL 2015"]
    personnel = _personnel(unifil)
    assert (personnel["ITA"], personnel["IND"], personnel["IDN"]) == (1048, 822, 1183)
    assert personnel["KOR"] == 295  # "Republic of Korea"
    assert personnel["TZA"] == 132  # "United Republic of Tanzania"
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
    assert (monusco["IND"], monusco["PAK"], monusco["BGD"]) == (3517, 3297, 2216)
    assert _personnel(_by_title(bundled[0])["UNISFA 2015"])["ETH"] == 3911
    totals: Counter[str] = Counter()
    for engagement in bundled[0].engagements:
        if engagement.start_year == 2016:
            for participant in engagement.participants:
                totals[participant.nation] += participant.personnel or 0
    assert totals.most_common(4) == [("ETH", 7631), ("IND", 7051), ("PAK", 6664), ("BGD", 6516)]


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
def test_the_coverage_notes_the_partial_years(bundled: tuple[Batch, ImportContext]) -> None:
    (span,) = bundled[0].coverage
    assert (span.nation, span.first_year, span.last_year) == (None, 2010, 2021)
    assert span.note is not None and "2017" in span.note and "partial" in span.note


def test_duplicates_are_summed_and_empty_rows_excluded(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER,
        "2015,Italy,UNIFIL,1,9,10",
        "2015,Italy,UNIFIL,0,5,5.5",
        "2015,Côte d’Ivoire,UNIFIL,0,0.4,0.4",
        "2015,Ghana,UNIFIL,0,0,0",
        "2015,Ghana,UNAMA,1,1,2",
    )
    batch, context = _read([path])
    assert context.issue_count == 0
    assert context.corrected == {
        "country listed twice for one mission and year: personnel summed": 1
    }
    assert context.excluded == {"no personnel (Female, Male and Total all 0)": 1}
    titles = _by_title(batch)
    assert _personnel(titles["UNIFIL 2015"]) == {"CIV": 0, "ITA": 16}  # 15.5 rounded half up
    assert titles["UNIFIL 2015"].provenance is not None
    assert titles["UNIFIL 2015"].provenance.row == "2-4 (3 rows)"
    assert _personnel(titles["UNAMA 2015"]) == {"GHA": 2}


@pytest.mark.full_data
def test_importing_twice_changes_nothing(store: Store, operator: Viewer) -> None:
    first = import_dataset(store, IMPORTER, viewer=operator)
    second = import_dataset(store, IMPORTER, viewer=operator)
    assert first.added == 240
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
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 1, 239, 0)


@pytest.mark.parametrize(
    ("lines", "row", "column", "reason"),
    [
        pytest.param([HEADER, "2015,Atlantis,UNIFIL,0,1,1"], 2, "Country", "Unknown nation",
                     id="unknown-country"),
        pytest.param([HEADER, "2005,South Sudan,UNMIS,0,1,1"], 2, "Country",
                     "was not a state in 2005", id="not-yet-a-state"),
        pytest.param([HEADER, "2015,Italy,UNXYZ,0,1,1"], 2, "Mission", "missions.tsv",
                     id="unknown-mission"),
        pytest.param(["Year,Country,Mission,Female,Male", "2015,Italy,UNIFIL,0,1"], 1, None,
                     "missing column(s) Total", id="missing-column"),
        pytest.param([HEADER, "2015,Italy,UNIFIL,0,1,many"], 2, "Total", "is not a number",
                     id="malformed-number"),
        pytest.param([HEADER, "2015,Italy,UNIFIL,0,0,-3"], 2, "Total", "is not a number",
                     id="negative-number"),
        pytest.param([HEADER, "20x5,Italy,UNIFIL,0,1,1"], 2, "Year", "is not a year",
                     id="malformed-year"),
        pytest.param([HEADER, "2015,Italy,UNIFIL,0,10,20"], 2, "Total", "more than rounding",
                     id="total-not-female-plus-male"),
        pytest.param([HEADER], None, None, "has a header but no rows", id="header-only"),
        pytest.param([], None, None, "the file is empty", id="empty-file"),
    ],
)  # fmt: skip
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
