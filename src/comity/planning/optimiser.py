"""The portfolio optimiser: the plans that raise the tie index most with priority partners.

``optimise`` maximises ``sum over priority partners p of weight(p) * gain_p(C_p)``, ``C_p`` the
stock the chosen plans add to the pair (own nation, p) by the evaluation year, under a budget and
rules (at most n plans per partner, must-include, must-exclude, one per time window). Each
concave ``gain_p`` is replaced by the chords between breakpoints (its hypograph: ``t_p <= chord``
for every chord, exact at the breakpoints, no extra binaries), and the resulting mixed-integer
linear programme is solved by HiGHS through :func:`scipy.optimize.milp`. The chords lie below the
curve, so the exact gain of the chosen set is at least the programme's objective and at most
:attr:`Portfolio.error_bound` above it; no set is better by more than that bound.

``greedy`` is the baseline: repeatedly take the plan of highest marginal exact gain per unit of
cost that still keeps every rule.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from comity.analytics.settings import IndexSettings
from comity.errors import FieldProblem, ValidationError
from comity.planning.candidates import Candidate
from comity.planning.gain import breakpoints, chord_error, gain
from comity.planning.portfolio import Problem, Rules, Running, build_problem

__all__ = ["Pick", "Portfolio", "Rules", "greedy", "optimise", "piecewise_value"]

SEGMENTS = 32
"""Chords per partner by default."""


@dataclass(frozen=True)
class Pick:
    """One chosen plan and what it adds, in the order the explanation adds them."""

    id: str
    title: str
    kind: str
    partners: tuple[str, ...]
    year: int
    cost: float
    marginal_gain: float


@dataclass
class Portfolio:
    """The optimiser's answer and its explanation (see :func:`optimise`)."""

    nation: str
    year: int
    budget: float
    chosen: list[Pick]
    objective: float
    exact_gain: float
    error_bound: float
    cost: float
    gains_by_partner: dict[str, float]
    stocks: dict[str, float]
    weights: dict[str, float]
    binding: list[str]
    left_out: list[dict[str, Any]]
    status: str
    gap: float | None
    seconds: float
    greedy: dict[str, Any] = field(default_factory=dict)
    segments: int = SEGMENTS
    method_version: str = ""
    settings_digest: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The answer as JSON-ready data."""
        return asdict(self)


@dataclass
class _Chords:
    points: dict[str, list[float]]
    bound: float


def _chords(problem: Problem, segments: int) -> _Chords:
    kappa = problem.settings.kappa
    everything = range(len(problem.candidates))
    upper = problem.added(i for i in everything if i not in _excluded(problem))
    points: dict[str, list[float]] = {}
    bound = 0.0
    for partner, top in sorted(upper.items()):
        if top <= 0 or problem.weights.get(partner, 0.0) <= 0:
            continue
        stock = problem.stocks.get(partner, 0.0)
        points[partner] = breakpoints(stock, top, kappa, segments)
        worst = max(
            chord_error(stock, a, b, kappa)
            for a, b in zip(points[partner], points[partner][1:], strict=False)
        )
        bound += problem.weights[partner] * worst
    return _Chords(points, bound)


def _excluded(problem: Problem) -> set[int]:
    return {problem.index_of(plan) for plan in problem.rules.exclude}


def piecewise_value(problem: Problem, chosen: Sequence[int], segments: int = SEGMENTS) -> float:
    """The chord (piecewise-linear) objective of a set of plans, as the programme scores it."""
    return _piecewise(problem, _chords(problem, segments), chosen)


def _piecewise(problem: Problem, chords: _Chords, chosen: Sequence[int]) -> float:
    kappa = problem.settings.kappa
    total = 0.0
    for partner, amount in problem.added(chosen).items():
        points = chords.points.get(partner)
        if not points:
            continue
        stock = problem.stocks.get(partner, 0.0)
        values = [gain(stock, x, kappa) for x in points]
        value = values[-1]
        for k in range(len(points) - 1):
            if amount <= points[k + 1] + 1e-12:
                span = points[k + 1] - points[k]
                share = (amount - points[k]) / span if span > 0 else 0.0
                value = values[k] + share * (values[k + 1] - values[k])
                break
        total += problem.weights[partner] * value
    return total


def _solve(
    problem: Problem, chords: _Chords, time_limit: float, gap: float
) -> tuple[list[int], float, str, float | None]:
    import numpy as np
    from scipy.optimize import LinearConstraint, milp
    from scipy.sparse import coo_array

    n = len(problem.candidates)
    partners = sorted(chords.points)
    column = {p: n + k for k, p in enumerate(partners)}
    # Education counts at most cap_per_year a year per pair: one continuous variable per
    # (partner, year) of education plans, no more than their sum and no more than the cap.
    groups: dict[tuple[str, int], list[int]] = {}
    for i, candidate in enumerate(problem.candidates):
        if candidate.kind == "education":
            for p in problem.effects[i]:
                if p in column:
                    groups.setdefault((p, candidate.year), []).append(i)
    capped = {key: n + len(partners) + k for k, key in enumerate(sorted(groups))}
    size = n + len(partners) + len(capped)
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def add_row(entries: list[tuple[int, float]], low: float, high: float) -> None:
        row = len(lower)
        for col, value in entries:
            rows.append(row)
            cols.append(col)
            data.append(value)
        lower.append(low)
        upper.append(high)

    decay = problem.decay
    added: dict[str, list[tuple[int, float]]] = {p: [] for p in partners}
    for i, candidate in enumerate(problem.candidates):
        if candidate.kind == "education":
            continue
        factor = decay ** (problem.year - candidate.year)
        for p, amount in problem.effects[i].items():
            if p in added:
                added[p].append((i, amount * factor))
    for (p, year), members in sorted(groups.items()):
        var = capped[(p, year)]
        added[p].append((var, decay ** (problem.year - year)))
        entries = [(var, 1.0)] + [(i, -problem.effects[i][p]) for i in members]
        add_row(entries, -np.inf, 0.0)
    kappa = problem.settings.kappa
    for p in partners:
        points = chords.points[p]
        stock = problem.stocks.get(p, 0.0)
        values = [gain(stock, x, kappa) for x in points]
        for k in range(len(points) - 1):
            span = points[k + 1] - points[k]
            if span <= 0:
                continue
            slope = (values[k + 1] - values[k]) / span
            entries = [(column[p], 1.0)] + [(col, -slope * a) for col, a in added[p]]
            add_row(entries, -np.inf, values[k] - slope * points[k])
    add_row([(i, c.cost) for i, c in enumerate(problem.candidates)], -np.inf, problem.budget)
    if problem.rules.max_per_partner is not None:
        members_of: dict[str, list[int]] = {}
        for i, touched in enumerate(problem.touches):
            for p in touched:
                members_of.setdefault(p, []).append(i)
        for members in members_of.values():
            if len(members) > problem.rules.max_per_partner:
                add_row([(i, 1.0) for i in members], -np.inf, problem.rules.max_per_partner)
    for _, members in problem.windows:
        add_row([(i, 1.0) for i in members], -np.inf, 1.0)

    objective = np.zeros(size)
    for p in partners:
        objective[column[p]] = -problem.weights[p]
    low = np.zeros(size)
    high = np.full(size, np.inf)
    high[:n] = 1.0
    for (_, _), var in capped.items():
        high[var] = problem.settings.education.cap_per_year
    for plan in problem.rules.include:
        low[problem.index_of(plan)] = 1.0
    for plan in problem.rules.exclude:
        high[problem.index_of(plan)] = 0.0
    integrality = np.zeros(size)
    integrality[:n] = 1
    from scipy.optimize import Bounds

    matrix = coo_array((data, (rows, cols)), shape=(len(lower), size)).tocsr()
    result = milp(
        objective,
        integrality=integrality,
        bounds=Bounds(low, high),
        constraints=LinearConstraint(matrix, np.array(lower), np.array(upper)),
        options={"time_limit": time_limit, "mip_rel_gap": gap, "disp": False},
    )
    if result.x is None:
        raise _infeasible(problem, str(result.message))
    chosen = [i for i in range(n) if result.x[i] > 0.5]
    status = {0: "optimal", 1: "time limit"}.get(result.status, str(result.message))
    found_gap = getattr(result, "mip_gap", None)
    return chosen, -float(result.fun), status, None if found_gap is None else float(found_gap)


def _infeasible(problem: Problem, message: str) -> ValidationError:
    included = sorted(problem.rules.include)
    reasons: list[FieldProblem] = []
    chosen: list[int] = []
    for plan in included:
        position = problem.index_of(plan)
        broken = problem.violations(chosen, position)
        if broken:
            reasons.append(FieldProblem("include", "breaks " + ", ".join(broken), plan))
        chosen.append(position)
    if not reasons:
        reasons.append(FieldProblem("rules", f"no portfolio keeps every rule ({message})"))
    return ValidationError(
        reasons, "portfolio", hint="Raise the budget or drop a must-include plan."
    )


def greedy(problem: Problem) -> list[int]:
    """The greedy pick: must-includes first, then highest marginal exact gain per unit of cost.

    Lazy evaluation: marginal gains only shrink as plans are added (the gain is concave), so a
    plan whose refreshed ratio still tops the heap is the best one.
    """
    running = Running(problem)
    for plan in sorted(problem.rules.include):
        running.add(problem.index_of(plan))
    skip = set(running.chosen) | _excluded(problem)

    def ratio(i: int) -> float:
        extra = running.marginal(i)
        cost = problem.candidates[i].cost
        return extra / cost if cost > 0 else (math.inf if extra > 0 else 0.0)

    heap = [(-ratio(i), i) for i in range(len(problem.candidates)) if i not in skip]
    heapq.heapify(heap)
    while heap:
        _, i = heapq.heappop(heap)
        if problem.violations(running.chosen, i):
            continue  # rules only tighten as plans are added: it will never fit again
        fresh = ratio(i)
        if fresh <= 0:
            continue
        if heap and fresh < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-fresh, i))
            continue
        running.add(i)
    return running.chosen


def _without_idle(problem: Problem, chords: _Chords, chosen: list[int]) -> list[int]:
    """Drop chosen plans that add nothing: the solver is indifferent to them.

    No rule needs them, and dropping one keeps every rule, the objective and the optimum.
    """
    kept = list(chosen)
    value = _piecewise(problem, chords, kept)
    for i in sorted(chosen, key=lambda i: -problem.candidates[i].cost):
        if problem.candidates[i].id in problem.rules.include:
            continue
        rest = [j for j in kept if j != i]
        if _piecewise(problem, chords, rest) >= value - 1e-12:
            kept = rest
    return kept


def _order(problem: Problem, chosen: Sequence[int]) -> list[Pick]:
    """Chosen plans in the order of largest marginal exact gain, each with its marginal gain."""
    running = Running(problem)
    remaining, picks = list(chosen), list[Pick]()
    while remaining:
        best = max(remaining, key=lambda i: (running.marginal(i), -i))
        value = running.add(best)
        c = problem.candidates[best]
        picks.append(
            Pick(c.id, c.title, c.kind, tuple(sorted(problem.touches[best])), c.year, c.cost, value)
        )
        remaining.remove(best)
    return picks


def _explain(problem: Problem, chosen: Sequence[int]) -> tuple[list[str], list[dict[str, Any]]]:
    """Which rules stop further plans with a positive gain, and which plans they stop."""
    running = Running(problem)
    for i in chosen:
        running.add(i)
    taken = set(chosen)
    binding: set[str] = set()
    left: list[dict[str, Any]] = []
    excluded = _excluded(problem)
    for i, candidate in enumerate(problem.candidates):
        if i in taken:
            continue
        extra = running.marginal(i)
        reasons = ["excluded"] if i in excluded else problem.violations(list(chosen), i)
        if extra <= 1e-9:
            reasons = reasons or ["no gain with priority partners"]
        elif i not in excluded:
            binding.update("budget" if r == "budget" else r for r in reasons)
        left.append(
            {
                "id": candidate.id,
                "title": candidate.title,
                "cost": candidate.cost,
                "marginal_gain": extra,
                "reasons": reasons or ["not worth its cost"],
            }
        )
    left.sort(key=lambda row: (-row["marginal_gain"], row["id"]))
    return sorted(binding), left[:20]


def optimise(
    candidates: Sequence[Candidate],
    *,
    nation: str,
    budget: float,
    stocks: Mapping[str, float],
    settings: IndexSettings,
    priorities: Mapping[str, float] | None = None,
    rules: Rules | None = None,
    year: int | None = None,
    segments: int = SEGMENTS,
    time_limit: float = 60.0,
    gap: float = 1e-6,
) -> Portfolio:
    """Choose the plans that maximise the weighted gain of the tie index with priority partners.

    Args:
        candidates: The candidate plans (from a file, or later from stored plans).
        nation: The planning nation (ISO alpha-3).
        budget: The budget, in the unit of the costs.
        stocks: Each partner's current stock at the evaluation year (see
            :func:`~comity.planning.gain.stock_from_index`); missing partners start at 0.
        settings: The index's settings (weights, half-life, kappa).
        priorities: Partner -> weight; None: every partner of a candidate, weight 1.
        rules: Caps, must-include, must-exclude, windows.
        year: Evaluation year (default: the latest candidate's year).
        segments: Chords per partner in the approximation.
        time_limit: Seconds the solver may use.
        gap: Relative gap at which the solver stops.

    Raises:
        ValidationError: For bad inputs, or rules no portfolio keeps (naming the must-includes
            that break them).
    """
    if not candidates:
        raise ValidationError([FieldProblem("candidates", "no candidate plans given")], "plans")
    chosen_year = year if year is not None else max(c.year for c in candidates)
    problem = build_problem(
        candidates,
        nation=nation,
        budget=budget,
        stocks=stocks,
        priorities=priorities,
        rules=rules or Rules(),
        settings=settings,
        year=chosen_year,
    )
    chords = _chords(problem, segments)
    started = time.perf_counter()
    chosen, _, status, found_gap = _solve(problem, chords, time_limit, gap)
    seconds = time.perf_counter() - started
    chosen = _without_idle(problem, chords, chosen)
    started = time.perf_counter()
    baseline = greedy(problem)
    greedy_seconds = time.perf_counter() - started
    binding, left_out = _explain(problem, chosen)
    return Portfolio(
        nation=nation,
        year=chosen_year,
        budget=budget,
        chosen=_order(problem, chosen),
        objective=_piecewise(problem, chords, chosen),
        exact_gain=problem.exact(chosen),
        error_bound=chords.bound,
        cost=problem.cost(chosen),
        gains_by_partner=problem.gains_by_partner(chosen),
        stocks={p: problem.stocks.get(p, 0.0) for p in sorted(problem.weights)},
        weights=dict(sorted(problem.weights.items())),
        binding=binding,
        left_out=left_out,
        status=status,
        gap=found_gap,
        seconds=seconds,
        greedy={
            "chosen": [problem.candidates[i].id for i in baseline],
            "objective": _piecewise(problem, chords, baseline),
            "exact_gain": problem.exact(baseline),
            "cost": problem.cost(baseline),
            "seconds": greedy_seconds,
        },
        segments=segments,
        method_version=settings.method_version,
        settings_digest=settings.digest(),
    )
