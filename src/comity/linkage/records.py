"""The fields record linkage compares, one row per engagement.

Only engagements that happen (exercises, courses, visits, missions...) link: standing ties
(alliances, agreements, presence), arms transfers and media events are one record per pair and
year by construction, and alliances already count once by their strongest pledge.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from comity.model.kinds import KINDS

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "LINKED_KINDS",
    "LinkRecord",
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


def record_table(records: Iterable[LinkRecord]) -> pa.Table:
    """The records as the Arrow table the model reads."""
    import pyarrow as pa

    schema = _schema()
    rows: dict[str, list[Any]] = {name: [] for name in schema.names}
    for r in records:
        nations = sorted(set(r.nations))
        for name, value in (
            ("unique_id", r.id),
            ("source", r.source),
            ("within", r.within),
            ("kind", r.kind),
            ("year", r.year),
            ("month", r.month),
            ("day", r.day),
            ("host", r.host),
            ("nations", nations),
            ("nations_key", " ".join(nations)),
            ("programme", normal_text(r.programme)),
            ("title", normal_text(r.title)),
            ("location", normal_text(r.location)),
        ):
            rows[name].append(value)
    return pa.table(rows, schema=schema)


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
    return LinkRecord(
        id=key,
        source=source or "",
        within=within,
        kind=kind,
        year=start.year,
        month=start.strftime("%Y-%m") if precision in ("month", "day") else None,
        day=start if precision == "day" else None,
        host=host,
        nations=tuple(nations),
        programme=programme,
        title=title,
        location=location,
    )
