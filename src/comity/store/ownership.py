"""Who owns a record, and who may change it.

Every record, import and plan belongs to the nation whose user wrote it (``owner_nation``);
the installation's own records (the bundled datasets, what the local operator writes) belong to
no nation. Reading follows the releasability label (:mod:`comity.store.visibility`); changing
follows ownership: a user changes only records of their own nation, and no one may label a
record so that its owner can no longer read it (docs/security.md, "Ownership").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, select

from comity.access.viewer import Role, Viewer
from comity.errors import FieldProblem, PermissionDeniedError, ValidationError
from comity.store.visibility import visible_to

__all__ = [
    "check_owner",
    "check_readable_by",
    "dataset_key",
    "may_change",
    "owner_of",
    "split_dataset_key",
]


def owner_of(viewer: Viewer) -> str | None:
    """The nation that records written by ``viewer`` belong to (None: the installation)."""
    return None if viewer.unrestricted else viewer.nation


def may_change(viewer: Viewer, owner: str | None) -> bool:
    """Whether ``viewer`` may change or remove a record owned by ``owner``.

    The local operator changes anything; a user changes the records of their own nation, never
    another nation's; the installation's records (the bundled datasets) only its operator.
    """
    if viewer.unrestricted:
        return True
    if owner is None:
        return viewer.spans_nations
    return owner == viewer.nation


def check_owner(viewer: Viewer, owner: str | None, subject: str) -> None:
    """Refuse unless ``viewer`` may change the record.

    Args:
        viewer: Who wants to change it.
        owner: The record's owner (None: the installation).
        subject: The record in words, e.g. ``Engagement 42``.

    Raises:
        PermissionDeniedError: Naming the owner.
    """
    if may_change(viewer, owner):
        return
    whose = f"belongs to {owner}" if owner else "belongs to the installation"
    who = f"only {owner}'s users" if owner else "only the installation's operator"
    raise PermissionDeniedError(
        f"{subject} {whose}: {who} may change or remove it.",
        hint="Add a record of your own, or ask its owner to change this one.",
    )


def dataset_key(owner: str | None, name: str) -> str:
    """The key an import is stored under: ``NAT/name`` for a nation's, ``name`` otherwise."""
    return f"{owner}/{name}" if owner else name


def split_dataset_key(key: str) -> tuple[str | None, str]:
    """The owner and name of a stored import key (the inverse of :func:`dataset_key`)."""
    owner, slash, name = key.partition("/")
    return (owner, name) if slash else (None, key)


def check_readable_by(
    connection: Connection,
    table: Table,
    record_id: int,
    nation: str | None,
    year: ColumnElement[int] | int,
    subject: str,
) -> None:
    """Refuse (roll back) a write whose label hides the record from ``nation``, its owner.

    The label is checked as every read checks it (:func:`comity.store.visibility.visible_to`):
    naming the nation, or an organisation it belonged to in the record's year (``REL NATO`` for
    a member), lets it read the record.

    Raises:
        ValidationError: On the ``releasability`` field, naming the nation.
    """
    if nation is None:
        return
    reader = Viewer(name=f"{nation} reader", nation=nation, role=Role.VIEWER)
    found = connection.execute(
        select(table.c.id).where(
            table.c.id == record_id, visible_to(reader, table.c.label_id, year)
        )
    ).first()
    if found is None:
        raise ValidationError(
            [
                FieldProblem(
                    "releasability",
                    f"must let {nation} read it: name {nation}, or an organisation {nation} "
                    "belonged to in the record's year",
                    _label_of(connection, table, record_id),
                )
            ],
            subject,
        )


def _label_of(connection: Connection, table: Table, record_id: int) -> Any:
    from comity.store import tables

    labels = tables.release_labels
    return connection.execute(
        select(labels.c.label)
        .select_from(table.join(labels, labels.c.id == table.c.label_id))
        .where(table.c.id == record_id)
    ).scalar_one_or_none()
