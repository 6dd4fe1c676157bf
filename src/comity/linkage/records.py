"""The fields record linkage compares, one row per engagement.

Only engagements that happen (exercises, courses, visits, missions...) link: standing ties
(alliances, agreements, presence), arms transfers and media events are one record per pair and
year by construction, and alliances already count once by their strongest pledge.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from comity.model.kinds import KINDS

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "LINKED_KINDS",
    "LinkColumns",
    "LinkRecord",
    "dated",
    "normal_text",
    "record_table",
]

LINKED_KINDS = tuple(
    spec.value
    for spec in KINDS
    if spec.engagement and not spec.standing and spec.component in ("interoperability", "cultural")
)
"""The kinds whose records may describe one event twice: events that happen (exercises, courses,
visits, missions...); the institutional kinds are ties per pair and year, media events signals."""

_WORDS = re.compile(r"[^\w]+")
_YEARS = re.compile(r"\b(?:19|20)\d{2}\b|\b\d{2}\b")
# A title that is only a source's row name ("mme2659") says nothing about the event.
_ROW_NAME = re.compile(r"^[a-z]+\d+$")


def normal_text(text: str | None) -> str | None:
    """Lower case, accents and punctuation removed, years left out; None for nothing left.

    Example:
        >>> normal_text("Cobra Gold '08")
        'cobra gold'
    """
    if not text:
        return None
    if text.isascii():
        folded = text
    else:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = _YEARS.sub(" ", _WORDS.sub(" ", folded.casefold()))
    value = " ".join(words.split())
    return None if not value or _ROW_NAME.match(value) else value


@dataclass(frozen=True)
class LinkRecord:
    """One engagement as linkage sees it.

    ``source`` is the dataset it came from ("" when entered by hand); ``within`` says whether
    two records of that source may be one event (a source whose records are one per key by
    construction says no). ``month`` is "YYYY-MM" when the date is known to the month,
    ``day`` the date when known to the day.
    """

    id: int
    source: str
    within: bool
    kind: str
    year: int
    month: str | None
    day: date | None
    host: str | None
    nations: tuple[str, ...]
    programme: str | None
    title: str | None
    location: str | None


_VALUES = attrgetter(*(f.name for f in fields(LinkRecord)))
"""A record's values in field order (the order of :class:`LinkColumns`' columns too)."""


def _schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            ("unique_id", pa.int64()),
            ("source", pa.string()),
            ("within", pa.bool_()),
            ("kind", pa.string()),
            ("year", pa.int32()),
            ("month", pa.string()),
            ("day", pa.date32()),
            ("host", pa.string()),
            ("nations", pa.list_(pa.string())),
            ("nations_key", pa.string()),
            ("programme", pa.string()),
            ("title", pa.string()),
            ("location", pa.string()),
        ]
    )


@dataclass
class LinkColumns:
    """Records as linkage reads them, one list per field (a record is one index of each).

    What a store read gives, without a :class:`LinkRecord` per engagement. The texts are as
    stored; :meth:`table` normalises them and sorts the nations.
    """

    ids: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    within: list[bool] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    months: list[str | None] = field(default_factory=list)
    days: list[date | None] = field(default_factory=list)
    hosts: list[str | None] = field(default_factory=list)
    nations: list[Sequence[str]] = field(default_factory=list)
    programmes: list[str | None] = field(default_factory=list)
    titles: list[str | None] = field(default_factory=list)
    locations: list[str | None] = field(default_factory=list)

    @classmethod
    def of_rows(cls, rows: Iterable[Sequence[Any]]) -> LinkColumns:
        """Columns of rows whose values are in :class:`LinkRecord`'s field order."""
        transposed = list(zip(*rows, strict=True))
        if not transposed:
            return cls()
        return cls(*(list(column) for column in transposed))

    @classmethod
    def of_records(cls, records: Iterable[LinkRecord]) -> LinkColumns:
        """The records' fields as columns."""
        return cls.of_rows(_VALUES(r) for r in records)

    def __len__(self) -> int:
        return len(self.ids)

    def records(self) -> list[LinkRecord]:
        """One :class:`LinkRecord` per record."""
        columns = {f.name: getattr(self, f.name) for f in fields(self)}
        columns["nations"] = [tuple(n) for n in self.nations]
        return [LinkRecord(*row) for row in zip(*columns.values(), strict=True)]

    def table(self) -> pa.Table:
        """The Arrow table the model reads: nations sorted once each, texts normalised."""
        import pyarrow as pa

        nations = [sorted(set(n)) for n in self.nations]

        # Many records share a programme or a place: each distinct text is normalised once.
        def texts(values: list[str | None]) -> list[str | None]:
            normal = {value: normal_text(value) for value in set(values)}
            return [normal[value] for value in values]

        columns = {
            "unique_id": self.ids,
            "source": self.sources,
            "within": self.within,
            "kind": self.kinds,
            "year": self.years,
            "month": self.months,
            "day": self.days,
            "host": self.hosts,
            "nations": nations,
            "nations_key": [" ".join(n) for n in nations],
            "programme": texts(self.programmes),
            "title": texts(self.titles),
            "location": texts(self.locations),
        }
        return pa.table(columns, schema=_schema())


def record_table(records: Iterable[LinkRecord]) -> pa.Table:
    """The records as the Arrow table the model reads."""
    return LinkColumns.of_records(records).table()


def dated(start: date, precision: str) -> tuple[int, str | None, date | None]:
    """A start date at its precision as linkage compares it: its year, month and day.

    The month ("YYYY-MM") is None when the date is known to the year only, the day None unless
    it is known to the day.
    """
    return (
        start.year,
        f"{start.year:04d}-{start.month:02d}" if precision in ("month", "day") else None,
        start if precision == "day" else None,
    )


def link_record(
    key: int,
    *,
    source: str | None,
    within: bool,
    kind: str,
    start: date,
    precision: str,
    host: str | None,
    nations: Sequence[str],
    programme: str | None,
    title: str | None,
    location: str | None,
) -> LinkRecord:
    """A record from a stored engagement's columns (its start date at its precision)."""
    year, month, day = dated(start, precision)
    return LinkRecord(
        id=key,
        source=source or "",
        within=within,
        kind=kind,
        year=year,
        month=month,
        day=day,
        host=host,
        nations=tuple(nations),
        programme=programme,
        title=title,
        location=location,
    )
