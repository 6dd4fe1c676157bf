"""Today's date for the rules that depend on it, from one place that tests can pin.

The model refuses an engagement dated after next year, so its validity depends on the day it is
checked. Every check asks :func:`today`; a test (or a reproducible run) pins the day with
:func:`pinned_today` instead of patching :mod:`datetime`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

__all__ = ["CHECKED_ON", "pinned_today", "today"]

CHECKED_ON = "checked_on"
"""Key of the validation context holding the day a record to be written is checked on.

Its presence marks a write: the rules of new records (the date horizon, the schemes of web
addresses) apply. Without it, as when a stored record is read back, they do not.
"""

_pinned: list[date] = []


def today() -> date:
    """Return today's local date, or the day pinned by the innermost :func:`pinned_today`."""
    return _pinned[-1] if _pinned else date.today()


@contextmanager
def pinned_today(day: date) -> Iterator[date]:
    """Make :func:`today` answer ``day`` inside the ``with`` block, in every thread.

    Args:
        day: The date to answer with.

    Yields:
        ``day``.

    Example:
        >>> with pinned_today(date(2026, 12, 5)):
        ...     today().year
        2026
    """
    _pinned.append(day)
    try:
        yield day
    finally:
        _pinned.pop()
