"""The MME v7 importer: the bundled file, facts looked up in it, and small edited copies."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from comity import services
from comity.access import Viewer
from comity.errors import ImportRejectedError, UnknownNationError
from comity.ingest.base import ImportReport
from comity.ingest.datasets.mme_exercises import IMPORTER
from comity.model.details import ExerciseDetails
from comity.model.engagements import Engagement
from comity.nations.resolver import default_resolver
from comity.services.imports import bundled_paths, import_dataset
from comity.store import Store, open_store

BUNDLED = bundled_paths(IMPORTER)[0]

NON_STATES = {"-9", "NATO", "Baltic States"}
"""Participant entries of v7 that are not states: left out of the participants by the importer."""

# Rows picked from the bundled file for the small copies: Readex 1-80 (NLD, GBR, USA), Saudi
# Arabian skies (EGY, USA, in Egypt, January 1980 to the month), Magex-80 (KOR, USA).
SMALL = ("mme87", "mme88", "mme86")


def _read_bundled() -> tuple[list[str], list[list[str]]]:
    with gzip.open(BUNDLED, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, list(reader)


def _rows(*ids: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the first row of each MMEID, as column -> value."""
    header, rows = _read_bundled()
    by_id: dict[str, dict[str, str]] = {}
    for values in rows:
        by_id.setdefault(values[0], dict(zip(header, values, strict=True)))
    return header, [dict(by_id[i]) for i in ids]


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.getvalue().encode("utf-8")))
    else:
        path.write_text(text.getvalue(), encoding="utf-8")
    return path


def _find(store: Store, viewer: Viewer, external_id: str, text: str) -> Engagement:
    found = [
        stored.engagement
        for stored in services.list_engagements(store, viewer, text=text)
        if stored.engagement.external_id == f"mme_exercises:{external_id}"
    ]
    assert len(found) == 1, f"{external_id}: {found}"
    return found[0]


def _details(engagement: Engagement) -> ExerciseDetails:
    assert isinstance(engagement.details, ExerciseDetails)
    return engagement.details


def _domains(engagement: Engagement) -> list[str]:
    return [domain.value for domain in _details(engagement).domains]


@pytest.fixture(scope="module")
def imported(
    seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, ImportReport]]:
    """A store holding the whole bundled MME file, imported once for read-only checks."""
    path = tmp_path_factory.mktemp("mme") / "comity.db"
    shutil.copyfile(seeded_sqlite_file, path)
    store = open_store(f"sqlite:///{path}")
    report = import_dataset(store, IMPORTER, viewer=Viewer.operator("tester"))
    yield store, report
    store.dispose()


@pytest.mark.full_data
def test_bundled_file_imports_every_exercise_with_a_state(
    imported: tuple[Store, ImportReport], operator: Viewer
) -> None:
    store, report = imported
    assert report.ok and report.written
    assert report.rows_read == 3707
    # 91 exercises list only unnamed participants ("-9") and no state: the one row-level
    # exclusion. Every other exclusion is a participant entry, not an exercise.
    assert report.added == 3707 - 91 == 3616
    assert dict(report.excluded) == {
        "exercise with no state participant left": 91,
        "participant entry that is not a state (-9)": 208,
        "participant entry that is not a state (NATO)": 2,
        "participant entry that is not a state (Baltic States)": 1,
        # Tonga before 1999 (six exercises 1988-1995) and South Sudan in 2010.
        "participant before its state-system years (Tonga, South Sudan)": 7,
    }
    assert dict(report.corrected) == {
        "state listed twice in one exercise: kept once": 19,
        "MMEID shared by different exercises: external id numbered": 3,
        "end date before start date (known error in v7): end dropped": 6,
        "name read for the exercise's dates, not only its year": 1,
    }
    assert services.count_engagements(store, operator, kinds=["exercise"]) == 3616


@pytest.mark.full_data
def test_cobra_gold_2010_is_hosted_by_thailand(
    imported: tuple[Store, ImportReport], operator: Viewer
) -> None:
    e = _find(imported[0], operator, "mme3300", "Cobra Gold 10")
    assert (e.title, e.programme, str(e.start), str(e.end)) == (
        "Cobra Gold 10",
        "Cobra Gold",
        "2010-02-01",
        "2010-02-11",
    )
    assert set(e.nations) == {"IDN", "JPN", "SGP", "KOR", "THA", "USA"}
    assert e.host == "THA"
    assert _domains(e) == ["land", "amphibious", "hadr"]
    assert (_details(e).warfighting, _details(e).humanitarian) == (True, True)


@pytest.mark.full_data
def test_rimpac_2010_has_fourteen_participants_and_no_host(
    imported: tuple[Store, ImportReport], operator: Viewer
) -> None:
    e = _find(imported[0], operator, "mme3348", "RIMPAC 2010")
    assert set(e.nations) == {
        "AUS",
        "CAN",
        "CHL",
        "COL",
        "FRA",
        "IDN",
        "JPN",
        "MYS",
        "NLD",
        "PER",
        "SGP",
        "KOR",
        "THA",
        "USA",
    }
    # "waters surrounding the Hawaiian islands" names no nation.
    assert e.host is None
    assert _domains(e) == ["air", "sea"]


@pytest.mark.full_data
def test_warsaw_pact_exercise_of_1982_reads_russia_as_the_soviet_union(
    imported: tuple[Store, ImportReport], operator: Viewer
) -> None:
    e = _find(imported[0], operator, "mme261", "Tarcza (Shield) 82")
    # The file lists "Russia", "German Democratic Republic" and "Czechoslovakia".
    assert set(e.nations) == {"BGR", "CSK", "DDR", "HUN", "POL", "ROU", "SUN"}
    assert e.host == "BGR"  # "Bulgaria and the Black Sea, Northeastern Bulgaria"


@pytest.mark.full_data
def test_federal_republic_of_germany_in_1980_is_germany(
    imported: tuple[Store, ImportReport], operator: Viewer
) -> None:
    e = _find(imported[0], operator, "mme137", "1980 warning manoeuvre")
    assert set(e.nations) == {"DEU", "ITA", "NOR"}
    assert e.description is not None and "unnamed participants (-9)" in e.description
    assert _domains(e) == ["command_post"]


@pytest.mark.full_data
def test_humanitarian_flag_and_dropped_reversed_end(
    imported: tuple[Store, ImportReport], operator: Viewer
) -> None:
    # mme395 has no name and runs from 6/20/84 to 3/1/84 in the file.
    e = _find(imported[0], operator, "mme395", "mme395")
    assert (str(e.start), e.end) == ("1984-06-20", None)
    assert _details(e).humanitarian is True
    assert _domains(e) == ["air", "hadr"]
    assert set(e.nations) == {"ISR", "USA"} and e.host == "ISR"


@pytest.mark.full_data
def test_serbia_after_montenegro_left_is_serbia(
    imported: tuple[Store, ImportReport], operator: Viewer
) -> None:
    e = _find(imported[0], operator, "mme2857", "mme2857")
    assert str(e.start) == "2006-07"
    assert set(e.nations) == {"BGR", "SRB"}


@pytest.mark.full_data
def test_tonga_before_1999_is_named_but_does_not_take_part(
    imported: tuple[Store, ImportReport], operator: Viewer
) -> None:
    e = _find(imported[0], operator, "mme756", "Tafakula 88")
    assert set(e.nations) == {"AUS", "NZL"}
    assert e.host is None
    assert e.description == "Also listed as participants: Tonga (in the state system from 1999)."


@pytest.mark.full_data
def test_shared_mmeids_get_numbered_external_ids(
    imported: tuple[Store, ImportReport], operator: Viewer
) -> None:
    first = _find(imported[0], operator, "mme3460", "mme3460")
    second = _find(imported[0], operator, "mme3460#2", "mme3460")
    assert (str(first.start), set(first.nations)) == ("1995-07", {"UKR", "USA"})
    assert (str(second.start), set(second.nations)) == ("2005-07-07", {"CHN", "JPN", "KOR"})


@pytest.mark.full_data
def test_st_christopher_beside_st_kitts_is_one_participant(
    imported: tuple[Store, ImportReport], operator: Viewer
) -> None:
    e = _find(imported[0], operator, "mme978", "Tradewinds 92")
    assert e.nations.count("KNA") == 1 and e.nations.count("ATG") == 1
    assert len(e.nations) == 13


@pytest.mark.full_data
def test_every_participant_name_resolves_or_is_a_listed_non_state() -> None:
    header, rows = _read_bundled()
    slots = [i for i, column in enumerate(header) if column.startswith("State")]
    year = header.index("s.year")
    resolver = default_resolver()
    unresolved: set[str] = set()
    for values in rows:
        for i in slots:
            name = values[i].strip()
            if not name:
                continue
            try:
                resolver.resolve_key(name, year=int(values[year]))
            except UnknownNationError:
                unresolved.add(name)
    assert unresolved == NON_STATES


@pytest.mark.full_data
def test_importing_the_bundled_file_twice_changes_nothing(
    full_store: Store, operator: Viewer
) -> None:
    # The template imported the bundled file once (3,616 exercises, checked above).
    second = import_dataset(full_store, IMPORTER, viewer=operator)
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == 3616


def test_edited_title_is_one_update(store: Store, operator: Viewer, tmp_path: Path) -> None:
    header, rows = _rows(*SMALL)
    path = _write(tmp_path / "mme_v7.csv.gz", header, rows)
    first = import_dataset(store, IMPORTER, [path], viewer=operator)
    assert (first.rows_read, first.added) == (3, 3)
    rows[1]["Ex_Name"] = "Saudi Arabian Skies (renamed)"
    _write(path, header, rows)
    second = import_dataset(store, IMPORTER, [path], viewer=operator)
    assert (second.added, second.updated, second.unchanged) == (0, 1, 2)
    e = _find(store, operator, "mme88", "renamed")
    assert (str(e.start), str(e.start.precision), e.host) == ("1980-01", "month", "EGY")


def test_shared_id_and_exercise_without_a_state(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    header, rows = _read_bundled()
    # mme3457 is Baltic Circle (1996) and Noble Award (2007, only "-9" as participant).
    picked = [dict(zip(header, v, strict=True)) for v in rows if v[0] == "mme3457"]
    path = _write(tmp_path / "mme.csv", header, picked)
    report = import_dataset(store, IMPORTER, [path], viewer=operator)
    assert (report.rows_read, report.added) == (2, 1)
    assert report.excluded["exercise with no state participant left"] == 1
    assert report.corrected["MMEID shared by different exercises: external id numbered"] == 1
    e = _find(store, operator, "mme3457", "Baltic Circle")
    assert e.host == "DNK"  # "western part of Zeeland Island, Denmark"


def _rejected(store: Store, operator: Viewer, path: Path) -> ImportReport:
    """Import a bad file after a good one: the rejection is reported and nothing changes."""
    header, rows = _rows(*SMALL)
    good = _write(path.with_name("good.csv"), header, rows)
    import_dataset(store, IMPORTER, [good], viewer=operator)
    before = services.count_engagements(store, operator)
    with pytest.raises(ImportRejectedError) as caught:
        import_dataset(store, IMPORTER, [path], viewer=operator)
    assert services.count_engagements(store, operator) == before == 3
    report = caught.value.report
    assert isinstance(report, ImportReport) and not report.written
    return report


def test_unknown_country_name_is_rejected_with_a_suggestion(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    header, rows = _rows(*SMALL)
    rows[1]["StateA"] = "Egipt"
    report = _rejected(store, operator, _write(tmp_path / "bad.csv", header, rows))
    [issue] = report.issues
    assert (issue.file, issue.row, issue.column, issue.value) == ("bad.csv", 3, "StateA", "Egipt")
    assert "Egypt (EGY)" in issue.reason


def test_reversed_date_range_is_an_issue_on_the_end(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    header, rows = _rows(*SMALL)
    rows[0].update({"e.year": "1979", "e.month": "12", "e.day": "31"})
    report = _rejected(store, operator, _write(tmp_path / "bad.csv", header, rows))
    [issue] = report.issues
    assert (issue.file, issue.row, issue.column) == ("bad.csv", 2, "end")
    assert "before the start" in issue.reason


def test_missing_column_is_rejected(store: Store, operator: Viewer, tmp_path: Path) -> None:
    header, rows = _rows(*SMALL)
    header.remove("Series_Name")
    for row in rows:
        del row["Series_Name"]
    report = _rejected(store, operator, _write(tmp_path / "bad.csv.gz", header, rows))
    [issue] = report.issues
    assert (issue.file, issue.row) == ("bad.csv.gz", 1)
    assert issue.reason.startswith("missing column(s) Series_Name;")
