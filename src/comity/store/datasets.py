"""The imported datasets as the store records them: source, version, citation, extent.

:func:`comity.store.imports.record_dataset` writes a dataset's row at the end of each import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from comity.store import tables

__all__ = ["DatasetRecord", "list_datasets", "record_dataset_ends"]


@dataclass(frozen=True)
class DatasetRecord:
    """What the store knows of an imported dataset."""

    name: str
    title: str
    version: str | None
    citation: str | None
    licence: str | None
    source_file: str | None
    checksum: str | None
    records: int
    first_year: int | None
    last_year: int | None
    imported_at: datetime
    imported_by: str
    owner_nation: str | None = None


def list_datasets(connection: Connection) -> dict[str, DatasetRecord]:
    """The imported datasets by name."""
    return {
        row.name: DatasetRecord(**{k: getattr(row, k) for k in DatasetRecord.__dataclass_fields__})
        for row in connection.execute(select(tables.datasets))
    }


def record_dataset_ends(connection: Connection) -> list[tuple[str, int]]:
    """Each imported dataset that holds engagements: its title and the last year it covers."""
    d, e = tables.datasets, tables.engagements
    holds = select(e.c.id).where(e.c.source_dataset == d.c.name).exists()
    query = select(d.c.title, d.c.last_year).where(holds, d.c.last_year.is_not(None))
    return [(row.title, int(row.last_year)) for row in connection.execute(query.order_by(d.c.name))]
