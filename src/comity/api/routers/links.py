"""Record links: pairs of records that may describe one event, their review, and events.

``GET /links`` lists the links whose two records the caller may see, likeliest first, of one
status; ``GET /links/{id}`` is one link with its two records and what each comparison of the
model found (``explanation``: the prior and each comparison's level and match weight, adding up
to ``weight``). Planners of a nation that owns one of the two records accept, reject or undo.
``GET /engagements/{id}/event`` is the event a record belongs to, each field with the record it
comes from; ``POST /engagements/{id}/split`` takes a record out of its event.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, StringConstraints

from comity.access.viewer import Role, Viewer
from comity.api.errors import json_answer
from comity.api.schemas import MAX_ID, RecordId
from comity.api.security import current_viewer, requires
from comity.services import links as link_service
from comity.store import Store
from comity.store.tables_links import REASON_LENGTH

router = APIRouter(tags=["links"])

Status = Literal["review", "linked", "rejected"]


class DecisionIn(BaseModel):
    """Why the caller decides so (optional; kept with the link and in the audit log)."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(max_length=REASON_LENGTH)] | None = None


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


@router.get("/links", summary="Links between records you may see, likeliest first")
def list_links(
    request: Request,
    status: Status = "review",
    record: Annotated[int | None, Query(ge=1, le=MAX_ID, description="An engagement")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """Links of one status (``review``: waiting for a person), of one record when given.

    Each item is the link with its two records side by side (``records``). ``next_offset`` is the
    offset of the next page when this one is full (that page may be empty), else ``null``.
    """
    items = link_service.list_links(
        _store(request), viewer, status=status, record=record, limit=limit, offset=offset
    )
    next_offset = offset + limit if len(items) == limit else None
    return json_answer({"status": status, "items": items, "next_offset": next_offset})


@router.get("/links/{link_id}", summary="One link, its two records and why it was scored so")
def get_link(
    link_id: RecordId,
    request: Request,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """A link whose two records you may see (404 otherwise), with the decision on it."""
    return json_answer(link_service.get_link(_store(request), viewer, link_id))


@router.post("/links/{link_id}/accept", summary="The two records are one event")
def accept_link(
    link_id: RecordId,
    request: Request,
    body: DecisionIn | None = None,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> JSONResponse:
    """Link the two records (planners of a nation owning one of them); kept across imports."""
    reason = body.reason if body else None
    return json_answer(link_service.accept_link(_store(request), viewer, link_id, reason))


@router.post("/links/{link_id}/reject", summary="The two records are two events")
def reject_link(
    link_id: RecordId,
    request: Request,
    body: DecisionIn | None = None,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> JSONResponse:
    """Keep the two records apart (planners of a nation owning one of them)."""
    reason = body.reason if body else None
    return json_answer(link_service.reject_link(_store(request), viewer, link_id, reason))


@router.post("/links/{link_id}/undo", summary="Undo a decision on a link")
def undo_link(
    link_id: RecordId,
    request: Request,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> JSONResponse:
    """The link goes back to what the model says (planners of a nation owning one record)."""
    return json_answer(link_service.undo_link(_store(request), viewer, link_id))


@router.get("/engagements/{engagement_id}/event", summary="The event a record belongs to")
def event_of(
    engagement_id: RecordId,
    request: Request,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """Its records, each field with the record it comes from, and the records naming each nation.

    The record that speaks for the event comes first; a record linked to nothing is an event of
    its own.
    """
    return json_answer(link_service.event_of(_store(request), viewer, engagement_id))


@router.post("/engagements/{engagement_id}/split", summary="Take a record out of its event")
def split_record(
    engagement_id: RecordId,
    request: Request,
    body: DecisionIn | None = None,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Reject each link of an engagement of your nation (planners); the links it rejected."""
    reason = body.reason if body else None
    rejected = link_service.split_record(_store(request), viewer, engagement_id, reason)
    return {"engagement": engagement_id, "rejected": rejected}
