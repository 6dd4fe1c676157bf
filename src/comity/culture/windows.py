"""Date windows of briefings and calendar checks: two dates, in order, at most two years apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from comity.errors import FieldProblem, ValidationError

__all__ = ["SEARCH_DAYS", "DateWindow", "validate_window"]

SEARCH_DAYS = 60
"""How far, in days, the search for another window goes each way by default."""


@dataclass(frozen=True)
class DateWindow:
    """A span of whole days, both ends included.

    Attributes:
        start: First day.
        end: Last day.
    """

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days it covers."""
        return (self.end - self.start).days + 1

    def each_day(self) -> list[date]:
        """Every day of the window, in order."""
        return [self.start + timedelta(days=n) for n in range(self.days)]

    def shifted(self, days: int) -> DateWindow:
        """The same window moved by ``days`` (negative: earlier)."""
        step = timedelta(days=days)
        return DateWindow(self.start + step, self.end + step)

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days}


def _two_years_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 2)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 2, day=28)


def validate_window(start: date, end: date, *, subject: str = "date window") -> DateWindow:
    """Check a window and return it.

    Args:
        start: First day (the ``from`` of the command line).
        end: Last day (the ``to``).
        subject: What the window belongs to, for the message.

    Raises:
        ValidationError: When ``end`` is before ``start``, or more than two years after it.
    """
    if end < start:
        raise ValidationError(
            [FieldProblem("to", f"is before from ({start.isoformat()})", end.isoformat())],
            subject,
            hint="Give the first day as from and the last day as to.",
        )
    if end > _two_years_after(start):
        raise ValidationError(
            [
                FieldProblem(
                    "to",
                    f"is more than two years after from ({start.isoformat()})",
                    end.isoformat(),
                )
            ],
            subject,
            hint="Ask for at most two years at a time.",
        )
    return DateWindow(start, end)
