"""The portfolio optimiser: candidate plans in, the chosen set and its explanation out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from comity.access.viewer import Role, Viewer
from comity.api.errors import json_answer
from comity.api.security import requires
from comity.errors import FieldProblem, ValidationError
from comity.model.plans import Currency
from comity.planning.candidates import parse_candidates, read_candidates
from comity.planning.optimiser import Rules
from comity.services import optimiser as optimiser_service
from comity.services.registry import resolve_nation
from comity.store import Store

router = APIRouter(tags=["planning"])


class OptimiseIn(BaseModel):
    """What to optimise: candidates (objects, or CSV text), budget, priorities and rules."""

    model_config = ConfigDict(extra="forbid")

    candidates: list[dict[str, Any]] | None = Field(
        default=None, description="Candidate plans: id, title, kind, partners, year, cost..."
    )
    csv: Annotated[str | None, Field(max_length=900_000)] = Field(
        default=None, description="Or the candidates as CSV text with a header row."
    )
    from_plans: bool = Field(
        default=False,
        description="Or the stored plans you may see that are drafts, submitted, returned or "
        "approved (their budget is their cost).",
    )
    plans: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] | None = Field(
        default=None,
        description="With from_plans: only these stored plans (ids), each still to decide.",
    )
    currency: Currency | None = Field(
        default=None,
        description="The budget's currency (default: the stored plans' one currency; with "
        "from_plans, plans budgeted in another currency are left out).",
    )
    budget: Annotated[float, Field(ge=0, le=1e15)]
    nation: str | None = Field(default=None, description="Default: your account's nation.")
    year: Annotated[int | None, Field(ge=1816, le=2200)] = None
    priorities: dict[str, Annotated[float, Field(ge=0, le=1000)]] | None = None
    max_per_partner: Annotated[int | None, Field(ge=1, le=10_000)] = None
    include: list[str] = []
    exclude: list[str] = []


@router.post("/optimise", summary="Choose candidate plans within a budget")
def optimise(
    body: OptimiseIn,
    request: Request,
    viewer: Viewer = Depends(requires(Role.ANALYST)),
) -> JSONResponse:
    """The plans that raise the tie index most with the priority partners (analysts and up).

    Current stocks come from the index computed on what you may see. The answer lists the chosen
    plans with their marginal gains, the exact and approximated total gain with the
    approximation's bound, the cost and its currency, binding rules, solver status, and the
    greedy pick.
    """
    store: Store = request.app.state.store
    left_out: list[str] = []
    currency = body.currency
    given = [body.candidates is not None, body.csv is not None, body.from_plans]
    if sum(given) != 1:
        problem = FieldProblem("candidates", "give one of candidates, csv or from_plans")
        raise ValidationError([problem], "request")
    if body.candidates is not None:
        candidates = parse_candidates(body.candidates)
    elif body.csv is not None:
        candidates = read_candidates(body.csv, "csv")
    else:
        plans = optimiser_service.candidates_from_plans(
            store, viewer, body.nation, plan_ids=body.plans, currency=currency
        )
        candidates, left_out, currency = plans.candidates, plans.left_out, plans.currency
    priorities = (
        {resolve_nation(k).iso3: v for k, v in body.priorities.items()} if body.priorities else None
    )
    rules = Rules(
        max_per_partner=body.max_per_partner,
        include=frozenset(body.include),
        exclude=frozenset(body.exclude),
    )
    result = optimiser_service.optimise_portfolio(
        store,
        viewer,
        candidates,
        budget=body.budget,
        nation=body.nation,
        priorities=priorities,
        rules=rules,
        year=body.year,
        time_limit=30.0,
    )
    return json_answer({**result.to_dict(), "currency": currency, "left_out_plans": left_out})
