"""The pages of the web app, one module per area, each with a ``router``."""

from __future__ import annotations

from comity.web.pages import (
    alumni,
    briefing,
    dashboard,
    drafts,
    engagements,
    exchange,
    imports,
    links,
    nations,
    network,
    optimise,
    plans,
)

__all__ = ["PAGES"]

PAGES = (
    dashboard,
    network,
    engagements,
    links,
    drafts,
    plans,
    imports,
    exchange,
    nations,
    briefing,
    optimise,
    alumni,
)
"""Every page module, in the order their routes are matched."""
