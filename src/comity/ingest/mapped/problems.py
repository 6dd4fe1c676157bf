"""What the generic importer's checks share: parse caches and the problems they find.

Checks run column by column over every engagement at once, but the problems they report come
out in the order a reader going engagement by engagement would meet them (first the engagement's
own fields, then its participations in file order, then the checks that need all of them), and a
check is skipped for an engagement when an earlier step already failed it, as the model's
validation does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pydantic

from comity.ingest.mapped.encoded import Codes
from comity.model.validation import field_problems

__all__ = ["Cache", "Problems", "Step", "flags", "objects"]

_Missing = object()


class Step:
    """The order of the checks of one engagement."""

    KIND = 1
    TITLE = 2
    START = 3
    END = 4
    HOST = 5
    PARTICIPATIONS = 6
    HOST_ROLE = 7
    STATE_SYSTEM = 9
    LATITUDE = 10
    LONGITUDE = 11
    LOCATION = 12
    PROGRAMME = 13
    DETAILS = 14
    ID = 15


class Cache:
    """Parse each distinct text once; remember the result or the reason it failed."""

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        self._parse = parse
        self._seen: dict[Any, tuple[Any, str | None]] = {}

    def get(self, text: Any) -> tuple[Any, str | None]:
        """The parsed value and None, or None and the reason ``text`` does not parse."""
        found = self._seen.get(text, _Missing)
        if found is _Missing:
            try:
                found = (self._parse(text), None)
            except (ValueError, pydantic.ValidationError) as error:
                found = (None, _reason(error))
            self._seen[text] = found
        return found  # type: ignore[return-value]

    def per_code(
        self, values: Sequence[Any], *, parse_empty: bool = True
    ) -> tuple[list[Any], list[str | None]]:
        """Results and reasons for each distinct value, then for an empty cell (code -1).

        Args:
            values: The distinct values.
            parse_empty: Parse None for the empty cell (a required field says why it is
                missing); otherwise an empty cell is None and fine.
        """
        found = [self.get(v) for v in values]
        found.append(self.get(None) if parse_empty else (None, None))
        return [f[0] for f in found], [f[1] for f in found]


def _reason(error: Exception) -> str:
    if isinstance(error, pydantic.ValidationError):
        return "; ".join(p.reason for p in field_problems(error))
    return str(error)


def flags(reasons: Sequence[str | None], codes: Codes) -> npt.NDArray[np.bool_]:
    """For each code, whether its value failed (``reasons`` as :meth:`Cache.per_code` gives)."""
    return np.array([r is not None for r in reasons], dtype=bool)[codes]


def objects(values: Sequence[Any]) -> npt.NDArray[np.object_]:
    """``values`` as a one-dimensional object array (tuples stay whole)."""
    array = np.empty(len(values), dtype=object)
    for index, value in enumerate(values):
        array[index] = value
    return array


class Problems:
    """Problems of the engagements of one file, kept with the place their check has in order.

    Args:
        groups: How many engagements the file has.
    """

    def __init__(self, groups: int) -> None:
        self._found: list[tuple[int, int, int, int, int, str | None, str, Any]] = []
        self.bad = np.zeros(groups, dtype=bool)

    def add(
        self,
        group: int,
        step: int,
        row: int,
        column: str | None,
        reason: str,
        value: Any = None,
        *,
        seq: int = 0,
        sub: int = 0,
    ) -> None:
        """Note a problem of engagement ``group`` at ``row``.

        Args:
            group: The engagement.
            step: Its check (see :class:`Step`).
            row: The row the problem is reported at.
            column: The column, if one.
            reason: What is wrong.
            value: The offending value.
            seq: The participation's position, for checks made per participation.
            sub: The order of checks made on the same participation.
        """
        self._found.append((group, step, seq, sub, row, column, reason, value))
        self.bad[group] = True

    def clean(self, groups: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """``groups`` without the engagements that have a problem so far."""
        return groups & ~self.bad

    def report(self, issue: Callable[[int, str | None, str, Any], None]) -> None:
        """Hand every problem to ``issue(row, column, reason, value)``, in reading order."""
        self._found.sort(key=lambda entry: entry[:4])
        for _, _, _, _, row, column, reason, value in self._found:
            issue(row, column, reason, value)
