"""Candidate plans for the optimiser, and reading them from CSV or JSON (validated).

A candidate names its kind, partners, host, year, size, cost and, optionally, a time window: a
label (``spring-2027``: at most one plan per label) or a date range (``2027-03-01/2027-03-14``:
no two chosen plans whose ranges overlap). Bad rows are reported all at once, each naming its row
and field; nothing is returned until every row is valid.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from typing import Annotated, Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from comity.errors import FieldProblem, UnknownNationError, ValidationError
from comity.model.numbers import Personnel
from comity.model.validation import field_problems
from comity.nations import default_resolver
from comity.planning.gain import PLANNABLE_KINDS, VISIT_LEVELS

__all__ = ["Candidate", "parse_candidates", "read_candidates"]

_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})$")
_FIELDS = (
    "id",
    "title",
    "kind",
    "partners",
    "host",
    "year",
    "personnel",
    "students",
    "level",
    "cost",
    "window",
)


class Candidate(BaseModel):
    """A plan the optimiser may choose.

    Attributes:
        id: Unique key among the candidates.
        title: What it is.
        kind: One of the plannable kinds (the index's kinds but alliances and media events).
        partners: The other nations taking part (ISO alpha-3), the planning nation left out.
        host: The hosting nation, if any (it takes part).
        year: The year it takes place.
        personnel: Personnel taking part, for the size factor.
        students: Students of a course (education).
        level: Level of a visit.
        cost: Its cost, in the budget's unit.
        window: A time-window label, or a date range ``YYYY-MM-DD/YYYY-MM-DD``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: _Text
    title: _Text
    kind: str
    partners: tuple[Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")], ...] = Field(
        min_length=1
    )
    host: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    year: Annotated[int, Field(ge=1816, le=2200)]
    personnel: Personnel | None = None
    students: Annotated[int, Field(ge=0, le=100_000)] | None = None
    level: str | None = None
    cost: Annotated[float, Field(ge=0, le=1e15, allow_inf_nan=False)]
    window: _Text | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in PLANNABLE_KINDS:
            raise ValueError(f"must be one of {', '.join(PLANNABLE_KINDS)}")
        return kind

    @field_validator("level")
    @classmethod
    def _known_level(cls, level: str | None) -> str | None:
        if level is not None and level not in VISIT_LEVELS:
            raise ValueError(f"must be one of {', '.join(VISIT_LEVELS)}")
        return level

    @field_validator("window")
    @classmethod
    def _range_in_order(cls, window: str | None) -> str | None:
        if window is not None and _RANGE.match(window):
            start, end = _dates(window)
            if end < start:
                raise ValueError("the range ends before it starts")
        return window

    def date_range(self) -> tuple[date, date] | None:
        """The window as (first, last) day when it is a date range, else None."""
        return _dates(self.window) if self.window and _RANGE.match(self.window) else None

    def nations(self, own: str) -> frozenset[str]:
        """Every nation taking part: the planner's own, the partners and the host."""
        return frozenset({own, *self.partners, *([self.host] if self.host else [])})


def _dates(window: str) -> tuple[date, date]:
    found = _RANGE.match(window)
    assert found is not None
    try:
        return date.fromisoformat(found.group(1)), date.fromisoformat(found.group(2))
    except ValueError as error:
        raise ValueError(f"not a date range: {error}") from None


def _nation(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return value
    return default_resolver().resolve_key(value)


def _row_problems(number: int, raw: dict[str, Any]) -> tuple[Candidate | None, list[FieldProblem]]:
    data = {k: v for k, v in raw.items() if v not in (None, "")}
    problems: list[FieldProblem] = []
    unknown = sorted(set(data) - set(_FIELDS))
    for name in unknown:
        problems.append(FieldProblem(f"row {number}.{name}", "unknown column"))
        data.pop(name)
    partners = data.get("partners")
    if isinstance(partners, str):
        partners = [p for p in re.split(r"[;,|]", partners) if p.strip()]
    resolved: list[Any] = []
    for position, value in enumerate(partners or []):
        try:
            resolved.append(_nation(value))
        except UnknownNationError as error:
            problems.append(FieldProblem(f"row {number}.partners.{position}", str(error), value))
    if partners is not None:
        data["partners"] = resolved
    if "host" in data:
        try:
            data["host"] = _nation(data["host"])
        except UnknownNationError as error:
            problems.append(FieldProblem(f"row {number}.host", str(error), str(data["host"])))
    if problems:
        return None, problems
    try:
        return Candidate.model_validate(data), []
    except pydantic.ValidationError as error:
        return None, [
            FieldProblem(f"row {number}.{p.field}", p.reason, p.value)
            for p in field_problems(error)
        ]


def parse_candidates(rows: list[dict[str, Any]]) -> list[Candidate]:
    """Validate candidate rows (mappings of the fields above); row numbers count from 1.

    Raises:
        ValidationError: Naming every bad row and field, and duplicate ids.
    """
    problems: list[FieldProblem] = []
    found: list[Candidate] = []
    seen: dict[str, int] = {}
    if not rows:
        raise ValidationError([FieldProblem("candidates", "no candidate plans given")], "plans")
    for number, raw in enumerate(rows, start=1):
        if not isinstance(raw, dict):
            problems.append(FieldProblem(f"row {number}", "must be an object of fields"))
            continue
        candidate, bad = _row_problems(number, raw)
        problems.extend(bad)
        if candidate is None:
            continue
        if candidate.id in seen:
            problems.append(
                FieldProblem(f"row {number}.id", f"repeats row {seen[candidate.id]}", candidate.id)
            )
        seen.setdefault(candidate.id, number)
        found.append(candidate)
    if problems:
        raise ValidationError(problems, "candidate plans", hint=_HINT)
    return found


_HINT = "Each row needs id, title, kind, partners, year and cost; see docs/optimiser.md."


def read_candidates(text: str, file_format: str = "csv") -> list[Candidate]:
    """Read candidates from CSV text (a header row of the fields) or JSON (a list of objects).

    CSV rows count from 1 after the header. Partners are separated by ``;``.

    Raises:
        ValidationError: For unreadable text or any bad row.
    """
    if file_format == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(
                [FieldProblem("file", f"not JSON: {error.msg} at line {error.lineno}")], "plans"
            ) from None
        if isinstance(data, dict) and "candidates" in data:
            data = data["candidates"]
        if not isinstance(data, list):
            raise ValidationError([FieldProblem("file", "must be a list of plans")], "plans")
        return parse_candidates(data)
    if file_format != "csv":
        raise ValidationError([FieldProblem("format", "must be csv or json", file_format)])
    # newline="": a lone carriage return ends a line as the csv module expects, not an error.
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        if not reader.fieldnames:
            raise ValidationError([FieldProblem("file", "no header row")], "plans", hint=_HINT)
        rows = [{k.strip(): v for k, v in row.items() if k is not None} for row in reader]
    except csv.Error as error:
        problem = FieldProblem("file", f"not CSV: {error} (line {reader.line_num})")
        raise ValidationError([problem], "plans", hint=_HINT) from None
    return parse_candidates(rows)
