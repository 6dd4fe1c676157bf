"""Engagements: the filtered list (and its CSV), one engagement, and the forms that change them.

Reads go through the services with the signed-in viewer, so a page lists and shows only what is
releasable to the viewer's nation; a hidden engagement answers "not found".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from comity import services
from comity.access.viewer import Role, Viewer
from comity.errors import (
    ComityError,
    FieldProblem,
    NotFoundError,
    StaleVersionError,
    ValidationError,
)
from comity.export.cells import neutralise_cell
from comity.model.engagements import EngagementKind, ParticipantRole
from comity.model.numbers import is_whole
from comity.services.engagements import StoredEngagement, engagement_periods, require
from comity.store.ownership import check_owner, may_change
from comity.web.forms import EngagementForm, messages_by_field
from comity.web.list_filters import ListFilters
from comity.web.locale import locale_of
from comity.web.pages.links import event_context
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["ListFilters", "router"]

router = WebRouter()

PAGE_SIZE = 50
_BATCH = 2000
_MAX_ID = 2_147_483_647
_EngagementId = Annotated[int, Path(ge=1, le=_MAX_ID, description="The engagement's id.")]
_KINDS = [k.value for k in EngagementKind]


def _after(text: str) -> tuple[date, int] | None:
    if not text:
        return None
    day, _, key = text.partition("_")
    try:
        if not is_whole(key) or not 0 < int(key) <= _MAX_ID:
            raise ValueError(key)
        return date.fromisoformat(day), int(key)
    except ValueError:
        raise ValidationError(
            [FieldProblem("after", "is not a page of this list", text)],
            "filter",
            hint="Go back to the first page.",
        ) from None


def _cursor(stored: StoredEngagement) -> str:
    return f"{stored.engagement.start.value.isoformat()}_{stored.id}"


def _names(request: Request) -> dict[str, str]:
    return {n.iso3: n.name for n in services.list_nations(store_of(request))}


def _wants_fragment(request: Request) -> bool:
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


@router.get("/engagements")
def list_page(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """Engagements the viewer may see, filtered, a page at a time (newest first by default)."""
    filters = ListFilters.from_request(request)
    after_text = request.query_params.get("after", "")[:40]
    page_text = request.query_params.get("page", "")[:6]
    page = int(page_text) if is_whole(page_text) and 1 <= int(page_text) <= 10_000 else 1
    context: dict[str, Any] = {
        "title": "Engagements",
        "filters": filters,
        "kinds": _KINDS,
        "names": _names(request),
        "rows": [],
        "total": 0,
        "after": after_text,
        "error": None,
        "problems": {},
    }
    try:
        arguments = filters.arguments()
        store = store_of(request)
        found = services.list_engagements(
            store,
            viewer,
            **arguments,
            programme=filters.programme or None,
            limit=PAGE_SIZE + 1,
            after=_after(after_text) if filters.by_date else None,
            offset=0 if filters.by_date else (page - 1) * PAGE_SIZE,
            order=filters.sort,
        )
        rows = found[:PAGE_SIZE]
        context["rows"] = rows
        context["periods"] = engagement_periods(store)
        context["total"] = _count(request, viewer, filters, arguments)
        if len(found) > PAGE_SIZE:
            more = {"after": _cursor(rows[-1])} if filters.by_date else {"page": str(page + 1)}
            context["next_url"] = "/engagements?" + filters.query(**more)
        if not filters.by_date and page > 1:
            context["after"] = str(page)
    except ComityError as error:
        context["error"] = error
        problems = error.problems if isinstance(error, ValidationError) else []
        context["problems"] = messages_by_field(
            problems, ("nation", "partner", "kind", "from_year", "to_year", "after", "sort")
        )
    query = filters.query()
    context["csv_url"] = "/engagements.csv" + (f"?{query}" if query else "")
    context["first_url"] = "/engagements" + (f"?{query}" if query else "")
    deleted = request.query_params.get("deleted", "")
    context["deleted"] = deleted if is_whole(deleted) else None
    context["may_add"] = viewer.may(Role.PLANNER)
    if _wants_fragment(request):
        response = render(request, "engagements/_results.html", context)
        paged = filters.query(after=after_text)
        response.headers["HX-Push-Url"] = "/engagements" + (f"?{paged}" if paged else "")
        return response
    return render(request, "engagements/list.html", context)


def _count(
    request: Request, viewer: Viewer, filters: ListFilters, arguments: dict[str, Any]
) -> int:
    return services.count_engagements(
        store_of(request), viewer, **arguments, programme=filters.programme or None
    )


_CSV_COLUMNS = (
    "id",
    "start",
    "end",
    "period",
    "source_ends",
    "kind",
    "title",
    "host",
    "participants",
    "location",
    "programme",
    "releasability",
    "dataset",
    "row",
)


@router.get("/engagements.csv")
def list_csv(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Every engagement of the list's filters, as CSV (streamed, oldest first).

    A text cell that begins like a spreadsheet formula is written with a ``'`` before it.
    """
    filters = ListFilters.from_request(request)
    arguments = filters.arguments()
    store = store_of(request)
    # Checked before streaming starts, so a bad filter is an error page, not half a file.
    services.list_engagements(store, viewer, **arguments, limit=0)
    periods = engagement_periods(store)

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(_CSV_COLUMNS)
        after = None
        while True:
            batch = services.list_engagements(
                store,
                viewer,
                **arguments,
                after=after,
                programme=filters.programme or None,
                limit=_BATCH,
            )
            for s in batch:
                e = s.engagement
                period = periods.of(e)
                # Titles and places come from users and files: no cell may run as a formula.
                writer.writerow(
                    [
                        neutralise_cell(cell)
                        for cell in (
                            s.id,
                            e.start,
                            e.end or "",
                            period.text,
                            "" if period.source_ends is None else period.source_ends,
                            e.kind.value,
                            e.title,
                            e.host or "",
                            ";".join(e.nations),
                            e.location or "",
                            e.programme or "",
                            e.releasability,
                            e.provenance.dataset if e.provenance else "",
                            (e.provenance.row or "") if e.provenance else "",
                        )
                    ]
                )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if len(batch) < _BATCH:
                return
            after = (batch[-1].engagement.start.value, batch[-1].id)

    headers = {"Content-Disposition": 'attachment; filename="engagements.csv"'}
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)


def _get(request: Request, engagement_id: int, viewer: Viewer) -> StoredEngagement:
    """An engagement the viewer may see, or a "not found" that says what to do next."""
    try:
        return services.get_engagement(store_of(request), engagement_id, viewer)
    except NotFoundError as error:
        raise NotFoundError(
            error.message,
            hint="It may have been deleted, or it is not releasable to you. "
            "The list of engagements shows those you may see.",
        ) from None


def _get_own(request: Request, engagement_id: int, viewer: Viewer) -> StoredEngagement:
    """An engagement the viewer may see and change (its nation's), before any form of it."""
    stored = _get(request, engagement_id, viewer)
    check_owner(viewer, stored.owner, f"Engagement {engagement_id}")
    return stored


def _form_page(
    request: Request,
    form: EngagementForm,
    *,
    stored: StoredEngagement | None = None,
    problems: list[FieldProblem] | None = None,
    stale: bool = False,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "title": f"Edit {stored.engagement.title}" if stored else "New engagement",
        "form": form,
        "stored": stored,
        "kinds": _KINDS,
        "names": _names(request),
        "roles": [("", "Participant"), ("host", "Host"), ("observer", "Observer")],
        "problems": problems or [],
        "stale": stale,
        "summary": form.summary(problems or []),
        "messages": messages_by_field(problems or [], form.known_fields()),
    }
    return render(request, "engagements/form.html", context, status=status)


@router.get("/engagements/new")
def new_page(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """An empty engagement form (planners)."""
    require(viewer, Role.PLANNER, "add engagements")
    own = f"REL {viewer.nation}" if viewer.nation else "PUBLIC"
    return _form_page(request, EngagementForm(values={"releasability": own}))


@router.post("/engagements/new")
async def create(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Add an engagement from the form; a refused one comes back with each problem beside it."""
    require(viewer, Role.PLANNER, "add engagements")
    form = EngagementForm.from_form(await request.form())
    try:
        stored = services.add_engagement(
            store_of(request), form.checked(locale_of(request)), viewer
        )
    except ValidationError as error:
        return _form_page(request, form, problems=error.problems, status=422)
    return RedirectResponse(f"/engagements/{stored.id}?saved=1", status_code=303)


@router.get("/engagements/{engagement_id}")
def detail_page(
    request: Request,
    engagement_id: _EngagementId,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """One engagement with every field, its assessments and links to its nations and pairs."""
    store = store_of(request)
    stored = _get(request, engagement_id, viewer)
    e = stored.engagement
    anchor = e.host or e.nations[0]
    context = {
        "title": e.title,
        "stored": stored,
        "e": stored.engagement,
        "names": _names(request),
        "when": engagement_periods(store).of(e),
        "assessments": [a for _, a in services.list_assessments(store, viewer, [stored.id])],
        "anchor": anchor,
        "saved": request.query_params.get("saved") == "1",
        "may_edit": viewer.may(Role.PLANNER) and may_change(viewer, stored.owner),
        "host_role": ParticipantRole.HOST,
        "details": e.details.model_dump(mode="json", exclude={"kind"}, exclude_none=True)
        if e.details is not None
        else {},
        "flash": request.session.pop("flash", None),
        **event_context(store, viewer, stored.id, stored.owner),
    }
    return render(request, "engagements/detail.html", context)


@router.get("/engagements/{engagement_id}/edit")
def edit_page(
    request: Request,
    engagement_id: _EngagementId,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The form of an engagement, filled in (planners of the nation it belongs to)."""
    require(viewer, Role.PLANNER, "edit engagements")
    stored = _get_own(request, engagement_id, viewer)
    return _form_page(request, EngagementForm.from_stored(stored, _names(request)), stored=stored)


@router.post("/engagements/{engagement_id}/edit")
async def edit(
    request: Request,
    engagement_id: _EngagementId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Save an edit made on the version the user opened; a stale one is refused, kept."""
    require(viewer, Role.PLANNER, "edit engagements")
    store = store_of(request)
    stored = _get_own(request, engagement_id, viewer)
    form = EngagementForm.from_form(await request.form())
    try:
        if form.version is None:
            raise ValidationError(
                [FieldProblem("version", "is missing: reload the form")], "engagement"
            )
        changes = form.checked(locale_of(request))
        if changes.get("kind") == stored.engagement.kind.value:
            del changes["kind"]  # an unchanged kind keeps the details of its kind
        services.edit_engagement(
            store, engagement_id, changes, viewer, expected_version=form.version
        )
    except ValidationError as error:
        return _form_page(request, form, stored=stored, problems=error.problems, status=422)
    except StaleVersionError:
        return _form_page(request, form, stored=stored, stale=True, status=409)
    return RedirectResponse(f"/engagements/{engagement_id}?saved=1", status_code=303)


@router.get("/engagements/{engagement_id}/delete")
def delete_page(
    request: Request,
    engagement_id: _EngagementId,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """Ask before deleting an engagement (planners of the nation it belongs to)."""
    require(viewer, Role.PLANNER, "delete engagements")
    stored = _get_own(request, engagement_id, viewer)
    context = {"title": f"Delete {stored.engagement.title}?", "stored": stored, "stale": False}
    return render(request, "engagements/delete.html", context)


@router.post("/engagements/{engagement_id}/delete")
async def delete(
    request: Request,
    engagement_id: _EngagementId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Delete the version of an engagement the user confirmed."""
    require(viewer, Role.PLANNER, "delete engagements")
    store = store_of(request)
    form = await request.form()
    version = form.get("version")
    if not (isinstance(version, str) and is_whole(version)):
        raise ValidationError([FieldProblem("version", "is missing: reload the page")], "deletion")
    expected = int(version)
    try:
        services.delete_engagement(store, engagement_id, viewer, expected_version=expected)
    except StaleVersionError:
        stored = services.get_engagement(store, engagement_id, viewer)
        context = {"title": f"Delete {stored.engagement.title}?", "stored": stored, "stale": True}
        return render(request, "engagements/delete.html", context, status=409)
    return RedirectResponse(f"/engagements?deleted={engagement_id}", status_code=303)
