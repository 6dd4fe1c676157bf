"""The small importers: US senior visits, CoW states and major powers, organisations, GDELT."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from comity.access import Viewer
from comity.config import analytic_directory
from comity.errors import ImportRejectedError
from comity.ingest.catalog import get_importer
from comity.ingest.media.events import MILITARY_CODES
from comity.services import list_engagements
from comity.services.imports import bundled_paths, import_dataset
from comity.store import Store, tables
from tests.gdelt_rows import event, write_events


@pytest.mark.full_data
def test_us_senior_visits_row_accounting_and_facts(store: Store, operator: Viewer) -> None:
    report = import_dataset(store, "us_senior_visits", viewer=operator)
    # 377 rows: 14 excluded (1 duplicate, 5 Kosovo before 2008, 7 US territories, 1 Antarctica)
    # and one visit listed for two cities merged, leaving 362 visits.
    assert (report.rows_read, report.added) == (377, 362)
    assert sum(report.excluded.values()) == 14
    assert report.corrected["one visit listed once per city: rows merged"] == 1
    korea = list_engagements(store, operator, nation="USA", partner="KOR", from_year=2012)
    donley = [s.engagement for s in korea if "Donley" in s.engagement.title]
    assert [str(v.start) for v in donley] == ["2012-04-21"]
    assert donley[0].kind.value == "visit" and donley[0].host == "KOR"
    assert donley[0].details is not None and donley[0].details.level.value == "service_chief"
    pacom = [s.engagement for s in korea if s.engagement.title.startswith("PACOM")]
    assert pacom and all(v.details is not None and v.details.level.value == "other" for v in pacom)
    germany = list_engagements(store, operator, nation="DEU", text="Grafenwoehr")
    assert [s.engagement.location for s in germany] == ["Grafenwoehr; Kitzingen"]
    assert list_engagements(store, operator, nation="GUM") == []
    greenland = list_engagements(store, operator, nation="GRL")
    assert [str(s.engagement.start) for s in greenland] == ["2010-10-03"]


@pytest.mark.full_data
def test_cow_major_powers_are_nation_years(store: Store, operator: Viewer) -> None:
    import_dataset(store, "cow_states", viewer=operator)
    scores = tables.nation_scores
    with store.connect() as connection:
        rows = set(
            connection.execute(
                select(scores.c.nation, scores.c.year).where(scores.c.measure == "major_power")
            ).all()
        )
    assert ("SUN", 1960) in rows and ("RUS", 2000) in rows and ("RUS", 1960) not in rows
    assert ("USA", 1898) in rows and ("USA", 1897) not in rows
    assert ("CHN", 1950) in rows and ("DEU", 1930) in rows and ("DEU", 1950) not in rows
    assert ("JPN", 1992) in rows and ("JPN", 1950) not in rows


@pytest.mark.full_data
def test_gdelt_sample_keeps_dyadic_cooperation_events(store: Store, operator: Viewer) -> None:
    report = import_dataset(store, "gdelt_sample", viewer=operator)
    assert report.rows_read == 710
    # 576 events have codes outside the cooperation list; 98 are not dyadic between nations.
    assert report.excluded["event code not among the military-cooperation codes"] == 576
    assert report.excluded["an actor has no country code"] == 89
    assert report.added == 36
    target = analytic_directory(store.describe_url()) / "media_events" / "gdelt_sample.parquet"
    events = pq.read_table(target).to_pylist()
    assert len(events) == 36
    assert {e["cameo_code"] for e in events} <= set(MILITARY_CODES)
    assert all(e["nation1"] != e["nation2"] for e in events)
    again = import_dataset(store, "gdelt_sample", viewer=operator)
    assert (again.added, again.unchanged, again.removed) == (0, 36, 0)


def test_a_malformed_gdelt_file_names_the_line_and_keeps_the_old_data(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    import_dataset(store, "gdelt_sample", viewer=operator)
    source = bundled_paths(get_importer("gdelt_sample"))[0]
    lines = gzip.decompress(source.read_bytes()).decode("utf-8").splitlines()[:10]
    fields = lines[4].split("\t")
    fields[1] = "2016XX28"
    lines[4] = "\t".join(fields)
    lines.append("\t".join(["x"] * 60))
    bad = tmp_path / "bad.tsv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, "gdelt_sample", [bad], viewer=operator)
    first = raised.value.report.issues[0]
    assert (first.file, first.row) == ("bad.tsv", 11)
    assert "does not have 57 or 58 tab-separated fields" in first.reason
    lines.pop()
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, "gdelt_sample", [bad], viewer=operator)
    issue = raised.value.report.issues[0]
    assert (issue.row, issue.column) == (5, "day")
    assert issue.reason == "is not a date (YYYYMMDD) (value '2016XX28')"
    target = analytic_directory(store.describe_url()) / "media_events" / "gdelt_sample.parquet"
    assert pq.read_table(target).num_rows == 36


def test_gdelt_import_reads_gdelt2_archives_and_covers_every_publication_year(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    # The importer runs the media pipeline: GDELT 2.0 zipped as published, re-reported events
    # counted once, and coverage from every row read (2015 holds no cooperation event).
    rows = [
        event(1, dateadded="20160728101500"),
        event(1, dateadded="20160728101500", numsources="4"),
        event(2, actor2countrycode="FRA", eventcode="057", dateadded="20160729101500"),
        event(3, eventcode="190", day="20151231", dateadded="20151231101500"),
    ]
    written = write_events(tmp_path / "20160728101500.export.CSV", rows, version=2)
    archive = tmp_path / "20160728101500.export.CSV.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        packed.write(written, written.name)
    report = import_dataset(store, "gdelt_sample", [archive], viewer=operator)
    assert (report.rows_read, report.added) == (4, 2)
    assert report.excluded == {
        "event code not among the military-cooperation codes": 1,
        "re-reported event (same id, or same actors, code, day and URL)": 1,
    }
    target = analytic_directory(store.describe_url()) / "media_events" / "gdelt_sample.parquet"
    kept = {r["event_id"]: r["sources"] for r in pq.read_table(target).to_pylist()}
    assert kept == {1: 4, 2: 2}
    with store.connect() as connection:
        spans = connection.execute(
            select(tables.coverage.c.first_year, tables.coverage.c.last_year).where(
                tables.coverage.c.dataset == "gdelt_sample"
            )
        ).all()
    assert [tuple(s) for s in spans] == [(2015, 2016)]


@pytest.mark.full_data
@pytest.mark.parametrize(
    ("dataset", "coverage"),
    [
        ("mme_exercises", [("exercise", None, 1980, 2010)]),
        ("us_senior_visits", [("visit", "USA", 1992, 2012)]),
        ("cow_states", [(None, None, 1816, 2016)]),
        ("dcad", [("agreement", None, 1980, 2010)]),
        ("sipri_arms", [("arms_transfer", None, 1950, 2024)]),
        ("us_troops", [("presence", "USA", 1950, 2025)]),
        (
            "us_fmt_training",
            [("education", "USA", 1999, 2020), ("training", "USA", 1999, 2020)],
        ),
    ],
)
def test_bundled_sources_declare_the_kind_and_pairs_they_cover(
    full_store: Store, dataset: str, coverage: list[tuple[object, ...]]
) -> None:
    # The store every bundled dataset was imported into, each by its importer.
    c = tables.coverage
    with full_store.connect() as connection:
        rows = connection.execute(
            select(c.c.kind, c.c.nation, c.c.first_year, c.c.last_year).where(
                c.c.dataset == dataset, c.c.organisation.is_(None)
            )
        ).all()
    assert [tuple(row) for row in rows] == coverage
