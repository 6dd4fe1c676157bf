"""What the optimiser and the greedy pick share: the rules, each plan's effect, exact evaluation.

Each plan adds, to the stock of every pair (own nation, partner) it creates, its contribution
decayed from its year to the evaluation year: ``c * d^(Y - year)``, ``d = 2^(-1/h)`` the index's
memory. Education counts at most ``cap_per_year`` a year per pair, as in the index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from comity.analytics.settings import IndexSettings
from comity.errors import FieldProblem, ValidationError
from comity.planning.candidates import Candidate
from comity.planning.gain import contribution, gain

__all__ = ["Problem", "Rules", "Running", "build_problem"]


@dataclass(frozen=True)
class Rules:
    """Rules every portfolio keeps.

    Attributes:
        max_per_partner: At most this many chosen plans with any one partner (None: no cap).
        include: Ids of plans that must be chosen.
        exclude: Ids of plans that must not be chosen.
        one_per_window: At most one plan per window label, and no two with overlapping ranges.
    """

    max_per_partner: int | None = None
    include: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()
    one_per_window: bool = True


@dataclass
class Problem:
    """A portfolio problem: candidates, their effects, the objective's weights and the rules.

    Attributes:
        candidates: The plans, in the order given.
        nation: The planning nation.
        year: The evaluation year.
        budget: The budget.
        rules: The rules.
        settings: The index's settings.
        stocks: Each partner's stock at the evaluation year.
        weights: Each priority partner's weight in the objective.
        effects: Per plan, priority partner -> its contribution in its own year (education
            uncapped; decay and caps are applied where plans are added up).
        touches: Per plan, every partner it involves (caps count these).
        windows: Groups of plan indices of which at most one may be chosen.
    """

    candidates: list[Candidate]
    nation: str
    year: int
    budget: float
    rules: Rules
    settings: IndexSettings
    stocks: dict[str, float]
    weights: dict[str, float]
    effects: list[dict[str, float]] = field(default_factory=list)
    touches: list[frozenset[str]] = field(default_factory=list)
    windows: list[tuple[str, list[int]]] = field(default_factory=list)
    _ids: dict[str, int] = field(init=False, repr=False)
    _decay: float = field(init=False, repr=False)

    @property
    def decay(self) -> float:
        """The index's yearly memory factor."""
        return self._decay

    def added(self, chosen: Iterable[int]) -> dict[str, float]:
        """Stock added to each priority partner by a set of plans (education capped per year)."""
        totals: dict[str, float] = defaultdict(float)
        education: dict[tuple[str, int], float] = defaultdict(float)
        for i in chosen:
            candidate = self.candidates[i]
            for partner, amount in self.effects[i].items():
                if candidate.kind == "education":
                    education[(partner, candidate.year)] += amount
                else:
                    totals[partner] += amount * self.decay ** (self.year - candidate.year)
        cap = self.settings.education.cap_per_year
        for (partner, year), amount in education.items():
            totals[partner] += min(amount, cap) * self.decay ** (self.year - year)
        return dict(totals)

    def exact(self, chosen: Iterable[int]) -> float:
        """The weighted gain of a set of plans by the index's exact formula."""
        kappa = self.settings.kappa
        return sum(
            self.weights[p] * gain(self.stocks.get(p, 0.0), c, kappa)
            for p, c in self.added(chosen).items()
        )

    def gains_by_partner(self, chosen: Iterable[int]) -> dict[str, float]:
        """The exact rise of each priority partner's index (unweighted)."""
        kappa = self.settings.kappa
        return {
            p: gain(self.stocks.get(p, 0.0), c, kappa)
            for p, c in sorted(self.added(chosen).items())
        }

    def cost(self, chosen: Iterable[int]) -> float:
        """The cost of a set of plans."""
        return sum(self.candidates[i].cost for i in chosen)

    def index_of(self, plan_id: str) -> int:
        """The position of a plan by id."""
        return self._ids[plan_id]

    def __post_init__(self) -> None:
        self._ids = {c.id: i for i, c in enumerate(self.candidates)}
        self._decay = self.settings.decay

    def violations(self, chosen: Sequence[int], extra: int) -> list[str]:
        """The rules ``extra`` would break if added to ``chosen`` (empty when it fits)."""
        broken: list[str] = []
        if self.cost(chosen) + self.candidates[extra].cost > self.budget * (1 + 1e-9) + 1e-9:
            broken.append("budget")
        if self.rules.max_per_partner is not None:
            counts: dict[str, int] = defaultdict(int)
            for i in chosen:
                for partner in self.touches[i]:
                    counts[partner] += 1
            broken.extend(
                f"at most {self.rules.max_per_partner} with {partner}"
                for partner in sorted(self.touches[extra])
                if counts[partner] >= self.rules.max_per_partner
            )
        taken = set(chosen)
        for name, members in self.windows:
            if extra in members and taken.intersection(members):
                broken.append(f"one per window {name}")
        return broken


class Running:
    """A set of plans being built one at a time, with the marginal exact gain of one more.

    Equal to :meth:`Problem.exact` on the set, in time proportional to the plan's partners.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.chosen: list[int] = []
        self.value = 0.0
        self._plain: dict[str, float] = defaultdict(float)
        self._courses: dict[str, dict[int, float]] = defaultdict(dict)

    def _stock_added(self, partner: str, extra: int | None = None) -> float:
        problem = self.problem
        plain = self._plain[partner]
        courses = dict(self._courses[partner])
        if extra is not None:
            candidate = problem.candidates[extra]
            amount = problem.effects[extra][partner]
            if candidate.kind == "education":
                courses[candidate.year] = courses.get(candidate.year, 0.0) + amount
            else:
                plain += amount * problem.decay ** (problem.year - candidate.year)
        cap = problem.settings.education.cap_per_year
        return plain + sum(
            min(amount, cap) * problem.decay ** (problem.year - year)
            for year, amount in courses.items()
        )

    def marginal(self, i: int) -> float:
        """The weighted exact gain plan ``i`` would add."""
        problem = self.problem
        kappa = problem.settings.kappa
        total = 0.0
        for partner in problem.effects[i]:
            stock = problem.stocks.get(partner, 0.0)
            before = gain(stock, self._stock_added(partner), kappa)
            after = gain(stock, self._stock_added(partner, i), kappa)
            total += problem.weights[partner] * (after - before)
        return total

    def add(self, i: int) -> float:
        """Add plan ``i``; returns its marginal gain."""
        extra = self.marginal(i)
        problem = self.problem
        candidate = problem.candidates[i]
        for partner, amount in problem.effects[i].items():
            if candidate.kind == "education":
                years = self._courses[partner]
                years[candidate.year] = years.get(candidate.year, 0.0) + amount
            else:
                self._plain[partner] += amount * problem.decay ** (problem.year - candidate.year)
        self.chosen.append(i)
        self.value += extra
        return extra


def _effects(problem: Problem) -> None:
    settings = problem.settings
    for candidate in problem.candidates:
        involved = candidate.nations(problem.nation)
        c = contribution(
            settings,
            candidate.kind,
            nations=len(involved),
            personnel=candidate.personnel,
            students=candidate.students,
            level=candidate.level,
        )
        partners = involved - {problem.nation}
        problem.touches.append(frozenset(partners))
        problem.effects.append({p: c for p in sorted(partners) if p in problem.weights})


def _windows(problem: Problem) -> None:
    if not problem.rules.one_per_window:
        return
    labels: dict[str, list[int]] = defaultdict(list)
    ranges: list[tuple[int, date, date]] = []
    for i, candidate in enumerate(problem.candidates):
        span = candidate.date_range()
        if span is not None:
            ranges.append((i, *span))
        elif candidate.window:
            labels[candidate.window].append(i)
    groups = [(name, members) for name, members in sorted(labels.items()) if len(members) > 1]
    # Overlapping date ranges: intervals that share a day all contain some interval's first day,
    # so one group per distinct first day covers every clash.
    seen: set[tuple[int, ...]] = set()
    for _, start, _ in sorted(ranges, key=lambda r: r[1]):
        members = tuple(sorted(i for i, first, last in ranges if first <= start <= last))
        if len(members) > 1 and members not in seen:
            seen.add(members)
            groups.append((start.isoformat(), list(members)))
    problem.windows.extend(groups)


def build_problem(
    candidates: Sequence[Candidate],
    *,
    nation: str,
    budget: float,
    stocks: Mapping[str, float],
    priorities: Mapping[str, float] | None,
    rules: Rules,
    settings: IndexSettings,
    year: int,
) -> Problem:
    """Check the inputs and work out every plan's effect on each priority partner.

    Args:
        candidates: The candidate plans.
        nation: The planning nation (ISO alpha-3).
        budget: The budget (same unit as the costs).
        stocks: Each partner's current stock at ``year`` (missing partners: 0).
        priorities: Partner -> weight; None or empty: every partner, weight 1.
        rules: The rules.
        settings: The index's settings.
        year: The evaluation year: gains are those of the index in this year.

    Raises:
        ValidationError: Naming every bad input (unknown ids in the rules, a plan after the
            evaluation year, a negative budget or weight).
    """
    problems: list[FieldProblem] = []
    if budget < 0:
        problems.append(FieldProblem("budget", "must be 0 or more", str(budget)))
    ids = {c.id for c in candidates}
    for name, wanted in (("include", rules.include), ("exclude", rules.exclude)):
        problems.extend(
            FieldProblem(name, "names no candidate plan", plan) for plan in sorted(wanted - ids)
        )
    problems.extend(
        FieldProblem("include", "is also excluded", plan)
        for plan in sorted(rules.include & rules.exclude)
    )
    if rules.max_per_partner is not None and rules.max_per_partner < 1:
        problems.append(FieldProblem("max_per_partner", "must be 1 or more"))
    for position, candidate in enumerate(candidates, start=1):
        if candidate.year > year:
            problems.append(
                FieldProblem(
                    f"row {position}.year",
                    f"is after the evaluation year {year}",
                    str(candidate.year),
                )
            )
        if candidate.partners == (nation,) and candidate.host in (None, nation):
            problems.append(FieldProblem(f"row {position}.partners", f"names only {nation}"))
    weights = dict(priorities or {})
    for partner, weight in weights.items():
        if weight < 0:
            problems.append(FieldProblem(f"priority.{partner}", "must be 0 or more", str(weight)))
    if problems:
        raise ValidationError(problems, "portfolio")
    if not weights:
        weights = {p: 1.0 for c in candidates for p in c.nations(nation) - {nation}}
    problem = Problem(
        candidates=list(candidates),
        nation=nation,
        year=year,
        budget=budget,
        rules=rules,
        settings=settings,
        stocks=dict(stocks),
        weights=weights,
    )
    _effects(problem)
    _windows(problem)
    return problem
