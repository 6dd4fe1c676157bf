"""The mapping file of the generic importer: how the columns of a user's file become records.

A mapping is a small TOML file (see ``docs/importing.md``)::

    [dataset]
    name = "naval_exchanges"
    title = "Naval officer exchanges"

    [columns]
    id = "exchange_id"
    title = "course"
    start = "start"

    [participants]
    layout = "long"
    nation = "country"

    [constants]
    kind = "education"
    releasability = "REL USA,GBR"

    [coverage]                 # optional: what the file covers (default: what its rows span)
    pairs = ["USA"]            # "all", or the nations whose pairs it covers
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from comity.errors import ImportRejectedError
from comity.model.engagements import EngagementKind
from comity.model.nations import CodeSystem
from comity.model.releasability import Releasability
from comity.model.validation import field_problems

__all__ = ["CoverageSection", "Mapping", "read_mapping"]

_Column = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatasetSection(_Strict):
    """``[dataset]``: what the file is."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,49}$")]
    title: str | None = None
    citation: str | None = None
    licence: str | None = None
    version: str | None = None
    format: Literal["csv", "tsv", "json", "jsonl", "parquet"] | None = None
    delimiter: Annotated[str, StringConstraints(min_length=1, max_length=1)] | None = None


class ColumnsSection(_Strict):
    """``[columns]``: engagement field -> column of the file."""

    id: _Column
    kind: _Column | None = None
    title: _Column | None = None
    start: _Column
    end: _Column | None = None
    host: _Column | None = None
    location: _Column | None = None
    latitude: _Column | None = None
    longitude: _Column | None = None
    programme: _Column | None = None
    description: _Column | None = None


class DatesSection(_Strict):
    """``[dates]``: how start and end are written (default: YYYY, YYYY-MM, YYYY-MM-DD)."""

    format: str | None = None


class ParticipantsSection(_Strict):
    """``[participants]``: where the nations are.

    ``long``: one row per participant; the rows sharing an id form one engagement.
    ``list``: one row per engagement; ``column`` holds the nations, split by ``separator``.
    """

    layout: Literal["long", "list"] = "long"
    nation: _Column | None = None
    role: _Column | None = None
    personnel: _Column | None = None
    column: _Column | None = None
    separator: Annotated[str, StringConstraints(min_length=1)] = ";"
    code_system: CodeSystem | None = None

    @model_validator(mode="after")
    def _columns_for_layout(self) -> ParticipantsSection:
        if self.layout == "long" and not self.nation:
            raise ValueError("the long layout needs `nation`: the column of each row's nation")
        if self.layout == "list" and not self.column:
            raise ValueError("the list layout needs `column`: the column listing the nations")
        return self


class ConstantsSection(_Strict):
    """``[constants]``: values shared by every record."""

    kind: EngagementKind | None = None
    releasability: Releasability | None = None
    programme: str | None = None
    location: str | None = None


_Year = Annotated[int, Field(ge=1000, le=3000)]


class CoverageSection(_Strict):
    """``[coverage]``: the kinds, years and pairs the file covers; each key is optional.

    Beyond its coverage a pair's silence is unobserved, not zero (docs/methodology.md). A key
    left out is assumed from the rows: the first and last year they span, the kinds they hold,
    every pair. ``pairs`` is ``"all"`` (every pair) or the nations (any name or code) whose pairs
    the file covers, as a file of one nation's own engagements does.
    """

    first_year: _Year | None = None
    last_year: _Year | None = None
    kinds: tuple[EngagementKind, ...] | None = None
    pairs: Literal["all"] | tuple[str, ...] | None = None

    @field_validator("kinds", mode="before")
    @classmethod
    def _known_kinds(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return value
        if not value:
            raise ValueError("lists no kind: name the kinds the file covers, or leave kinds out")
        known = [kind.value for kind in EngagementKind]
        unknown = [str(kind) for kind in value if kind not in known]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not a kind; the kinds are {', '.join(known)}")
        return value

    @field_validator("pairs", mode="before")
    @classmethod
    def _all_or_nations(cls, value: Any) -> Any:
        if isinstance(value, str) and value != "all":
            raise ValueError('write "all" (every pair) or a list of nations, e.g. ["USA"]')
        if isinstance(value, list | tuple):
            if not value:
                raise ValueError('lists no nation: write "all" for every pair, or name the nations')
            bad = [repr(v) for v in value if not isinstance(v, str) or not v.strip()]
            if bad:
                raise ValueError(f"{', '.join(bad)}: not a nation's name or code")
            return tuple(v.strip() for v in value)
        return value

    @field_validator("last_year")
    @classmethod
    def _not_before_first(cls, last: int | None, info: ValidationInfo) -> int | None:
        first = info.data.get("first_year")
        if last is not None and first is not None and last < first:
            raise ValueError(f"is before first_year ({first})")
        return last


class Mapping(_Strict):
    """A whole mapping file."""

    dataset: DatasetSection
    columns: ColumnsSection
    participants: ParticipantsSection
    dates: DatesSection = DatesSection()
    details: dict[str, _Column] = Field(default_factory=dict)
    constants: ConstantsSection = ConstantsSection()
    coverage: CoverageSection = CoverageSection()
    names: dict[str, str] = Field(default_factory=dict)
    source: Path | None = None

    @model_validator(mode="after")
    def _kind_given(self) -> Mapping:
        if self.columns.kind is None and self.constants.kind is None:
            raise ValueError("name the kind: [columns] kind = COLUMN or [constants] kind = KIND")
        return self

    def used_columns(self) -> list[str]:
        """Every column of the file the mapping reads."""
        named = [v for k, v in self.columns.model_dump().items() if v is not None]
        p = self.participants
        named += [c for c in (p.nation, p.role, p.personnel, p.column) if c]
        named += list(self.details.values())
        return list(dict.fromkeys(named))


def read_mapping(path: Path) -> Mapping:
    """Read and check a mapping file.

    Raises:
        ImportRejectedError: Naming the file and every key that is wrong.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ImportRejectedError(
            f"Cannot read the mapping file {path}: {error.strerror}."
        ) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ImportRejectedError(
            f"The mapping file {path.name} is not valid TOML: {error}."
        ) from None
    try:
        return Mapping.model_validate({**data, "source": path})
    except pydantic.ValidationError as error:
        listed = "; ".join(str(p) for p in field_problems(error))
        raise ImportRejectedError(
            f"The mapping file {path.name} is not valid: {listed}",
            hint="See docs/importing.md for the keys a mapping takes.",
        ) from None
