"""Engagements: list with filters and cursors, read with an ETag, write with ``If-Match``.

Each engagement is its record's JSON form plus its period as every face shows it (see
:class:`comity.services.engagements.Period`): ``period`` ("1951 – in force; source ends 2018"),
``in_force`` and ``source_ends`` (the last year the record's dataset covers its kind, for a tie
in force that a dataset holds).
"""

from __future__ import annotations

import base64
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from comity import services
from comity.access.viewer import Role, Viewer
from comity.api.errors import json_answer
from comity.api.schemas import MAX_ID, EngagementIn, EngagementPatch, RecordId
from comity.api.security import current_viewer, requires
from comity.errors import FieldProblem, PreconditionError, StaleVersionError, ValidationError
from comity.model.engagements import EngagementKind
from comity.model.numbers import is_whole
from comity.services.engagements import engagement_periods, resolve_nations
from comity.store import Store
from comity.store.engagements import StoredEngagement

router = APIRouter(tags=["engagements"])

_Year = Annotated[int | None, Query(ge=1000, le=3000)]
_Nation = Annotated[str | None, Query(max_length=100, description="Any name or code.")]


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def etag(stored: StoredEngagement) -> str:
    """The entity tag of a stored engagement: its id and version."""
    return f'"{stored.id}-{stored.version}"'


def _cursor(stored: StoredEngagement) -> str:
    text = f"{stored.engagement.start.value.isoformat()}:{stored.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _after(cursor: str | None) -> tuple[date, int] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        day, _, key = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if not 0 < int(key) <= MAX_ID:
            raise ValueError(key)
        return date.fromisoformat(day), int(key)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(
            [FieldProblem("cursor", "is not a cursor this API gave out", cursor)], "query"
        ) from None


def _list(
    request: Request,
    viewer: Viewer,
    *,
    kinds: list[EngagementKind],
    nation: str | None,
    partner: str | None,
    from_year: int | None,
    to_year: int | None,
    text: str | None,
    limit: int,
    cursor: str | None,
) -> JSONResponse:
    found = services.list_engagements(
        _store(request),
        viewer,
        nation=nation,
        partner=partner,
        kinds=kinds,
        from_year=from_year,
        to_year=to_year,
        text=text,
        limit=limit + 1,
        after=_after(cursor),
    )
    page = found[:limit]
    next_cursor = _cursor(page[-1]) if len(found) > limit and page else None
    periods = engagement_periods(_store(request))
    return json_answer({"items": [periods.to_dict(s) for s in page], "next_cursor": next_cursor})


def _shown(request: Request, stored: StoredEngagement) -> dict[str, Any]:
    """The engagement's JSON form with its period."""
    return engagement_periods(_store(request)).to_dict(stored)


@router.get("/engagements", summary="Engagements you may see, oldest first")
def list_engagements(
    request: Request,
    nation: _Nation = None,
    partner: _Nation = None,
    kind: Annotated[list[EngagementKind] | None, Query()] = None,
    from_year: _Year = None,
    to_year: _Year = None,
    text: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """A page of engagements; pass ``next_cursor`` back as ``cursor`` for the next page."""
    return _list(
        request,
        viewer,
        kinds=kind or [],
        nation=nation,
        partner=partner,
        from_year=from_year,
        to_year=to_year,
        text=text,
        limit=limit,
        cursor=cursor,
    )


@router.get("/agreements", summary="Agreements and alliances you may see")
def list_agreements(
    request: Request,
    nation: _Nation = None,
    partner: _Nation = None,
    from_year: _Year = None,
    to_year: _Year = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """Standing ties: defence agreements and alliance spells.

    A tie with no end is in force: ``in_force`` is true, and for one a dataset holds,
    ``source_ends`` is the last year that dataset covers its kind ("1951 – in force; source ends
    2018" in ``period``).
    """
    kinds = [EngagementKind.AGREEMENT, EngagementKind.ALLIANCE]
    return _list(
        request,
        viewer,
        kinds=kinds,
        nation=nation,
        partner=partner,
        from_year=from_year,
        to_year=to_year,
        text=None,
        limit=limit,
        cursor=cursor,
    )


@router.post("/engagements", status_code=201, summary="Add an engagement")
def create_engagement(
    body: EngagementIn,
    request: Request,
    response: Response,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Add an engagement (planners); nations by any name or code, read for its start year."""
    stored = services.add_engagement(_store(request), resolve_nations(body.to_record()), viewer)
    response.headers["ETag"] = etag(stored)
    response.headers["Location"] = f"{request.url.path}/{stored.id}"
    return _shown(request, stored)


@router.get("/engagements/{engagement_id}", summary="One engagement, with its ETag")
def get_engagement(
    engagement_id: RecordId,
    request: Request,
    response: Response,
    viewer: Viewer = Depends(current_viewer),
) -> dict[str, Any]:
    """One engagement you may see; its ``ETag`` header is what ``If-Match`` takes.

    Besides the record's fields: ``period`` (its dates as every page shows them), ``in_force`` and
    ``source_ends`` (for a tie in force that a dataset holds, the last year the dataset covers).
    """
    stored = services.get_engagement(_store(request), engagement_id, viewer)
    response.headers["ETag"] = etag(stored)
    return _shown(request, stored)


@router.get("/engagements/{engagement_id}/participants", summary="Its participants")
def participants(
    engagement_id: RecordId,
    request: Request,
    viewer: Viewer = Depends(current_viewer),
) -> list[dict[str, Any]]:
    """The nations taking part, with their role and personnel."""
    stored = services.get_engagement(_store(request), engagement_id, viewer)
    return [p.model_dump(mode="json") for p in stored.engagement.participants]


def _version(if_match: str | None, engagement_id: int) -> int:
    if not if_match:
        raise PreconditionError(
            "This write needs an If-Match header with the engagement's ETag.",
            hint="GET the engagement first and send its ETag back as If-Match.",
        )
    tag = if_match.strip().removeprefix("W/").strip('"')
    key, _, version = tag.partition("-")
    if key != str(engagement_id) or not is_whole(version):
        raise PreconditionError(f"If-Match {if_match!r} is not an ETag of this engagement.")
    return int(version)


def _stale(error: Exception, engagement_id: int) -> PreconditionError:
    return PreconditionError(
        f"Engagement {engagement_id} changed since you read it.",
        hint="GET it again, re-apply your change and send the new ETag.",
    )


def _write(
    request: Request,
    response: Response,
    viewer: Viewer,
    engagement_id: RecordId,
    changes: dict[str, Any],
    if_match: str | None,
) -> dict[str, Any]:
    expected = _version(if_match, engagement_id)
    try:
        stored = services.edit_engagement(
            _store(request), engagement_id, changes, viewer, expected_version=expected
        )
    except StaleVersionError as error:
        raise _stale(error, engagement_id) from None
    response.headers["ETag"] = etag(stored)
    return _shown(request, stored)


@router.put("/engagements/{engagement_id}", summary="Replace an engagement")
def replace_engagement(
    engagement_id: RecordId,
    body: EngagementIn,
    request: Request,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=100)] = None,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Replace every field (planners); needs ``If-Match`` (412 when stale, 428-like without)."""
    record = resolve_nations(body.to_record())
    for field in (
        "location",
        "latitude",
        "longitude",
        "programme",
        "description",
        "details",
        "end",
        "host",
        "releasability",
        "external_id",
    ):
        record.setdefault(field, None)
    return _write(request, response, viewer, engagement_id, record, if_match)


@router.patch("/engagements/{engagement_id}", summary="Change some fields of an engagement")
def patch_engagement(
    engagement_id: RecordId,
    body: EngagementPatch,
    request: Request,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=100)] = None,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Change the fields given (planners); the result is checked as a whole; needs If-Match."""
    changes = body.changes()
    if "participants" in changes or "host" in changes:
        current = services.get_engagement(_store(request), engagement_id, viewer).engagement
        merged = {"start": changes.get("start", str(current.start)), **changes}
        resolved = resolve_nations(merged)
        changes = {k: resolved[k] for k in changes}
    return _write(request, response, viewer, engagement_id, changes, if_match)


@router.delete("/engagements/{engagement_id}", status_code=204, summary="Delete an engagement")
def delete_engagement(
    engagement_id: RecordId,
    request: Request,
    if_match: Annotated[str | None, Header(max_length=100)] = None,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> Response:
    """Delete an engagement (planners); needs If-Match."""
    expected = _version(if_match, engagement_id)
    try:
        services.delete_engagement(
            _store(request), engagement_id, viewer, expected_version=expected
        )
    except StaleVersionError as error:
        raise _stale(error, engagement_id) from None
    return Response(status_code=204)
