"""Turn rule violations into one :class:`~comity.errors.ValidationError` naming each field."""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic

from comity.errors import FieldProblem, ValidationError
from comity.model.engagements import Engagement, NationDirectory

__all__ = ["field_problems", "validate_engagement", "validate_record"]

M = TypeVar("M", bound=pydantic.BaseModel)

# Discriminator tags pydantic inserts in error locations; users never typed them.
_UNION_TAGS = {
    "exercise",
    "education",
    "training",
    "research",
    "cultural_event",
    "visit",
    "port_call",
    "peacekeeping",
    "humanitarian",
    "outreach",
    "agreement",
    "alliance",
    "media_event",
}
_WRAPPERS = {"function-after[_coerce(), PartialDate]"}


def field_problems(error: pydantic.ValidationError) -> list[FieldProblem]:
    """Translate pydantic's errors into problems that name the field in dotted form."""
    problems = []
    for item in error.errors(include_url=False):
        parts: list[str] = []
        for part in (str(p) for p in item["loc"]):
            # The details' discriminator tag follows "details"; pydantic's own wrappers anywhere.
            if part in _WRAPPERS or (parts and parts[-1] == "details" and part in _UNION_TAGS):
                continue
            parts.append(part)
        field = ".".join(parts) or "record"
        message = str(item["msg"])
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        value = item.get("input")
        shown = None if item["type"] == "missing" or isinstance(value, dict) else _show(value)
        problems.append(FieldProblem(field, message, shown))
    return problems


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validate_record(model: type[M], data: Any, subject: str) -> M:
    """Validate ``data`` as ``model``.

    Raises:
        ValidationError: Naming every offending field.
    """
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        raise ValidationError(field_problems(error), subject) from None


def validate_engagement(data: Any, directory: NationDirectory | None = None) -> Engagement:
    """Validate an engagement, with the registry rules when a directory is given.

    Args:
        data: A mapping of fields, or an :class:`Engagement` to re-check against the registry.
        directory: Nation lookup for the known-nation and existence rules.

    Raises:
        ValidationError: Naming every offending field.
    """
    engagement = (
        data if isinstance(data, Engagement) else validate_record(Engagement, data, "engagement")
    )
    if directory is not None:
        problems = engagement.nation_problems(directory)
        if problems:
            raise ValidationError(problems, "engagement")
    return engagement
