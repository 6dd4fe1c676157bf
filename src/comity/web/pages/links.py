"""Record links: the review queue, one link beside its two records, the decisions, splitting.

``/links`` lists the links whose two records the viewer may see, likeliest first, by status;
``/links/{id}`` shows the two records side by side, what each comparison of the linkage model
found with its match weight, and the forms to accept, reject or undo (planners of a nation that
owns one of the records; others read the decision). ``POST /engagements/{id}/split`` takes a
record out of its event; the engagement page shows the event (:func:`event_context`).

Everything goes through :mod:`comity.services.links`, which decides who may see and change
what: a link with a record hidden from the viewer answers "not found".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from comity import services
from comity.access.viewer import Role, Viewer
from comity.errors import FieldProblem, ValidationError
from comity.linkage.model import COMPARISONS, LOWER, UPPER
from comity.model.dates import DatePrecision, PartialDate
from comity.model.numbers import is_whole
from comity.services import links as link_service
from comity.store import Store
from comity.store.ownership import may_change
from comity.store.tables_links import LINK_STATUSES, REASON_LENGTH
from comity.web.forms import text_of
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["STATUS_TEXT", "event_context", "router"]

router = WebRouter()

PAGE_SIZE = 25
_MAX_ID = 2_147_483_647
_LinkId = Annotated[int, Path(ge=1, le=_MAX_ID, description="The link's id.")]
_EngagementId = Annotated[int, Path(ge=1, le=_MAX_ID, description="The engagement's id.")]
_DESCRIPTIONS = {c["output_column_name"]: c["comparison_description"] for c in COMPARISONS}
_PRIOR = "prior"
"""The explanation's entry for the match weight of two records drawn at random."""
_SIDES = (
    ("kind", "Kind"),
    ("title", "Title"),
    ("start", "Start"),
    ("end", "End"),
    ("host", "Host"),
    ("nations", "Nations"),
    ("location", "Location"),
    ("programme", "Programme"),
    ("source", "Source"),
    ("owner", "Belongs to"),
    ("releasability", "Releasability"),
)
"""The rows of the side-by-side table: (key of :func:`_cells`, label)."""
_FIELD_LABELS = dict(_SIDES) | {"description": "Description"}
STATUS_TEXT = {
    "review": "waiting for review",
    "linked": "linked (one event)",
    "rejected": "rejected (two events)",
}
"""Each link status in words, as the pages write it."""


def _names(store: Store) -> dict[str, str]:
    return {n.iso3: n.name for n in services.list_nations(store)}


def _when(value: Any) -> str:
    """A stored date as the pages write it, with the precision it is known to."""
    if not value:
        return ""
    found = PartialDate.parse(str(value))
    day = found.value
    text = {
        DatePrecision.DAY: f"{day.day} {day:%B %Y}",
        DatePrecision.MONTH: f"{day:%B %Y}",
    }.get(found.precision, str(day.year))
    return f"{text} (to the {found.precision.value})"


def _nation(key: str | None, names: dict[str, str]) -> str:
    return f"{names.get(key, key)} ({key})" if key else ""


def _source(provenance: dict[str, Any] | None) -> str:
    if not provenance:
        return "Entered by hand"
    text = str(provenance["dataset"])
    if provenance.get("row"):
        text += f", row {provenance['row']}"
    if provenance.get("version"):
        text += f" (version {str(provenance['version'])[:12]})"
    return text


def _cells(record: dict[str, Any], names: dict[str, str]) -> dict[str, str]:
    """A record's fields as the side-by-side table shows them."""
    nations = [
        p["nation"] + (f" ({p['role']})" if p["role"] != "participant" else "")
        for p in record["participants"]
    ]
    return {
        "kind": str(record["kind"]).replace("_", " ").capitalize(),
        "title": record["title"],
        "start": _when(record["start"]),
        "end": _when(record.get("end")),
        "host": _nation(record.get("host"), names),
        "nations": ", ".join(nations),
        "location": record.get("location") or "",
        "programme": record.get("programme") or "",
        "source": _source(record.get("provenance")),
        "owner": record.get("owner") or "the installation",
        "releasability": str(record["releasability"]),
    }


def _side_by_side(link: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    left, right = (_cells(r, names) for r in link["records"])
    return [
        {"label": label, "left": left[key], "right": right[key], "differs": left[key] != right[key]}
        for key, label in _SIDES
    ]


def _comparisons(link: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each comparison with its level and weight, and where the score starts (the prior).

    The prior and the comparisons' weights add up to the link's match weight. A link scored
    before its explanation held the prior starts from what the comparisons leave over.
    """
    rows = []
    for name, found in link["explanation"].items():
        if name == _PRIOR:
            continue
        weight = float(found.get("weight") or 0.0)
        rows.append(
            {
                "name": name,
                "description": _DESCRIPTIONS.get(name, ""),
                "level": found.get("level", ""),
                "weight": weight,
                "side": _side(weight),
            }
        )
    prior = link["explanation"].get(_PRIOR)
    if prior is None:
        weight = float(link["weight"]) - sum(r["weight"] for r in rows)
        prior = {"level": "what the comparisons leave over", "weight": weight}
    start = {"level": prior.get("level", ""), "weight": float(prior.get("weight") or 0.0)}
    return rows, {**start, "side": _side(start["weight"])}


def _side(weight: float) -> str:
    return "one" if weight > 0 else "two" if weight < 0 else "none"


def _may_decide(viewer: Viewer, link: dict[str, Any]) -> bool:
    """Whether to offer the forms: a planner who may change one of the two records.

    Only what the page offers: :mod:`comity.services.links` decides each request.
    """
    owners = {record.get("owner") for record in link["records"]}
    return viewer.may(Role.PLANNER) and any(may_change(viewer, owner) for owner in owners)


def _owners_text(link: dict[str, Any]) -> str:
    owners = sorted({r.get("owner") or "the installation" for r in link["records"]})
    return " or ".join(owners)


def _reason(form: FormData) -> str | None:
    reason = text_of(form, "reason")
    if len(reason) > REASON_LENGTH:
        problem = FieldProblem("reason", f"must be at most {REASON_LENGTH} characters")
        raise ValidationError([problem], "decision")
    return reason or None


def _record_filter(text: str) -> int | None:
    if not text.strip():
        return None
    if not is_whole(text.strip()) or not 0 < int(text) <= _MAX_ID:
        raise ValidationError([FieldProblem("record", "must be an engagement's id", text)], "query")
    return int(text)


@router.get("/links")
def list_page(
    request: Request,
    status: Annotated[str, Query(max_length=20)] = "review",
    record: Annotated[str, Query(max_length=20)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """Links between records the viewer may see, of one status, likeliest first, a page a time."""
    key = _record_filter(record)
    found = link_service.list_links(
        store_of(request), viewer, status=status, record=key, limit=limit + 1, offset=offset
    )

    def page(start: int) -> str:
        query = {"status": status, "record": key or "", "limit": limit, "offset": start}
        return "/links?" + urlencode({k: v for k, v in query.items() if v not in ("", 0)})

    context = {
        "title": "Records of one event?",
        "links": found[:limit],
        "status": status,
        "statuses": LINK_STATUSES,
        "status_text": STATUS_TEXT,
        "record": key,
        "offset": offset,
        "next_url": page(offset + limit) if len(found) > limit else None,
        "previous_url": page(max(0, offset - limit)) if offset else None,
    }
    return render(request, "links/list.html", context)


@router.get("/links/{link_id}")
def detail_page(
    request: Request,
    link_id: _LinkId,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """A link: its two records side by side, why the model scored them so, the decision."""
    store = store_of(request)
    link = link_service.get_link(store, viewer, link_id)
    comparisons, prior = _comparisons(link)
    context = {
        "title": f"Link {link_id}",
        "link": link,
        "left": link["records"][0],
        "right": link["records"][1],
        "rows": _side_by_side(link, _names(store)),
        "comparisons": comparisons,
        "prior": prior,
        "may_decide": _may_decide(viewer, link),
        "owners": _owners_text(link),
        "status_text": STATUS_TEXT,
        "reason_length": REASON_LENGTH,
        "thresholds": {"link": UPPER, "review": LOWER},
        "flash": request.session.pop("flash", None),
    }
    return render(request, "links/detail.html", context)


_Decide = Callable[[Store, Viewer, int, str | None], dict[str, Any]]


async def _decide(
    request: Request, link_id: int, viewer: Viewer, decide: _Decide, done: str
) -> Response:
    reason = _reason(await request.form())
    after = decide(store_of(request), viewer, link_id, reason)
    now = STATUS_TEXT.get(after["status"], after["status"])
    request.session["flash"] = f"Link {link_id} {done}: it is now {now}."
    return RedirectResponse(f"/links/{link_id}", status_code=303)


@router.post("/links/{link_id}/accept")
async def accept(
    request: Request,
    link_id: _LinkId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """The two records are one event (planners of a nation owning one of them)."""
    return await _decide(request, link_id, viewer, link_service.accept_link, "accepted")


@router.post("/links/{link_id}/reject")
async def reject(
    request: Request,
    link_id: _LinkId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """The two records are two events (planners of a nation owning one of them)."""
    return await _decide(request, link_id, viewer, link_service.reject_link, "rejected")


@router.post("/links/{link_id}/undo")
async def undo(
    request: Request,
    link_id: _LinkId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Undo a decision: the link goes back to what the model says."""
    return await _decide(
        request,
        link_id,
        viewer,
        lambda store, who, key, reason: link_service.undo_link(store, who, key),
        "undone",
    )


@router.post("/engagements/{engagement_id}/split")
async def split(
    request: Request,
    engagement_id: _EngagementId,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Take an engagement out of its event: each of its links is rejected."""
    reason = _reason(await request.form())
    done = link_service.split_record(store_of(request), viewer, engagement_id, reason)
    request.session["flash"] = (
        f"Engagement {engagement_id} split from its event: "
        f"{len(done)} link{'' if len(done) == 1 else 's'} rejected."
        if done
        else f"Engagement {engagement_id} is linked to no record you may see."
    )
    return RedirectResponse(f"/engagements/{engagement_id}", status_code=303)


def _event_view(event: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    records = [
        {**_cells(record, names), "id": record["id"], "first": index == 0}
        for index, record in enumerate(event["records"])
    ]
    fields = []
    for name, found in event["fields"].items():
        value = found["value"]
        if name in ("start", "end"):
            value = _when(value)
        elif name == "host":
            value = _nation(value, names)
        fields.append(
            {"label": _FIELD_LABELS.get(name, name), "value": value, "record": found["record"]}
        )
    return {"records": records, "fields": fields, "nations": event["nations"]}


def event_context(
    store: Store, viewer: Viewer, record_id: int, owner: str | None
) -> dict[str, Any]:
    """What an engagement page shows of its record's links.

    Returns ``event`` (the records of its event and the record each field comes from, or None
    when the record is an event of its own), ``links_waiting`` (its links waiting for review)
    and ``may_split`` (a planner of the record's nation).
    """
    found = link_service.list_links(store, viewer, status=None, record=record_id, limit=500)
    event = None
    if any(link["status"] == "linked" for link in found):
        linked = link_service.event_of(store, viewer, record_id)
        if len(linked["records"]) > 1:
            event = _event_view(linked, _names(store))
    return {
        "event": event,
        "links_waiting": sum(1 for link in found if link["status"] == "review"),
        "may_split": viewer.may(Role.PLANNER) and may_change(viewer, owner),
        "reason_length": REASON_LENGTH,
    }
