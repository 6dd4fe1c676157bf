"""comity: record, plan and measure how nations build trust through military cooperation.

The library is the product; the CLI, the API and the web pages call the same functions::

    from comity import open_store, services, Viewer
    store = open_store("sqlite:///comity.db")
    services.initialise(store)
    services.list_engagements(store, Viewer.operator(), nation="USA")
"""

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
