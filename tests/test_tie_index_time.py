"""The index in time: coverage, what happens beyond it, censored ties, succession, continuity.

Hand-computed cases for each ``beyond_coverage`` mode, a censored alliance, the three kinds of
succession and the projected share, then agreement with the slow reference on random inputs.
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from comity.analytics.lineage import create_lineage
from comity.analytics.settings import default_settings
from comity.analytics.tie_index import run_dyad_years
from comity.services.index_tables import default_year_of, observed_shares
from tests.reference_index import PLEDGES, reference_dyad_years
from tests.test_tie_index import event, tables

SETTINGS = default_settings()
D = 2.0 ** (-1.0 / 3.0)
KAPPA = 20.0
Rows = dict[tuple[str, str, int], dict[str, Any]]


def scale(stock: float) -> float:
    return 100.0 * (1.0 - math.exp(-stock / KAPPA))


def coverage_table(rows: list[tuple[str, str | None, int, int]]) -> pa.Table:
    return pa.table(
        {
            "kind": pa.array([r[0] for r in rows], type=pa.string()),
            "nation": pa.array([r[1] for r in rows], type=pa.string()),
            "first_year": pa.array([r[2] for r in rows], type=pa.int32()),
            "last_year": pa.array([r[3] for r in rows], type=pa.int32()),
        }
    )


def run(
    engagements: list[dict[str, Any]],
    participants: list[tuple[int, str]],
    horizon: int,
    *,
    coverage: list[tuple[str, str | None, int, int]] = (),  # type: ignore[assignment]
    lineage: Any = None,
    **overrides: Any,
) -> Rows:
    e, p = tables(engagements, participants)
    e = e.append_column(
        "source_last_year",
        pa.array([x.get("source_last_year") for x in engagements], type=pa.int32()),
    )
    chosen = SETTINGS.with_overrides(overrides) if overrides else SETTINGS
    table = run_dyad_years(
        e,
        p,
        chosen,
        horizon=horizon,
        coverage=coverage_table(list(coverage)),
        lineage=lineage.lineage if lineage else None,
        labels=lineage.labels if lineage else None,
    )
    return {(r["iso3_1"], r["iso3_2"], r["year"]): r for r in table.to_pylist()}


EXERCISES = [event(i, "exercise", y) for i, y in ((1, 2008), (2, 2009), (3, 2010))]
PAIR = [(i, n) for i in (1, 2, 3) for n in ("AAA", "BBB")]
COVERED_TO_2010 = [("exercise", None, 2000, 2010)]


def observed_stock() -> float:
    return 1.0 + D + D * D  # exercises in 2008, 2009 and 2010, seen from 2010


# --- beyond_coverage ----------------------------------------------------------------------------


def test_project_continues_the_pairs_recent_yearly_rate() -> None:
    rows = run(EXERCISES, PAIR, 2013, coverage=COVERED_TO_2010)
    stock, projected = observed_stock(), 0.0
    assert rows[("AAA", "BBB", 2010)]["index"] == pytest.approx(scale(stock), abs=1e-9)
    assert rows[("AAA", "BBB", 2010)]["projected_share"] == 0.0
    for year in (2011, 2012, 2013):
        stock, projected = stock * D + 1.0, projected * D + 1.0  # the rate: mean of 1, 1, 1
        row = rows[("AAA", "BBB", year)]
        assert row["index"] == pytest.approx(scale(stock), abs=1e-9)
        assert row["projected_share"] == pytest.approx(projected / stock, abs=1e-12)
        assert row["last_observed_year"] == 2010
    assert rows[("AAA", "BBB", 2009)]["last_observed_year"] == 2009


def test_the_recent_rate_counts_covered_years_without_records_as_zero() -> None:
    rows = run(
        [event(1, "exercise", 2010)], [(1, "AAA"), (1, "BBB")], 2011, coverage=COVERED_TO_2010
    )
    # Mean of 2008, 2009, 2010 = (0 + 0 + 1) / 3.
    assert rows[("AAA", "BBB", 2011)]["index"] == pytest.approx(scale(D + 1 / 3), abs=1e-9)


def test_the_recent_rate_uses_only_covered_years() -> None:
    rows = run(
        [event(1, "exercise", 2010)],
        [(1, "AAA"), (1, "BBB")],
        2011,
        coverage=[("exercise", None, 2009, 2010)],
    )
    assert rows[("AAA", "BBB", 2011)]["index"] == pytest.approx(scale(D + 0.5), abs=1e-9)


def test_hold_freezes_the_stock_of_the_kind() -> None:
    rows = run(EXERCISES, PAIR, 2013, coverage=COVERED_TO_2010, beyond_coverage="hold")
    held = scale(observed_stock())
    for year in (2011, 2012, 2013):
        assert rows[("AAA", "BBB", year)]["index"] == pytest.approx(held, abs=1e-9)
    hold = (1.0 - D) * observed_stock()
    assert rows[("AAA", "BBB", 2011)]["projected_share"] == pytest.approx(
        hold / observed_stock(), abs=1e-12
    )


def test_decay_lets_the_stock_fade_as_method_one_did() -> None:
    rows = run(EXERCISES, PAIR, 2013, coverage=COVERED_TO_2010, beyond_coverage="decay")
    row = rows[("AAA", "BBB", 2013)]
    assert row["index"] == pytest.approx(scale(observed_stock() * D**3), abs=1e-9)
    assert row["projected_share"] == 0.0
    assert row["last_observed_year"] == 2010  # the data still say where observation ends


def test_missing_gives_no_value_beyond_coverage() -> None:
    rows = run(EXERCISES, PAIR, 2012, coverage=COVERED_TO_2010, beyond_coverage="missing")
    assert rows[("AAA", "BBB", 2010)]["index"] == pytest.approx(scale(observed_stock()), abs=1e-9)
    for year in (2011, 2012):
        row = rows[("AAA", "BBB", year)]
        assert row["index"] is None and row["continuity"] is None
        assert row["projected_share"] is None
        assert row["last_observed_year"] == 2010


def test_without_coverage_nothing_is_projected() -> None:
    rows = run(EXERCISES, PAIR, 2013)
    assert rows[("AAA", "BBB", 2013)]["index"] == pytest.approx(
        scale(observed_stock() * D**3), abs=1e-9
    )
    assert rows[("AAA", "BBB", 2013)]["last_observed_year"] == 2013


def test_a_record_beyond_coverage_is_not_counted_twice_with_the_projection() -> None:
    later = [event(4, "exercise", 2012), event(5, "exercise", 2012)]
    big = [(5, n) for n in ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH", "III", "JJJ")]
    rows = run(
        EXERCISES + later, PAIR + [(4, "AAA"), (4, "BBB")] + big, 2012, coverage=COVERED_TO_2010
    )
    # 2012: the bilateral exercise (1.0) plus a fifth of the ten-nation one (0.2): 1.2, above
    # the rate (1.0), so nothing is projected that year.
    stock = observed_stock() * D + 1.0
    stock = stock * D + 1.2
    assert rows[("AAA", "BBB", 2012)]["index"] == pytest.approx(scale(stock), abs=1e-9)
    assert rows[("AAA", "BBB", 2012)]["projected_share"] == pytest.approx(
        1.0 * D / stock, abs=1e-12
    )
    # CCC-DDD had only the ten-nation exercise, in no covered year: nothing to project.
    assert rows[("CCC", "DDD", 2012)]["projected_share"] == 0.0


def test_coverage_of_one_nations_pairs_leaves_other_pairs_unprojected() -> None:
    visits = [event(1, "visit", 2012), event(2, "visit", 2012)]
    rows = run(
        visits,
        [(1, "USA"), (1, "KOR"), (2, "FRA"), (2, "DEU")],
        2014,
        coverage=[("visit", "USA", 1992, 2012)],
    )
    assert rows[("KOR", "USA", 2014)]["projected_share"] > 0.0
    assert rows[("KOR", "USA", 2014)]["last_observed_year"] == 2012
    assert rows[("DEU", "FRA", 2014)]["projected_share"] == 0.0
    assert rows[("DEU", "FRA", 2014)]["index"] == pytest.approx(scale(0.5 * D * D), abs=1e-9)


# --- Standing ties right-censored ---------------------------------------------------------------

ALLIANCE_COVERED_TO_2018 = [("alliance", None, 1815, 2018)]


def censored(eid: int, first: int, source_last_year: int, **pledges: int) -> dict[str, Any]:
    return {
        **event(eid, "alliance", first),
        "last_year": None,
        "source_last_year": source_last_year,
        **pledges,
    }


def test_an_alliance_reaching_the_end_of_its_source_stays_in_force() -> None:
    rows = run(
        [censored(1, 2015, 2018, p_defence=1)],
        [(1, "PHL"), (1, "USA")],
        2021,
        coverage=ALLIANCE_COVERED_TO_2018,
    )
    stock, carried = 0.0, 0.0
    for year in range(2015, 2022):
        stock = stock * D + 3.0
        carried = carried * D + (3.0 if year > 2018 else 0.0)
        row = rows[("PHL", "USA", year)]
        assert row["index"] == pytest.approx(scale(stock), abs=1e-9)
        assert row["projected_share"] == pytest.approx(carried / stock, abs=1e-12)
    assert rows[("PHL", "USA", 2021)]["last_observed_year"] == 2018


def test_decay_ends_a_censored_alliance_at_the_end_of_its_source() -> None:
    rows = run(
        [censored(1, 2015, 2018, p_defence=1)],
        [(1, "PHL"), (1, "USA")],
        2020,
        coverage=ALLIANCE_COVERED_TO_2018,
        beyond_coverage="decay",
    )
    stock = 3.0 * (1 + D + D**2 + D**3)
    assert rows[("PHL", "USA", 2020)]["index"] == pytest.approx(scale(stock * D * D), abs=1e-9)


def test_a_later_source_ends_an_earlier_sources_censored_spell() -> None:
    # CoW's spell reaches its last year (2012); ATOP covers to 2018 and lists no alliance after
    # 2012: the CoW spell is not carried past 2012, neither before 2018 nor after.
    rows = run(
        [censored(1, 2010, 2012, p_defence=1)],
        [(1, "AAA"), (1, "BBB")],
        2021,
        coverage=[("alliance", None, 1816, 2012), *ALLIANCE_COVERED_TO_2018],
    )
    stock = 3.0 * (1 + D + D * D)
    assert rows[("AAA", "BBB", 2021)]["index"] == pytest.approx(scale(stock * D**9), abs=1e-9)
    assert rows[("AAA", "BBB", 2021)]["projected_share"] == 0.0


def test_a_treaty_tie_observed_longer_keeps_the_pair_observed() -> None:
    # An ATOP spell censored in 2018 and a treaty tie of an organisation observed to 2025
    # (its source declares no coverage of every pair): the strongest pledge, nothing projected.
    treaty = censored(2, 2015, 2025, p_defence=1)
    rows = run(
        [censored(1, 2015, 2018, p_defence=1), treaty],
        [(1, "FRA"), (1, "USA"), (2, "FRA"), (2, "USA")],
        2025,
        coverage=ALLIANCE_COVERED_TO_2018,
    )
    stock = sum(3.0 * D**k for k in range(11))
    assert rows[("FRA", "USA", 2025)]["index"] == pytest.approx(scale(stock), abs=1e-9)
    assert rows[("FRA", "USA", 2025)]["projected_share"] == pytest.approx(0.0, abs=1e-12)


# --- Succession ---------------------------------------------------------------------------------


class Succession:
    def __init__(self, predecessor: str, successors: tuple[str, ...], kind: str) -> None:
        self.predecessor, self.successors, self.kind = predecessor, successors, kind


SUCCESSIONS = [
    Succession("DDR", ("DEU",), "absorption"),
    Succession("SUN", ("RUS",), "continuation"),
    Succession("CSK", ("CZE", "SVK"), "dissolution"),
]
EXISTENCE = [
    ("SUN", 1922, 1991),
    ("RUS", 1816, 1921),
    ("RUS", 1992, None),
    ("DDR", 1954, 1990),
    ("DEU", 1955, None),
    ("CSK", 1945, 1992),
    ("CZE", 1993, None),
    ("SVK", 1993, None),
]
LINEAGE = create_lineage(SUCCESSIONS, EXISTENCE)


def test_a_continuing_state_carries_its_predecessors_stock() -> None:
    pact = {**event(1, "alliance", 1955, 1991), "p_defence": 1}
    rows = run([pact], [(1, "SUN"), (1, "POL")], 1993, lineage=LINEAGE)
    stock = sum(3.0 * D**k for k in range(37))
    assert rows[("POL", "SUN", 1991)]["index"] == pytest.approx(scale(stock), abs=1e-9)
    assert rows[("POL", "RUS", 1992)]["index"] == pytest.approx(scale(stock * D), abs=1e-9)
    assert ("POL", "SUN", 1992) not in rows and ("POL", "RUS", 1991) not in rows


def test_an_absorbed_state_takes_its_ties_with_it() -> None:
    pact = {**event(1, "alliance", 1955, 1990), "p_defence": 1}
    rows = run([pact], [(1, "DDR"), (1, "POL")], 1993, lineage=LINEAGE)
    assert ("DDR", "POL", 1990) in rows
    assert not [key for key in rows if key[2] > 1990]


def test_a_dissolved_states_ties_pass_to_each_successor() -> None:
    rows = run([event(1, "exercise", 1990)], [(1, "CSK"), (1, "POL")], 1993, lineage=LINEAGE)
    assert sorted(key for key in rows if key[2] == 1990) == [("CSK", "POL", 1990)]
    assert rows[("CSK", "POL", 1992)]["index"] == pytest.approx(scale(D * D), abs=1e-9)
    for pair in (("CZE", "POL"), ("POL", "SVK")):
        assert rows[(*pair, 1993)]["index"] == pytest.approx(scale(D**3), abs=1e-9)
    assert not [key for key in rows if "CSK" in key[:2] and key[2] > 1992]


def test_a_state_has_no_rows_in_years_it_does_not_exist() -> None:
    spells = [("EST", 1918, 1940), ("EST", 1991, None)]
    lineage = create_lineage([], spells)
    rows = run([event(1, "exercise", 1939)], [(1, "EST"), (1, "FIN")], 1992, lineage=lineage)
    assert sorted(y for (_, _, y) in rows) == [1939, 1940, 1991, 1992]


def test_two_states_of_one_lineage_never_share_a_year() -> None:
    # Serbia to 1918, Yugoslavia from 1918 (CoW 345 throughout): 1918 goes to Serbia.
    lineage = create_lineage(
        [Succession("SRB", ("YUG",), "continuation"), Succession("YUG", ("SRB",), "continuation")],
        [("SRB", 1878, 1918), ("YUG", 1918, 2005), ("SRB", 2006, None)],
    )
    rows = run([event(1, "exercise", 1917)], [(1, "SRB"), (1, "GRC")], 2007, lineage=lineage)
    years = sorted(rows)
    assert [k for k in years if k[2] == 1918] == [("GRC", "SRB", 1918)]
    assert [k for k in years if k[2] == 1919] == [("GRC", "YUG", 1919)]
    assert [k for k in years if k[2] == 2006] == [("GRC", "SRB", 2006)]


# --- Continuity means cooperation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("pledges", "continuity"),
    [
        ({"p_non_aggression": 1}, 0.0),
        ({"p_neutrality": 1}, 0.0),
        ({"p_consultation": 1}, 1.0),
        ({"p_non_aggression": 1, "p_defence": 1}, 1.0),
    ],
)
def test_continuity_counts_only_cooperation(pledges: dict[str, int], continuity: float) -> None:
    pact = {**event(1, "alliance", 1972, 2001), **pledges}
    rows = run([pact], [(1, "IND"), (1, "PAK")], 1999)
    assert rows[("IND", "PAK", 1999)]["continuity"] == continuity


# --- Agreement with the slow reference ----------------------------------------------------------

NATIONS = ["AAA", "BBB", "CCC", "CSK", "SUN", "RUS", "CZE", "SVK"]
KINDS = ["exercise", "visit", "education", "alliance", "agreement", "port_call"]
RANDOM_LINEAGE = create_lineage(
    SUCCESSIONS,
    [
        ("SUN", 1990, 1994),
        ("RUS", 1995, None),
        ("CSK", 1990, 1995),
        ("CZE", 1996, None),
        ("SVK", 1996, None),
        ("CCC", 1991, None),
    ],
)


@st.composite
def datasets(draw: Any) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    engagements, participants = [], []
    for eid in range(1, draw(st.integers(1, 8)) + 1):
        kind = draw(st.sampled_from(KINDS))
        first = draw(st.integers(1990, 2000))
        standing = kind in {"alliance", "agreement"}
        last = draw(st.one_of(st.none(), st.integers(first, 2002))) if standing else first
        extra: dict[str, Any] = {}
        if kind == "alliance":
            extra = {f"p_{p}": 1 for p in draw(st.sets(st.sampled_from(PLEDGES), min_size=1))}
        if kind == "education":
            extra["students"] = float(draw(st.integers(0, 60)))
        if last is None:
            extra["source_last_year"] = draw(st.one_of(st.none(), st.integers(1992, 2004)))
        engagements.append(event(eid, kind, first, last, **extra))
        members = draw(st.lists(st.sampled_from(NATIONS), min_size=1, max_size=4, unique=True))
        participants += [(eid, n) for n in members]
    return engagements, participants


coverage_rows = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.sampled_from([None, "AAA", "RUS"]),
        st.integers(1985, 1996),
        st.integers(1996, 2003),
    ),
    max_size=4,
)


@hsettings(max_examples=120, deadline=None)
@given(
    data=datasets(),
    coverage=coverage_rows,
    mode=st.sampled_from(["project", "hold", "decay", "missing"]),
    lineage=st.booleans(),
)
def test_duckdb_equals_the_slow_reference(
    data: Any, coverage: list[Any], mode: str, lineage: bool
) -> None:
    engagements, participants = data
    chosen = RANDOM_LINEAGE if lineage else None
    got = run(
        engagements, participants, 2005, coverage=coverage, lineage=chosen, beyond_coverage=mode
    )
    want = reference_dyad_years(
        engagements,
        [{"engagement_id": e, "nation": n} for e, n in participants],
        SETTINGS.with_overrides({"beyond_coverage": mode}),
        2005,
        coverage=[
            dict(zip(("kind", "nation", "first_year", "last_year"), r, strict=True))
            for r in coverage
        ],
        lineage=chosen.lineage.to_pylist()
        and [(r["nation"], r["lineage"]) for r in chosen.lineage.to_pylist()]
        if chosen
        else None,
        labels=chosen.labels.to_pylist() if chosen else None,
    )
    assert set(got) == set(want)
    for key, row in want.items():
        for column, value in row.items():
            if value is None:
                assert got[key][column] is None, (key, column)
            else:
                assert got[key][column] == pytest.approx(value, abs=1e-9, rel=1e-9), (key, column)


# --- The default year ---------------------------------------------------------------------------


def test_the_default_year_is_the_last_whose_index_is_mostly_observed() -> None:
    # The index-weighted observed share: 2020 (60 + 0) / 100; 2021 (30 + 30) / 100; 2022
    # 20 / 50, the pair with no index left out.
    table = pa.table(
        {
            "year": [2020, 2020, 2021, 2021, 2022, 2022],
            "index": [60.0, 40.0, 40.0, 60.0, 50.0, 0.0],
            "projected_share": [0.0, 1.0, 0.25, 0.5, 0.6, 0.0],
        }
    )
    shares = observed_shares(table)
    assert shares == pytest.approx({2020: 0.6, 2021: (30.0 + 30.0) / 100.0, 2022: 0.4})
    assert default_year_of(table, 2022, 0.5) == 2021
    assert default_year_of(table, 2022, 0.61) == 2022  # no year is mostly observed: the horizon
    assert default_year_of(table, 2021, 0.0) == 2021  # never beyond the horizon
