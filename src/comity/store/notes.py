"""Curated notes about nations: reads filtered for a viewer, writes that name their author.

A note has no year of its own: organisation membership in its label is judged in the current
year, as for people (:mod:`comity.store.people`). Writes check that the writer can see the note
first, so no one edits or deletes what they may not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, insert, select, update

from comity.access.viewer import Viewer
from comity.errors import ConflictError, NotFoundError
from comity.model.notes import Note, NoteTopic
from comity.store import tables
from comity.store.labels import LabelCache, read_labels
from comity.store.ownership import check_owner, check_readable_by
from comity.store.visibility import visible_to

__all__ = ["StoredNote", "add_note", "delete_note", "get_note", "list_notes", "update_note"]

_N = tables.notes


@dataclass(frozen=True)
class StoredNote:
    """A note as stored: the record plus its id, version and who wrote it when.

    Attributes:
        id: Its key.
        version: Incremented by every edit (for optimistic concurrency).
        note: The record.
        created_at: When it was written.
        created_by: Who wrote it.
        updated_at: When it was last changed.
        updated_by: Who last changed it.
        owner: The nation it belongs to (only its users change it); None for the
            installation's own (written by its operator).
    """

    id: int
    version: int
    note: Note
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    owner: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: the id and version, the note's fields, then who, when, whose."""
        return {
            "id": self.id,
            "version": self.version,
            **self.note.model_dump(mode="json"),
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
            "owner": self.owner,
        }


def _visible(viewer: Viewer) -> ColumnElement[bool]:
    return visible_to(viewer, _N.c.label_id, datetime.now(UTC).year)


def _values(connection: Connection, note: Note) -> dict[str, Any]:
    return {
        "nation": note.nation,
        "topic": note.topic.value,
        "title": note.title,
        "body": note.body,
        "label_id": LabelCache(connection).id_for(note.releasability),
    }


def add_note(connection: Connection, note: Note, actor: str, owner: str | None = None) -> int:
    """Store a note written by ``actor`` for ``owner`` (a nation; None: the installation)."""
    now = datetime.now(UTC)
    audit = {
        "created_at": now,
        "created_by": actor,
        "updated_at": now,
        "updated_by": actor,
        "owner_nation": owner,
    }
    return int(
        connection.execute(
            insert(_N).values(**_values(connection, note), version=1, **audit).returning(_N.c.id)
        ).scalar_one()
    )


def _stored(rows: list[Any], connection: Connection) -> list[StoredNote]:
    labels = read_labels(connection, (r.label_id for r in rows))
    return [
        StoredNote(
            id=row.id,
            version=row.version,
            note=Note(
                nation=row.nation,
                topic=NoteTopic(row.topic),
                title=row.title,
                body=row.body,
                releasability=labels.get(row.label_id),
            ),
            created_at=row.created_at,
            created_by=row.created_by,
            updated_at=row.updated_at,
            updated_by=row.updated_by,
            owner=row.owner_nation,
        )
        for row in rows
    ]


def get_note(connection: Connection, note_id: int, viewer: Viewer) -> StoredNote:
    """The note with this id.

    Raises:
        NotFoundError: When there is none visible to the viewer.
    """
    rows = connection.execute(select(_N).where(_N.c.id == note_id, _visible(viewer))).all()
    if not rows:
        raise NotFoundError(
            f"No note with id {note_id}.", hint="List the notes of a nation: comity notes list."
        )
    return _stored(list(rows), connection)[0]


def list_notes(
    connection: Connection,
    viewer: Viewer,
    *,
    nation: str | None = None,
    topic: NoteTopic | None = None,
) -> list[StoredNote]:
    """Notes the viewer may see, by nation, topic and id, filtered by nation and topic."""
    query = select(_N).where(_visible(viewer)).order_by(_N.c.nation, _N.c.topic, _N.c.id)
    if nation is not None:
        query = query.where(_N.c.nation == nation)
    if topic is not None:
        query = query.where(_N.c.topic == topic.value)
    return _stored(list(connection.execute(query).all()), connection)


def _current_version(
    connection: Connection, note_id: int, viewer: Viewer, expected_version: int | None
) -> int:
    found = connection.execute(
        select(_N.c.version, _N.c.owner_nation).where(_N.c.id == note_id, _visible(viewer))
    ).first()
    if found is None:
        raise NotFoundError(f"No note with id {note_id}.")
    check_owner(viewer, found.owner_nation, f"Note {note_id}")
    current = found.version
    if expected_version is not None and current != expected_version:
        raise ConflictError(
            f"Note {note_id} changed since you read it "
            f"(version {current}, you had {expected_version}).",
            hint="Read it again and re-apply your change.",
        )
    return int(current)


def update_note(
    connection: Connection,
    note_id: int,
    note: Note,
    viewer: Viewer,
    expected_version: int | None = None,
) -> int:
    """Replace a stored note with ``note``; returns the new version.

    Raises:
        NotFoundError: When there is no such note visible to the viewer.
        PermissionDeniedError: When it belongs to another nation (or the installation).
        ValidationError: When its new label hides it from its owner.
        ConflictError: When ``expected_version`` is given and the stored version differs.
    """
    current = _current_version(connection, note_id, viewer, expected_version)
    connection.execute(
        update(_N)
        .where(_N.c.id == note_id, _N.c.version == current)
        .values(
            **_values(connection, note),
            version=current + 1,
            updated_at=datetime.now(UTC),
            updated_by=viewer.name,
        )
    )
    owner = connection.execute(select(_N.c.owner_nation).where(_N.c.id == note_id)).scalar()
    check_readable_by(connection, _N, note_id, owner, datetime.now(UTC).year, "note")
    return current + 1


def delete_note(connection: Connection, note_id: int, viewer: Viewer) -> None:
    """Delete a note.

    Raises:
        NotFoundError: When there is no such note visible to the viewer.
    """
    _current_version(connection, note_id, viewer, None)
    connection.execute(delete(_N).where(_N.c.id == note_id))
