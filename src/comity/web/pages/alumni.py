"""The alumni pages, the schools and the data-quality page: filter forms and tables.

``/alumni``, ``/alumni/schools`` (every school), ``/alumni/school`` (one) and ``/quality``.

Each shows what the signed-in user may see: :mod:`comity.services.alumni`,
:mod:`comity.services.schools` and :func:`comity.services.quality.quality_report`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse

from comity.access.viewer import Viewer
from comity.services import alumni as alumni_service
from comity.services import quality as quality_service
from comity.services import schools as schools_service
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["router"]

router = WebRouter()

_Text = Annotated[str | None, Query(max_length=300)]
_SCHOOL_ROWS = 200


@router.get("/alumni")
def alumni_page(
    request: Request,
    programme: _Text = None,
    nation: _Text = None,
    by: Annotated[str, Query(pattern="^(programme|nation)$")] = "programme",
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """Alumni per programme or nation: how many reached a senior post, and how fast."""
    figures = alumni_service.alumni_report(
        store_of(request), viewer, programme=programme or None, nation=nation or None, by=by
    )
    context = {
        "title": "Alumni",
        "figures": figures,
        "by": by,
        "programme": programme or "",
        "nation": nation or "",
    }
    return render(request, "alumni.html", context)


@router.get("/alumni/schools")
def schools_page(
    request: Request,
    nation: _Text = None,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The schools and units that trained foreign officers, most students first."""
    schools = schools_service.school_list(store_of(request), viewer, nation=nation or None)
    context = {
        "title": "Schools",
        "schools": schools[:_SCHOOL_ROWS],
        "more": max(0, len(schools) - _SCHOOL_ROWS),
        "nation": nation or "",
    }
    return render(request, "alumni_schools.html", context)


@router.get("/alumni/school")
def school_page(
    request: Request,
    name: Annotated[str, Query(min_length=1, max_length=300)],
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """One school: the officers of each nation it trained, year by year."""
    school = schools_service.school_detail(store_of(request), viewer, name)
    return render(request, "alumni_school.html", {"title": school["school"], "school": school})


@router.get("/quality")
def quality_page(
    request: Request,
    nation: _Text = None,
    by: Annotated[str, Query(pattern="^(unit|nation)$")] = "unit",
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """Completeness and timeliness per unit or nation, the records to fix first, series gaps."""
    report = quality_service.quality_report(store_of(request), viewer, nation=nation or None, by=by)
    context = {"title": "Data quality", "report": report, "by": by, "nation": nation or ""}
    return render(request, "quality.html", context)
