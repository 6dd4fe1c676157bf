"""Dates that carry their precision: a day, a month or only a year.

Datasets often know only the month or the year of an event (MME writes ``1980-01-xx``). A
:class:`PartialDate` keeps the first day of the period it names together with its precision, so
that comparisons use the whole period and nothing pretends to know a day it does not.
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, model_serializer, model_validator

from comity.model.numbers import is_whole

__all__ = ["DatePrecision", "PartialDate"]


class DatePrecision(StrEnum):
    """How much of a date is known."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


_UNKNOWN = r"(?:xx|XX|\?\?|00)"
_PATTERN = re.compile(
    rf"^(?P<year>\d{{4}})(?:-(?P<month>\d{{1,2}}|{_UNKNOWN})(?:-(?P<day>\d{{1,2}}|{_UNKNOWN}))?)?$"
)


class PartialDate(BaseModel):
    """A calendar date known to the day, the month or the year.

    Accepts ``date`` objects and the strings ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, with ``xx``,
    ``??`` or ``00`` for an unknown month or day (``1980-01-xx`` is January 1980).

    Attributes:
        value: The first day of the period named.
        precision: Whether the day, the month or only the year is known.

    Example:
        >>> PartialDate.parse("1980-01-xx").last_day
        datetime.date(1980, 1, 31)
    """

    model_config = ConfigDict(frozen=True)

    value: date
    precision: DatePrecision = DatePrecision.DAY

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, data: Any) -> Any:
        if isinstance(data, date):
            return {"value": data, "precision": DatePrecision.DAY}
        if isinstance(data, int) and not isinstance(data, bool):
            return {"value": date(data, 1, 1), "precision": DatePrecision.YEAR}
        if isinstance(data, str):
            return _parse_fields(data)
        if isinstance(data, dict) and isinstance(data.get("value"), date):
            # Keep the first day of the period, whatever day was passed in.
            first: date = data["value"]
            precision = DatePrecision(data.get("precision", DatePrecision.DAY))
            if precision is DatePrecision.YEAR:
                first = date(first.year, 1, 1)
            elif precision is DatePrecision.MONTH:
                first = date(first.year, first.month, 1)
            return {"value": first, "precision": precision}
        return data

    @classmethod
    def parse(cls, text: str | date | int) -> PartialDate:
        """Build a partial date from text, a ``date`` or a year.

        Raises:
            pydantic.ValidationError: When the text is not a date of a supported form.
        """
        return cls.model_validate(text)

    @property
    def year(self) -> int:
        """The calendar year."""
        return self.value.year

    @property
    def first_day(self) -> date:
        """The first day of the period named."""
        return self.value

    @property
    def last_day(self) -> date:
        """The last day of the period named."""
        if self.precision is DatePrecision.DAY:
            return self.value
        if self.precision is DatePrecision.MONTH:
            return _month_end(self.value.year, self.value.month)
        return date(self.value.year, 12, 31)

    def isoformat(self) -> str:
        """Return ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` by precision."""
        if self.precision is DatePrecision.YEAR:
            return f"{self.value.year:04d}"
        if self.precision is DatePrecision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()

    @model_serializer
    def _serialise(self) -> str:
        return self.isoformat()

    def __str__(self) -> str:
        return self.isoformat()


@functools.cache
def _month_end(year: int, month: int) -> date:
    """The last day of ``month`` in ``year`` (a bulk import asks for the same few thousand)."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _parse_fields(text: str) -> dict[str, Any]:
    match = _PATTERN.match(text.strip())
    if match is None:
        raise ValueError(
            f"{text!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD (xx for an unknown part)"
        )
    year = int(match["year"])
    month_text, day_text = match["month"], match["day"]
    if month_text is None or not is_whole(month_text) or int(month_text) == 0:
        if day_text is not None and is_whole(day_text) and int(day_text) != 0:
            raise ValueError(f"{text!r} gives a day without a month")
        return {"value": date(year, 1, 1), "precision": DatePrecision.YEAR}
    month = int(month_text)
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} has month {month}, which is not 1-12")
    if day_text is None or not is_whole(day_text) or int(day_text) == 0:
        return {"value": date(year, month, 1), "precision": DatePrecision.MONTH}
    day = int(day_text)
    try:
        return {"value": date(year, month, day), "precision": DatePrecision.DAY}
    except ValueError:
        raise ValueError(f"{text!r} is not a day of the calendar") from None
