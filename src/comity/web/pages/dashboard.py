"""The dashboard: a nation's ties in a year, on a map, in a table, over time."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from comity.access.viewer import Viewer
from comity.web.routing import WebRouter, render, viewer_of_request

router = WebRouter()


@router.get("/")
def dashboard(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),  # noqa: B008
) -> HTMLResponse:
    """The dashboard of the viewer's nation."""
    return render(request, "dashboard.html", {"title": "Dashboard"})
