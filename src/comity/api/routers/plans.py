"""Plans: list, read with an ETag, add, change with ``If-Match``; moves as POSTs; friction.

An illegal move answers 409 problem+json and changes nothing; approving or returning needs the
role approver and decides for the caller's own agency.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from comity.access.viewer import Role, Viewer
from comity.api.schemas import ObjectiveScoreIn, ParticipantIn, RecordId
from comity.api.security import current_viewer, requires
from comity.errors import PreconditionError, StaleVersionError
from comity.model.engagements import EngagementKind
from comity.model.numbers import is_whole
from comity.model.plans import Agency, PlanState
from comity.planning.friction import FrictionBy
from comity.services import plan_workflow as workflow
from comity.services import plans as plan_service
from comity.store import Store
from comity.store.plans import StoredPlan

router = APIRouter(tags=["plans"])

_Short = Annotated[str, StringConstraints(max_length=300)]
_Text = Annotated[str, StringConstraints(max_length=10_000)]
_Day = Annotated[str, StringConstraints(max_length=10)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BudgetIn(_In):
    """An amount (0 or more, to the cent) in an ISO 4217 currency."""

    amount: Annotated[str, StringConstraints(max_length=20)] | float
    currency: Annotated[str, StringConstraints(max_length=3)]


class PlanIn(_In):
    """A new plan. Partners by any name or code."""

    title: _Short
    kind: EngagementKind
    objectives: Annotated[list[_Short], Field(max_length=50)] = []
    partners: Annotated[list[ParticipantIn], Field(min_length=1, max_length=300)]
    start: _Day
    end: _Day
    location: _Short | None = None
    budget: BudgetIn | None = None
    agencies: Annotated[list[Agency], Field(min_length=1, max_length=10)]
    owner: Annotated[str, StringConstraints(max_length=100)] | None = None
    releasability: _Short | None = None
    shared: bool = Field(
        False, description="Share with partner installations (when releasable to them)."
    )


class PlanPatch(_In):
    """Some fields of a draft or returned plan (PATCH); the result is checked as a whole."""

    title: _Short | None = None
    kind: EngagementKind | None = None
    objectives: Annotated[list[_Short], Field(max_length=50)] | None = None
    partners: Annotated[list[ParticipantIn], Field(min_length=1, max_length=300)] | None = None
    start: _Day | None = None
    end: _Day | None = None
    location: _Short | None = None
    budget: BudgetIn | None = None
    agencies: Annotated[list[Agency], Field(min_length=1, max_length=10)] | None = None
    owner: Annotated[str, StringConstraints(max_length=100)] | None = None
    releasability: _Short | None = None
    shared: bool | None = Field(
        None, description="Share with partner installations (when releasable to them)."
    )


class MoveIn(_In):
    """Why a plan moves (optional, except to return it), and the agency deciding."""

    reason: _Text | None = None
    agency: Agency | None = None


class AssessIn(_In):
    """The assessment of an executed plan: a score of 1-5 for each of its objectives."""

    objectives: Annotated[list[ObjectiveScoreIn], Field(max_length=50)] = []
    assessed_on: _Day | None = None
    interoperability: Annotated[int, Field(ge=1, le=5)] | None = None
    trust: Annotated[int, Field(ge=1, le=5)] | None = None
    interoperability_notes: _Text | None = None
    cultural_notes: _Text | None = None
    lessons: _Text | None = None
    follow_up: _Text | None = None


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def etag(stored: StoredPlan) -> str:
    """The entity tag of a plan: its id and version."""
    return f'"plan-{stored.id}-{stored.version}"'


def _record(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("partners") is not None:
        data["partners"] = [{k: v for k, v in p.items() if v is not None} for p in data["partners"]]
    if data.get("agencies") is not None:
        data["agencies"] = [Agency(a).value for a in data["agencies"]]
    return plan_service.resolve_partners(data)


def _answer(response: Response, stored: StoredPlan) -> dict[str, Any]:
    response.headers["ETag"] = etag(stored)
    return stored.to_dict()


@router.get("/plans", summary="Plans you may see, soonest first")
def list_plans(
    request: Request,
    state: Annotated[list[PlanState] | None, Query()] = None,
    nation: Annotated[str | None, Query(max_length=100, description="Any name or code.")] = None,
    viewer: Viewer = Depends(current_viewer),
) -> dict[str, Any]:
    """Plans filtered by state and partner nation."""
    found = plan_service.list_plans(_store(request), viewer, states=state or (), nation=nation)
    return {"items": [s.to_dict() for s in found]}


@router.get("/plans/friction", summary="Days from submission to approval")
def friction(
    request: Request,
    by: FrictionBy = FrictionBy.AGENCY,
    viewer: Viewer = Depends(current_viewer),
) -> dict[str, Any]:
    """Median and p90 days from submission to approval per agency or partner (plans you see)."""
    figures = plan_service.plan_friction(_store(request), viewer, by)
    return {"by": by.value, "items": [f.to_dict() for f in figures]}


@router.post("/plans", status_code=201, summary="Add a plan, as a draft")
def create_plan(
    body: PlanIn,
    request: Request,
    response: Response,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Add a plan (planners); partners by any name or code."""
    stored = plan_service.add_plan(
        _store(request), _record(body.model_dump(exclude_none=True)), viewer
    )
    response.headers["Location"] = f"{request.url.path}/{stored.id}"
    return _answer(response, stored)


@router.get("/plans/{plan_id}", summary="One plan with its history, with its ETag")
def get_plan(
    plan_id: RecordId,
    request: Request,
    response: Response,
    viewer: Viewer = Depends(current_viewer),
) -> dict[str, Any]:
    """One plan you may see; its ``ETag`` header is what ``If-Match`` takes."""
    return _answer(response, plan_service.get_plan(_store(request), plan_id, viewer))


def _version(if_match: str | None, plan_id: int, required: bool) -> int | None:
    if not if_match:
        if not required:
            return None
        raise PreconditionError(
            "This write needs an If-Match header with the plan's ETag.",
            hint="GET the plan first and send its ETag back as If-Match.",
        )
    tag = if_match.strip().removeprefix("W/").strip('"')
    prefix, _, version = tag.rpartition("-")
    if prefix != f"plan-{plan_id}" or not is_whole(version):
        raise PreconditionError(f"If-Match {if_match!r} is not an ETag of this plan.")
    return int(version)


def _stale(plan_id: int) -> PreconditionError:
    return PreconditionError(
        f"Plan {plan_id} changed since you read it.",
        hint="GET it again, re-apply your change and send the new ETag.",
    )


@router.patch("/plans/{plan_id}", summary="Change some fields of a draft or returned plan")
def patch_plan(
    plan_id: RecordId,
    body: PlanPatch,
    request: Request,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=100)] = None,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Change the fields given (planners); needs If-Match; 409 once the plan is submitted."""
    expected = _version(if_match, plan_id, required=True)
    changes = _record(body.model_dump(exclude_unset=True))
    try:
        stored = plan_service.edit_plan(
            _store(request), plan_id, changes, viewer, expected_version=expected
        )
    except StaleVersionError:
        raise _stale(plan_id) from None
    return _answer(response, stored)


@router.post("/plans/{plan_id}/submit", summary="Submit a plan for approval")
def submit(
    plan_id: RecordId,
    request: Request,
    response: Response,
    body: MoveIn | None = None,
    if_match: Annotated[str | None, Header(max_length=100)] = None,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Submit a draft or returned plan (planners); its calendar warnings are stored with it."""
    expected = _version(if_match, plan_id, required=False)
    try:
        reason = body.reason if body else None
        stored = workflow.submit_plan(
            _store(request), plan_id, viewer, reason, expected_version=expected
        )
    except StaleVersionError:
        raise _stale(plan_id) from None
    return _answer(response, stored)


@router.post("/plans/{plan_id}/approve", summary="Approve a plan for your agency")
def approve(
    plan_id: RecordId,
    request: Request,
    response: Response,
    body: MoveIn | None = None,
    viewer: Viewer = Depends(requires(Role.APPROVER)),
) -> dict[str, Any]:
    """Approve a submitted plan for your own agency (approvers); the last one approves it."""
    body = body or MoveIn()
    stored = workflow.approve_plan(
        _store(request), plan_id, viewer, agency=body.agency, reason=body.reason
    )
    return _answer(response, stored)


@router.post("/plans/{plan_id}/return", summary="Return a plan to its planner")
def return_(
    plan_id: RecordId,
    body: MoveIn,
    request: Request,
    response: Response,
    viewer: Viewer = Depends(requires(Role.APPROVER)),
) -> dict[str, Any]:
    """Return a submitted plan with a reason (approvers, for their own agency)."""
    stored = workflow.return_plan(
        _store(request), plan_id, viewer, body.reason or "", agency=body.agency
    )
    return _answer(response, stored)


def _simple(action: str) -> Any:
    moves = {
        "schedule": workflow.schedule_plan,
        "execute": workflow.execute_plan,
        "cancel": workflow.cancel_plan,
    }
    move = moves[action]

    def endpoint(
        plan_id: RecordId,
        request: Request,
        response: Response,
        body: MoveIn | None = None,
        viewer: Viewer = Depends(requires(Role.PLANNER)),
    ) -> dict[str, Any]:
        stored = move(_store(request), plan_id, viewer, body.reason if body else None)
        return _answer(response, stored)

    endpoint.__doc__ = {
        "schedule": "Schedule an approved plan (planners).",
        "execute": "Execute a scheduled plan (planners): creates its engagement, linked.",
        "cancel": "Cancel a plan not yet executed (planners).",
    }[action]
    return endpoint


for _action in ("schedule", "execute", "cancel"):
    router.post(
        f"/plans/{{plan_id}}/{_action}",
        summary=f"{_action.capitalize()} a plan",
        name=f"{_action}_plan",
    )(_simple(_action))


@router.post("/plans/{plan_id}/assess", summary="Assess an executed plan")
def assess(
    plan_id: RecordId,
    body: AssessIn,
    request: Request,
    response: Response,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Score each objective (1-5) and record observations; the plan becomes assessed."""
    data = body.model_dump(exclude_none=True)
    data["objectives"] = {o["objective"]: o["score"] for o in data.get("objectives", [])}
    return _answer(response, workflow.assess_plan(_store(request), plan_id, data, viewer))
