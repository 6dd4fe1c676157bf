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

from comity import services
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
from comity.services.plan_effects import plan_effect
from comity.store.ownership import check_owner, may_change
from comity.store.plans import StoredPlan
from comity.web.forms import messages_by_field
from comity.web.locale import locale_of
from comity.web.plan_form import PlanForm, on_form
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["router"]

router = WebRouter()

_PlanId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The plan's id.")]


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


def _names(request: Request) -> dict[str, str]:
    return {n.iso3: n.name for n in services.list_nations(store_of(request))}


def _form_page(
    request: Request,
    form: PlanForm,
    stored: StoredPlan | None = None,
    problems: list[FieldProblem] | None = None,
    status: int = 200,
) -> HTMLResponse:
    problems = problems or []
    context = {
        "title": f"Edit {stored.plan.title}" if stored else "New plan",
        "form": form,
        "stored": stored,
        "kinds": [k.value for k in EngagementKind],
        "agencies": [a.value for a in Agency],
        "roles": [("", "Participant"), ("host", "Host"), ("observer", "Observer")],
        "names": _names(request),
        "summary": form.summary(problems),
        "messages": messages_by_field(problems, form.known_fields()),
    }
    return render(request, "plans/form.html", context, status=status)


@router.get("/plans/new")
def new_page(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """An empty plan form (planners)."""
    require(viewer, Role.PLANNER, "add plans")
    return _form_page(request, PlanForm.new(viewer.nation))


@router.post("/plans/new")
async def create(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Add a plan from the form; a refused one comes back with each problem beside its field."""
    require(viewer, Role.PLANNER, "add plans")
    form = PlanForm.from_form(await request.form())
    try:
        record = form.checked(locale_of(request))
        stored = plan_service.add_plan(store_of(request), record, viewer)
    except ValidationError as error:
        problems = [on_form(p) for p in error.problems]
        return _form_page(request, form, problems=problems, status=422)
    return RedirectResponse(f"/plans/{stored.id}", status_code=303)


@router.get("/plans/{plan_id}")
def detail_page(
    request: Request,
    plan_id: _PlanId,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """One plan: its fields, approvals, calendar warnings, history and the allowed moves."""
    stored = plan_service.get_plan(store_of(request), plan_id, viewer)
    # Only the owning nation's users move a plan; its author never decides on it. A plan
    # received from a partner installation never moves here.
    ours = may_change(viewer, stored.owner_nation)
    planner = viewer.may(Role.PLANNER) and ours
    mover = planner and stored.origin is None
    may_decide = (
        ours
        and stored.origin is None
        and viewer.may(Role.APPROVER)
        and viewer.agency is not None
        and viewer.name not in (stored.created_by, stored.plan.owner)
        and stored.state is PlanState.SUBMITTED
        and viewer.agency in {a.value for a in stored.plan.agencies}
        and viewer.agency not in stored.approved_by
    )
    moves = {
        "submit": mover and stored.state in EDITABLE,
        "schedule": mover and stored.state is PlanState.APPROVED,
        "execute": mover and stored.state is PlanState.SCHEDULED,
    }
    context = {
        "title": stored.plan.title,
        "stored": stored,
        "p": stored.plan,
        "moves": [m for m, allowed in moves.items() if allowed],
        "may_decide": may_decide,
        "may_edit": planner and stored.state in EDITABLE,
        "may_assess": mover and stored.state is PlanState.EXECUTED,
        "may_cancel": stored.state in CANCELLABLE and workflow.may_cancel(viewer, stored),
        "flash": request.session.pop("flash", None),
        "effect": plan_effect(store_of(request), viewer, plan_id),
    }
    return render(request, "plans/detail.html", context)


def _cancel_page(
    request: Request, stored: StoredPlan, reason: str = "", problem: str = ""
) -> HTMLResponse:
    context = {
        "title": f"Cancel {stored.plan.title}",
        "stored": stored,
        "reason": reason,
        "problem": problem,
    }
    return render(request, "plans/cancel.html", context, status=422 if problem else 200)


def _cancellable(request: Request, plan_id: int, viewer: Viewer) -> StoredPlan:
    """A plan the viewer may cancel (its author or an admin of its nation), else the error page."""
    require(viewer, Role.PLANNER, "cancel plans")
    stored = _get_own(request, plan_id, viewer)
    workflow.check_cancel(viewer, stored)
    return stored


@router.get("/plans/{plan_id}/cancel")
def cancel_page(
    request: Request,
    plan_id: _PlanId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Ask for the reason and a confirmation before a plan is cancelled (it cannot be undone)."""
    stored = _cancellable(request, plan_id, viewer)
    if stored.state not in CANCELLABLE:
        state = stored.state.value
        request.session["flash"] = f"Plan {plan_id} is {state}: it cannot be cancelled."
        return RedirectResponse(f"/plans/{plan_id}", status_code=303)
    return _cancel_page(request, stored)


@router.post("/plans/{plan_id}/cancel")
async def cancel(
    request: Request,
    plan_id: _PlanId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Cancel the plan with the reason given; without one, the page asks again."""
    stored = _cancellable(request, plan_id, viewer)
    form = await request.form()
    reason = str(form.get("reason") or "").strip()[:10_000]
    if not reason:
        return _cancel_page(
            request, stored, problem="Say why the plan is cancelled: it cannot be undone."
        )
    try:
        after = workflow.cancel_plan(store_of(request), plan_id, viewer, reason)
        request.session["flash"] = _said("cancel", after)
    except (NotFoundError, PermissionDeniedError):
        raise
    except ComityError as error:
        request.session["flash"] = error.message + (f" {error.hint}" if error.hint else "")
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


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
    return _form_page(request, PlanForm.from_stored(stored, _names(request)), stored)


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
    form = PlanForm.from_form(await request.form())
    try:
        record = form.checked(locale_of(request))
        plan_service.edit_plan(store, plan_id, record, viewer, expected_version=form.version)
    except ValidationError as error:
        problems = [on_form(p) for p in error.problems]
        return _form_page(request, form, stored, problems=problems, status=422)
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


def _said(action: str, after: StoredPlan) -> str:
    """What a move did, in words: an approval names the agencies still to decide."""
    number = f"Plan {after.id}"
    if action == "approve" and after.state is PlanState.SUBMITTED:
        done = ", ".join(after.approved_by)
        waiting = [a.value for a in after.plan.agencies if a.value not in after.approved_by]
        return f"{number} approved for {done}; waiting for {', '.join(waiting)}."
    return {
        "submit": f"{number} submitted for approval by "
        + ", ".join(a.value for a in after.plan.agencies)
        + ".",
        "approve": f"{number} approved by every agency it needs: it may now be scheduled.",
        "return": f"{number} returned to its planner.",
        "schedule": f"{number} scheduled.",
        "execute": f"{number} executed: its engagement is recorded.",
        "cancel": f"{number} cancelled. The reason is kept in its history.",
    }.get(action, f"{number} is now {after.state.value}.")


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
        request.session["flash"] = _said(fields["action"], after)
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
