"""comity: record, plan and measure how nations build trust through military cooperation.

The library is the product; the CLI, the API and the web pages call the same functions::

    from comity import open_store, services, Viewer
    store = open_store("sqlite:///comity.db")
    services.initialise(store)
    services.list_engagements(store, Viewer.operator(), nation="USA")

The names below are loaded on first use (PEP 562), so ``import comity`` stays cheap and a
command that needs no database does not pay for SQLAlchemy, pandas or pyarrow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comity.lazy import lazy_names

if TYPE_CHECKING:
    from comity.access import Role, Viewer
    from comity.errors import (
        ComityError,
        ConflictError,
        NotFoundError,
        PermissionDeniedError,
        StoreUnavailableError,
        UnknownNationError,
        ValidationError,
    )
    from comity.model import Engagement, EngagementKind, Nation, PartialDate, Releasability
    from comity.nations import NationResolver, default_resolver
    from comity.store import Store, open_store

__version__ = "0.1.0"

__all__ = [
    "ComityError",
    "ConflictError",
    "Engagement",
    "EngagementKind",
    "Nation",
    "NationResolver",
    "NotFoundError",
    "PartialDate",
    "PermissionDeniedError",
    "Releasability",
    "Role",
    "Store",
    "StoreUnavailableError",
    "UnknownNationError",
    "ValidationError",
    "Viewer",
    "__version__",
    "default_resolver",
    "open_store",
]

# Where each public name lives.
_HOMES = {
    "Role": "comity.access",
    "Viewer": "comity.access",
    "ComityError": "comity.errors",
    "ConflictError": "comity.errors",
    "NotFoundError": "comity.errors",
    "PermissionDeniedError": "comity.errors",
    "StoreUnavailableError": "comity.errors",
    "UnknownNationError": "comity.errors",
    "ValidationError": "comity.errors",
    "Engagement": "comity.model",
    "EngagementKind": "comity.model",
    "Nation": "comity.model",
    "PartialDate": "comity.model",
    "Releasability": "comity.model",
    "NationResolver": "comity.nations",
    "default_resolver": "comity.nations",
    "Store": "comity.store",
    "open_store": "comity.store",
}


__getattr__, __dir__ = lazy_names(__name__, _HOMES, globals(), __all__)
