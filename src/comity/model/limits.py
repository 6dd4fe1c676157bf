"""The rules a model sets on one field, read from the model, for checks made outside it.

The generic importer checks a whole column of a file at once (:mod:`comity.ingest.mapped`), not
one record after another through the model; it reads each field's limits here (a title's length,
a latitude's range) and validates a value with the field's own type where it wants the model's
words, so that a rule of the model changes in one place.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo

__all__ = ["Limits", "field_adapter", "field_limits"]


@dataclass(frozen=True)
class Limits:
    """The bounds of one field; None where the model sets none.

    Attributes:
        min_length: Fewest characters (or items).
        max_length: Most characters (or items).
        ge: Least value.
        le: Greatest value.
    """

    min_length: int | None = None
    max_length: int | None = None
    ge: float | None = None
    le: float | None = None


def _constraints(annotation: Any, metadata: list[Any]) -> Iterator[Any]:
    """Every constraint object on a field: its own, and those inside its type (``X | None``)."""
    for item in metadata:
        if isinstance(item, FieldInfo):
            yield from item.metadata
        else:
            yield item
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *extras = typing.get_args(annotation)
        yield from _constraints(base, extras)
    elif origin is typing.Union or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _constraints(arg, [])


@functools.cache
def field_limits(model: type[BaseModel], name: str) -> Limits:
    """The bounds ``model`` sets on its field ``name``.

    For example ``field_limits(Engagement, "title")`` is ``Limits(min_length=1, max_length=300)``.

    Raises:
        KeyError: When the model has no such field.
    """
    field = model.model_fields[name]
    found: dict[str, Any] = {}
    for item in _constraints(field.annotation, field.metadata):
        for bound in ("min_length", "max_length", "ge", "le"):
            value = getattr(item, bound, None)
            if value is not None:
                found[bound] = value
    return Limits(**found)


@functools.cache
def field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """A validator of one value of ``model``'s field ``name``: the model's rules and messages.

    Raises:
        KeyError: When the model has no such field.
    """
    field = model.model_fields[name]
    annotation: Any = field.annotation
    if field.metadata:
        annotated: Any = Annotated
        annotation = annotated[(annotation, *field.metadata)]
    return TypeAdapter(annotation)
