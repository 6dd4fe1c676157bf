"""Measures attached to nations and pairs of nations by reference datasets.

Plain frozen dataclasses: importers create them by the hundred thousand, already checked.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CoverageSpan", "DisputeYear", "NationScore", "Rivalry"]


@dataclass(frozen=True)
class NationScore:
    """One value of one measure for a nation, in a year (or for no year: a cross-section).

    Attributes:
        dataset: The dataset it comes from.
        measure: Its name (``v2x_polyarchy``, ``polity2``, ``pdi``, ``major_power``...).
        nation: The nation's key.
        year: The year; None for a measure without time (Hofstede).
        value: The value.
    """

    dataset: str
    measure: str
    nation: str
    year: int | None
    value: float


@dataclass(frozen=True)
class DisputeYear:
    """A militarised interstate dispute between two nations in one year (non-directed).

    Attributes:
        dataset: The dataset it was imported with (``mid_dyadic``).
        dispute: The dispute's number, prefixed by its file (``gml:2968``, ``mid5:4182``).
        nation1: The pair's first key (alphabetically).
        nation2: The pair's second key.
        year: The year.
        onset: True when the dispute began that year.
        hostility: Highest hostility level reached (1-5), where coded.
        fatality: Fatality level (0-6), where known.
        initiator: Key of the nation on the initiating side, when exactly one of the two was.
    """

    dataset: str
    dispute: str
    nation1: str
    nation2: str
    year: int
    onset: bool
    hostility: int | None
    fatality: int | None
    initiator: str | None


@dataclass(frozen=True)
class Rivalry:
    """A strategic rivalry between two nations (Thompson and Dreyer).

    Attributes:
        dataset: The dataset it comes from.
        rivalry: Its number.
        name: Its name (e.g. "Austria-France").
        nation1: The pair's first key (alphabetically).
        nation2: The pair's second key.
        first_year: First year.
        last_year: Last year (2010 means ongoing when the data end).
        region: Region as the dataset names it.
        types: Spatial, positional, ideological, interventionary.
    """

    dataset: str
    rivalry: str
    name: str
    nation1: str
    nation2: str
    first_year: int
    last_year: int
    region: str | None
    types: tuple[str, ...]


@dataclass(frozen=True)
class CoverageSpan:
    """The years a dataset covers, for every nation (``nation`` None) or for one.

    Outside its coverage a dataset's value is missing, not zero. For engagements, ``kind`` names
    the engagement kind covered, and the pairs covered are every pair (``nation`` and
    ``organisation`` None), the pairs that include ``nation``, or the pairs of co-members of
    ``organisation`` in the years both are members.
    """

    dataset: str
    first_year: int
    last_year: int
    nation: str | None = None
    note: str | None = None
    kind: str | None = None
    organisation: str | None = None
