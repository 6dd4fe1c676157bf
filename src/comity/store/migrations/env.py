"""Alembic environment: run comity's migrations on the connection comity hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from comity.store.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    """Use the connection in ``config.attributes`` when given, else open one from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as opened:
        _run(opened)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("comity's migrations run online only: use `comity init`.")
run_migrations()
