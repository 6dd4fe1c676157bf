"""The method's settings: every weight, the half-life and kappa, read from ``tie_index.toml``.

:class:`IndexSettings` validates them once; :meth:`IndexSettings.digest` is recorded beside every
result so a number can always be traced to the values that produced it. :func:`parse_overrides`
reads the values a user changes for one call (a TOML file and ``key=value`` pairs), the same way
for the CLI and the API. The keys of ``[weights]`` are the kinds of
:data:`comity.model.kinds.KINDS` that the index weighs per engagement (:func:`kind_weights_model`);
the values are data, in the TOML file.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from comity.errors import FieldProblem, ValidationError
from comity.model.kinds import KINDS, KindTable
from comity.model.validation import field_problems

__all__ = [
    "BEYOND_COVERAGE",
    "IndexSettings",
    "KindWeights",
    "default_settings",
    "kind_weights_model",
    "parse_assignments",
    "parse_overrides",
    "read_overrides_file",
    "setting_keys",
]

BEYOND_COVERAGE = ("project", "hold", "decay", "missing")
"""What the index does with a pair's contributions beyond the coverage of their source."""

_Weight = Annotated[float, Field(ge=0, le=1000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _toml_text() -> str:
    return resources.files("comity.analytics").joinpath("tie_index.toml").read_text("utf-8")


def kind_weights_model(kinds: KindTable = KINDS, order: Sequence[str] = ()) -> type[BaseModel]:
    """The model of ``[weights]``: a weight for each kind the index weighs per engagement.

    Args:
        kinds: The kinds' table; its kinds weighed per engagement become the fields.
        order: Names in the order the fields take (that of ``tie_index.toml``); the kinds it
            does not name follow, in the table's order.
    """
    wanted = kinds.weighed_per_engagement
    names = [name for name in order if name in wanted]
    names += [name for name in wanted if name not in names]
    fields: dict[str, Any] = {name: (_Weight, ...) for name in names}
    return create_model(
        "KindWeights",
        __base__=_Strict,
        __doc__="Weight of one engagement of each kind (alliances, visits, education apart).",
        __module__=__name__,
        **fields,
    )


if TYPE_CHECKING:

    class KindWeights(_Strict):
        """Weight of one engagement of each kind (alliances, visits, education apart)."""

        def __getattr__(self, name: str) -> float: ...

else:
    # Its fields are the kinds of comity.model.kinds weighed per engagement, in the order of
    # tie_index.toml (the order setting_keys() and the hints list them in).
    KindWeights = kind_weights_model(order=tuple(tomllib.loads(_toml_text()).get("weights", {})))


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
        known = set(KINDS.index_kinds)
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
    return _validated(tomllib.loads(_toml_text()))


# --- Overrides for one call ----------------------------------------------------------------------

_SUBJECT = "index settings"
_DOCS = "docs/methodology.md"


def _sections() -> dict[str, type[BaseModel]]:
    """The tables of the settings (``weights``, ``alliance``...) and the model of each."""
    found: dict[str, type[BaseModel]] = {}
    for name, field in IndexSettings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found[name] = annotation
    return found


def _scalars() -> tuple[str, ...]:
    """The top-level settings that take one value (``half_life``...), method version aside."""
    sections = _sections()
    return tuple(
        name
        for name in IndexSettings.model_fields
        if name not in sections and name != "method_version"
    )


def setting_keys() -> tuple[str, ...]:
    """Every key a call can change, in dotted form (``half_life``, ``weights.exercise``...).

    Derived from :class:`IndexSettings`, in the order of ``tie_index.toml``; the method version
    is not among them (it names the method, not a value to choose).
    """
    keys = list(_scalars())
    for section, model in _sections().items():
        keys.extend(f"{section}.{name}" for name in model.model_fields)
    return tuple(keys)


def _unknown(key: str) -> FieldProblem:
    return FieldProblem(key, "is not a setting of the index")


def _unknown_hint(keys: Sequence[str]) -> str:
    """Close matches of unknown keys, then the keys that exist where they were looked for."""
    sections = _sections()
    known = (*setting_keys(), *sections)
    close: list[str] = []
    for key in keys:
        leaf = key.rsplit(".", 1)[-1]
        matches = difflib.get_close_matches(key, known, n=1, cutoff=0.75) or [
            k for k in known if k.rsplit(".", 1)[-1] == leaf
        ]
        close.extend(m for m in matches if m not in close)
    section = keys[0].split(".", 1)[0]
    if section in sections:
        listing = f"Keys of {section}: {', '.join(sections[section].model_fields)}."
    else:
        listing = (
            f"Settings: {', '.join(_scalars())}, and the keys of "
            f"{', '.join(sections)} (e.g. weights.exercise); see {_DOCS}."
        )
    return (f"Did you mean {' or '.join(close)}? " if close else "") + listing


def _leaf(model: type[BaseModel], key: str, name: str, value: Any) -> FieldProblem | None:
    """The problem with one value, if its type is plainly wrong (ranges are checked later)."""
    annotation = model.model_fields[name].annotation
    if isinstance(value, Mapping):
        return FieldProblem(key, "takes one value, not a table")
    # pydantic reads true as 1: a boolean given for a number is a mistake, not a 1.
    if isinstance(value, bool) and annotation in (int, float):
        return FieldProblem(key, "must be a number, not true or false", str(value).lower())
    return None


def _key_problems(overrides: Mapping[str, Any]) -> tuple[list[FieldProblem], list[str]]:
    """Every key of ``overrides`` that is not a setting or not where it belongs, and the unknown.

    Returns:
        The problems, and the unknown keys among them (for the hint).
    """
    problems: list[FieldProblem | None] = []
    unknown: list[str] = []
    sections = _sections()
    current = default_settings().method_version
    for key, value in overrides.items():
        if key == "method_version":
            # Accepted when it names this method, so a copy of tie_index.toml can be edited.
            if str(value) != current:
                reason = f"is {current}: it names the method and cannot be changed"
                problems.append(FieldProblem(key, reason, repr(value)))
        elif key in sections:
            model = sections[key]
            if not isinstance(value, Mapping):
                example = f"{key}.{next(iter(model.model_fields))}"
                reason = f"is a table of settings: set one of its keys, e.g. {example}"
                problems.append(FieldProblem(key, reason))
                continue
            for name, item in value.items():
                if name in model.model_fields:
                    problems.append(_leaf(model, f"{key}.{name}", name, item))
                else:
                    unknown.append(f"{key}.{name}")
                    problems.append(_unknown(f"{key}.{name}"))
        elif key in IndexSettings.model_fields:
            problems.append(_leaf(IndexSettings, key, key, value))
        else:
            unknown.append(key)
            problems.append(_unknown(key))
    return [problem for problem in problems if problem is not None], unknown


def _raise(problems: list[FieldProblem], unknown: list[str], subject: str) -> None:
    if problems:
        hint = _unknown_hint(unknown) if unknown else f"Every setting is described in {_DOCS}."
        raise ValidationError(problems, subject, hint=hint)


def _value(text: str) -> Any:
    """A TOML value (number, string, boolean, array); any other text is a bare word (a string)."""
    try:
        found = tomllib.loads(f"value = {text}")
    except tomllib.TOMLDecodeError:
        return text
    # Text holding a new line and another key is not one value: it stays the text it is.
    return found["value"] if len(found) == 1 else text


def _nest(key: str, value: Any) -> dict[str, Any]:
    section, dot, name = key.partition(".")
    return {section: {name: value}} if dot else {key: value}


def parse_assignments(assignments: Sequence[str]) -> dict[str, Any]:
    """Overrides from ``key=value`` pairs, nested by section.

    ``["weights.exercise=2", "half_life=5", "beyond_coverage=missing"]`` gives
    ``{"weights": {"exercise": 2}, "half_life": 5, "beyond_coverage": "missing"}``. Values are
    read as TOML values (``2``, ``0.5``, ``"text"``, ``true``, ``["a", "b"]``); a bare word is a
    string. A later pair wins over an earlier one with the same key. The values are not checked
    against their ranges here (see :func:`parse_overrides`).

    Raises:
        ValidationError: Naming each pair that is not ``key=value`` (field ``set``) and each key
            that is not a setting (with a hint listing the keys that are).
    """
    problems: list[FieldProblem] = []
    unknown: list[str] = []
    merged: dict[str, Any] = {}
    for text in assignments:
        key, equals, raw = (part.strip() for part in text.partition("="))
        section, dot, _ = key.partition(".")
        if not equals or not key or not raw:
            problem = FieldProblem("set", "must be KEY=VALUE, e.g. weights.exercise=2", repr(text))
            problems.append(problem)
        elif dot and (key.count(".") > 1 or section not in _sections()):
            unknown.append(key)
            problems.append(_unknown(key))
        else:
            merged = _merge(merged, _nest(key, _value(raw)))
    found, missing = _key_problems(merged)
    _raise(problems + found, unknown + missing, _SUBJECT)
    return merged


def read_overrides_file(path: Path) -> dict[str, Any]:
    """Overrides from a TOML file shaped like ``tie_index.toml`` (only the values to change).

    Raises:
        ValidationError: When the file cannot be read or is not TOML (naming the file), or when a
            key is not a setting (naming the key; the message names the file).
    """
    hint = "Give a TOML file shaped like tie_index.toml, e.g. half_life = 5, then [weights] and "
    hint += "exercise = 2."
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        problem = FieldProblem(str(path), f"cannot be read ({reason})")
        raise ValidationError([problem], "settings file", hint=hint) from None
    try:
        overrides = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problem = FieldProblem(str(path), f"is not valid TOML ({error})")
        raise ValidationError([problem], "settings file", hint=hint) from None
    _raise(*_key_problems(overrides), f"settings file {path}")
    return overrides


def parse_overrides(assignments: Sequence[str] = (), *, file: Path | None = None) -> dict[str, Any]:
    """The overrides of one call: a TOML file, then ``key=value`` pairs that win over it.

    The result is what :meth:`IndexSettings.with_overrides` and every analytics service take as
    ``overrides`` (empty when nothing is changed, so the defaults' cache is used).

    Args:
        assignments: ``key=value`` pairs with dotted keys (``weights.exercise=2``), as given to
            ``--set`` or the API's ``set`` parameter.
        file: A TOML file of overrides, as given to ``--settings``.

    Raises:
        ValidationError: For an unreadable or invalid file, a malformed pair, an unknown key, or a
            value out of its range; each problem names its key (or the file).
    """
    overrides = read_overrides_file(file) if file is not None else {}
    overrides = _merge(overrides, parse_assignments(assignments))
    overrides.pop("method_version", None)
    try:
        default_settings().with_overrides(overrides)
    except ValidationError as error:
        raise ValidationError(
            error.problems, _SUBJECT, hint=f"The range of each setting is in {_DOCS}."
        ) from None
    return overrides
