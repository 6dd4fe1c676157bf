"""The portfolio optimiser: gains by the index's formula, the MILP against brute force, rules;
stored plans as candidates and the answer in words (the service)."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comity import services
from comity.access.viewer import Role, Viewer
from comity.analytics.settings import default_settings
from comity.analytics.tie_index import run_dyad_years
from comity.errors import ValidationError
from comity.planning.candidates import Candidate, read_candidates
from comity.planning.gain import breakpoints, chord_error, contribution, gain, stock_from_index
from comity.planning.optimiser import greedy, optimise, piecewise_value
from comity.planning.portfolio import Rules, build_problem
from comity.services import optimiser as optimiser_service
from comity.store import Store

SETTINGS = default_settings()
PARTNERS = ("GBR", "FRA", "DEU")


def _plan(key: str, partners: tuple[str, ...], cost: float, **extra: object) -> Candidate:
    fields = {"title": f"plan {key}", "kind": "exercise", "year": 2027, **extra}
    return Candidate.model_validate({"id": key, "partners": partners, "cost": cost, **fields})


def test_gain_of_one_bilateral_exercise_is_computed_by_hand() -> None:
    # USA-GBR index 50 means S = 20 ln 2 = 13.863; a bilateral exercise of 900 personnel adds
    # c = 1.0 * (1 + log10(10)) * 2/2 = 2; gain = 100 * (0.5 - 0.5 * e^(-2/20)) = 4.758.
    stock = stock_from_index(50.0, 20.0)
    assert stock == pytest.approx(13.8629, abs=1e-4)
    c = contribution(SETTINGS, "exercise", nations=2, personnel=900)
    assert c == pytest.approx(2.0)
    assert gain(stock, c, 20.0) == pytest.approx(4.7581, abs=1e-4)
    plan = _plan("A", ("GBR",), 10, personnel=900)
    result = optimise([plan], nation="USA", budget=10, stocks={"GBR": stock}, settings=SETTINGS)
    assert [p.id for p in result.chosen] == ["A"]
    assert result.exact_gain == pytest.approx(4.7581, abs=1e-4)
    assert result.chosen[0].marginal_gain == pytest.approx(4.7581, abs=1e-4)


def test_contribution_equals_the_index_computed_on_duckdb() -> None:
    import pyarrow as pa

    cases = [
        ("exercise", 3, 250, None, None),
        ("education", 2, None, 12, None),
        ("visit", 2, None, None, "minister"),
        ("port_call", 4, 1000, None, None),
    ]
    for kind, n, personnel, students, level in cases:
        nations = ["AAA", "BBB", "CCC", "DDD"][:n]
        engagements = pa.table(
            {
                "engagement_id": [1],
                "kind": [kind],
                "first_year": [2000],
                "last_year": [2000],
                "host": [None],
                "personnel": pa.array([personnel], pa.float64()),
                **{
                    f"p_{k}": [0]
                    for k in (
                        "defence",
                        "offence",
                        "consultation",
                        "entente",
                        "neutrality",
                        "non_aggression",
                    )
                },
                "level": pa.array([level], pa.string()),
                "students": pa.array([students], pa.int64()),
            }
        )
        participants = pa.table({"engagement_id": [1] * n, "nation": nations, "role": ["p"] * n})
        table = run_dyad_years(engagements, participants, SETTINGS, horizon=2000)
        index = table.to_pylist()[0]["index"]
        c = contribution(
            SETTINGS, kind, nations=n, personnel=personnel, students=students, level=level
        )
        assert gain(0.0, c, SETTINGS.kappa) == pytest.approx(index, rel=1e-9), kind


def test_chord_error_is_the_largest_gap_on_a_fine_grid() -> None:
    stock, kappa = 5.0, 20.0
    points = breakpoints(stock, 30.0, kappa, 4)
    for a, b in itertools.pairwise(points):
        grid = [a + (b - a) * k / 2000 for k in range(2001)]
        slope = (gain(stock, b, kappa) - gain(stock, a, kappa)) / (b - a)
        worst = max(gain(stock, x, kappa) - gain(stock, a, kappa) - slope * (x - a) for x in grid)
        assert chord_error(stock, a, b, kappa) == pytest.approx(worst, abs=1e-6)


def _brute(
    problem: Rules | None,
    candidates: list[Candidate],
    budget: float,
    stocks: dict[str, float],
    weights: dict[str, float],
    rules: Rules,
):  # type: ignore[no-untyped-def]
    built = build_problem(
        candidates,
        nation="USA",
        budget=budget,
        stocks=stocks,
        priorities=weights,
        rules=rules,
        settings=SETTINGS,
        year=2027,
    )
    best_pwl, best_exact = -1.0, -1.0
    n = len(candidates)
    for size in range(n + 1):
        for subset in itertools.combinations(range(n), size):
            if not _feasible(built, list(subset)):
                continue
            best_pwl = max(best_pwl, piecewise_value(built, subset))
            best_exact = max(best_exact, built.exact(subset))
    return built, best_pwl, best_exact


def _feasible(built, subset: list[int]) -> bool:  # type: ignore[no-untyped-def]
    rules = built.rules
    ids = {built.candidates[i].id for i in subset}
    if not rules.include <= ids or ids & rules.exclude:
        return False
    for k, i in enumerate(subset):
        if built.violations(subset[:k], i):
            return False
    return True


_candidate = st.builds(
    lambda i, kind, partners, cost, year, window, personnel: Candidate(
        id=f"P{i}",
        title="t",
        kind=kind,
        partners=partners,
        cost=cost,
        year=year,
        window=window,
        personnel=personnel,
        students=5,
    ),
    st.integers(),
    st.sampled_from(["exercise", "education", "visit", "agreement", "port_call"]),
    st.lists(st.sampled_from(PARTNERS), min_size=1, max_size=3, unique=True).map(tuple),
    st.integers(0, 40),
    st.sampled_from([2025, 2026, 2027]),
    st.sampled_from(
        [None, None, "spring", "autumn", "2027-03-01/2027-03-10", "2027-03-08/2027-03-20"]
    ),
    st.sampled_from([None, 100, 2000]),
)


@st.composite
def _instances(draw: st.DrawFn) -> tuple:  # type: ignore[type-arg]
    raw = draw(st.lists(_candidate, min_size=1, max_size=7))
    candidates = [c.model_copy(update={"id": f"P{k}"}) for k, c in enumerate(raw)]
    budget = draw(st.integers(0, 120))
    stocks = {p: draw(st.floats(0, 40)) for p in PARTNERS}
    weights = {p: draw(st.sampled_from([0.0, 1.0, 2.5])) for p in PARTNERS}
    cap = draw(st.sampled_from([None, 1, 2]))
    include = draw(st.sets(st.sampled_from([c.id for c in candidates]), max_size=1))
    exclude = draw(st.sets(st.sampled_from([c.id for c in candidates]), max_size=2)) - include
    return candidates, budget, stocks, weights, Rules(cap, frozenset(include), frozenset(exclude))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_instances())
def test_milp_matches_brute_force_and_keeps_every_rule(instance: tuple) -> None:  # type: ignore[type-arg]
    candidates, budget, stocks, weights, rules = instance
    built, best_pwl, best_exact = _brute(None, candidates, budget, stocks, weights, rules)
    if best_pwl < 0:
        with pytest.raises(ValidationError):
            optimise(
                candidates,
                nation="USA",
                budget=budget,
                stocks=stocks,
                settings=SETTINGS,
                priorities=weights,
                rules=rules,
                year=2027,
            )
        return
    result = optimise(
        candidates,
        nation="USA",
        budget=budget,
        stocks=stocks,
        settings=SETTINGS,
        priorities=weights,
        rules=rules,
        year=2027,
    )
    chosen = [built.index_of(p.id) for p in result.chosen]
    assert _feasible(built, chosen)
    assert result.cost <= budget + 1e-9
    assert result.objective == pytest.approx(best_pwl, abs=1e-6)
    assert result.exact_gain >= result.objective - 1e-9
    assert best_exact - result.exact_gain <= result.error_bound + 1e-6
    picked = greedy(built)
    assert _feasible(built, picked)
    assert result.objective >= piecewise_value(built, picked) - 1e-6
    assert result.greedy["exact_gain"] == pytest.approx(built.exact(picked))
    assert sum(p.marginal_gain for p in result.chosen) == pytest.approx(result.exact_gain)


def test_rules_bind_and_are_reported() -> None:
    candidates = [
        _plan("A", ("GBR",), 10, window="spring"),
        _plan("B", ("GBR",), 10, window="spring"),
        _plan("C", ("FRA",), 10),
        _plan("D", ("FRA",), 10),
        _plan("E", ("DEU",), 50),
    ]
    result = optimise(
        candidates,
        nation="USA",
        budget=30,
        stocks={},
        settings=SETTINGS,
        rules=Rules(max_per_partner=1),
    )
    assert sorted(p.id for p in result.chosen) in (["A", "C"], ["B", "C"], ["A", "D"], ["B", "D"])
    assert result.binding == [
        "at most 1 with FRA",
        "at most 1 with GBR",
        "budget",
        "one per window spring",
    ]
    reasons = {row["id"]: row["reasons"] for row in result.left_out}
    assert reasons["E"] == ["budget"]


def test_date_ranges_that_overlap_exclude_each_other() -> None:
    candidates = [
        _plan("A", ("GBR",), 1, window="2027-03-01/2027-03-10"),
        _plan("B", ("FRA",), 1, window="2027-03-10/2027-03-12"),
        _plan("C", ("DEU",), 1, window="2027-03-11/2027-03-20"),
    ]
    result = optimise(candidates, nation="USA", budget=10, stocks={}, settings=SETTINGS)
    assert sorted(p.id for p in result.chosen) == ["A", "C"]


def test_diminishing_returns_spread_plans_over_partners() -> None:
    # Two exercises with GBR (stock 0) gain less than one with GBR and one with FRA.
    candidates = [_plan("G1", ("GBR",), 1), _plan("G2", ("GBR",), 1), _plan("F1", ("FRA",), 1)]
    result = optimise(candidates, nation="USA", budget=2, stocks={}, settings=SETTINGS)
    assert sorted(p.id for p in result.chosen) in (["F1", "G1"], ["F1", "G2"])
    assert result.exact_gain == pytest.approx(2 * gain(0, 1, 20))


def test_infeasible_must_includes_are_named() -> None:
    candidates = [_plan("A", ("GBR",), 60), _plan("B", ("FRA",), 60)]
    with pytest.raises(ValidationError) as caught:
        optimise(
            candidates,
            nation="USA",
            budget=100,
            stocks={},
            settings=SETTINGS,
            rules=Rules(include=frozenset({"A", "B"})),
        )
    assert caught.value.message == "Invalid portfolio: include: breaks budget (got B)"
    assert caught.value.hint == "Raise the budget or drop a must-include plan."


def test_rules_naming_unknown_plans_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        optimise(
            [_plan("A", ("GBR",), 1)],
            nation="USA",
            budget=1,
            stocks={},
            settings=SETTINGS,
            rules=Rules(include=frozenset({"Z"}), exclude=frozenset({"A", "Y"})),
        )
    assert caught.value.message == (
        "Invalid portfolio (2 problems): include: names no candidate plan (got Z); "
        "exclude: names no candidate plan (got Y)"
    )


def test_education_counts_at_most_the_yearly_cap() -> None:
    # 2 courses of 30 students: 0.5 + 1.5 = 2.0 each, 4.0 together, capped at 2.0 a year.
    courses = [_plan(f"E{k}", ("GBR",), 1, kind="education", students=30) for k in range(2)]
    result = optimise(courses, nation="USA", budget=2, stocks={}, settings=SETTINGS)
    assert result.exact_gain == pytest.approx(gain(0, 2.0, 20))
    assert len(result.chosen) == 1  # the second course adds nothing


def test_older_plans_are_decayed_to_the_evaluation_year() -> None:
    result = optimise(
        [_plan("A", ("GBR",), 1, year=2024)],
        nation="USA",
        budget=1,
        stocks={},
        settings=SETTINGS,
        year=2027,
    )
    assert result.exact_gain == pytest.approx(gain(0, 0.5, 20))  # half-life 3 years


def test_read_candidates_reports_every_bad_row_and_field() -> None:
    text = (
        "id,title,kind,partners,year,cost\n"
        "A,Exercise,exercise,United Kingdom;France,2027,10\n"
        "B,Course,alliance,GBR,2027,-1\n"
        "A,Again,visit,Narnia,2027,5\n"
    )
    with pytest.raises(ValidationError) as caught:
        read_candidates(text)
    fields = [p.field for p in caught.value.problems]
    assert fields == ["row 2.kind", "row 2.cost", "row 3.partners.0"]
    good = read_candidates(text.split("B,")[0])
    assert good[0].partners == ("GBR", "FRA")


def test_read_candidates_accepts_json() -> None:
    text = (
        '[{"id": "A", "title": "t", "kind": "visit", "partners": ["DEU"], "year": 2027, '
        '"cost": 3, "level": "minister"}]'
    )
    assert read_candidates(text, "json")[0].level == "minister"
    with pytest.raises(ValidationError, match="not JSON"):
        read_candidates("[", "json")


def test_gain_is_concave_so_breakpoints_bound_the_error() -> None:
    points = breakpoints(0.0, 40.0, 20.0, 32)
    assert points[0] == 0 and points[-1] == 40.0
    steps = [gain(0, b, 20) - gain(0, a, 20) for a, b in itertools.pairwise(points)]
    assert max(steps) == pytest.approx(min(steps))
    assert math.isclose(sum(steps), gain(0, 40, 20))


@given(text=st.text(alphabet=st.sampled_from(list('ab,;"\r\n\x00 0')), max_size=40))
@settings(max_examples=200, deadline=None)
def test_read_candidates_meets_any_text_with_plans_or_a_validation_error(text: str) -> None:
    try:
        read_candidates(text)
    except ValidationError:
        pass


def test_a_carriage_return_or_a_broken_quote_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="no header row"):
        read_candidates("\r0")
    with pytest.raises(ValidationError):
        read_candidates('id,title,kind,partners,year,cost\r\nA,"open quote\x00')


def _store_plans(store: Store) -> list[int]:
    operator = Viewer.operator("tests")
    base = {
        "kind": "exercise",
        "start": "2016-05-02",
        "end": "2016-05-06",
        "agencies": ["policy"],
        "partners": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
        "budget": {"amount": "12500", "currency": "USD"},
    }
    extras = [
        {"title": "Drill"},
        {"title": "Talks", "kind": "visit", "partners": [{"nation": "FRA"}, {"nation": "USA"}]},
        {"title": "Secret drill", "releasability": "REL FRA"},
        {"title": "Unfunded", "budget": None},
    ]
    return [services.plans.add_plan(store, {**base, **e}, operator).id for e in extras]


def test_plan_choices_hold_only_plans_releasable_to_the_viewer(store: Store) -> None:
    ids = _store_plans(store)
    american = Viewer(name="ana", nation="USA", role=Role.ANALYST)
    choices = optimiser_service.plan_choices(store, american)
    assert [c.stored.id for c in choices] == [ids[0], ids[1], ids[3]]
    assert [c.reason for c in choices] == [None, None, "it has no budget"]
    assert choices[0].partners == ("PHL",) and choices[0].currency == "USD"
    french = Viewer(name="fra", nation="FRA", role=Role.ANALYST)
    assert ids[2] in [c.stored.id for c in optimiser_service.plan_choices(store, french)]


def test_picked_plans_must_be_offered_to_the_viewer(store: Store) -> None:
    ids = _store_plans(store)
    american = Viewer(name="ana", nation="USA", role=Role.ANALYST)
    picked = optimiser_service.candidates_from_plans(store, american, plan_ids=[ids[1]])
    assert [c.title for c in picked.candidates] == ["Talks"] and picked.currency == "USD"
    with pytest.raises(ValidationError) as caught:
        optimiser_service.candidates_from_plans(store, american, plan_ids=[ids[2], ids[3]])
    assert [str(p) for p in caught.value.problems] == [
        f"plans: plan {ids[2]} is not one still to decide that you may see",
        "plans: Unfunded cannot be chosen: it has no budget",
    ]


def test_the_answer_in_words_adds_up_per_plan_and_partner(store: Store) -> None:
    _store_plans(store)
    american = Viewer(name="ana", nation="USA", role=Role.ANALYST)
    found = optimiser_service.candidates_from_plans(store, american)
    result = optimiser_service.optimise_portfolio(store, american, found.candidates, budget=25_000)
    summary = optimiser_service.explain_portfolio(
        store, american, result, found.candidates, currency=found.currency
    )
    assert [p.title for p in summary.chosen] == ["Drill", "Talks"]
    assert summary.headline == (
        "2 plans chosen, costing 25,000 USD of the 25,000 USD budget (0 USD left)."
    )
    by_partner = {r.name: r.after - r.before for r in summary.partners}
    assert by_partner == pytest.approx(
        {"Philippines": result.gains_by_partner["PHL"], "France": result.gains_by_partner["FRA"]}
    )
    assert sum(p.points for p in summary.chosen) == pytest.approx(result.exact_gain)
    assert summary.chosen[0].words == (
        f"Raises the tie index with Philippines by {by_partner['Philippines']:.2f} points."
    )
    assert summary.partners[0].before == 0.0  # no engagement with the Philippines yet


def test_left_out_plans_say_why_in_words(store: Store) -> None:
    _store_plans(store)
    american = Viewer(name="ana", nation="USA", role=Role.ANALYST)
    found = optimiser_service.candidates_from_plans(store, american)
    result = optimiser_service.optimise_portfolio(
        store, american, found.candidates, budget=20_000.5
    )
    summary = optimiser_service.explain_portfolio(
        store, american, result, found.candidates, currency="USD"
    )
    assert [(r.title, r.why) for r in summary.left_out] == [
        ("Talks", "over budget: it costs 12,500 USD and 7,500.50 USD is left")
    ]
    assert summary.more_left_out == 0


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "text"),
    [
        (12500, "USD", "en", "12,500 USD"),
        (12500.5, "USD", "en", "12,500.50 USD"),
        (12500, None, "en", "12,500"),
        (12500.5, "EUR", "fr", "12\u202f500,50 EUR"),
    ],
)
def test_amounts_are_written_with_their_currency(
    amount: float, currency: str | None, locale: str, text: str
) -> None:
    assert optimiser_service.format_amount(amount, currency, locale) == text
