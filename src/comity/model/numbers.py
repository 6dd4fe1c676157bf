"""Reading whole numbers typed by people or found in files, and the range each count may take.

Every face takes a count through the same cap: the model's fields, the API's request bodies, the
web forms (through the model) and the generic importer, which checks each distinct number of a
column with the field's own type (:func:`comity.model.limits.field_adapter`). A number beyond its
cap is refused with the field's usual message before it can reach the store, whose integer
columns overflow far sooner than Python's integers (2,147,483,647 on PostgreSQL, 2**63 - 1 on
SQLite).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

__all__ = [
    "MAX_COUNT",
    "MAX_PERSONNEL",
    "Count",
    "Personnel",
    "is_whole",
]

MAX_PERSONNEL = 10_000_000
"""The most personnel one nation commits to one engagement (well above any army's strength)."""

MAX_COUNT = 100_000_000
"""The most of any other count of an engagement: students, audience, ships, news sources."""

Personnel = Annotated[int, Field(ge=0, le=MAX_PERSONNEL)]
"""Personnel of a participation: a whole number from 0 to :data:`MAX_PERSONNEL`."""

Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
"""Any other count of an engagement: a whole number from 0 to :data:`MAX_COUNT`."""


def is_whole(text: str) -> bool:
    """True when ``text`` is one or more ASCII digits, so that ``int(text)`` reads it.

    ``str.isdigit`` alone also accepts digits such as "²" or "٣" that ``int`` refuses or reads
    differently.
    """
    return text.isascii() and text.isdigit()
