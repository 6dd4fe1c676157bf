"""Alumni (attendances, career steps, figures) and the data-quality report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from comity.access.viewer import Role, Viewer
from comity.api.errors import json_answer
from comity.api.security import current_viewer, requires
from comity.services import alumni as alumni_service
from comity.services import quality as quality_service
from comity.services import schools as schools_service
from comity.store import Store

router = APIRouter(tags=["alumni"])

_Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
_Text = Annotated[str, Field(min_length=1, max_length=300)]


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


class AttendanceIn(BaseModel):
    """An attendance of an education programme."""

    model_config = ConfigDict(extra="forbid")

    person_id: _Id
    programme: _Text
    institution: _Text | None = None
    engagement_id: _Id | None = None
    start: str = Field(description="YYYY, YYYY-MM or YYYY-MM-DD")
    end: str | None = None
    releasability: str | None = None


class CareerStepIn(BaseModel):
    """A promotion or appointment."""

    model_config = ConfigDict(extra="forbid")

    person_id: _Id
    date: str = Field(description="YYYY, YYYY-MM or YYYY-MM-DD")
    rank: _Text | None = None
    position: _Text
    seniority: str = Field(default="other", description="see docs/alumni.md")
    releasability: str | None = None


@router.post("/attendances", status_code=201, summary="Record an attendance of a programme")
def create_attendance(
    body: AttendanceIn,
    request: Request,
    response: Response,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Record that a person you may see attended an education programme (planners)."""
    new_id = alumni_service.add_attendance(
        _store(request), body.model_dump(exclude_none=True), viewer
    )
    return {"id": new_id}


@router.post("/career-steps", status_code=201, summary="Record a career step")
def create_career_step(
    body: CareerStepIn,
    request: Request,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Record a promotion or appointment of a person you may see (planners)."""
    data = body.model_dump(exclude_none=True)
    return {"id": alumni_service.add_career_step(_store(request), data, viewer)}


@router.get("/alumni", summary="Alumni figures per programme or nation")
def alumni_figures(
    request: Request,
    programme: Annotated[str | None, Query(max_length=300)] = None,
    nation: Annotated[str | None, Query(max_length=100)] = None,
    by: Annotated[str, Query(pattern="^(programme|nation)$")] = "programme",
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """Alumni, how many reached a senior post, the share, and years from course to that post."""
    figures = alumni_service.alumni_report(
        _store(request), viewer, programme=programme, nation=nation, by=by
    )
    return json_answer({"by": by, "figures": figures})


@router.get("/schools", summary="Schools and the foreign officers they trained")
def schools_list(
    request: Request,
    nation: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """Schools by students trained (of one nation, when given), from the records you may see."""
    rows = schools_service.school_list(_store(request), viewer, nation=nation, limit=limit)
    return json_answer({"nation": nation, "schools": rows})


@router.get("/schools/one", summary="One school: students by nation and year")
def school_one(
    request: Request,
    name: Annotated[str, Query(min_length=1, max_length=300)],
    nation: Annotated[str | None, Query(max_length=100)] = None,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """A school's students of each nation by year (``null`` where the records give no number)."""
    return json_answer(schools_service.school_detail(_store(request), viewer, name, nation=nation))


@router.get("/quality", summary="Completeness and timeliness of the records")
def quality_report(
    request: Request,
    nation: Annotated[str | None, Query(max_length=100)] = None,
    by: Annotated[str, Query(pattern="^(unit|nation)$")] = "unit",
    top: Annotated[int, Query(ge=1, le=500)] = 20,
    viewer: Viewer = Depends(current_viewer),
) -> JSONResponse:
    """Per unit or nation: fields filled, days to record, what to fix; series with missing years."""
    report = quality_service.quality_report(_store(request), viewer, nation=nation, by=by, top=top)
    return json_answer(report)
