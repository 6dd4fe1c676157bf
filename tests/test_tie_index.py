"""The tie index: hand-computed cases, properties, and agreement with a slow reference."""

from __future__ import annotations

import math
import random
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from comity.analytics.settings import default_settings
from comity.analytics.tie_index import COLUMNS, run_dyad_years
from comity.analytics.tie_index import KINDS as INDEX_KINDS
from comity.errors import ValidationError
from tests.reference_index import PLEDGES, reference_dyad_years

SETTINGS = default_settings()
D = 2.0 ** (-1.0 / 3.0)
KAPPA = 20.0
ENGAGEMENT_COLUMNS = (
    "engagement_id",
    "kind",
    "first_year",
    "last_year",
    "host",
    "personnel",
    "level",
    "students",
    "tiv",
    *(f"p_{p}" for p in PLEDGES),
)


def scale(stock: float) -> float:
    return 100.0 * (1.0 - math.exp(-stock / KAPPA))


def tables(
    engagements: list[dict[str, Any]], participants: list[tuple[int, str]]
) -> tuple[pa.Table, pa.Table]:
    types = {
        "engagement_id": pa.int64(),
        "kind": pa.string(),
        "first_year": pa.int32(),
        "last_year": pa.int32(),
        "host": pa.string(),
        "personnel": pa.float64(),
        "level": pa.string(),
        "students": pa.float64(),
        "tiv": pa.float64(),
        **{f"p_{p}": pa.int8() for p in PLEDGES},
    }
    data = {
        name: pa.array(
            [e.get(name, 0 if name.startswith("p_") else None) for e in engagements], type=kind
        )
        for name, kind in types.items()
    }
    people = pa.table(
        {
            "engagement_id": pa.array([p[0] for p in participants], type=pa.int64()),
            "nation": pa.array([p[1] for p in participants], type=pa.string()),
            "role": pa.array(["participant"] * len(participants), type=pa.string()),
        }
    )
    return pa.table(data), people


def run(
    engagements: list[dict[str, Any]], participants: list[tuple[int, str]], horizon: int, **kw: Any
) -> dict[tuple[str, str, int], dict[str, float]]:
    e, p = tables(engagements, participants)
    chosen = SETTINGS.with_overrides(kw) if kw else SETTINGS
    table = run_dyad_years(e, p, chosen, horizon=horizon)
    assert tuple(table.column_names) == COLUMNS
    return {(r["iso3_1"], r["iso3_2"], r["year"]): r for r in table.to_pylist()}


def event(eid: int, kind: str, first: int, last: int | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "engagement_id": eid,
        "kind": kind,
        "first_year": first,
        "last_year": first if last is None else last,
        **extra,
    }


def test_a_bilateral_exercise_counts_fully_and_decays() -> None:
    rows = run([event(1, "exercise", 2000)], [(1, "USA"), (1, "KOR")], 2003)
    assert rows[("KOR", "USA", 2000)]["index"] == pytest.approx(4.877057549928598, abs=1e-9)
    assert rows[("KOR", "USA", 2001)]["index"] == pytest.approx(scale(D), abs=1e-9)
    assert rows[("KOR", "USA", 2003)]["index"] == pytest.approx(scale(0.5), abs=1e-9)
    assert rows[("KOR", "USA", 2000)]["interoperability"] == pytest.approx(scale(1.0), abs=1e-9)
    assert rows[("KOR", "USA", 2000)]["institutional"] == 0.0


def test_a_ten_nation_exercise_counts_a_fifth_per_pair() -> None:
    nations = ["USA", "GBR", "FRA", "DEU", "ITA", "ESP", "NLD", "BEL", "NOR", "DNK"]
    rows = run([event(1, "exercise", 2005)], [(1, n) for n in nations], 2005)
    assert len(rows) == 45  # every pair of the ten
    assert rows[("DEU", "FRA", 2005)]["index"] == pytest.approx(0.9950166250831893, abs=1e-9)


def test_an_agreement_in_force_for_four_years() -> None:
    rows = run([event(1, "agreement", 2000, 2003)], [(1, "USA"), (1, "SGP")], 2005)
    stock = 0.0
    for year in range(2000, 2004):
        stock = stock * D + SETTINGS.weights.agreement
        assert rows[("SGP", "USA", year)]["index"] == pytest.approx(scale(stock), abs=1e-9)
        assert rows[("SGP", "USA", year)]["institutional"] == pytest.approx(scale(stock), abs=1e-9)
    assert rows[("SGP", "USA", 2005)]["index"] == pytest.approx(scale(stock * D * D), abs=1e-9)


def test_decay_over_a_three_year_gap_halves_the_stock() -> None:
    rows = run(
        [event(1, "exercise", 2000), event(2, "exercise", 2004)],
        [(1, "JPN"), (1, "USA"), (2, "JPN"), (2, "USA")],
        2004,
    )
    assert rows[("JPN", "USA", 2003)]["index"] == pytest.approx(scale(0.5), abs=1e-9)
    assert rows[("JPN", "USA", 2004)]["index"] == pytest.approx(scale(0.5 * D + 1.0), abs=1e-9)


def test_the_scale_saturates_at_a_hundred_and_halves_at_kappa_ln2() -> None:
    # An engagement worth kappa * ln 2 gives exactly 50; ten defence pledges nearly 100.
    weight = KAPPA * math.log(2.0)
    rows = run(
        [event(1, "exercise", 2000)], [(1, "A1A"), (1, "B2B")], 2000, weights={"exercise": weight}
    )
    assert rows[("A1A", "B2B", 2000)]["index"] == pytest.approx(50.0, abs=1e-9)
    rows = run(
        [event(1, "exercise", 2000)], [(1, "AAA"), (1, "BBB")], 2000, weights={"exercise": 200.0}
    )
    assert rows[("AAA", "BBB", 2000)]["index"] == pytest.approx(scale(200.0), abs=1e-9)
    assert rows[("AAA", "BBB", 2000)]["index"] < 100.0


def test_components_split_the_same_contributions() -> None:
    engagements = [
        event(1, "exercise", 2010),
        event(2, "visit", 2010, level="minister"),
        event(3, "alliance", 2010, p_defence=1, p_consultation=1),
        event(4, "alliance", 2010, p_consultation=1),
    ]
    participants = [(i, n) for i in (1, 2, 3, 4) for n in ("AUS", "USA")]
    row = run(engagements, participants, 2010)[("AUS", "USA", 2010)]
    # The strongest pledge in force, over both alliance records: defence 3.0, not 3.5.
    assert row["index"] == pytest.approx(scale(1.0 + 1.0 + 3.0), abs=1e-9)
    assert row["interoperability"] == pytest.approx(scale(1.0), abs=1e-9)
    assert row["cultural"] == pytest.approx(scale(1.0), abs=1e-9)
    assert row["institutional"] == pytest.approx(scale(3.0), abs=1e-9)


def test_size_factor_and_education_cap() -> None:
    engagements = [
        event(1, "exercise", 2001, personnel=900.0),  # 1 + log10(1 + 9) = 2
        event(2, "education", 2001, students=40.0),  # 0.5 + 2.0, capped at 2.0
    ]
    participants = [(i, n) for i in (1, 2) for n in ("FRA", "SEN")]
    row = run(engagements, participants, 2001)[("FRA", "SEN", 2001)]
    assert row["interoperability"] == pytest.approx(scale(2.0), abs=1e-9)
    assert row["cultural"] == pytest.approx(scale(2.0), abs=1e-9)


@pytest.mark.parametrize(
    ("tiv", "personnel", "contribution"),
    [
        (90.0, None, 0.5 * 2.0),  # 1 + log10(1 + 90 / 10) = 2
        (990.0, None, 0.5 * 3.0),  # 1 + log10(1 + 99) = 3
        (2.0, None, 0.5 * (1.0 + math.log10(1.2))),  # a small delivery: about 1.08
        (0.0, None, 0.5),  # less than half a million TIV, a delivery all the same
        (None, None, 0.5),  # a record entered without its value
        (None, 900.0, 0.5),  # personnel is never the size of an arms transfer
    ],
)
def test_an_arms_transfer_is_sized_by_its_tiv(
    tiv: float | None, personnel: float | None, contribution: float
) -> None:
    engagements = [event(1, "arms_transfer", 2001, host="USA", tiv=tiv, personnel=personnel)]
    row = run(engagements, [(1, "USA"), (1, "KOR")], 2001)[("KOR", "USA", 2001)]
    assert row["index"] == pytest.approx(scale(contribution), abs=1e-9)
    assert row["institutional"] == pytest.approx(scale(contribution), abs=1e-9)


def test_continuity_and_diversity() -> None:
    engagements = [event(1, "exercise", 2000), event(2, "port_call", 2001, personnel=None)]
    participants = [(i, n) for i in (1, 2) for n in ("IND", "USA")]
    rows = run(engagements, participants, 2006, weights={"port_call": 1.0})
    assert rows[("IND", "USA", 2002)]["continuity"] == pytest.approx(0.4, abs=1e-12)
    # Two kinds with equal weight: evenness ln 2 / ln 16, 16 being the kinds that contribute.
    assert len(INDEX_KINDS) == 16
    assert rows[("IND", "USA", 2002)]["diversity"] == pytest.approx(
        math.log(2) / math.log(16), abs=1e-12
    )
    assert rows[("IND", "USA", 2006)]["continuity"] == 0.0
    assert rows[("IND", "USA", 2006)]["diversity"] == 0.0


def test_settings_out_of_range_are_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        SETTINGS.with_overrides({"half_life": 0.1, "weights": {"exercise": -1}})
    fields = [p.field for p in raised.value.problems]
    assert fields == ["half_life", "weights.exercise"]


def test_every_result_can_name_its_settings() -> None:
    assert SETTINGS.digest() != SETTINGS.with_overrides({"kappa": 25}).digest()
    assert SETTINGS.digest() == SETTINGS.with_overrides({"kappa": 20.0}).digest()


# --- Properties ---------------------------------------------------------------------------------

NATIONS = ["AAA", "BBB", "CCC", "DDD", "EEE"]
KINDS = [
    "exercise",
    "training",
    "visit",
    "education",
    "alliance",
    "agreement",
    "port_call",
    "peacekeeping",
    "cultural_event",
    "arms_transfer",
    "presence",
]


@st.composite
def datasets(draw: Any) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    count = draw(st.integers(1, 8))
    engagements, participants = [], []
    for eid in range(1, count + 1):
        kind = draw(st.sampled_from(KINDS))
        first = draw(st.integers(1990, 1998))
        standing = kind in {"alliance", "agreement", "presence"}
        last = draw(st.one_of(st.none(), st.integers(first, 2000))) if standing else first
        extra: dict[str, Any] = {}
        if kind == "alliance":
            chosen = draw(st.sets(st.sampled_from(PLEDGES), min_size=1))
            extra = {f"p_{p}": 1 for p in chosen}
        if kind == "visit":
            extra["level"] = draw(st.sampled_from(["minister", "service_chief", None]))
        if kind == "education":
            extra["students"] = float(draw(st.integers(0, 60)))
        if kind in {"exercise", "training", "presence"}:
            extra["personnel"] = draw(st.one_of(st.none(), st.floats(0, 5000)))
        if kind == "arms_transfer":
            # Personnel is never the size of an arms transfer: its TIV is.
            extra["tiv"] = draw(st.one_of(st.none(), st.floats(0, 5000)))
            extra["personnel"] = draw(st.one_of(st.none(), st.floats(0, 5000)))
        engagements.append(event(eid, kind, first, last, **extra))
        members = draw(st.lists(st.sampled_from(NATIONS), min_size=1, max_size=5, unique=True))
        participants += [(eid, n) for n in members]
    return engagements, participants


def _close(a: dict[Any, dict[str, float]], b: dict[Any, dict[str, float]]) -> None:
    assert set(a) == set(b)
    for key, row in a.items():
        for column in (
            "index",
            "interoperability",
            "institutional",
            "cultural",
            "continuity",
            "diversity",
        ):
            assert row[column] == pytest.approx(b[key][column], abs=1e-9, rel=1e-9), (key, column)


@hsettings(max_examples=80, deadline=None)
@given(data=datasets())
def test_duckdb_equals_the_slow_reference(data: Any) -> None:
    engagements, participants = data
    _close(
        run(engagements, participants, 2001),
        reference_dyad_years(
            engagements,
            [{"engagement_id": e, "nation": n} for e, n in participants],
            SETTINGS,
            2001,
        ),
    )


@hsettings(max_examples=40, deadline=None)
@given(data=datasets(), seed=st.integers(0, 1000))
def test_invariant_to_the_order_of_input_rows(data: Any, seed: int) -> None:
    engagements, participants = data
    rng = random.Random(seed)
    shuffled_e, shuffled_p = engagements[:], participants[:]
    rng.shuffle(shuffled_e)
    rng.shuffle(shuffled_p)
    _close(run(engagements, participants, 2001), run(shuffled_e, shuffled_p, 2001))


@hsettings(max_examples=40, deadline=None)
@given(data=datasets())
def test_bounded_and_symmetric(data: Any) -> None:
    engagements, participants = data
    rows = run(engagements, participants, 2001)
    for (a, b, _), row in rows.items():
        assert a < b
        assert 0.0 <= row["index"] <= 100.0
        for column in ("interoperability", "institutional", "cultural"):
            assert 0.0 <= row[column] <= row["index"] + 1e-9
    # Listing each engagement's nations the other way round changes nothing.
    reversed_participants = list(reversed(participants))
    _close(rows, run(engagements, reversed_participants, 2001))


@hsettings(max_examples=40, deadline=None)
@given(data=datasets(), extra=datasets())
def test_monotone_in_added_engagements(data: Any, extra: Any) -> None:
    engagements, participants = data
    more_e, more_p = extra
    offset = 100
    added_e = [{**e, "engagement_id": e["engagement_id"] + offset} for e in more_e]
    added_p = [(eid + offset, n) for eid, n in more_p]
    before = run(engagements, participants, 2001)
    after = run(engagements + added_e, participants + added_p, 2001)
    for key, row in before.items():
        assert after[key]["index"] >= row["index"] - 1e-9


def test_diversity_by_kind_columns_equals_diversity_by_kind_rows() -> None:
    """DuckDB sums the kinds' windows as columns, Spark as rows: the same values, to the bit."""
    import duckdb

    from comity.analytics.contributions import Inputs
    from comity.analytics.tie_index import dyad_years_sql, register_inputs
    from tests.spark_helpers import generated_engagements

    engagements, participants, media = generated_engagements()
    connection = duckdb.connect()
    register_inputs(connection, engagements, participants, media, first_year=1990, horizon=2020)
    inputs = Inputs(media=True)
    order = " ORDER BY iso3_1, iso3_2, year"
    columns, rows = (
        connection.sql(
            dyad_years_sql(default_settings(), 2020, inputs, kinds_as_columns=by_columns) + order
        ).to_arrow_table()
        for by_columns in (True, False)
    )
    assert columns.num_rows > 300
    assert columns.equals(rows)
    # Some pairs mix kinds, so diversity is neither 0 nor 1 everywhere.
    spread = {round(v, 6) for v in columns.column("diversity").to_pylist()}
    assert len(spread) > 20
