"""The pages of the web app, one module per area, each with a ``router``."""

from __future__ import annotations

from comity.web.pages import briefing, dashboard, engagements, imports, nations, network, plans

__all__ = ["PAGES"]

PAGES = (dashboard, network, engagements, plans, imports, nations, briefing)
"""Every page module, in the order their routes are matched."""
