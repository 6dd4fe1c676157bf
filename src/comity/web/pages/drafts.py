"""Drafts read from news: the inbox, one draft beside its passage, and the reviewer's decision.

``/drafts`` lists the drafts waiting in the queues the viewer may see (its nation's), newest
first, and offers to read more passages (pasted, or a file: text, JSONL, CSV, a web page, a feed);
``/drafts/{id}`` shows the passage with the span each proposed value came from highlighted, the
proposed record with its confidences, the stored events it may repeat, and the review form:
change any field, choose the releasability (default: the reviewer's nation), accept it as an
engagement or reject it with a reason.

Everything goes through :mod:`comity.services.drafts`, which decides who may see and change what.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from comity import services
from comity.access.viewer import Role, Viewer
from comity.errors import FieldProblem, ValidationError
from comity.model.vocabulary import EngagementKind
from comity.services import drafts as draft_service
from comity.services.engagements import require
from comity.web.forms import (
    ParticipantRow,
    messages_by_field,
    participant_rows,
    read_number,
    shown_rows,
    text_of,
)
from comity.web.locale import locale_of
from comity.web.marks import Mark, segments
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["router"]

router = WebRouter()

PAGE_SIZE = 25
_MAX_ID = 2_147_483_647
_MAX_UPLOAD = 5 * 1024 * 1024
_DraftId = Annotated[int, PathParam(ge=1, le=_MAX_ID, description="The draft's id.")]
_KINDS = [k.value for k in EngagementKind]
_ROLES = [("", "Participant"), ("host", "Host"), ("observer", "Observer")]
_STATUS_TEXT = {
    "pending": "waiting for review",
    "accepted": "accepted",
    "rejected": "rejected",
    "all": "of every status",
}
_FIELD_LABELS = {
    "kind": "Kind",
    "title": "Title",
    "programme": "Programme",
    "host": "Host",
    "start": "Start",
    "end": "End",
    "personnel": "Personnel",
    "location": "Location",
}
_TEXT_FIELDS = ("kind", "title", "programme", "host", "start", "end", "location")
_FORMATS = ("auto", "text", "jsonl", "csv", "html", "feed")


def _names(request: Request) -> dict[str, str]:
    return {n.iso3: n.name for n in services.list_nations(store_of(request))}


def _nation_text(key: Any, names: dict[str, str]) -> str:
    return f"{names.get(key, key)} ({key})" if key else ""


@router.get("/drafts")
def list_page(
    request: Request,
    status: Annotated[str, Query(max_length=20)] = "pending",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The drafts of the viewer's queue, newest first, and the form to read more passages."""
    store = store_of(request)
    found = draft_service.list_drafts(
        store, viewer, status=status, limit=PAGE_SIZE + 1, offset=offset
    )
    total = draft_service.count_drafts(store, viewer, status=status)
    names = _names(request)

    def page(start: int) -> str:
        return "/drafts?" + urlencode({"status": status, "offset": start})

    rows = [
        {
            **draft,
            "nations": ", ".join(p["nation"] for p in draft["values"].get("participants", [])),
            "host_text": _nation_text(draft["values"].get("host"), names),
        }
        for draft in found[:PAGE_SIZE]
    ]
    context = {
        "title": "Drafts from news",
        "drafts": rows,
        "total": total,
        "status": status,
        "statuses": list(_STATUS_TEXT),
        "status_text": _STATUS_TEXT,
        "formats": _FORMATS,
        "may_read": viewer.may(Role.PLANNER),
        "next_url": page(offset + PAGE_SIZE) if len(found) > PAGE_SIZE else None,
        "previous_url": page(max(0, offset - PAGE_SIZE)) if offset else None,
        "flash": request.session.pop("flash", None),
    }
    return render(request, "drafts/list.html", context)


def _passage_of(form: FormData) -> Any:
    """A passage pasted in the form, or None when the text box is empty."""
    from comity.extract.draft import Passage

    text = text_of(form, "text")
    if not text:
        return None
    published_text = text_of(form, "published")
    published = None
    if published_text:
        try:
            published = date.fromisoformat(published_text)
        except ValueError:
            problem = FieldProblem("published", "must be a date such as 2024-05-03", published_text)
            raise ValidationError([problem], "passage") from None
    return Passage(
        text=text,
        url=text_of(form, "url") or None,
        published=published,
        publisher=text_of(form, "publisher") or None,
        origin="pasted",
    )


async def _uploaded(form: FormData, chosen: str) -> list[Any]:
    """The passages of an uploaded file, read as ``comity extract`` reads files."""
    from comity.extract.readers import read_passages

    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return []
    content = await upload.read(_MAX_UPLOAD + 1)
    if len(content) > _MAX_UPLOAD:
        problem = FieldProblem("file", "is larger than 5 MB: split it, or use comity extract")
        raise ValidationError([problem], "passages")
    name = Path(upload.filename).name or "passages.txt"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        return list(read_passages([str(path)], chosen))


@router.post("/drafts/read")
async def read(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Read the pasted passage or the uploaded file and queue the drafts that propose records."""
    from comity.extract.pipeline import extract_passages

    form = await request.form()
    chosen = text_of(form, "format") or "auto"
    if chosen not in _FORMATS:
        raise ValidationError(
            [FieldProblem("format", f"must be one of {', '.join(_FORMATS)}", chosen)], "passages"
        )
    pasted = _passage_of(form)
    passages = ([pasted] if pasted is not None else []) + await _uploaded(form, chosen)
    if not passages:
        problem = FieldProblem("text", "paste a passage or choose a file to read")
        raise ValidationError([problem], "passages")
    drafts = extract_passages(passages)
    proposing = [d for d in drafts if d.is_engagement]
    saved = draft_service.save_drafts(store_of(request), viewer, proposing)
    none = len(drafts) - len(proposing)
    parts = [f"{len(drafts)} passage{'' if len(drafts) == 1 else 's'} read"]
    parts.append(f"{len(saved.added)} draft{'' if len(saved.added) == 1 else 's'} queued")
    if saved.already_queued:
        parts.append(f"{saved.already_queued} already in the queue")
    if none:
        parts.append(f"{none} proposed no engagement")
    request.session["flash"] = "; ".join(parts) + "."
    target = f"/drafts/{saved.added[0]}" if len(saved.added) == 1 else "/drafts"
    return RedirectResponse(target, status_code=303)


def _marks(draft: dict[str, Any], names: dict[str, str]) -> list[Mark]:
    """The spans of every proposed value, as marks over the passage."""
    found = []
    for name, field in draft["proposed"]["fields"].items():
        span = field.get("span")
        if span and field.get("value") is not None:
            value = field["value"]
            shown = _nation_text(value, names) if name == "host" else str(value).replace("_", " ")
            label = f"{_FIELD_LABELS.get(name, name)}: {shown}"
            found.append(Mark(span[0], span[1], name, label))
    for role in draft["proposed"]["roles"]:
        span = role.get("span")
        if span:
            label = f"Nation: {_nation_text(role['nation'], names)} ({role['role']})"
            found.append(Mark(span[0], span[1], "nation", label))
    return found


def _proposed_rows(draft: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """Each proposed field: its value now, the value proposed, its confidence and its text."""
    rows = []
    values = draft["values"]
    for name, label in _FIELD_LABELS.items():
        field = draft["proposed"]["fields"].get(name, {})
        rows.append(
            {
                "field": name,
                "label": label,
                "value": _shown_value(name, values.get(name), names),
                "confidence": field.get("confidence"),
                "quoted": field.get("text") if field.get("span") else None,
                "edited": name in draft["edited"],
            }
        )
    return rows


def _shown_value(name: str, value: Any, names: dict[str, str]) -> str:
    """A draft's value as the page writes it: kinds in words, nations named, "16,000"."""
    if value is None:
        return ""
    if name == "host":
        return _nation_text(value, names)
    if name == "kind":
        return str(value).replace("_", " ").capitalize()
    if name == "personnel" and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _form_values(draft: dict[str, Any], names: dict[str, str]) -> dict[str, str]:
    values = draft["values"]
    shown = {name: "" if values.get(name) is None else str(values[name]) for name in _TEXT_FIELDS}
    shown["host"] = names.get(values.get("host") or "", values.get("host") or "")
    shown["releasability"] = draft["releasability"] or ""
    return shown


def _rows_of(draft: dict[str, Any], names: dict[str, str]) -> list[ParticipantRow]:
    return [
        ParticipantRow(
            names.get(p["nation"], p["nation"]),
            "" if p.get("role") in (None, "participant") else str(p["role"]),
            "" if p.get("personnel") is None else str(p["personnel"]),
        )
        for p in draft["values"].get("participants", [])
    ]


def _detail(
    request: Request,
    viewer: Viewer,
    draft_id: int,
    *,
    entered: dict[str, str] | None = None,
    rows: list[ParticipantRow] | None = None,
    problems: list[FieldProblem] | None = None,
    status: int = 200,
) -> HTMLResponse:
    store = store_of(request)
    draft = draft_service.get_draft(store, viewer, draft_id)
    names = _names(request)
    passage = draft["passage"]
    values = entered or _form_values(draft, names)
    if not values.get("releasability"):
        values["releasability"] = draft_service.default_releasability(viewer)
    context_rows = shown_rows(rows if rows is not None else _rows_of(draft, names))
    context = {
        "title": f"Draft {draft_id}",
        "draft": draft,
        "passage": passage,
        "segments": segments(passage["text"], _marks(draft, names)),
        "proposed": _proposed_rows(draft, names),
        "nations": [
            {
                "text": _nation_text(p["nation"], names),
                "role": p.get("role") or "participant",
                "personnel": p.get("personnel"),
            }
            for p in draft["values"].get("participants", [])
        ],
        "values": values,
        "rows": context_rows,
        "roles": _ROLES,
        "kinds": _KINDS,
        "names": sorted(names.values()),
        "may_decide": draft["status"] == "pending" and viewer.may(Role.PLANNER),
        "problems": problems or [],
        "messages": messages_by_field(problems or [], _known(len(context_rows))),
        "flash": request.session.pop("flash", None),
    }
    return render(request, "drafts/detail.html", context, status=status)


def _known(rows: int) -> list[str]:
    """The fields that show their problems beside them (each participant's columns too)."""
    cells = [f"participants.{i}.{c}" for i in range(rows) for c in ("nation", "role", "personnel")]
    return [*_TEXT_FIELDS, "releasability", "reason", "participants", *cells]


@router.get("/drafts/{draft_id}")
def detail_page(
    request: Request,
    draft_id: _DraftId,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """A draft: the passage with its spans, the proposal, the events it may repeat, the review."""
    return _detail(request, viewer, draft_id)


def _changes(
    form: FormData, draft: dict[str, Any], names: dict[str, str], locale: str
) -> tuple[dict[str, Any], dict[str, str], list[ParticipantRow]]:
    """The fields the reviewer changed, what was typed, and the participant rows typed."""
    entered = {name: text_of(form, name) for name in (*_TEXT_FIELDS, "releasability")}
    before = _form_values(draft, names)
    changes: dict[str, Any] = {
        name: entered[name] or None for name in _TEXT_FIELDS if entered[name] != before[name]
    }
    rows = participant_rows(form)
    if rows != _rows_of(draft, names):
        changes["participants"] = [
            {
                "nation": row.nation,
                "role": row.role or "participant",
                "personnel": _whole(row.personnel, locale),
            }
            for row in rows
        ]
    return changes, entered, rows


def _whole(text: str, locale: str) -> Any:
    """A personnel count as typed in the browser's locale ("1,200").

    Other text is passed on as it is, so that the service names the problem.
    """
    if not text:
        return None
    number = read_number(text, locale)
    return int(number) if number is not None and number == int(number) else text


@router.post("/drafts/{draft_id}/accept")
async def accept(
    request: Request,
    draft_id: _DraftId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Accept the draft as an engagement, with the reviewer's changes (planners of its nation)."""
    return await _decide(request, viewer, draft_id, accept=True)


@router.post("/drafts/{draft_id}/edit")
async def edit(
    request: Request,
    draft_id: _DraftId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Keep the reviewer's changes without deciding yet."""
    return await _decide(request, viewer, draft_id, accept=False)


async def _decide(request: Request, viewer: Viewer, draft_id: int, *, accept: bool) -> Response:
    require(viewer, Role.PLANNER, "accept drafts" if accept else "edit drafts")
    store = store_of(request)
    draft = draft_service.get_draft(store, viewer, draft_id)
    names = _names(request)
    form = await request.form()
    changes, entered, rows = _changes(form, draft, names, locale_of(request))
    try:
        if accept:
            done = draft_service.accept_draft(
                store, viewer, draft_id, releasability=entered["releasability"], changes=changes
            )
        elif changes:
            draft_service.edit_draft(store, viewer, draft_id, changes)
    except ValidationError as error:
        return _detail(
            request,
            viewer,
            draft_id,
            entered=entered,
            rows=rows,
            problems=error.problems,
            status=422,
        )
    if accept:
        linked = done.get("linked_to")
        request.session["flash"] = (
            f"Draft {draft_id} accepted: engagement {done['engagement_id']}, "
            f"{done['releasability']}"
            + (f"; it joins the event of engagement {linked} (counted once)" if linked else "")
            + (
                f"; {done['for_review']} possible link(s) wait for review"
                if done["for_review"]
                else ""
            )
            + "."
        )
    else:
        request.session["flash"] = (
            f"Draft {draft_id}: changes kept." if changes else f"Draft {draft_id}: nothing changed."
        )
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.post("/drafts/{draft_id}/reject")
async def reject(
    request: Request,
    draft_id: _DraftId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Reject the draft, saying why (planners of its nation)."""
    form = await request.form()
    try:
        draft_service.reject_draft(store_of(request), viewer, draft_id, text_of(form, "reason"))
    except ValidationError as error:
        return _detail(request, viewer, draft_id, problems=error.problems, status=422)
    request.session["flash"] = f"Draft {draft_id} rejected."
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)
