"""The alumni page (``/alumni``) and the data-quality page (``/quality``): filter forms and tables.

Both show what the signed-in user may see: :func:`comity.services.alumni.alumni_report` and
:func:`comity.services.quality.quality_report`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse

from comity.access.viewer import Viewer
from comity.services import alumni as alumni_service
from comity.services import quality as quality_service
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["router"]

router = WebRouter()

_Text = Annotated[str | None, Query(max_length=300)]


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


@router.get("/quality")
def quality_page(
    request: Request,
    nation: _Text = None,
    by: Annotated[str, Query(pattern="^(unit|nation)$")] = "unit",
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """Completeness and timeliness per unit or nation, and the records to fix first."""
    report = quality_service.quality_report(store_of(request), viewer, nation=nation or None, by=by)
    context = {"title": "Data quality", "report": report, "by": by, "nation": nation or ""}
    return render(request, "quality.html", context)
