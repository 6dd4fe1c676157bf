"""The store: the only package that imports SQLAlchemy or a database driver."""

from comity.store.engine import Store, alembic_config, open_store

__all__ = ["Store", "alembic_config", "open_store"]
