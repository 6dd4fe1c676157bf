"""Releasability labels: who a record may be shown to.

A label is ``PUBLIC`` or ``REL`` followed by nations (ISO alpha-3) and organisations (their short
codes), e.g. ``REL NATO`` or ``REL AUS,GBR,USA``. The canonical text sorts and de-duplicates the
targets, so two spellings of the same label compare and store equal.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, model_serializer, model_validator

__all__ = ["PUBLIC", "Releasability"]

_TARGET = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")
_PREFIX = re.compile(r"^REL(?:EASABLE)?\b(?:\s+TO\b)?\s*", re.IGNORECASE)


class Releasability(BaseModel):
    """A releasability label.

    Attributes:
        targets: Nations and organisations the record may be shown to; empty means ``PUBLIC``.

    Example:
        >>> str(Releasability.parse("rel to usa, gbr"))
        'REL GBR,USA'
    """

    model_config = ConfigDict(frozen=True)

    targets: frozenset[str] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, data: Any) -> Any:
        if data is None:
            return {"targets": frozenset()}
        if isinstance(data, str):
            return {"targets": _parse_targets(data)}
        if isinstance(data, list | tuple | set | frozenset):
            return {"targets": frozenset(_check_target(str(t)) for t in data)}
        return data

    @classmethod
    def parse(cls, text: str | None) -> Releasability:
        """Parse a label such as ``PUBLIC``, ``REL NATO`` or ``REL TO USA, GBR``.

        Raises:
            pydantic.ValidationError: When a target is not a code of 2-16 letters or digits.
        """
        return cls.model_validate(text)

    @property
    def is_public(self) -> bool:
        """True when anyone may see the record."""
        return not self.targets

    def __str__(self) -> str:
        if self.is_public:
            return "PUBLIC"
        return "REL " + ",".join(sorted(self.targets))

    @model_serializer
    def _serialise(self) -> str:
        return str(self)


def _check_target(target: str) -> str:
    code = target.strip().upper()
    if not _TARGET.match(code):
        raise ValueError(
            f"{target!r} is not a nation or organisation code (e.g. USA, NATO) in a label"
        )
    return code


def _parse_targets(text: str) -> frozenset[str]:
    cleaned = text.strip()
    if cleaned.upper() in {"", "PUBLIC", "UNCLASSIFIED"}:
        return frozenset()
    prefix = _PREFIX.match(cleaned)
    if prefix is None:
        raise ValueError(f"{text!r} is not a label; write PUBLIC or REL followed by codes")
    parts = [p for p in re.split(r"[\s,/]+", cleaned[prefix.end() :]) if p]
    if not parts:
        raise ValueError(f"{text!r} names no nation or organisation after REL")
    return frozenset(_check_target(p) for p in parts)


PUBLIC = Releasability()
