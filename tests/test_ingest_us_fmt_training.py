"""The US Foreign Military Training Report importer: education and training engagements."""

from __future__ import annotations

import csv
import gzip
import math
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from comity.access import Viewer
from comity.analytics.settings import default_settings
from comity.errors import ImportRejectedError
from comity.ingest.base import Batch, ImportContext
from comity.ingest.datasets.us_fmt_training import IMPORTER
from comity.ingest.datasets.us_fmt_training_rules import funding_of, kind_of
from comity.model.engagements import Engagement
from comity.nations.resolver import default_resolver
from comity.services.imports import bundled_paths, import_dataset
from comity.store import Store
from tests.helpers import stored_from

HEADER = (
    "report,training_fy,primary,country,iso3_sfm,program,course_title,us_unit,items,students,"
    "items_missing_quantity,total_cost_usd,items_missing_cost"
)
ROW = "2010_2011,2010,1,Colombia,COL,IMET - FY 2010,AIRBORNE,,2,3,0,4000,0"
ROOT = Path(__file__).parents[1]
OVERLAP = (
    "fiscal year listed again by the next report (FY2000 in 1999_2000, FY2001 in 2000_2001): "
    "that report's rows are kept"
)


def _context() -> ImportContext:
    resolver = default_resolver()
    return ImportContext(resolver, resolver.nations, "test")


def _recipient(engagement: Engagement) -> str:
    return next(p.nation for p in engagement.participants if p.nation != "USA")


def _students(batch: Batch, year: int) -> Counter[str]:
    totals: Counter[str] = Counter()
    for engagement in batch.engagements:
        assert isinstance(engagement, Engagement)
        if engagement.start_year == year:
            totals[_recipient(engagement)] += getattr(engagement.details, "students", 0) or 0
    return totals


def _cost(batch: Batch, year: int, nation: str) -> int:
    return sum(
        getattr(e.details, "cost_usd", 0) or 0
        for e in batch.engagements
        if isinstance(e, Engagement) and e.start_year == year and _recipient(e) == nation
    )


def _stored(store: Store) -> int:
    return stored_from(store, "us_fmt_training")


def _shipped_rows() -> list[dict[str, str]]:
    with gzip.open(bundled_paths(IMPORTER)[0], "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def bundled() -> tuple[Batch, ImportContext]:
    """The bundled file, read once."""
    context = _context()
    return IMPORTER.read(bundled_paths(IMPORTER), context), context


@pytest.mark.full_data
def test_every_row_is_accounted_for(bundled: tuple[Batch, ImportContext]) -> None:
    batch, context = bundled
    assert context.issue_count == 0, context.issues[:5]
    assert batch.rows_read == 130_789
    assert dict(context.excluded) == {
        OVERLAP: 9_506,
        "recipient before its state-system years: South Sudan before its independence "
        "(July 2011)": 84,
        "recipient before its state-system years: Kosovo before its independence "
        "(February 2008)": 21,
        "'No activities reported' line: no training": 4,
        "name Security Force Monitor codes as no country (NaN): Indochina": 1,
    }
    assert dict(context.corrected) == {
        "Security Force Monitor's code RCH read as CHL": 1_369,
        "Security Force Monitor's code RCA read as CAF": 81,
        "Security Force Monitor's code NME read as MNE": 344,
    }
    kinds = Counter(e.kind.value for e in batch.engagements if isinstance(e, Engagement))
    assert kinds == {"education": 14_978, "training": 3_314}


@pytest.mark.full_data
def test_colombia_trained_the_most_students_in_fy2010(
    bundled: tuple[Batch, ImportContext],
) -> None:
    batch, _ = bundled
    students = _students(batch, 2010)
    assert students.most_common(1) == [("COL", 3_631)]
    assert _cost(batch, 2010, "COL") == 15_451_427


@pytest.mark.full_data
def test_colombia_in_fy2019_matches_the_report(bundled: tuple[Batch, ImportContext]) -> None:
    batch, _ = bundled
    assert _students(batch, 2019)["COL"] == 2_514
    assert _cost(batch, 2019, "COL") == 14_574_395


@pytest.mark.full_data
def test_fy2020_totals_and_largest_recipients(bundled: tuple[Batch, ImportContext]) -> None:
    batch, _ = bundled
    students = _students(batch, 2020)
    assert len(students) == 151
    assert sum(students.values()) == 29_645
    assert students.most_common(3) == [("UGA", 5_022), ("RWA", 2_174), ("COL", 1_430)]


@pytest.mark.full_data
def test_shipped_lines_keep_the_printed_items() -> None:
    rows = _shipped_rows()
    albania = [
        r
        for r in rows
        if r["country"] == "Albania" and r["program"] == "CTFP - FY 2006 DoD Training"
    ]
    assert sum(int(r["items"]) for r in albania) == 9
    assert sum(int(r["students"]) for r in albania) == 111
    assert sum(int(r["total_cost_usd"]) for r in albania) == 233_217
    armenia = [
        r
        for r in rows
        if r["country"] == "Armenia"
        and r["training_fy"] == "2015"
        and r["course_title"] == "Program On Terrorism And Security Studies"
        and r["us_unit"] == "Marshall Center"
    ]
    assert armenia and all(r["program"].startswith("CTFP") for r in armenia)
    assert sum(int(r["items"]) for r in rows if r["primary"] == "1") == 245_191


@pytest.mark.full_data
def test_colombia_usa_education_and_training_is_among_the_five_largest_in_2010(
    bundled: tuple[Batch, ImportContext],
) -> None:
    batch, _ = bundled
    settings = default_settings()
    education: defaultdict[str, float] = defaultdict(float)
    training: defaultdict[str, float] = defaultdict(float)
    for e in batch.engagements:
        assert isinstance(e, Engagement)
        if e.start_year != 2010:
            continue
        nation = _recipient(e)
        students = getattr(e.details, "students", None) or 0
        if e.kind.value == "education":
            education[nation] += settings.education.per_course + (
                settings.education.per_student * students
            )
        else:  # bilateral: m(2) = 1; the size factor of DESIGN section 3
            training[nation] += settings.weights.training * (1 + math.log10(1 + students / 100))
    total = {
        n: min(education[n], settings.education.cap_per_year) + training[n]
        for n in set(education) | set(training)
    }
    top = sorted(total, key=lambda n: total[n], reverse=True)[:5]
    assert "COL" in top, top


@pytest.mark.full_data
def test_the_coverage_is_the_united_states_pairs_fy1999_to_fy2020(
    bundled: tuple[Batch, ImportContext],
) -> None:
    batch, _ = bundled
    spans = {(s.kind, s.nation, s.first_year, s.last_year) for s in batch.coverage}
    assert spans == {("education", "USA", 1999, 2020), ("training", "USA", 1999, 2020)}


@pytest.mark.full_data
def test_an_education_engagement_names_its_school(bundled: tuple[Batch, ImportContext]) -> None:
    batch, _ = bundled
    found = [
        e
        for e in batch.engagements
        if isinstance(e, Engagement)
        and e.kind.value == "education"
        and e.start_year == 2015
        and _recipient(e) == "COL"
        and getattr(e.details, "institution", None)
    ]
    assert found
    assert all(e.host == "USA" and str(e.start) == "2015" for e in found)


@pytest.mark.parametrize(
    ("course", "school", "programme", "kind"),
    [
        ("AIR COMD & STAFF COLLEGE", "", "IMET, FY 99", "education"),
        ("Army War College (Resident Course)", "", "IMET-1", "education"),
        ("Cadet", "United States Military Academy", "Service Academies", "education"),
        ("ENGLISH LANGUAGE CRSE", "DLIELC, Lackland AFB TX", "IMET-1", "training"),
        ("MTT MARINE CORPS", "", "FMF", "training"),
        ("AIRCRAFT MAINTENANCE", "Inter-American Air Forces Academy, Lackland", "FMF", "training"),
        ("Senior Leaders Seminar", "Marshall Center", "CTFP", "training"),
    ],
)
def test_a_course_line_is_education_or_training_by_the_rule(
    course: str, school: str, programme: str, kind: str
) -> None:
    assert kind_of(course, school, programme) == kind


@pytest.mark.parametrize(
    ("label", "funding"),
    [
        ("IMET-1 - Fiscal Year 2019 Department of State Training", "IMET"),
        ("International Military Education And Training (IMET), FY 99", "IMET"),
        ("CTFP - FY 2006 DoD Training", "CTFP"),
        ("Section 333 - Fiscal Year 2019 Department of Defense Training", "Section 333"),
        (
            "DOS Western Hemisphere Region, Colombia, International Narcotics and Law "
            "Enforcement (INL)",
            "INCLE",
        ),
        ("Regional Centers - Fiscal Year 2015 Department of Defense Training", "Regional Centers"),
    ],
)
def test_the_funding_programme_is_read_from_its_label(label: str, funding: str) -> None:
    assert funding_of(label) == funding


def test_a_training_engagement_counts_the_students_of_each_school(tmp_path: Path) -> None:
    path = tmp_path / "lines.csv"
    lines = [
        "2012_2013,2012,1,Colombia,COL,IMET - FY 2012,SEMINAR A,GCMC,1,3,0,10,0",
        "2012_2013,2012,1,Colombia,COL,IMET - FY 2012,SEMINAR B,Marshall Center,1,2,0,10,0",
        "2012_2013,2012,1,Colombia,COL,IMET - FY 2012,RANGER,WHINSEC,1,0,1,10,0",
        "2012_2013,2012,1,Colombia,COL,IMET - FY 2012,SNIPER,whinsec - 0,1,0,1,10,0",
    ]
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    context = _context()
    [engagement] = IMPORTER.read([path], context).engagements
    assert context.issue_count == 0, context.issues
    details = engagement.details
    # Two spellings of the Marshall Center are one school; WHINSEC's lines give no number.
    assert details.schools == {  # type: ignore[union-attr]
        "George C. Marshall European Center for Security Studies": 5,
        "Western Hemisphere Institute for Security Cooperation": None,
    }
    assert details.institution is None  # type: ignore[union-attr]
    assert details.students == 5  # type: ignore[union-attr]


def test_lines_of_one_recipient_and_year_make_one_training_engagement(tmp_path: Path) -> None:
    path = tmp_path / "lines.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                ROW,
                "2010_2011,2010,1,Colombia,COL,FMF - FY 2010,RANGER,,1,0,1,0,1",
                "2010_2011,2010,1,Colombia,COL,IMET - FY 2010,AIR WAR COLLEGE,,1,1,0,50000,0",
                "2010_2011,2010,1,Chile,RCH,IMET - FY 2010,AIRBORNE,,1,2,0,10,0",
                "1999_2000,2000,0,Chile,RCH,IMET FY 00,AIRBORNE,,1,2,0,10,0",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    context = _context()
    batch = IMPORTER.read([path], context)
    assert context.issue_count == 0, context.issues
    summary = sorted(
        (e.kind.value, _recipient(e), e.details.model_dump(exclude={"kind"}))
        for e in batch.engagements
        if isinstance(e, Engagement)
    )
    assert summary == [
        (
            "education",
            "COL",
            {
                "institution": None,
                "schools": {},
                "course": "AIR WAR COLLEGE",
                "students": 1,
                "cost_usd": 50000,
                "funding": ("IMET",),
            },
        ),
        (
            "training",
            "CHL",
            {
                "institution": None,
                "schools": {},
                "topic": None,
                "format": None,
                "students": 2,
                "cost_usd": 10,
                "funding": ("IMET",),
            },
        ),
        (
            "training",
            "COL",
            {
                "institution": None,
                "schools": {},
                "topic": None,
                "format": None,
                "students": 3,
                "cost_usd": 4000,
                "funding": ("FMF", "IMET"),
            },
        ),
    ]
    assert dict(context.corrected) == {"Security Force Monitor's code RCH read as CHL": 1}
    assert dict(context.excluded) == {OVERLAP: 1}


def _gzip(tmp_path: Path, text: bytes, *, cut: bool = False) -> Path:
    data = gzip.compress(text)
    path = tmp_path / "fmt_courses.csv.gz"
    path.write_bytes(data[: len(data) // 2] if cut else data)
    return path


BAD_INPUT: dict[str, tuple[bytes, int | None, str | None, str]] = {
    "unknown-country": (
        f"{HEADER}\n2010_2011,2010,1,Atlantis,,IMET,AIRBORNE,,1,1,0,1,0\n".encode(),
        2,
        "country",
        "unknown nation",
    ),
    "unknown-code": (
        f"{HEADER}\n2010_2011,2010,1,Atlantis,ATL,IMET,AIRBORNE,,1,1,0,1,0\n".encode(),
        2,
        "iso3_sfm",
        "unknown nation",
    ),
    "missing-column": (
        b"report,training_fy,primary,country\n2010_2011,2010,1,Colombia\n",
        1,
        None,
        "missing column(s)",
    ),
    "wrong-encoding": (
        f"{HEADER}\n2010_2011,2010,1,Colombia,COL,IMET,CADETE ESPA\u00d1OL,,1,1,0,1,0\n".encode(
            "latin-1"
        ),
        None,
        None,
        "is not UTF-8",
    ),
    "fiscal-year-not-the-reports": (
        f"{HEADER}\n2010_2011,2011,1,Colombia,COL,IMET,AIRBORNE,,1,1,0,1,0\n".encode(),
        2,
        "training_fy",
        "is not the fiscal year report 2010_2011 lists",
    ),
    "bad-count": (
        f"{HEADER}\n2010_2011,2010,1,Colombia,COL,IMET,AIRBORNE,,1,many,0,1,0\n".encode(),
        2,
        "students",
        "is not a whole number",
    ),
}


@pytest.mark.parametrize(
    ("content", "row", "column", "reason"), list(BAD_INPUT.values()), ids=list(BAD_INPUT)
)
def test_bad_input_is_rejected_and_nothing_is_written(
    store: Store,
    operator: Viewer,
    tmp_path: Path,
    content: bytes,
    row: int | None,
    column: str | None,
    reason: str,
) -> None:
    path = _gzip(tmp_path, content)
    with pytest.raises(ImportRejectedError) as caught:
        import_dataset(store, IMPORTER, [path], viewer=operator)
    report = caught.value.report
    assert report is not None
    assert [(i.file, i.row, i.column) for i in report.issues] == [
        ("fmt_courses.csv.gz", row, column)
    ]
    assert reason.casefold() in report.issues[0].reason.casefold()
    assert _stored(store) == 0


def test_a_truncated_gzip_file_is_refused_and_nothing_is_written(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    lines = [HEADER] + [ROW.replace("AIRBORNE", f"COURSE {i}") for i in range(2000)]
    path = _gzip(tmp_path, ("\n".join(lines) + "\n").encode(), cut=True)
    with pytest.raises(ImportRejectedError):
        import_dataset(store, IMPORTER, [path], viewer=operator)
    assert _stored(store) == 0


@pytest.mark.full_data
def test_importing_twice_changes_nothing(full_store: Store, operator: Viewer) -> None:
    # The template imported every bundled dataset once; this is the second import.
    assert _stored(full_store) == 18_292
    second = import_dataset(full_store, IMPORTER, viewer=operator)
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == 18_292
    assert _stored(full_store) == 18_292
