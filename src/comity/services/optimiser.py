"""Use case of the portfolio optimiser: candidates, current stocks, the choice, in plain words.

The stocks are recovered from the dyad-year index the viewer may see (``S = -kappa * ln(1 -
index / 100)``), in the evaluation year, or decayed from the latest year of the data to it.
Candidates come from a file or from the stored plans the viewer may see (:func:`plan_choices`:
each plan still to decide, or why it cannot be one); :func:`explain_portfolio` turns the answer
into which plans, what they cost and what they add to the tie index with each partner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal

from comity.access.viewer import Role, Viewer
from comity.errors import FieldProblem, ValidationError
from comity.model.plans import PlanState
from comity.planning.candidates import Candidate
from comity.planning.gain import PLANNABLE_KINDS, gain, stock_from_index
from comity.planning.optimiser import Portfolio, Rules, optimise
from comity.planning.portfolio import build_problem
from comity.services.analytics import compute_dyad_years
from comity.services.engagements import require
from comity.services.plans import list_plans
from comity.services.registry import resolve_nation
from comity.services.ties import nation_rows, partner_of
from comity.store import Store
from comity.store.plans import StoredPlan

__all__ = [
    "CANDIDATE_STATES",
    "ChosenPlan",
    "LeftOutPlan",
    "PartnerRise",
    "PlanCandidates",
    "PlanChoice",
    "PortfolioSummary",
    "candidates_from_plans",
    "current_stocks",
    "explain_portfolio",
    "format_amount",
    "optimise_portfolio",
    "parse_priorities",
    "plan_choices",
]

CANDIDATE_STATES = (PlanState.DRAFT, PlanState.SUBMITTED, PlanState.RETURNED, PlanState.APPROVED)
"""Stored plans in these states are candidates: not yet scheduled, so still a choice."""


def format_amount(amount: float | Decimal, currency: str | None, locale: str = "en") -> str:
    """``12,500 USD``, or ``12,500.50 USD`` when there are cents (no code without a currency)."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    pattern = "#,##0" if value == value.to_integral_value() else "#,##0.00"
    number = format_decimal(value, format=pattern, locale=locale)
    return f"{number} {currency}" if currency else number


def parse_priorities(values: Sequence[str]) -> dict[str, float]:
    """Turn ``["USA=2", "GBR"]`` into ``{"USA": 2.0, "GBR": 1.0}`` (names resolved).

    Raises:
        ValidationError: For a weight that is not a number of 0 or more.
        UnknownNationError: For a nation that does not resolve.
    """
    found: dict[str, float] = {}
    for value in values:
        name, _, weight = value.partition("=")
        try:
            number = float(weight) if weight.strip() else 1.0
        except ValueError:
            number = -1.0
        if number < 0 or number != number:
            raise ValidationError(
                [FieldProblem("priority", "weight must be a number of 0 or more", value)],
                "priorities",
                hint="Write NATION=WEIGHT, e.g. --priority USA=2.",
            )
        found[resolve_nation(name.strip()).iso3] = number
    return found


def current_stocks(store: Store, viewer: Viewer, nation: str, year: int) -> dict[str, float]:
    """Each partner's stock with ``nation`` in ``year`` from the index the viewer may see.

    After the latest year of the data the stock decays by the index's memory.
    """
    result = compute_dyad_years(store, viewer)
    settings = result.settings
    rows = nation_rows(result.table, nation, min(year, result.horizon))
    fade = settings.decay ** max(0, year - result.horizon)
    return {
        partner_of(r, nation): stock_from_index(r["index"], settings.kappa) * fade
        for r in rows
        if r["index"] > 0
    }


def optimise_portfolio(
    store: Store,
    viewer: Viewer,
    candidates: Sequence[Candidate],
    *,
    budget: float,
    nation: str | None = None,
    priorities: Mapping[str, float] | None = None,
    rules: Rules | None = None,
    year: int | None = None,
    time_limit: float = 60.0,
) -> Portfolio:
    """Choose plans for ``nation`` (default: the viewer's) from what the viewer may see.

    Raises:
        PermissionDeniedError: Below the role analyst.
        ValidationError: For bad inputs or rules no portfolio keeps.
        UnknownNationError: When ``nation`` does not resolve.
    """
    require(viewer, Role.ANALYST, "optimise portfolios")
    if nation is None and viewer.nation is None:
        raise ValidationError(
            [FieldProblem("nation", "name the planning nation")],
            "portfolio",
            hint="Pass --as NATION (or sign in with an account of a nation).",
        )
    own = resolve_nation(nation).iso3 if nation else str(viewer.nation)
    if not candidates:
        raise ValidationError([FieldProblem("candidates", "no candidate plans given")], "plans")
    chosen_year = year if year is not None else max(c.year for c in candidates)
    settings = compute_dyad_years(store, viewer).settings
    stocks = current_stocks(store, viewer, own, chosen_year)
    return optimise(
        candidates,
        nation=own,
        budget=budget,
        stocks=stocks,
        settings=settings,
        priorities=priorities,
        rules=rules,
        year=chosen_year,
        time_limit=time_limit,
    )


@dataclass(frozen=True)
class PlanChoice:
    """A stored plan still to decide, offered with the candidate it becomes or why it cannot be.

    ``partners`` are the nations taking part besides the planning nation.
    """

    stored: StoredPlan
    partners: tuple[str, ...]
    reason: str | None
    candidate: Candidate | None

    @property
    def currency(self) -> str | None:
        """The currency of its budget (None without a budget)."""
        budget = self.stored.plan.budget
        return budget.currency if budget else None


def plan_choices(store: Store, viewer: Viewer, nation: str | None = None) -> list[PlanChoice]:
    """The stored plans the viewer may see that are still a choice, soonest first.

    Only plans releasable to the viewer are read. A plan is a candidate when it is a draft,
    submitted, returned or approved, of a kind the index counts, with a budget (its cost) and a
    partner besides the planning nation (default: the viewer's). Its candidate id is
    ``plan-<id>``; its year, the year it starts. The others carry the reason they are not.

    Raises:
        UnknownNationError: When ``nation`` does not resolve.
    """
    own = resolve_nation(nation).iso3 if nation else viewer.nation
    found: list[PlanChoice] = []
    for stored in list_plans(store, viewer, states=CANDIDATE_STATES):
        plan = stored.plan
        partners = tuple(p.nation for p in plan.partners if p.nation != own)
        reason = None
        if stored.origin is not None:
            reason = f"it is a partner's plan, received from {stored.received_from}"
        elif plan.kind.value not in PLANNABLE_KINDS:
            reason = f"its kind {plan.kind.value} is not one the optimiser plans"
        elif plan.budget is None:
            reason = "it has no budget"
        elif not partners:
            reason = f"no partner besides {own}"
        candidate = None
        if reason is None and plan.budget is not None:
            personnel = [p.personnel for p in plan.partners if p.personnel is not None]
            candidate = Candidate(
                id=f"plan-{stored.id}",
                title=plan.title,
                kind=plan.kind.value,
                partners=partners,
                host=plan.host,
                year=plan.start.year,
                personnel=sum(personnel) if personnel else None,
                cost=float(plan.budget.amount),
            )
        found.append(PlanChoice(stored, partners, reason, candidate))
    return found


@dataclass(frozen=True)
class PlanCandidates:
    """Stored plans as candidates: the candidates, one line per plan left out, the currency."""

    candidates: list[Candidate]
    left_out: list[str]
    currency: str | None


def _plan_name(choice: PlanChoice) -> str:
    return f"plan {choice.stored.id} ({choice.stored.plan.title})"


def candidates_from_plans(
    store: Store,
    viewer: Viewer,
    nation: str | None = None,
    *,
    plan_ids: Sequence[int] | None = None,
    currency: str | None = None,
) -> PlanCandidates:
    """The stored plans the viewer may see that are still a choice (or ``plan_ids``), as candidates.

    The budget's ``currency`` defaults to the plans' one currency; without ``plan_ids``, plans
    budgeted in another currency are left out (see :func:`plan_choices` for the others).

    Raises:
        ValidationError: For a chosen plan that is not a candidate, plans of several currencies
            and no currency given, or chosen plans in another currency than the budget's.
    """
    choices = plan_choices(store, viewer, nation)
    problems: list[FieldProblem] = []
    if plan_ids is not None:
        offered = {c.stored.id: c for c in choices}
        if not plan_ids:
            problems.append(FieldProblem("plans", "pick at least one plan"))
        for plan_id in plan_ids:
            if plan_id not in offered:
                reason = f"plan {plan_id} is not one still to decide that you may see"
                problems.append(FieldProblem("plans", reason))
            elif offered[plan_id].reason:
                title = offered[plan_id].stored.plan.title
                reason = f"{title} cannot be chosen: {offered[plan_id].reason}"
                problems.append(FieldProblem("plans", reason))
        choices = [c for c in choices if c.stored.id in set(plan_ids)]
    usable = [c for c in choices if c.candidate is not None]
    currencies = sorted({str(c.currency) for c in usable})
    if currency is None and len(currencies) > 1:
        reason = f"the plans are budgeted in {', '.join(currencies)}: give the budget's currency"
        problems.append(FieldProblem("currency", reason))
    chosen_currency = currency or (currencies[0] if currencies else None)
    left_out = [f"{_plan_name(c)}: {c.reason}" for c in choices if c.reason]
    candidates: list[Candidate] = []
    for choice in usable:
        assert choice.candidate is not None
        if chosen_currency and choice.currency != chosen_currency:
            reason = f"its budget is in {choice.currency}, not {chosen_currency}"
            if plan_ids is not None:
                problems.append(FieldProblem("plans", f"{choice.stored.plan.title}: {reason}"))
            left_out.append(f"{_plan_name(choice)}: {reason}")
            continue
        candidates.append(choice.candidate)
    if problems:
        raise ValidationError(problems, "plans")
    return PlanCandidates(candidates, left_out, chosen_currency)


@dataclass(frozen=True)
class PartnerRise:
    """The tie index (0-100) with one partner in the evaluation year, before and after."""

    nation: str
    name: str
    before: float
    after: float


@dataclass(frozen=True)
class ChosenPlan:
    """A chosen plan, its cost, and what it adds given the plans chosen before it.

    ``rises`` maps each partner's name to index points; ``value`` weights them by priority.
    """

    id: str
    title: str
    cost: float
    cost_text: str
    rises: dict[str, float]
    value: float

    @property
    def points(self) -> float:
        """Index points it adds, summed over partners."""
        return sum(self.rises.values())

    @property
    def words(self) -> str:
        """What it adds, as a sentence."""
        parts = [f"with {name} by {points:.2f} points" for name, points in self.rises.items()]
        if not parts:
            return "Adds nothing more to the tie index."
        head = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        return f"Raises the tie index {head}."


@dataclass(frozen=True)
class LeftOutPlan:
    """A candidate not chosen: its cost, what it would add on top of the choice, and why not."""

    id: str
    title: str
    cost_text: str
    would_add: float
    why: str


@dataclass(frozen=True)
class PortfolioSummary:
    """The optimiser's answer as which plans, what they cost and what they add.

    ``left_out`` holds the 20 most valuable plans left out; ``more_left_out`` counts the rest.
    ``method`` gives the method's details in words, for analysts; ``portfolio``, everything.
    """

    portfolio: Portfolio
    currency: str | None
    chosen: list[ChosenPlan]
    partners: list[PartnerRise]
    left_out: list[LeftOutPlan]
    more_left_out: int
    cost_text: str
    budget_text: str
    remaining_text: str
    method: list[str]

    @property
    def headline(self) -> str:
        """What was chosen and what it costs, as a sentence."""
        count = len(self.chosen)
        plans = f"{count} plan{'' if count == 1 else 's'}" if count else "No plan"
        return (
            f"{plans} chosen, costing {self.cost_text} of the {self.budget_text} budget "
            f"({self.remaining_text} left)."
        )


_WHY = {
    "excluded": "you ruled it out",
    "no gain with priority partners": "it adds nothing with your priority partners",
    "not worth its cost": "another combination adds more for the money",
}


def _rule(reason: str, names: Mapping[str, str]) -> str | None:
    # The optimiser names a rule in its own short words (budget, "at most 2 with PHL", "one per
    # window spring"); this reads them back in words, None for a reason that is not a rule.
    if reason == "budget":
        return "the budget"
    capped = re.fullmatch(r"at most (\d+) with ([A-Z]{3})", reason)
    if capped:
        return f"at most {capped.group(1)} plan(s) with {names.get(capped[2], capped[2])}"
    window = re.fullmatch(r"one per window (.+)", reason)
    if window:
        return f"one plan per time window ({window.group(1)})"
    return None


def _why(reason: str, cost: str, left: str, names: Mapping[str, str]) -> str:
    if reason == "budget":
        return f"over budget: it costs {cost} and {left} is left"
    rule = _rule(reason, names)
    if rule is not None:
        return f"it would break the rule of {rule}"
    return _WHY.get(reason, reason)


def explain_portfolio(
    store: Store,
    viewer: Viewer,
    result: Portfolio,
    candidates: Sequence[Candidate],
    *,
    currency: str | None = None,
    locale: str = "en",
) -> PortfolioSummary:
    """The answer of :func:`optimise_portfolio` (same viewer, same candidates) in words.

    Each chosen plan's points per partner are its exact rise given the plans above it, so they
    add up to the partner's total. Amounts are written for ``locale`` (``en``: 12,500 USD).
    """
    settings = compute_dyad_years(store, viewer).settings
    kappa = settings.kappa
    problem = build_problem(
        candidates,
        nation=result.nation,
        budget=result.budget,
        stocks=result.stocks,
        priorities=result.weights,
        rules=Rules(),
        settings=settings,
        year=result.year,
    )
    names = {key: resolve_nation(key).name for key in result.weights}

    def money(amount: float) -> str:
        return format_amount(amount, currency, locale)

    chosen: list[ChosenPlan] = []
    prefix: list[int] = []
    total: dict[str, float] = {}
    for pick in result.chosen:
        prefix.append(problem.index_of(pick.id))
        after = problem.gains_by_partner(prefix)
        added = {p: after[p] - total.get(p, 0.0) for p in after}
        rises = {names[p]: added[p] for p in sorted(added, key=lambda p: -added[p])}
        total = after
        cost = money(pick.cost)
        shown = {name: points for name, points in rises.items() if points >= 5e-3}
        chosen.append(ChosenPlan(pick.id, pick.title, pick.cost, cost, shown, pick.marginal_gain))
    partners = []
    for p, rise in sorted(total.items(), key=lambda item: -item[1]):
        if rise < 5e-3:
            continue
        index = gain(0.0, result.stocks.get(p, 0.0), kappa)  # the index of stock S
        partners.append(PartnerRise(p, names[p], index, index + rise))
    left = money(max(result.budget - result.cost, 0.0))
    left_out = []
    for row in result.left_out:
        cost = money(row["cost"])
        why = "; ".join(_why(r, cost, left, names) for r in row["reasons"])
        left_out.append(LeftOutPlan(row["id"], row["title"], cost, row["marginal_gain"], why))
    titles = {c.id: c.title for c in candidates}
    return PortfolioSummary(
        portfolio=result,
        currency=currency,
        chosen=chosen,
        partners=partners,
        left_out=left_out,
        more_left_out=len(candidates) - len(chosen) - len(left_out),
        cost_text=money(result.cost),
        budget_text=money(result.budget),
        remaining_text=left,
        method=_method(result, names, titles, money),
    )


def _method(
    result: Portfolio,
    names: Mapping[str, str],
    titles: Mapping[str, str],
    money: Callable[[float], str],
) -> list[str]:
    """The method's details for analysts, in words (the terms of docs/optimiser.md)."""
    weights = {names.get(p, p): w for p, w in result.weights.items()}
    lines = [
        f"Gains are measured on the tie index in {result.year}, from its current value with "
        "each partner in the records you may see; plans of earlier years fade by then.",
        "Every partner counts the same."
        if set(weights.values()) <= {1.0}
        else "Each partner's points count by its priority: "
        + ", ".join(f"{name} ×{w:g}" for name, w in weights.items())
        + ".",
        f"Value of the choice: {result.exact_gain:.3f} weighted points by the index's exact "
        f"formula. The search works on a close approximation of the index's curve: no other "
        f"choice is better by more than {result.error_bound:.4f} points.",
    ]
    seconds = f"{result.seconds:.2f} s"
    if result.status == "optimal":
        lines.append(f"The search proved this the best choice in {seconds}.")
    else:
        margin = "" if result.gap is None else f"; the best is at most {result.gap:.2%} better"
        lines.append(f"The search stopped ({result.status}) after {seconds}{margin}.")
    rules = [_rule(r, names) or r for r in result.binding]
    lines.append(
        f"What held back further plans: {'; '.join(rules)}."
        if rules
        else "Nothing held back further plans: each plan left out adds nothing."
    )
    greedy = result.greedy
    picked = ", ".join(titles.get(i, i) for i in greedy.get("chosen", [])) or "nothing"
    lines.append(
        f"For comparison, taking the best value for money first would choose {picked}, "
        f"costing {money(greedy.get('cost', 0.0))}, for {greedy.get('exact_gain', 0.0):.3f} "
        "weighted points."
    )
    lines.append(f"Index method {result.method_version}, settings {result.settings_digest[:12]}.")
    return lines
