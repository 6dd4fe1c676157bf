"""Releasability labels as rows: one row per distinct label, its targets beside it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, insert, select

from comity.errors import FieldProblem, ValidationError
from comity.model.releasability import Releasability
from comity.store import tables

__all__ = ["LabelCache", "read_labels"]


class LabelCache:
    """Find or create label rows, remembering them for the length of one transaction.

    Args:
        connection: The connection of the transaction.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._ids: dict[str, int] = {}

    def id_for(self, releasability: Releasability) -> int | None:
        """The label's id (created if new); None for PUBLIC."""
        if releasability.is_public:
            return None
        text = str(releasability)
        if text in self._ids:
            return self._ids[text]
        found = self._connection.execute(
            select(tables.release_labels.c.id).where(tables.release_labels.c.label == text)
        ).scalar_one_or_none()
        if found is None:
            self._check_targets(releasability)
            found = self._connection.execute(
                insert(tables.release_labels)
                .values(label=text)
                .returning(tables.release_labels.c.id)
            ).scalar_one()
            self._connection.execute(
                insert(tables.release_targets),
                [{"label_id": found, "target": t} for t in sorted(releasability.targets)],
            )
        self._ids[text] = int(found)
        return int(found)

    def _check_targets(self, releasability: Releasability) -> None:
        """Refuse a new label that names a code that is neither a nation nor an organisation.

        Raises:
            ValidationError: On the ``releasability`` field, naming each unknown code.
        """
        targets = sorted(releasability.targets)
        nations = tables.nations.c.iso3
        organisations = tables.organisations.c.code
        known = set(
            self._connection.execute(select(nations).where(nations.in_(targets))).scalars()
        ) | set(
            self._connection.execute(
                select(organisations).where(organisations.in_(targets))
            ).scalars()
        )
        unknown = [t for t in targets if t not in known]
        if unknown:
            raise ValidationError(
                [
                    FieldProblem(
                        "releasability",
                        f"names {', '.join(unknown)}, neither a nation key (ISO alpha-3, e.g. "
                        "FRA) nor an organisation code (e.g. NATO)",
                        str(releasability),
                    )
                ],
                "label",
            )


def read_labels(connection: Connection, ids: Iterable[int | None]) -> dict[int, Releasability]:
    """The labels with these ids, parsed."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = connection.execute(
        select(tables.release_labels.c.id, tables.release_labels.c.label).where(
            tables.release_labels.c.id.in_(wanted)
        )
    )
    return {row.id: Releasability.parse(row.label) for row in rows}
