"""The challenges beside every pair: ideology, grievances, rivalry, power, media, friction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import insert

from comity.analytics.challenges import (
    COLUMNS,
    create_nation_challenges,
    create_pair_challenges,
)
from comity.config import analytic_directory
from comity.errors import NotFoundError, ValidationError
from comity.store import Store, tables

_GML = "gml_mid_ddydisps: GML MID 2.2.1 dispute dyad-years (ids gml:); use up to 2010"
_MID5 = "cow_mid5_ddydisps: CoW MID 5.0 dispute dyad-years (ids mid5:); use for 2011-2014"
_RIVALRIES = "td_rivalries: Thompson-Dreyer strategic rivalries; right-censored at 2010"


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def fresh(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The fresh ``store`` with its own, empty analytic folder."""
    monkeypatch.setenv("COMITY_ANALYTIC_DIR", str(tmp_path / "analytic"))
    return store


def _insert(store: Store, table: Any, rows: list[dict[str, Any]]) -> None:
    with store.transaction() as connection:
        connection.execute(insert(table), rows)


def _cover(store: Store, *spans: tuple[str, int, int, str | None]) -> None:
    _insert(
        store,
        tables.coverage,
        [
            {
                "dataset": dataset,
                "nation": None,
                "first_year": first,
                "last_year": last,
                "note": note,
            }
            for dataset, first, last, note in spans
        ],
    )


def _score(store: Store, measure: str, *values: tuple[str, int, float]) -> None:
    dataset = "cow_states" if measure == "major_power" else "democracy_scores"
    _insert(
        store,
        tables.nation_scores,
        [
            {"dataset": dataset, "measure": measure, "nation": nation, "year": year, "value": value}
            for nation, year, value in values
        ],
    )


def _disputes(store: Store, *records: tuple[str, int, int | None]) -> None:
    """Dispute-years of GBR-USA: (dispute id, year, fatality)."""
    _insert(
        store,
        tables.dispute_years,
        [
            {
                "dataset": "mid_dyadic",
                "dispute": dispute,
                "nation1": "GBR",
                "nation2": "USA",
                "year": year,
                "onset": True,
                "hostility": 3,
                "fatality": fatality,
                "initiator": None,
            }
            for dispute, year, fatality in records
        ],
    )


def _cover_disputes(store: Store) -> None:
    _cover(store, ("mid_dyadic", 1816, 2010, _GML), ("mid_dyadic", 1816, 2014, _MID5))


def _pair(store: Store, year: int, a: str = "USA", b: str = "GBR") -> dict[str, Any]:
    rows = create_pair_challenges(
        store, a, b, first_year=year, last_year=year, in_system_only=False
    ).rows()
    assert len(rows) == 1
    return rows[0]


def _grievances(row: dict[str, Any]) -> tuple[Any, Any, Any]:
    return row["disputes_50y"], row["fatal_disputes_50y"], row["last_dispute_year"]


def _write_media(store: Store, events: list[tuple[str, str, int, float]]) -> None:
    folder = analytic_directory(store.describe_url()) / "media_events"
    folder.mkdir(parents=True)
    pq.write_table(
        pa.table(
            {
                "event_id": pa.array(range(len(events)), pa.int64()),
                "nation1": [e[0] for e in events],
                "nation2": [e[1] for e in events],
                "year": pa.array([e[2] for e in events], pa.int32()),
                "tone": pa.array([e[3] for e in events], pa.float64()),
            }
        ),
        folder / "test_media.parquet",
    )


# --- ideological distance --------------------------------------------------------------------


def test_ideological_distance_is_the_gap_between_two_coded_scores(fresh: Store) -> None:
    _score(fresh, "v2x_polyarchy", ("USA", 2000, 0.9), ("GBR", 2000, 0.85))
    _score(fresh, "polity2", ("USA", 2000, 10.0), ("GBR", 2000, 6.0))
    row = _pair(fresh, 2000)
    assert (row["iso3_1"], row["iso3_2"], row["year"]) == ("GBR", "USA", 2000)
    assert row["ideological_distance"] == pytest.approx(0.05)
    assert row["polity_distance"] == pytest.approx(0.2)


def test_ideological_distance_is_missing_when_one_side_is_not_coded(fresh: Store) -> None:
    _score(fresh, "v2x_polyarchy", ("USA", 2001, 0.9), ("GBR", 2000, 0.85))
    _score(fresh, "polity2", ("USA", 2001, 10.0))
    row = _pair(fresh, 2001)
    assert (row["ideological_distance"], row["polity_distance"]) == (None, None)


# --- historical grievances -------------------------------------------------------------------


def test_disputes_are_counted_over_the_last_fifty_years(fresh: Store) -> None:
    _cover_disputes(fresh)
    # gml:1 in 1951 is inside 1951-2000, gml:2 in 1950 just outside; gml:3 runs two years.
    _disputes(
        fresh, ("gml:1", 1951, 2), ("gml:2", 1950, 3), ("gml:3", 1990, None), ("gml:3", 1991, None)
    )
    row = _pair(fresh, 2000)
    assert _grievances(row) == (2, 1, 1991)
    row = _pair(fresh, 1999)
    assert _grievances(row) == (3, 2, 1991)


def test_a_pair_without_disputes_in_covered_years_counts_zero(fresh: Store) -> None:
    _cover_disputes(fresh)
    row = _pair(fresh, 1900)
    assert _grievances(row) == (0, 0, None)


def test_the_two_dispute_files_count_a_dispute_once(fresh: Store) -> None:
    _cover_disputes(fresh)
    _disputes(
        fresh,
        ("gml:3", 1990, 0),
        ("mid5:3", 1990, 0),  # the same dyad-year in both files
        ("gml:4", 2010, 0),
        ("mid5:4", 2010, 0),
        ("mid5:4", 2011, 1),  # runs into 2011
        ("mid5:7", 2005, 0),  # MID 5 only, in a year GML covers: GML's judgement stands
        ("mid5:9", 2012, 0),
    )
    row = _pair(fresh, 2010)
    assert (row["disputes_50y"], row["last_dispute_year"]) == (2, 2010)
    row = _pair(fresh, 2012)
    assert _grievances(row) == (3, 1, 2012)


def test_a_year_after_the_dispute_coverage_has_no_count_not_zero(fresh: Store) -> None:
    _cover_disputes(fresh)
    _disputes(fresh, ("mid5:9", 2012, 0))
    assert _pair(fresh, 2014)["disputes_50y"] == 1
    assert _grievances(_pair(fresh, 2015)) == (None, None, None)


def test_a_window_reaching_before_1816_is_counted(fresh: Store) -> None:
    _cover_disputes(fresh)
    _disputes(fresh, ("gml:5", 1820, 0))
    assert _pair(fresh, 1830)["disputes_50y"] == 1
    assert _pair(fresh, 1815)["disputes_50y"] is None


# --- rivalry ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "expected"), [(1816, True), (1904, True), (1905, False), (2010, False), (2011, None)]
)
def test_rivalry_is_true_while_it_runs_false_after_and_none_outside_coverage(
    fresh: Store, year: int, expected: bool | None
) -> None:
    _cover(fresh, ("mid_dyadic", 1494, 2010, _RIVALRIES))
    _insert(
        fresh,
        tables.rivalries,
        [
            {
                "dataset": "mid_dyadic",
                "rivalry": "27",
                "name": "Britain-United States",
                "nation1": "GBR",
                "nation2": "USA",
                "first_year": 1816,
                "last_year": 1904,
                "region": None,
                "types": "positional",
            },
        ],
    )
    assert _pair(fresh, year)["rivalry"] is expected


# --- power asymmetry -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pair", "year", "expected"),
    [
        (("USA", "GBR"), 2000, 0),
        (("FRA", "CAN"), 2000, 1),
        (("CAN", "MEX"), 2000, 0),
        (("FRA", "CAN"), 2017, None),
    ],
)
def test_major_power_gap_is_one_when_exactly_one_is_a_major_power(
    fresh: Store, pair: tuple[str, str], year: int, expected: int | None
) -> None:
    _cover(fresh, ("cow_states", 1816, 2016, "state system membership, v2016"))
    _score(
        fresh,
        "major_power",
        ("USA", 2000, 1.0),
        ("GBR", 2000, 1.0),
        ("FRA", 2000, 1.0),
        ("FRA", 2017, 1.0),
    )
    assert _pair(fresh, year, *pair)["major_power_gap"] == expected


def test_capability_ratio_and_friction_are_always_missing_and_say_why(fresh: Store) -> None:
    _cover(fresh, ("cow_states", 1816, 2016, None))
    result = create_pair_challenges(fresh, "USA", "GBR", first_year=1990, last_year=2000)
    assert result.table.column_names == list(COLUMNS)
    assert {r["capability_ratio"] for r in result.rows()} == {None}
    assert {r["friction_days"] for r in result.rows()} == {None}
    assert any("CINC" in note for note in result.notes)
    assert any(note.startswith("major_power_gap is a proxy") for note in result.notes)


# --- public perception -----------------------------------------------------------------------


def test_media_tone_is_the_mean_and_events_are_counted_within_coverage(fresh: Store) -> None:
    _cover(fresh, ("test_media", 2015, 2016, "days the files were published"))
    _write_media(
        fresh, [("USA", "GBR", 2016, 1.0), ("GBR", "USA", 2016, 3.0), ("GBR", "USA", 1990, -2.0)]
    )
    row = _pair(fresh, 2016)
    assert (row["media_tone"], row["media_events"]) == (pytest.approx(2.0), 2)
    row = _pair(fresh, 2015)
    assert (row["media_tone"], row["media_events"]) == (None, 0)
    row = _pair(fresh, 2014)
    assert (row["media_tone"], row["media_events"]) == (None, None)
    # A back-dated event outside the coverage still counts (a lower bound).
    row = _pair(fresh, 1990)
    assert (row["media_tone"], row["media_events"]) == (pytest.approx(-2.0), 1)


def test_without_media_files_tone_and_events_are_missing(fresh: Store) -> None:
    row = _pair(fresh, 2016)
    assert (row["media_tone"], row["media_events"]) == (None, None)


# --- histories and cross-sections ------------------------------------------------------------


def test_an_empty_store_gives_missing_values_never_zero(fresh: Store) -> None:
    row = _pair(fresh, 2000)
    assert {k: v for k, v in row.items() if v is not None} == {
        "iso3_1": "GBR",
        "iso3_2": "USA",
        "year": 2000,
    }


def test_a_history_keeps_the_years_both_nations_were_states(fresh: Store) -> None:
    result = create_pair_challenges(fresh, "usa", "SUN", last_year=2000)
    years = [r["year"] for r in result.rows()]
    assert (years[0], years[-1], len(years)) == (1922, 1991, 70)
    assert {(r["iso3_1"], r["iso3_2"]) for r in result.rows()} == {("SUN", "USA")}


def test_a_history_ends_with_the_last_year_the_data_cover(fresh: Store) -> None:
    _cover(fresh, ("democracy_scores", 1816, 2019, None), ("cow_states", 1816, 2016, None))
    years = [r["year"] for r in create_pair_challenges(fresh, "USA", "GBR").rows()]
    assert (years[0], years[-1]) == (1816, 2019)


def test_a_cross_section_pairs_the_nation_with_every_state_of_the_year(fresh: Store) -> None:
    _score(fresh, "v2x_polyarchy", ("USA", 2000, 0.9), ("GBR", 2000, 0.85), ("CAN", 2000, 0.8))
    rows = create_nation_challenges(fresh, "USA", 2000).rows()
    pairs = {(r["iso3_1"], r["iso3_2"]) for r in rows}
    assert {("GBR", "USA"), ("CAN", "USA"), ("USA", "VEN")} <= pairs
    assert all("USA" in pair and pair[0] < pair[1] for pair in pairs)
    assert ("SUN", "USA") not in pairs  # not a state in 2000
    distance = {r["iso3_1"]: r["ideological_distance"] for r in rows}
    assert distance["GBR"] == pytest.approx(0.05)
    assert distance["CAN"] == pytest.approx(0.1)


def test_a_cross_section_of_a_nation_outside_the_system_is_empty(fresh: Store) -> None:
    assert create_nation_challenges(fresh, "SUN", 2000).table.num_rows == 0
    assert create_nation_challenges(fresh, "SUN", 2000, in_system_only=False).table.num_rows > 150


def test_an_unknown_nation_is_named(fresh: Store) -> None:
    with pytest.raises(NotFoundError, match="No nation with the key 'XXX'"):
        create_pair_challenges(fresh, "USA", "XXX")
    with pytest.raises(NotFoundError, match="No nation with the key 'XXX'"):
        create_nation_challenges(fresh, "XXX", 2000)


def test_a_pair_needs_two_nations(fresh: Store) -> None:
    with pytest.raises(ValidationError, match="partner: must be another nation than the first"):
        create_pair_challenges(fresh, "USA", "usa")


# --- the bundled datasets --------------------------------------------------------------------


def _history(store: Store, a: str, b: str) -> dict[int, dict[str, Any]]:
    return {row["year"]: row for row in create_pair_challenges(store, a, b).rows()}


@pytest.mark.full_data
def test_the_cold_war_pair_is_distant_disputed_and_rivals_in_1980(any_full_store: Store) -> None:
    row = _history(any_full_store, "USA", "SUN")[1980]
    assert row["ideological_distance"] > 0.5
    assert row["disputes_50y"] >= 1
    assert row["rivalry"] is True


@pytest.mark.full_data
def test_the_united_states_and_britain_are_close_in_2000(any_full_store: Store) -> None:
    row = _history(any_full_store, "USA", "GBR")[2000]
    assert row["ideological_distance"] < 0.1
    assert row["rivalry"] is False


@pytest.mark.full_data
def test_india_and_pakistan_have_disputes_and_a_rivalry_in_2000(any_full_store: Store) -> None:
    row = _history(any_full_store, "IND", "PAK")[2000]
    assert row["disputes_50y"] >= 1
    assert row["fatal_disputes_50y"] >= 1
    assert row["rivalry"] is True


@pytest.mark.full_data
def test_after_the_dispute_data_end_only_ideology_is_known(any_full_store: Store) -> None:
    history = _history(any_full_store, "IND", "PAK")
    assert history[2014]["disputes_50y"] >= 1
    row = history[2019]
    assert (row["disputes_50y"], row["last_dispute_year"], row["rivalry"]) == (None, None, None)
    assert row["ideological_distance"] is not None
    assert max(history) == 2019  # V-Dem, the latest of the three, ends in 2019


@pytest.mark.full_data
def test_a_cross_section_covers_every_partner_of_the_year(any_full_store: Store) -> None:
    rows = create_nation_challenges(any_full_store, "USA", 1980).rows()
    soviet = next(r for r in rows if r["iso3_1"] == "SUN")
    assert soviet == _history(any_full_store, "USA", "SUN")[1980]
    assert len(rows) > 150
