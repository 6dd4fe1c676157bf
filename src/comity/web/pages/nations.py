"""Pages of the web app (being built)."""

from __future__ import annotations

from comity.web.routing import WebRouter

router = WebRouter()
