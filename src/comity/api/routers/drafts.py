"""The review queue: draft engagements read from press releases and news, and their decisions.

``POST /drafts`` reads passages with the extractor and queues, in the caller's nation's queue,
the drafts that propose an engagement (a passage once per nation). ``GET /drafts`` lists the
queue, newest first; ``GET /drafts/{id}`` is one draft as proposed (each field with the span of
text it came from and a confidence), with the reviewer's edits applied and the stored events it
may repeat (``duplicates``). Planners change a pending draft (``PATCH``), accept it (it becomes
an engagement, linked to the stored event it repeats) or reject it with a reason. A draft of
another nation's queue is not found.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from comity.access.viewer import Role, Viewer
from comity.api.errors import json_answer
from comity.api.schemas import RecordId
from comity.api.security import current_viewer, requires
from comity.model.engagements import EngagementKind, ParticipantRole
from comity.model.numbers import Personnel
from comity.services import drafts as draft_service
from comity.store import Store
from comity.store.tables_drafts import LABEL_LENGTH, REASON_LENGTH

router = APIRouter(tags=["drafts"])

Status = Literal["pending", "accepted", "rejected", "all"]

_Short = Annotated[str, StringConstraints(max_length=300)]
_Nation = Annotated[str, StringConstraints(min_length=1, max_length=100)]
_Date = Annotated[str, StringConstraints(max_length=20)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftParticipantIn(_In):
    """A nation taking part: any name or code; its role and personnel, where they change."""

    nation: _Nation
    role: ParticipantRole | None = None
    personnel: Personnel | None = None


class DraftPatch(_In):
    """Fields of a draft to change (``null`` clears a field); nations by any name or code."""

    kind: EngagementKind | None = None
    title: _Short | None = None
    programme: Annotated[str, StringConstraints(max_length=200)] | None = None
    host: _Nation | None = None
    participants: (
        Annotated[list[DraftParticipantIn], Field(min_length=1, max_length=300)] | None
    ) = None
    start: _Date | None = None
    end: _Date | None = None
    personnel: Personnel | None = None
    location: _Short | None = None

    def changes(self) -> dict[str, Any]:
        """Only the fields the request set, as the service takes them."""
        data = self.model_dump(mode="json", exclude_unset=True)
        if data.get("participants") is not None:
            data["participants"] = [
                {k: v for k, v in p.items() if v is not None} for p in data["participants"]
            ]
        return data


class AcceptIn(_In):
    """The engagement's label (default ``REL`` your nation) and last changes to the draft."""

    releasability: Annotated[str, StringConstraints(max_length=LABEL_LENGTH)] | None = None
    changes: DraftPatch | None = None


class RejectIn(_In):
    """Why the draft is not recorded (kept with it and in the audit log)."""

    reason: Annotated[str, StringConstraints(min_length=1, max_length=REASON_LENGTH)]


class PassageIn(_In):
    """A passage of a press release or news item, as read."""

    text: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    url: Annotated[str, StringConstraints(max_length=2000)] | None = None
    published: date | None = None
    publisher: _Short | None = None
    title: _Short | None = None


class PassagesIn(_In):
    """Passages to read and queue."""

    passages: Annotated[list[PassageIn], Field(min_length=1, max_length=50)]


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


@router.post("/drafts", status_code=201, summary="Read passages and queue the drafts they give")
def queue_drafts(
    body: PassagesIn,
    request: Request,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> JSONResponse:
    """Read each passage and queue the drafts that propose an engagement (planners).

    Answers ``added`` (the new drafts' ids), ``already_queued`` (passages your queue already
    holds) and ``skipped`` (drafts proposing no engagement, not queued).
    """
    from comity.extract.draft import Passage
    from comity.extract.pipeline import extract_passages

    passages = [
        Passage(p.text, url=p.url, published=p.published, publisher=p.publisher, title=p.title)
        for p in body.passages
    ]
    saved = draft_service.save_drafts(_store(request), viewer, extract_passages(passages))
    return JSONResponse(saved.to_dict(), status_code=201)


@router.get("/drafts", summary="The drafts of your nation's queue, newest first")
def list_drafts(
    request: Request,
    status: Status = "pending",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """Drafts of one status (``pending``: waiting; ``all``: any), with ``total`` of that status.

    ``next_offset`` is the offset of the next page when there is one, else ``null``.
    """
    store = _store(request)
    items = draft_service.list_drafts(store, viewer, status=status, limit=limit, offset=offset)
    total = draft_service.count_drafts(store, viewer, status=status)
    next_offset = offset + limit if offset + limit < total else None
    return json_answer(
        {"status": status, "items": items, "total": total, "next_offset": next_offset}
    )


@router.get("/drafts/{draft_id}", summary="One draft, its evidence and the events it may repeat")
def get_draft(
    draft_id: RecordId,
    request: Request,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """A draft of your nation's queue (404 otherwise).

    ``values`` are its fields with your edits applied, ``proposed`` what the extractor read (each
    field's ``span`` in the passage's text, and ``confidence``), ``duplicates`` the stored
    engagements you may see that may be its event, likeliest first.
    """
    return json_answer(draft_service.get_draft(_store(request), viewer, draft_id))


@router.patch("/drafts/{draft_id}", summary="Change fields of a pending draft")
def edit_draft(
    draft_id: RecordId,
    body: DraftPatch,
    request: Request,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> JSONResponse:
    """Store changes beside the draft as proposed (planners of its nation); 409 once decided."""
    return json_answer(draft_service.edit_draft(_store(request), viewer, draft_id, body.changes()))


@router.post("/drafts/{draft_id}/accept", summary="Accept a draft: it becomes an engagement")
def accept_draft(
    draft_id: RecordId,
    request: Request,
    body: AcceptIn | None = None,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> JSONResponse:
    """Store the draft's engagement, checked as every engagement is (planners of its nation).

    Answers the ``engagement_id``, its ``releasability``, ``linked_to`` (the stored record it
    was linked to as one event, or ``null``) and ``for_review`` (possible matches waiting for a
    person, ``GET /links?record=``). A draft that is not a valid engagement answers 422 naming
    its fields, and nothing is written.
    """
    releasability = body.releasability if body else None
    changes = body.changes.changes() if body and body.changes else None
    return json_answer(
        draft_service.accept_draft(_store(request), viewer, draft_id, releasability, changes)
    )


@router.post("/drafts/{draft_id}/reject", summary="Reject a draft, saying why")
def reject_draft(
    draft_id: RecordId,
    body: RejectIn,
    request: Request,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> JSONResponse:
    """Mark the draft rejected with its reason (planners of its nation); 409 once decided."""
    return json_answer(draft_service.reject_draft(_store(request), viewer, draft_id, body.reason))
