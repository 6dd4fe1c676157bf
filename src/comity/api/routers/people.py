"""Institutions, people, postings (defence attachés, instructors, students) and assessments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field

from comity import services
from comity.access.viewer import Role, Viewer
from comity.api.schemas import MAX_ID, AssessmentIn, InstitutionIn, PersonIn, PostingIn, RecordId
from comity.api.security import current_viewer, requires
from comity.model.dates import PartialDate
from comity.store import Store

router = APIRouter(tags=["people"])

_Nation = Annotated[str | None, Query(max_length=100, description="Any name or code.")]


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _key(text: str | None, year: int | None = None) -> str | None:
    return None if text is None else services.resolve_nation(text, year=year).iso3


def _created(request: Request, response: Response, new_id: int) -> dict[str, Any]:
    response.headers["Location"] = f"{request.url.path}/{new_id}"
    return {"id": new_id}


@router.get("/institutions", summary="Academies, colleges and training centres")
def list_institutions(
    request: Request,
    nation: _Nation = None,
    viewer: Viewer = Depends(current_viewer),
) -> list[dict[str, Any]]:
    """Institutions (they are public), of one nation or all."""
    found = services.list_institutions(_store(request), _key(nation))
    return [{"id": key, **item.model_dump(mode="json")} for key, item in found]


@router.post("/institutions", status_code=201, summary="Add an institution")
def create_institution(
    body: InstitutionIn,
    request: Request,
    response: Response,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Add an institution (planners); unique by name within its nation."""
    data = {**body.model_dump(exclude_none=True), "nation": _key(body.nation)}
    return _created(request, response, services.add_institution(_store(request), data, viewer))


@router.get("/people", summary="People you may see, by name")
def list_people(
    request: Request,
    nation: _Nation = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    viewer: Viewer = Depends(current_viewer),
) -> list[dict[str, Any]]:
    """People, filtered by nation; page with ``limit`` and ``offset``."""
    found = services.list_people(
        _store(request), viewer, nation=_key(nation), limit=limit, offset=offset
    )
    return [{"id": key, **person.model_dump(mode="json")} for key, person in found]


@router.get("/people/{person_id}", summary="One person")
def get_person(
    person_id: RecordId,
    request: Request,
    viewer: Viewer = Depends(current_viewer),
) -> dict[str, Any]:
    """One person you may see, with their postings you may see."""
    store = _store(request)
    person = services.get_person(store, viewer, person_id)
    postings = services.list_postings(store, viewer, person_id=person_id)
    return {
        "id": person_id,
        **person.model_dump(mode="json"),
        "postings": [{"id": key, **p.model_dump(mode="json")} for key, p in postings],
    }


@router.post("/people", status_code=201, summary="Add a person")
def create_person(
    body: PersonIn,
    request: Request,
    response: Response,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Add a person (planners)."""
    data = {**body.model_dump(exclude_none=True), "nation": _key(body.nation)}
    return _created(request, response, services.add_person(_store(request), data, viewer))


@router.get("/postings", summary="Postings you may see")
def list_postings(
    request: Request,
    host: _Nation = None,
    person_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    year: Annotated[int | None, Query(ge=1000, le=3000)] = None,
    viewer: Viewer = Depends(current_viewer),
) -> list[dict[str, Any]]:
    """Postings (defence attachés, liaison officers, instructors, students) by host and year."""
    found = services.list_postings(
        _store(request), viewer, host=_key(host, year), person_id=person_id, year=year
    )
    return [{"id": key, **posting.model_dump(mode="json")} for key, posting in found]


@router.post("/postings", status_code=201, summary="Add a posting")
def create_posting(
    body: PostingIn,
    request: Request,
    response: Response,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Post a person in a host nation (planners); the host must have been a state then."""
    try:
        year: int | None = PartialDate.parse(body.start).year
    except ValueError:
        year = None  # the model names the bad date
    data = {**body.model_dump(exclude_none=True), "host": _key(body.host, year)}
    return _created(request, response, services.add_posting(_store(request), data, viewer))


@router.get("/assessments", summary="After-action assessments you may see")
def list_assessments(
    request: Request,
    engagement_id: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None, Query(max_length=100)
    ] = None,
    viewer: Viewer = Depends(current_viewer),
) -> list[dict[str, Any]]:
    """Assessments, newest first; of some engagements when ``engagement_id`` is given."""
    found = services.list_assessments(_store(request), viewer, engagement_id)
    return [{"id": key, **item.model_dump(mode="json")} for key, item in found]


@router.post("/assessments", status_code=201, summary="Assess an engagement")
def create_assessment(
    body: AssessmentIn,
    request: Request,
    response: Response,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Record an after-action assessment (planners) of an engagement you may see."""
    data = body.model_dump(exclude_none=True)
    return _created(request, response, services.add_assessment(_store(request), data, viewer))
