"""check allowed values with comparisons instead of IN lists

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 04:40:00

Every CHECK that keeps a column within a list of values is rewritten from ``column IN (...)``
to ``(column = ... OR column = ...)``, which means the same. SQLite (3.40, as Debian 12 ships it) builds a lookup
table for an ``IN`` list of three or more values each time it checks a row, which cost a third
of the time of a bulk import of engagements and participations.

On SQLite the text of each table's definition is edited in place, the procedure SQLite documents
for changing CHECK constraints (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds
Of Table Schema Changes"): the rows on disk do not change, and the new and old expressions accept
the same values. A table whose check reads differently from what 0008 made is left as it is.
PostgreSQL drops and adds each constraint.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = (
    "exercise",
    "education",
    "training",
    "research",
    "cultural_event",
    "visit",
    "port_call",
    "peacekeeping",
    "humanitarian",
    "outreach",
    "agreement",
    "alliance",
    "media_event",
)
_AGENCIES = ("policy", "foreign_ministry", "finance", "legal", "intelligence", "logistics")
_ROLES = ("host", "participant", "observer")
# (table, constraint, column, allowed values) as of revision 0008.
_CHECKS = (
    ("engagements", "ck_engagements_kind", "kind", _KINDS),
    ("engagements", "ck_engagements_start_precision", "start_precision", ("day", "month", "year")),
    ("participants", "ck_participants_role", "role", _ROLES),
    (
        "notes",
        "ck_notes_topic",
        "topic",
        ("customs", "etiquette", "language", "lessons", "protocol", "other"),
    ),
    ("users", "ck_users_role", "role", ("viewer", "analyst", "planner", "approver", "admin")),
    (
        "plans",
        "ck_plans_state",
        "state",
        (
            "draft",
            "submitted",
            "returned",
            "approved",
            "scheduled",
            "executed",
            "assessed",
            "cancelled",
        ),
    ),
    ("plan_agencies", "ck_plan_agencies_agency", "agency", _AGENCIES),
    ("plan_approvals", "ck_plan_approvals_agency", "agency", _AGENCIES),
    ("plan_approvals", "ck_plan_approvals_decision", "decision", ("approve", "return")),
    ("plan_partners", "ck_plan_partners_role", "role", _ROLES),
)


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _comparisons(column: str, values: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"{column} = {value!r}" for value in values) + ")"


def _rewrite(to_comparisons: bool) -> None:
    """Replace each CHECK's expression, one way or the other."""
    changes = []
    for table, name, column, values in _CHECKS:
        old, new = _in_list(column, values), _comparisons(column, values)
        changes.append((table, name, *((old, new) if to_comparisons else (new, old))))
    if op.get_bind().dialect.name == "sqlite":
        _rewrite_sqlite(changes)
        return
    for table, name, _, new in changes:
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint(op.f(name), table, new)


def _rewrite_sqlite(changes: list[tuple[str, str, str, str]]) -> None:
    connection = op.get_bind()
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar_one()
    definitions: dict[str, str] = {
        str(name): str(sql)
        for name, sql in connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
        )
    }
    edited: dict[str, str] = {}
    for table, name, old, new in changes:
        sql = edited.get(table, definitions[table])
        before, after = f"CONSTRAINT {name} CHECK ({old})", f"CONSTRAINT {name} CHECK ({new})"
        if sql.count(before) == 1:
            edited[table] = sql.replace(before, after)
        # Otherwise the table was made some other way: its check means the same, left as is.
    if not edited:
        return
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    for table, sql in edited.items():
        connection.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, table)
        )
    connection.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    connection.exec_driver_sql("PRAGMA writable_schema = OFF")
    # The new definitions are parsed again here: a statement on each table fails (and the
    # migration's transaction rolls back) if one did not parse. Rows and indexes are untouched,
    # so the full integrity check, minutes on a large store, is not needed.
    for table in edited:
        connection.exec_driver_sql(f'SELECT * FROM "{table}" LIMIT 0')


def upgrade() -> None:
    _rewrite(to_comparisons=True)


def downgrade() -> None:
    _rewrite(to_comparisons=False)
