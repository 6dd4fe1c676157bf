"""The method's settings: every weight, the half-life and kappa, read from ``tie_index.toml``.

:class:`IndexSettings` validates them once; :meth:`IndexSettings.digest` is recorded beside every
result so a number can always be traced to the values that produced it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, model_validator

from comity.errors import ValidationError
from comity.model.validation import field_problems

__all__ = ["BEYOND_COVERAGE", "IndexSettings", "default_settings"]

BEYOND_COVERAGE = ("project", "hold", "decay", "missing")
"""What the index does with a pair's contributions beyond the coverage of their source."""

_Weight = Annotated[float, Field(ge=0, le=1000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KindWeights(_Strict):
    """Weight of one engagement of each kind (alliances, visits, education apart)."""

    exercise: _Weight
    humanitarian: _Weight
    research: _Weight
    training: _Weight
    cultural_event: _Weight
    port_call: _Weight
    peacekeeping: _Weight
    outreach: _Weight
    agreement: _Weight
    media_event: _Weight
    posting: _Weight


class AllianceWeights(_Strict):
    """Weight of an alliance by its strongest pledge."""

    defence: _Weight
    offence: _Weight
    consultation: _Weight
    entente: _Weight
    neutrality: _Weight
    non_aggression: _Weight


class VisitWeights(_Strict):
    """Weight of a visit by its level."""

    minister: _Weight
    chief_of_defence: _Weight
    service_chief: _Weight
    other: _Weight


class EducationWeights(_Strict):
    """Education: per course, per student, and a yearly cap per pair."""

    per_course: _Weight
    per_student: _Weight
    cap_per_year: _Weight


class Components(_Strict):
    """Which kinds make up each component of the index."""

    interoperability: tuple[str, ...]
    institutional: tuple[str, ...]
    cultural: tuple[str, ...]


class IndexSettings(_Strict):
    """Settings of the tie-strength index (see ``docs/methodology.md``)."""

    method_version: str
    half_life: Annotated[float, Field(ge=0.5, le=100)]
    kappa: Annotated[float, Field(gt=0, le=10_000)]
    partner_threshold: Annotated[float, Field(ge=0, le=100)]
    window: Annotated[int, Field(ge=1, le=50)]
    beyond_coverage: Literal["project", "hold", "decay", "missing"]
    projection_years: Annotated[int, Field(ge=1, le=20)]
    default_year_observed_share: Annotated[float, Field(ge=0, le=1)]
    weights: KindWeights
    alliance: AllianceWeights
    visit: VisitWeights
    education: EducationWeights
    components: Components

    @model_validator(mode="after")
    def _components_are_kinds(self) -> IndexSettings:
        known = {*KindWeights.model_fields, "alliance", "visit", "education"}
        for name, kinds in self.components.model_dump().items():
            unknown = sorted(set(kinds) - known)
            if unknown:
                raise ValueError(f"component {name} names unknown kinds: {', '.join(unknown)}")
        return self

    @property
    def decay(self) -> float:
        """The yearly factor of the stock: 2^(-1/h)."""
        return float(2.0 ** (-1.0 / self.half_life))

    def digest(self) -> str:
        """A short digest of every value, recorded with each result."""
        return self._digest

    @functools.cached_property
    def _digest(self) -> str:
        # Settings are frozen: their digest is computed once.
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def with_overrides(self, overrides: Mapping[str, Any] | None) -> IndexSettings:
        """These settings with some values replaced, nested by section.

        For example ``{"kappa": 30}`` or ``{"weights": {"exercise": 2}}``.

        Raises:
            ValidationError: Naming every value that is out of range or unknown.
        """
        if not overrides:
            return self
        merged = _merge(self.model_dump(mode="json"), dict(overrides))
        return _validated(merged)


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], dict(value))
        else:
            merged[key] = value
    return merged


def _validated(data: dict[str, Any]) -> IndexSettings:
    try:
        return IndexSettings.model_validate(data)
    except pydantic.ValidationError as error:
        raise ValidationError(field_problems(error), "index settings") from None


@functools.cache
def default_settings() -> IndexSettings:
    """The documented defaults, from ``tie_index.toml`` (read once; settings are frozen)."""
    text = resources.files("comity.analytics").joinpath("tie_index.toml").read_text("utf-8")
    return _validated(tomllib.loads(text))
