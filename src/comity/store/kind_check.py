"""The store's CHECK on engagement kinds, and the migration that moves it when a kind is added.

An engagement's kind is one of :data:`comity.model.kinds.KINDS`, and the schema's CHECK on
``engagements.kind`` is derived from them (:func:`comity.store.tables.kind_check`). A store made
earlier keeps the CHECK its migrations wrote, so a new kind comes with a migration, written by
:func:`write_kind_migration`: it reads the kinds the migrations allow so far (those of a scratch
SQLite database migrated to the head) and writes the next revision, which calls
:func:`change_kinds` to move the CHECK from those kinds to the table's, and back on a downgrade.
``tests/test_kinds.py`` fails while the migrations and the table disagree.

On SQLite the table's definition is edited in place, SQLite's documented way of changing a CHECK
(https://www.sqlite.org/lang_altertable.html, as migration 0009 does): the rows stay where they
are. PostgreSQL drops the constraint and adds it back. Either way, rows of a kind the new CHECK
leaves out are refused first, by name.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from sqlalchemy.engine import Connection

from comity.model.kinds import KINDS, KindTable
from comity.store.tables import kind_check

__all__ = ["CONSTRAINT", "change_kinds", "kind_migration", "stored_kinds", "write_kind_migration"]

CONSTRAINT = "ck_engagements_kind"
"""The name of the CHECK on ``engagements.kind``."""

_QUOTED = re.compile(r"'([^']*)'")


def _definition(connection: Connection) -> str:
    """The CHECK's text: on SQLite from the table's definition, on PostgreSQL from its catalog."""
    if connection.dialect.name == "sqlite":
        sql = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'engagements'"
        ).scalar_one()
        start, end = _span(str(sql))
        return str(sql)[start:end]
    return str(
        connection.exec_driver_sql(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid "
            f"WHERE c.conname = '{CONSTRAINT}' AND t.relname = 'engagements'"
        ).scalar_one()
    )


def _span(sql: str) -> tuple[int, int]:
    """Where ``CONSTRAINT ck_engagements_kind CHECK (...)`` starts and ends in a definition."""
    start = sql.find(f"CONSTRAINT {CONSTRAINT} CHECK (")
    if start < 0:
        raise LookupError(f"the table engagements has no CHECK named {CONSTRAINT}")
    depth = 0
    for index in range(sql.index("(", start), len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[index], 0)
        if depth == 0:
            return start, index + 1
    raise LookupError(f"the CHECK {CONSTRAINT} of the table engagements does not end")


def stored_kinds(connection: Connection) -> tuple[str, ...]:
    """The kinds the store's CHECK on ``engagements.kind`` allows, in its order."""
    return tuple(_QUOTED.findall(_definition(connection)))


def change_kinds(connection: Connection, kinds: Sequence[str]) -> None:
    """Let ``engagements.kind`` take exactly ``kinds`` (in a migration, ``op.get_bind()``).

    Raises:
        ValueError: When stored engagements are of a kind left out, naming each with its count.
    """
    check = kind_check(kinds)
    left_out = connection.exec_driver_sql(
        f"SELECT kind, COUNT(*) FROM engagements WHERE NOT {check} GROUP BY kind ORDER BY kind"
    ).all()
    if left_out:
        counts = ", ".join(f"{count} of kind {kind}" for kind, count in left_out)
        raise ValueError(f"engagements the kinds {', '.join(kinds)} leave out: {counts}")
    if connection.dialect.name != "sqlite":
        connection.exec_driver_sql(f"ALTER TABLE engagements DROP CONSTRAINT {CONSTRAINT}")
        connection.exec_driver_sql(
            f"ALTER TABLE engagements ADD CONSTRAINT {CONSTRAINT} CHECK {check}"
        )
        return
    sql = str(
        connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'engagements'"
        ).scalar_one()
    )
    start, end = _span(sql)
    edited = f"{sql[:start]}CONSTRAINT {CONSTRAINT} CHECK ({check}){sql[end:]}"
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar_one()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    connection.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'engagements'", (edited,)
    )
    connection.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    connection.exec_driver_sql("PRAGMA writable_schema = OFF")
    # Parsed again here: a definition that did not parse fails now, inside the transaction.
    connection.exec_driver_sql("SELECT * FROM engagements LIMIT 0")


_TEMPLATE = '''"""{message}

Revision ID: {revision}
Revises: {down_revision}
Create Date: {created}

The kinds an engagement may be are those of ``comity.model.kinds.KINDS``: this revision moves
the CHECK on ``engagements.kind`` to them. The kinds before and after are written out here, as
they stood at this revision.
"""

from collections.abc import Sequence

from alembic import op

from comity.store.kind_check import change_kinds

revision: str = "{revision}"
down_revision: str | None = {down}
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = (
{before}
)
_AFTER = (
{after}
)


def upgrade() -> None:
    change_kinds(op.get_bind(), _AFTER)


def downgrade() -> None:
    change_kinds(op.get_bind(), _BEFORE)
'''


def _change(before: Sequence[str], after: Sequence[str]) -> tuple[str, str]:
    """The migration's message, and its file's name after the revision id."""
    added = [kind for kind in after if kind not in before]
    removed = [kind for kind in before if kind not in after]
    if added and not removed:
        message = f"let engagements be of kind {' or '.join(added)}"
        return message, "let_engagements_be_" + "_or_".join(added)
    parts = [f"add {', '.join(added)}"] if added else []
    parts += [f"remove {', '.join(removed)}"] if removed else []
    message = " and ".join(parts) if parts else "reorder"
    return f"{message} the engagement kinds", "change_the_engagement_kinds"


def kind_migration(
    revision: str,
    down_revision: str | None,
    before: Sequence[str],
    after: Sequence[str],
    created: datetime | None = None,
) -> str:
    """The text of a migration that moves the CHECK on kinds from ``before`` to ``after``.

    Args:
        revision: Its revision id (``"0014"``).
        down_revision: The revision it follows.
        before: The kinds the store allows before it.
        after: The kinds it allows after.
        created: Its date (now by default).
    """
    return _TEMPLATE.format(
        message=_change(before, after)[0],
        revision=revision,
        down_revision=down_revision,
        down="None" if down_revision is None else f'"{down_revision}"',
        created=(created or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S"),
        before="\n".join(f'    "{kind}",' for kind in before),
        after="\n".join(f'    "{kind}",' for kind in after),
    )


def _head_kinds() -> tuple[tuple[str, ...], str | None]:
    """The kinds the migrations allow at the head, and the head revision."""
    from comity.store.engine import open_store

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'scratch.db'}")
        try:
            store.migrate()
            with store.engine.connect() as connection:
                return stored_kinds(connection), store.head_revision()
        finally:
            store.dispose()


def write_kind_migration(kinds: KindTable = KINDS, versions: Path | None = None) -> Path | None:
    """Write the migration that lets the store's engagements be exactly the kinds of ``kinds``.

    Args:
        kinds: The kinds' table.
        versions: The folder of migrations (comity's own by default).

    Returns:
        The file written (``0014_let_engagements_be_....py``), or None when the migrations
        already allow exactly these kinds, in this order.
    """
    before, head = _head_kinds()
    if before == kinds.values:
        return None
    folder = versions or Path(
        str(resources.files("comity.store").joinpath("migrations", "versions"))
    )
    revision = f"{int(head or '0') + 1:04d}"
    path = folder / f"{revision}_{_change(before, kinds.values)[1]}.py"
    path.write_text(kind_migration(revision, head, before, kinds.values), encoding="utf-8")
    return path
