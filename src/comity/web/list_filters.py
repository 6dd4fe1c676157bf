"""The filters and order of the engagements list, as typed (kept in the page's address)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from comity.errors import FieldProblem, ValidationError
from comity.model.engagements import EngagementKind
from comity.model.numbers import is_whole

__all__ = ["ListFilters"]

_KINDS = [k.value for k in EngagementKind]


@dataclass(frozen=True)
class ListFilters:
    """The filters of the list, as typed (kept in the URL)."""

    nation: str = ""
    partner: str = ""
    kinds: tuple[str, ...] = ()
    from_year: str = ""
    to_year: str = ""
    text: str = ""
    programme: str = ""
    sort: str = "newest"

    @classmethod
    def from_request(cls, request: Request) -> ListFilters:
        """Read the filters from the query string."""
        query = request.query_params

        def text(name: str) -> str:
            return query.get(name, "").strip()[:200]

        return cls(
            nation=text("nation"),
            partner=text("partner"),
            kinds=tuple(k for k in query.getlist("kind")[:20] if k),
            from_year=text("from_year"),
            to_year=text("to_year"),
            text=text("text"),
            programme=text("programme"),
            sort=text("sort") or "newest",
        )

    def query(self, **extra: str) -> str:
        """The query string of these filters (empty ones left out), plus ``extra``."""
        pairs = [
            (name, value)
            for name, value in (("nation", self.nation), ("partner", self.partner))
            if value
        ]
        pairs += [("kind", k) for k in self.kinds]
        pairs += [
            (name, value)
            for name, value in (
                ("from_year", self.from_year),
                ("to_year", self.to_year),
                ("text", self.text),
                ("programme", self.programme),
                ("sort", "" if self.sort == "newest" else self.sort),
                *extra.items(),
            )
            if value
        ]
        return urlencode(pairs)

    def arguments(self) -> dict[str, Any]:
        """The filters as the services take them.

        Raises:
            ValidationError: When a year is not a year or a kind is not a kind.
        """
        problems = []
        years: dict[str, int | None] = {}
        for name in ("from_year", "to_year"):
            value = getattr(self, name)
            years[name] = int(value) if is_whole(value) and 1000 <= int(value) <= 3000 else None
            if value and years[name] is None:
                problems.append(FieldProblem(name, "must be a year such as 1995", value))
        problems += [
            FieldProblem("kind", "is not a kind", k) for k in self.kinds if k not in _KINDS
        ]
        if problems:
            raise ValidationError(problems, "filter")
        return {
            "nation": self.nation or None,
            "partner": self.partner or None,
            "kinds": list(self.kinds),
            "text": self.text or None,
            **years,
        }

    @property
    def active(self) -> bool:
        """True when any filter is set (the order is not a filter)."""
        return bool(replace(self, sort="newest").query())

    @property
    def by_date(self) -> bool:
        """True when the list is in date order (paged by a cursor, not by an offset)."""
        return self.sort in ("newest", "oldest")

    def sorted_by(self, sort: str) -> str:
        """The list's address with these filters in another order, from its first page."""
        query = replace(self, sort=sort).query()
        return "/engagements" + (f"?{query}" if query else "")
