"""The store: the only package that imports SQLAlchemy or a database driver.

Its names are loaded on first use (PEP 562): a module of the package that needs no SQLAlchemy
(the columnar reader's child, :mod:`comity.store.sqlite_columns`) starts without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comity.lazy import lazy_names

if TYPE_CHECKING:
    from comity.store.engine import Store, alembic_config, open_store

__all__ = ["Store", "alembic_config", "open_store"]

__getattr__, __dir__ = lazy_names(
    __name__, dict.fromkeys(__all__, "comity.store.engine"), globals(), __all__
)
