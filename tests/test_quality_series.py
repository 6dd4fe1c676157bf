"""Recurring series expected but missing: the rule, the store read, the report and its faces."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import update
from typer.testing import CliRunner

from comity import services
from comity.access import Role, Viewer
from comity.analytics.series import (
    BY_HAND,
    MAX_SKIPPED,
    MIN_STEPS,
    create_missing_series,
    find_missing_years,
    find_period,
)
from comity.cli import app
from comity.model.measures import CoverageSpan
from comity.services import accounts
from comity.services.quality import quality_report
from comity.store import Store, tables
from comity.store.coverage import replace_coverage
from comity.store.series_inputs import SeriesRow, read_series_inputs
from tests.api_world import engagement_record, serve
from tests.web_client import PASSWORD, client_for

OPERATOR = Viewer.operator("tests")
FRENCH = Viewer(name="fr", nation="FRA", role=Role.ANALYST)
AMERICAN = Viewer(name="us", nation="USA", role=Role.ANALYST)


def _skip(years: Iterable[int], *skipped: int) -> list[int]:
    return [year for year in years if year not in skipped]


# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "period"),
    [
        (range(2000, 2010), 1),
        (range(1980, 2011, 2), 2),
        ([1990, 1993, 1996, 1999, 2002], 3),
        # Cobra Gold in MME: 27 gaps of one year and one of two.
        (_skip(range(1982, 2011), 2008), 1),
        # Repeats count once.
        ([2001, 2001, 2002, 2003, 2004], 1),
    ],
)
def test_the_period_is_the_most_common_gap(years: Iterable[int], period: int) -> None:
    assert find_period(years) == period


@pytest.mark.parametrize(
    "years",
    [
        [],
        [2000],
        # Three records: only two gaps, fewer than three in step.
        [2000, 2001, 2002],
        # Two gaps of one among four: not more than half.
        [2000, 2001, 2002, 2005, 2009],
        # Three gaps of one and three of two: a tie, so no gap is more than half.
        [2000, 2001, 2002, 2003, 2005, 2007, 2009],
        # Seven records with no gap in step three times.
        [2000, 2001, 2003, 2006, 2010, 2015, 2016],
    ],
)
def test_a_series_without_a_dominant_gap_has_no_period(years: list[int]) -> None:
    assert find_period(years) is None
    assert find_missing_years(years) == []


def test_a_yearly_series_misses_the_year_it_skips() -> None:
    assert find_missing_years(_skip(range(1982, 2011), 2008)) == [2008]


def test_a_biennial_series_misses_only_its_own_rhythms_years() -> None:
    # RIMPAC in MME: even years 1980-2010 but 2000.
    assert find_missing_years(_skip(range(1980, 2011, 2), 2000)) == [2000]


def test_a_series_that_starts_late_or_ends_early_misses_nothing() -> None:
    assert find_missing_years(range(1995, 2004), lambda year: 1980 <= year <= 2010) == []


def test_a_year_no_source_observes_is_unobserved_not_missing() -> None:
    years = _skip(range(2000, 2015), 2004, 2012)
    assert find_missing_years(years, lambda year: year <= 2010) == [2004]
    assert find_missing_years(years) == [2004, 2012]


def test_a_long_silence_is_a_pause_not_missing_records() -> None:
    skipped = MAX_SKIPPED + 1
    years = [*range(1983, 1988), *range(1988 + skipped, 1995 + skipped)]
    assert find_missing_years(years) == []
    shorter = [*range(1983, 1988), *range(1988 + MAX_SKIPPED, 1995)]
    assert find_missing_years(shorter) == list(range(1988, 1988 + MAX_SKIPPED))


def test_a_change_of_rhythm_expects_nothing() -> None:
    # Even years, then odd years: the gap of three is not a multiple of two.
    assert find_missing_years([1990, 1992, 1994, 1996, 1999, 2001, 2003, 2005]) == []


def test_the_sources_say_which_years_each_observes() -> None:
    rows = [
        *(SeriesRow("Cobra Gold", "exercise", "mme_exercises", y) for y in range(2000, 2011)),
        *(SeriesRow("Cobra Gold", "exercise", None, y) for y in (2013, 2014, 2015, 2016)),
        *(SeriesRow("Sea Drill", "exercise", "mme_exercises", y) for y in (2000, 2001, 2003)),
        *(SeriesRow("Sea Drill", "exercise", "mme_exercises", y) for y in (2004, 2005)),
    ]
    found = create_missing_series(rows, {("mme_exercises", "exercise"): [(1980, 2010)]})
    assert found == [
        {
            "programme": "Cobra Gold",
            "period": 1,
            "first_year": 2000,
            "last_year": 2016,
            "years": 15,
            # The records entered by hand observe every year.
            "missing_years": [2011, 2012],
            "sources": [BY_HAND],
        },
        {
            "programme": "Sea Drill",
            "period": 1,
            "first_year": 2000,
            "last_year": 2005,
            "years": 5,
            "missing_years": [2002],
            "sources": ["mme_exercises"],
        },
    ]


def test_a_dataset_without_coverage_of_the_kind_observes_every_year() -> None:
    rows = [
        SeriesRow("Drill", "training", "mme_exercises", y) for y in _skip(range(2011, 2020), 2015)
    ]
    found = create_missing_series(rows, {("mme_exercises", "exercise"): [(1980, 2010)]})
    assert [(s["missing_years"], s["sources"]) for s in found] == [([2015], ["mme_exercises"])]


def test_years_beyond_the_coverage_of_the_kind_are_not_missing() -> None:
    rows = [
        SeriesRow("Drill", "exercise", "mme_exercises", y) for y in _skip(range(2005, 2016), 2012)
    ]
    assert create_missing_series(rows, {("mme_exercises", "exercise"): [(1980, 2010)]}) == []


@given(
    start=st.integers(1900, 2100),
    period=st.integers(1, 5),
    count=st.integers(1, 40),
)
def test_a_perfectly_regular_series_never_misses_a_year(
    start: int, period: int, count: int
) -> None:
    years = range(start, start + period * count, period)
    assert find_missing_years(years) == []
    assert find_period(years) == (period if count >= 4 else None)


@given(st.data())
def test_removing_one_interior_year_of_a_yearly_series_misses_exactly_that_year(
    data: st.DataObject,
) -> None:
    start = data.draw(st.integers(1900, 2100), label="start")
    count = data.draw(st.integers(6, 40), label="count")
    removed = data.draw(st.integers(start + 1, start + count - 2), label="removed")
    years = _skip(range(start, start + count), removed)
    assert find_missing_years(years) == [removed]


@given(
    years=st.sets(st.integers(1950, 2030), max_size=40),
    first=st.integers(1950, 2030),
    length=st.integers(0, 80),
)
def test_missing_years_are_observed_interior_years_without_records(
    years: set[int], first: int, length: int
) -> None:
    def observed(year: int) -> bool:
        return first <= year <= first + length

    missing = find_missing_years(years, observed)
    assert missing == sorted(missing)
    assert not set(missing) & years
    assert all(min(years) < year < max(years) and observed(year) for year in missing)


# --- the store and the report -----------------------------------------------------------------


def _add_series(
    store: Store,
    years: Iterable[int],
    *,
    programme: str = "Cobra Gold",
    viewer: Viewer = OPERATOR,
    releasability: str | None = None,
    participants: tuple[str, str] = ("THA", "USA"),
) -> list[int]:
    ids = []
    for year in years:
        record = engagement_record(
            f"{programme} {year}",
            releasability,
            start=date(year, 2, 1),
            host=participants[0],
            participants=[{"nation": participants[0], "role": "host"}, {"nation": participants[1]}],
            programme=programme,
        )
        ids.append(services.add_engagement(store, record, viewer).id)
    return ids


def _import_as(store: Store, ids: list[int], dataset: str, first: int, last: int) -> None:
    """Mark records as imported from ``dataset``, which covers exercises first-last."""
    with store.transaction() as connection:
        connection.execute(
            update(tables.engagements)
            .where(tables.engagements.c.id.in_(ids))
            .values(source_dataset=dataset)
        )
        replace_coverage(connection, dataset, [CoverageSpan(dataset, first, last, kind="exercise")])


def test_the_store_reads_each_programme_year_once_with_its_source_and_coverage(
    store: Store,
) -> None:
    ids = _add_series(store, [2001, 2001, 2002])
    _import_as(store, ids[:2], "mme_exercises", 1980, 2010)
    _add_series(store, [2003], programme="Balikatan", participants=("PHL", "USA"))
    with store.connect() as connection:
        inputs = read_series_inputs(connection, OPERATOR)
        philippine = read_series_inputs(connection, OPERATOR, "PHL")
    assert inputs.rows == [
        SeriesRow("Balikatan", "exercise", None, 2003),
        SeriesRow("Cobra Gold", "exercise", "mme_exercises", 2001),
        SeriesRow("Cobra Gold", "exercise", None, 2002),
    ]
    assert inputs.coverage == {("mme_exercises", "exercise"): [(1980, 2010)]}
    assert philippine.rows == [SeriesRow("Balikatan", "exercise", None, 2003)]


def test_the_report_lists_a_skipped_year_within_the_coverage(store: Store) -> None:
    ids = _add_series(store, _skip(range(2000, 2014), 2004, 2012))
    _import_as(store, ids, "mme_exercises", 1980, 2010)
    report = quality_report(store, OPERATOR)
    assert report["expected_but_missing"] == [
        {
            "programme": "Cobra Gold",
            "period": 1,
            "first_year": 2000,
            "last_year": 2013,
            "years": 12,
            "missing_years": [2004],
            "sources": ["mme_exercises"],
        }
    ]
    # The records outside the coverage keep their place in the report's other parts.
    assert report["overall"]["records"] == 12


def test_the_nation_filter_keeps_the_series_the_nation_takes_part_in(store: Store) -> None:
    _add_series(store, _skip(range(2000, 2008), 2004))
    _add_series(
        store, _skip(range(2000, 2008), 2003), programme="Balikatan", participants=("PHL", "USA")
    )
    thai = quality_report(store, OPERATOR, nation="Thailand")
    american = quality_report(store, OPERATOR, nation="USA")
    assert [s["programme"] for s in thai["expected_but_missing"]] == ["Cobra Gold"]
    assert [s["programme"] for s in american["expected_but_missing"]] == ["Balikatan", "Cobra Gold"]


def test_a_hidden_record_counts_for_a_viewer_only_as_if_it_were_absent(store: Store) -> None:
    _add_series(store, _skip(range(2000, 2010), 2005))
    (secret,) = _add_series(store, [2005], releasability="REL USA")
    assert quality_report(store, AMERICAN)["expected_but_missing"] == []
    french = quality_report(store, FRENCH)["expected_but_missing"]
    assert [s["missing_years"] for s in french] == [[2005]]
    services.delete_engagement(store, secret, OPERATOR)
    assert quality_report(store, OPERATOR)["expected_but_missing"] == french


def test_a_hidden_series_is_not_listed_at_all(store: Store) -> None:
    _add_series(store, _skip(range(2000, 2010), 2005), releasability="REL USA")
    assert [
        s["missing_years"] for s in quality_report(store, AMERICAN)["expected_but_missing"]
    ] == [[2005]]
    assert quality_report(store, FRENCH)["expected_but_missing"] == []


# --- the faces --------------------------------------------------------------------------------


def test_the_cli_shows_the_series_in_the_table_and_the_json(cli: CliRunner, store: Store) -> None:
    _add_series(store, _skip(range(1982, 2011), 2008))
    table = cli.invoke(app, ["quality"])
    assert table.exit_code == 0, table.output
    assert "Expected but missing" in table.stdout
    assert "Cobra Gold" in table.stdout and "every year" in table.stdout
    assert "1982-2010" in table.stdout and "2008" in table.stdout
    report = json.loads(cli.invoke(app, ["quality", "--json"]).stdout)
    assert [
        (s["programme"], s["missing_years"], s["sources"]) for s in report["expected_but_missing"]
    ] == [("Cobra Gold", [2008], [BY_HAND])]
    csv = cli.invoke(app, ["quality", "--csv"])
    assert csv.exit_code == 0 and "Expected but missing" not in csv.stdout


def test_the_page_shows_the_viewers_series(store: Store) -> None:
    _add_series(store, _skip(range(1980, 2011, 2), 2000), programme="RIMPAC")
    accounts.create_user(
        store, OPERATOR, username="analyst.fra", password=PASSWORD, nation="FRA", role="analyst"
    )
    with client_for(store, "analyst.fra") as client:
        page = client.get("/quality")
    assert page.status_code == 200
    assert "<h2>Expected but missing</h2>" in page.text
    assert (
        "<tr><td>RIMPAC</td><td>every 2 years</td><td>1980–2010</td><td>2000</td>"
        f"<td>{BY_HAND}</td></tr>"
    ) in page.text


def test_the_page_says_when_no_series_misses_a_year(store: Store) -> None:
    _add_series(
        store, _skip(range(1980, 2011, 2), 2000), programme="RIMPAC", releasability="REL USA"
    )
    accounts.create_user(
        store, OPERATOR, username="analyst.fra", password=PASSWORD, nation="FRA", role="analyst"
    )
    with client_for(store, "analyst.fra") as client:
        page = client.get("/quality")
    assert "No recurring series with missing years that you may see." in page.text
    assert "RIMPAC" not in page.text


def test_the_api_answers_the_callers_series(store: Store) -> None:
    _add_series(store, _skip(range(2000, 2010), 2005))
    _add_series(store, [2005], releasability="REL USA")
    with serve(store) as world:
        french = world.client.get("/api/v1/quality", headers=world.headers("viewer", "FRA"))
        american = world.client.get("/api/v1/quality", headers=world.headers("viewer", "USA"))
    assert french.status_code == 200
    assert [s["missing_years"] for s in french.json()["expected_but_missing"]] == [[2005]]
    assert american.json()["expected_but_missing"] == []


# --- the bundled data -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.full_data
def test_the_bundled_exercises_miss_cobra_gold_2008_and_no_odd_rimpac_year(
    full_store: Store,
) -> None:
    series = {
        s["programme"]: s for s in quality_report(full_store, OPERATOR)["expected_but_missing"]
    }
    cobra_gold = series["Cobra Gold"]
    assert (cobra_gold["period"], cobra_gold["missing_years"]) == (1, [2008])
    assert "mme_exercises" in cobra_gold["sources"]
    rimpac = series.get("RIMPAC", {"period": 2, "missing_years": []})
    assert rimpac["period"] == 2
    assert all(year % 2 == 0 for year in rimpac["missing_years"])


def test_the_documented_rule_states_the_limits_the_code_uses() -> None:
    text = " ".join(
        (Path(__file__).parents[1] / "docs" / "data-quality.md").read_text(encoding="utf-8").split()
    )
    assert f"at least {MIN_STEPS} gaps equal it" in text
    assert f"at most {MAX_SKIPPED} occurrences" in text
