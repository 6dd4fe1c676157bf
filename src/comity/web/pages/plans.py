"""Plans: the list, one plan with its history and allowed moves, the plan and assessment forms.

Every read goes through the services with the signed-in viewer, so a plan not releasable to the
viewer's nation answers "not found". A move the workflow refuses comes back as a flash message on
the plan; a move or form the viewer may not make at all (below the role, another nation's plan)
answers with the error page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from comity.access.viewer import Role, Viewer
from comity.errors import (
    ComityError,
    FieldProblem,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from comity.model.engagements import EngagementKind
from comity.model.numbers import is_whole
from comity.model.plans import Agency, PlanState
from comity.planning import CANCELLABLE, EDITABLE
from comity.services import plan_workflow as workflow
from comity.services import plans as plan_service
from comity.services.engagements import require
from comity.store.ownership import check_owner, may_change
from comity.store.plans import StoredPlan
from comity.web.forms import messages_by_field
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["router"]

router = WebRouter()

_PlanId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The plan's id.")]
_FIELDS = (
    "title",
    "kind",
    "start",
    "end",
    "location",
    "objectives",
    "partners",
    "budget",
    "agencies",
    "releasability",
    "version",
)


@router.get("/plans")
def list_page(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """Plans the viewer may see, soonest first, filtered by state."""
    chosen = request.query_params.get("state", "")[:20]
    states = [chosen] if chosen in {s.value for s in PlanState} else []
    found = plan_service.list_plans(store_of(request), viewer, states=states)
    context = {
        "title": "Plans",
        "rows": found,
        "states": [s.value for s in PlanState],
        "chosen": chosen if states else "",
        "may_add": viewer.may(Role.PLANNER),
    }
    return render(request, "plans/list.html", context)


def _form_values(stored: StoredPlan | None) -> dict[str, Any]:
    if stored is None:
        return {"releasability": "PUBLIC", "agencies": [], "kind": "exercise"}
    p = stored.plan
    partners = "\n".join(
        ":".join([q.nation, q.role.value] + ([str(q.personnel)] if q.personnel is not None else []))
        for q in p.partners
    )
    return {
        "title": p.title,
        "kind": p.kind.value,
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "location": p.location or "",
        "objectives": "\n".join(p.objectives),
        "partners": partners,
        "budget_amount": str(p.budget.amount) if p.budget else "",
        "budget_currency": p.budget.currency if p.budget else "",
        "agencies": [a.value for a in p.agencies],
        "releasability": str(p.releasability),
        "version": stored.version,
    }


def _form_page(
    request: Request,
    values: dict[str, Any],
    stored: StoredPlan | None = None,
    problems: list[FieldProblem] | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "title": f"Edit {stored.plan.title}" if stored else "New plan",
        "values": values,
        "stored": stored,
        "kinds": [k.value for k in EngagementKind],
        "agencies": [a.value for a in Agency],
        "problems": problems or [],
        "messages": messages_by_field(problems or [], _FIELDS),
    }
    return render(request, "plans/form.html", context, status=status)


def _record(values: dict[str, Any]) -> dict[str, Any]:
    """The plan's fields from the form's text; partners as NATION[:ROLE][:PERSONNEL] lines."""
    partners = []
    problems = []
    for line in str(values.get("partners", "")).splitlines():
        parts = [p.strip() for p in line.split(":") if p.strip()]
        if not parts:
            continue
        entry: dict[str, Any] = {"nation": parts[0]}
        for part in parts[1:]:
            if is_whole(part):
                entry["personnel"] = int(part)
            elif part.lower() in ("host", "participant", "observer"):
                entry["role"] = part.lower()
            else:
                problems.append(FieldProblem("partners", "write NATION[:ROLE][:PERSONNEL]", line))
        partners.append(entry)
    if problems:
        raise ValidationError(problems, "plan")
    amount, currency = values.get("budget_amount", ""), values.get("budget_currency", "")
    record = {
        "title": values.get("title", ""),
        "kind": values.get("kind", ""),
        "start": values.get("start") or None,
        "end": values.get("end") or None,
        "location": values.get("location") or None,
        "objectives": [
            o.strip() for o in str(values.get("objectives", "")).splitlines() if o.strip()
        ],
        "partners": partners,
        "agencies": values.get("agencies", []),
        "budget": {"amount": amount, "currency": currency} if amount or currency else None,
        "releasability": values.get("releasability") or None,
    }
    return plan_service.resolve_partners(record)


async def _read_form(request: Request) -> dict[str, Any]:
    form = await request.form()
    values: dict[str, Any] = {
        k: str(form.get(k) or "").strip()[:10_000]
        for k in (
            "title",
            "kind",
            "start",
            "end",
            "location",
            "objectives",
            "partners",
            "budget_amount",
            "budget_currency",
            "releasability",
            "version",
        )
    }
    values["agencies"] = [str(a) for a in form.getlist("agencies")][:10]
    return values


@router.get("/plans/new")
def new_page(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """An empty plan form (planners)."""
    require(viewer, Role.PLANNER, "add plans")
    return _form_page(request, _form_values(None))


@router.post("/plans/new")
async def create(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Add a plan from the form; a refused one comes back with each problem beside its field."""
    require(viewer, Role.PLANNER, "add plans")
    values = await _read_form(request)
    try:
        stored = plan_service.add_plan(store_of(request), _record(values), viewer)
    except ValidationError as error:
        return _form_page(request, values, problems=error.problems, status=422)
    return RedirectResponse(f"/plans/{stored.id}", status_code=303)


@router.get("/plans/{plan_id}")
def detail_page(
    request: Request,
    plan_id: _PlanId,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """One plan: its fields, approvals, calendar warnings, history and the allowed moves."""
    stored = plan_service.get_plan(store_of(request), plan_id, viewer)
    # Only the owning nation's users move a plan; its author never decides on it.
    ours = may_change(viewer, stored.owner_nation)
    planner = viewer.may(Role.PLANNER) and ours
    may_decide = (
        ours
        and viewer.may(Role.APPROVER)
        and viewer.agency is not None
        and viewer.name not in (stored.created_by, stored.plan.owner)
        and stored.state is PlanState.SUBMITTED
        and viewer.agency in {a.value for a in stored.plan.agencies}
        and viewer.agency not in stored.approved_by
    )
    moves = {
        "submit": planner and stored.state in EDITABLE,
        "schedule": planner and stored.state is PlanState.APPROVED,
        "execute": planner and stored.state is PlanState.SCHEDULED,
        "cancel": planner and stored.state in CANCELLABLE,
    }
    context = {
        "title": stored.plan.title,
        "stored": stored,
        "p": stored.plan,
        "moves": [m for m, allowed in moves.items() if allowed],
        "may_decide": may_decide,
        "may_edit": planner and stored.state in EDITABLE,
        "may_assess": planner and stored.state is PlanState.EXECUTED,
        "flash": request.session.pop("flash", None),
    }
    return render(request, "plans/detail.html", context)


def _get_own(request: Request, plan_id: int, viewer: Viewer) -> StoredPlan:
    """A plan the viewer may see and change (its nation's), before any form of it."""
    stored = plan_service.get_plan(store_of(request), plan_id, viewer)
    check_owner(viewer, stored.owner_nation, f"Plan {plan_id}")
    return stored


@router.get("/plans/{plan_id}/edit")
def edit_page(
    request: Request,
    plan_id: _PlanId,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The form of a draft or returned plan, filled in (planners of its nation)."""
    require(viewer, Role.PLANNER, "edit plans")
    stored = _get_own(request, plan_id, viewer)
    return _form_page(request, _form_values(stored), stored)


@router.post("/plans/{plan_id}/edit")
async def edit(
    request: Request,
    plan_id: _PlanId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Save an edit made on the version the user opened."""
    require(viewer, Role.PLANNER, "edit plans")
    store = store_of(request)
    stored = _get_own(request, plan_id, viewer)
    values = await _read_form(request)
    version = int(values["version"]) if is_whole(str(values.get("version", ""))) else None
    try:
        plan_service.edit_plan(store, plan_id, _record(values), viewer, expected_version=version)
    except ValidationError as error:
        return _form_page(request, values, stored, problems=error.problems, status=422)
    except ComityError as error:
        request.session["flash"] = error.message
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


_MOVES = {
    "submit": lambda s, i, v, f: workflow.submit_plan(s, i, v, f.get("reason") or None),
    "approve": lambda s, i, v, f: workflow.approve_plan(s, i, v, reason=f.get("reason") or None),
    "return": lambda s, i, v, f: workflow.return_plan(s, i, v, f.get("reason") or ""),
    "schedule": lambda s, i, v, f: workflow.schedule_plan(s, i, v, f.get("reason") or None),
    "execute": lambda s, i, v, f: workflow.execute_plan(s, i, v, f.get("reason") or None),
    "cancel": lambda s, i, v, f: workflow.cancel_plan(s, i, v, f.get("reason") or None),
}


@router.post("/plans/{plan_id}/move")
async def move(
    request: Request,
    plan_id: _PlanId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Make one move (submit, approve, return, schedule, execute, cancel); a refusal is flashed.

    A viewer who may not move this plan at all gets the error page (403, or 404 when hidden).
    """
    form = await request.form()
    fields = {k: str(form.get(k) or "").strip()[:10_000] for k in ("action", "reason")}
    action = _MOVES.get(fields["action"])
    if action is None:
        raise ValidationError([FieldProblem("action", "is not a move", fields["action"])], "move")
    try:
        after = action(store_of(request), plan_id, viewer, fields)
        request.session["flash"] = f"Plan {plan_id} is now {after.state.value}."
    except (NotFoundError, PermissionDeniedError):
        raise  # not a step of the workflow: the error page says who may, or that it is hidden
    except ComityError as error:
        request.session["flash"] = error.message + (f" {error.hint}" if error.hint else "")
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


@router.get("/plans/{plan_id}/assess")
def assess_page(
    request: Request,
    plan_id: _PlanId,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The assessment form of an executed plan: a score for each objective (its planners)."""
    require(viewer, Role.PLANNER, "assess plans")
    stored = _get_own(request, plan_id, viewer)
    context = {
        "title": f"Assess {stored.plan.title}",
        "stored": stored,
        "values": {},
        "messages": {},
    }
    return render(request, "plans/assess.html", context)


@router.post("/plans/{plan_id}/assess")
async def assess(
    request: Request,
    plan_id: _PlanId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Record the assessment; a refused one comes back with the problems beside the fields."""
    require(viewer, Role.PLANNER, "assess plans")
    store = store_of(request)
    stored = _get_own(request, plan_id, viewer)
    form = await request.form()
    values = {k: str(v).strip()[:10_000] for k, v in form.items() if k != "csrf_token"}
    scores = {o: values.get(f"score-{i}", "") for i, o in enumerate(stored.plan.objectives)}
    data: dict[str, Any] = {
        k: values[k]
        for k in ("interoperability", "trust", "cultural_notes", "lessons", "follow_up")
        if values.get(k)
    }
    data["objectives"] = {o: int(s) if is_whole(s) else None for o, s in scores.items()}
    try:
        workflow.assess_plan(store, plan_id, data, viewer)
    except ValidationError as error:
        context = {
            "title": f"Assess {stored.plan.title}",
            "stored": stored,
            "values": values,
            "messages": messages_by_field(
                error.problems, ("objectives", "interoperability", "trust", "lessons", "form")
            ),
        }
        return render(request, "plans/assess.html", context, status=422)
    except ComityError as error:
        request.session["flash"] = error.message
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)
