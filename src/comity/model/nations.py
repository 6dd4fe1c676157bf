"""Nations, their state-system spells and codes, organisations and memberships over time.

A nation's key is its ISO 3166-1 alpha-3 code; a historical state keeps its ISO 3166-3 code where
it has one (SUN, DDR, YUG, CSK, YMD) and otherwise a user-assigned ``X..`` code (ISO reserves
XAA-XZZ for that use), e.g. XVN for the Republic of Vietnam.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

__all__ = [
    "CodeSystem",
    "Membership",
    "Nation",
    "NationCode",
    "NationKey",
    "OrgCode",
    "Organisation",
    "StateSpell",
]

NationKey = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
"""An ISO alpha-3 style key: three capital letters."""

OrgCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{1,15}$")]
"""An organisation's short code, e.g. NATO, ASEAN, FVEY."""


class CodeSystem(StrEnum):
    """Code systems the nation resolver knows."""

    ISO3 = "iso3"
    ISO2 = "iso2"
    ISO_NUMERIC = "iso_numeric"
    COW = "cow"
    COW_ABBREV = "cow_abbrev"
    GW = "gw"
    HOFSTEDE = "hofstede"
    CAMEO = "cameo"
    NAME = "name"


class StateSpell(BaseModel):
    """A continuous spell of membership in the state system.

    Attributes:
        start: First day of the spell.
        end: Last day of the spell; None while it lasts.
    """

    model_config = ConfigDict(frozen=True)

    start: date
    end: date | None = None

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start")
        if end is not None and start is not None and end < start:
            raise ValueError(f"must not be before start ({start})")
        return end

    def overlaps(self, first: date, last: date) -> bool:
        """True when the spell shares at least one day with ``first``..``last``."""
        return self.start <= last and (self.end is None or self.end >= first)


class NationCode(BaseModel):
    """A code a nation carries in one code system, valid over a span of dates.

    Attributes:
        system: The code system (CoW, Gleditsch-Ward, ...).
        code: The code as text (``"255"``, ``"GMY"``).
        nation: The nation's key.
        valid_from: First day the code stands for this nation; None for always.
        valid_to: Last day; None for still.
    """

    model_config = ConfigDict(frozen=True)

    system: CodeSystem
    code: str
    nation: NationKey
    valid_from: date | None = None
    valid_to: date | None = None

    def valid_on(self, day: date) -> bool:
        """True when the code stands for the nation on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def valid_in(self, year: int) -> bool:
        """True when the code stands for the nation on at least one day of ``year``."""
        return (self.valid_from is None or self.valid_from.year <= year) and (
            self.valid_to is None or year <= self.valid_to.year
        )


class Nation(BaseModel):
    """A nation: a current state, a territory or a historical state.

    Attributes:
        iso3: Key (ISO alpha-3, ISO 3166-3 for former states, ``X..`` where ISO has none).
        name: Common English name.
        official_name: Official name, where known.
        iso2: ISO alpha-2 code.
        iso_numeric: ISO numeric code.
        cow_code: Correlates of War numeric code (the latest it used).
        cow_abbrev: Correlates of War abbreviation (e.g. GMY, ROK).
        gw_code: Gleditsch-Ward numeric code (the latest it used).
        region: UN geoscheme sub-region (e.g. Western Europe).
        continent: Continent.
        historical: True for a state that no longer exists.
        spells: Its spells in the state system; empty when it was never tracked as a state
            (territories), in which case no year check applies.
    """

    model_config = ConfigDict(frozen=True)

    iso3: NationKey
    name: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    official_name: str | None = None
    iso2: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    iso_numeric: Annotated[int, Field(ge=0, le=999)] | None = None
    cow_code: Annotated[int, Field(ge=0)] | None = None
    cow_abbrev: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    gw_code: Annotated[int, Field(ge=0)] | None = None
    region: str | None = None
    continent: str | None = None
    historical: bool = False
    spells: tuple[StateSpell, ...] = ()

    def exists_during(self, first: date, last: date) -> bool:
        """True when the nation was a state on at least one day of ``first``..``last``.

        A nation with no spells (a territory) is never ruled out.
        """
        if not self.spells:
            return True
        return any(spell.overlaps(first, last) for spell in self.spells)

    def exists_in(self, year: int) -> bool:
        """True when the nation was a state at some time in ``year``."""
        return self.exists_during(date(year, 1, 1), date(year, 12, 31))

    @property
    def years(self) -> str:
        """Its state-system years as text, e.g. ``1816-1917, 1991-``."""
        if not self.spells:
            return "not tracked"
        return ", ".join(
            f"{s.start.year}-{s.end.year if s.end is not None else ''}" for s in self.spells
        )


class Organisation(BaseModel):
    """An international organisation, alliance or grouping (NATO, SCO, ASEAN, ...).

    Attributes:
        code: Short code, the key.
        name: Full name.
        kind: What sort of body it is (alliance, security, regional, intelligence, union).
        parent: Code of the organisation it belongs to, if any (e.g. ADMM within ASEAN).
    """

    model_config = ConfigDict(frozen=True)

    code: OrgCode
    name: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    kind: str | None = None
    parent: OrgCode | None = None


class Membership(BaseModel):
    """A nation's membership of an organisation over a span of years.

    Attributes:
        organisation: The organisation's code.
        nation: The member's key.
        joined: Year of accession.
        left: Year of departure; None while a member.
        note: Free text (e.g. "outside the integrated military command 1966-2009").
    """

    model_config = ConfigDict(frozen=True)

    organisation: OrgCode
    nation: NationKey
    joined: Annotated[int, Field(ge=1800, le=2200)]
    left: Annotated[int, Field(ge=1800, le=2200)] | None = None
    note: str | None = None

    @field_validator("left")
    @classmethod
    def _left_after_joined(cls, left: int | None, info: ValidationInfo) -> int | None:
        joined = info.data.get("joined")
        if left is not None and joined is not None and left < joined:
            raise ValueError(f"must not be before joined ({joined})")
        return left

    def active_in(self, year: int) -> bool:
        """True when the nation was a member at some time in ``year``."""
        return self.joined <= year and (self.left is None or year <= self.left)
