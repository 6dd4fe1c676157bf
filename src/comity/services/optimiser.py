"""Use case of the portfolio optimiser: current stocks from the viewer's index, then optimise.

The stocks are recovered from the dyad-year index the viewer may see (``S = -kappa * ln(1 -
index / 100)``), in the evaluation year, or decayed from the latest year of the data to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from comity.access.viewer import Role, Viewer
from comity.errors import FieldProblem, ValidationError
from comity.model.plans import PlanState
from comity.planning.candidates import Candidate
from comity.planning.gain import PLANNABLE_KINDS, stock_from_index
from comity.planning.optimiser import Portfolio, Rules, optimise
from comity.services.analytics import compute_dyad_years
from comity.services.engagements import require
from comity.services.plans import list_plans
from comity.services.registry import resolve_nation
from comity.services.ties import nation_rows, partner_of
from comity.store import Store

__all__ = ["candidates_from_plans", "current_stocks", "optimise_portfolio", "parse_priorities"]

CANDIDATE_STATES = (PlanState.DRAFT, PlanState.SUBMITTED, PlanState.RETURNED, PlanState.APPROVED)
"""Stored plans in these states are candidates: not yet scheduled, so still a choice."""


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


def candidates_from_plans(
    store: Store, viewer: Viewer, nation: str | None = None
) -> tuple[list[Candidate], list[str]]:
    """The stored plans the viewer may see that are still a choice, as candidates.

    A plan is a candidate when it is a draft, submitted, returned or approved, of a kind the
    index counts, with a budget (its cost) and a partner besides the planning nation (default:
    the viewer's). Its id is ``plan-<id>``; its year, the year it starts.

    Returns:
        The candidates, and one line per plan left out with the reason.
    """
    own = resolve_nation(nation).iso3 if nation else viewer.nation
    candidates: list[Candidate] = []
    left_out: list[str] = []
    for stored in list_plans(store, viewer, states=CANDIDATE_STATES):
        plan = stored.plan
        partners = tuple(p.nation for p in plan.partners if p.nation != own)
        host = next((p.nation for p in plan.partners if p.role.value == "host"), None)
        reason = None
        if plan.kind.value not in PLANNABLE_KINDS:
            reason = f"its kind {plan.kind.value} is not one the optimiser plans"
        elif plan.budget is None:
            reason = "it has no budget"
        elif not partners:
            reason = f"no partner besides {own}"
        if reason:
            left_out.append(f"plan {stored.id} ({plan.title}): {reason}")
            continue
        personnel = [p.personnel for p in plan.partners if p.personnel is not None]
        assert plan.budget is not None
        candidates.append(
            Candidate(
                id=f"plan-{stored.id}",
                title=plan.title,
                kind=plan.kind.value,
                partners=partners,
                host=host,
                year=plan.start.year,
                personnel=sum(personnel) if personnel else None,
                cost=float(plan.budget.amount),
            )
        )
    return candidates, left_out
