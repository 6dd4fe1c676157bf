"""How every face shows when an engagement took place, or since when it is in force."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from comity.model.engagements import Engagement
from comity.store import Store
from comity.store import imports as import_store
from comity.store.engagements import StoredEngagement

__all__ = ["EngagementPeriods", "Period", "engagement_periods"]


@dataclass(frozen=True)
class Period:
    """When an engagement took place, or since when it is in force, as every face shows it.

    A standing tie (agreement, alliance) with no end is in force. When it comes from a dataset
    whose coverage of its kind ends in a year, its period says so: the data end there, the tie
    does not (a right-censored tie: "1951 – in force; source ends 2018").

    Attributes:
        start: The start as written (``1951``, ``2010-02``, ``2005-06-02``).
        end: The end as written; None when it has none.
        in_force: True for a standing tie with no end.
        source_ends: For a tie in force that a dataset holds: the last year that dataset covers
            its kind; None otherwise (an end is known, or a person entered the record).
    """

    start: str
    end: str | None
    in_force: bool
    source_ends: int | None

    @property
    def until(self) -> str | None:
        """What follows the start: the end, ``in force; source ends 2018``, ``in force``, or None.

        None for a one-period event (no end, or an end equal to the start).
        """
        if self.in_force:
            ends = f"; source ends {self.source_ends}" if self.source_ends is not None else ""
            return f"in force{ends}"
        return self.end if self.end is not None and self.end != self.start else None

    @property
    def text(self) -> str:
        """The whole period: ``1951 – in force; source ends 2018``, ``1951 to 2018``, ``2010``."""
        until = self.until
        if until is None:
            return self.start
        return f"{self.start} – {until}" if self.in_force else f"{self.start} to {until}"

    def to_dict(self) -> dict[str, Any]:
        """The fields an engagement's JSON form adds: ``period``, ``in_force``, ``source_ends``."""
        return {"period": self.text, "in_force": self.in_force, "source_ends": self.source_ends}


class EngagementPeriods:
    """The periods of engagements, knowing the last year each dataset covers each kind.

    Args:
        ends: (dataset, kind) -> the last year that dataset covers that kind (any pairs).
    """

    def __init__(self, ends: Mapping[tuple[str, str], int]) -> None:
        self.ends = dict(ends)

    def of(self, engagement: Engagement) -> Period:
        """The period of one engagement."""
        in_force = engagement.last_day is None
        provenance = engagement.provenance
        source_ends = None
        if in_force and provenance is not None:
            source_ends = self.ends.get((provenance.dataset, engagement.kind.value))
        end = str(engagement.end) if engagement.end is not None else None
        return Period(str(engagement.start), end, in_force, source_ends)

    def to_dict(self, stored: StoredEngagement) -> dict[str, Any]:
        """The stored engagement's JSON form with its period (what the CLI and the API write)."""
        return {**stored.to_dict(), **self.of(stored.engagement).to_dict()}


def engagement_periods(store: Store) -> EngagementPeriods:
    """How to show engagements' periods, with the coverage every dataset declares.

    Every face (``comity engagements``, the API, the web pages) shows an engagement's dates
    through the :class:`EngagementPeriods` this returns.
    """
    with store.connect() as connection:
        return EngagementPeriods(import_store.coverage_ends(connection))
