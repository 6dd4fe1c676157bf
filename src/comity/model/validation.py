"""Turn rule violations into one :class:`~comity.errors.ValidationError` naming each field."""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic

from comity.errors import FieldProblem, ValidationError
from comity.model.clock import today
from comity.model.engagements import CHECKED_ON, Engagement, NationDirectory
from comity.model.kinds import KINDS

__all__ = ["field_problems", "validate_engagement", "validate_record"]

M = TypeVar("M", bound=pydantic.BaseModel)

# Discriminator tags pydantic inserts in error locations; users never typed them.
_UNION_TAGS = frozenset(KINDS.values)
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


def validate_record(
    model: type[M], data: Any, subject: str, context: dict[str, Any] | None = None
) -> M:
    """Validate ``data`` as ``model``.

    Args:
        model: The record's class.
        data: A mapping of fields.
        subject: What the record is, for the message (e.g. ``engagement``).
        context: What the rules beyond the record itself need, such as the day of the check.

    Raises:
        ValidationError: Naming every offending field.
    """
    try:
        return model.model_validate(data, context=context)
    except pydantic.ValidationError as error:
        raise ValidationError(field_problems(error), subject) from None


def validate_engagement(data: Any, directory: NationDirectory | None = None) -> Engagement:
    """Validate an engagement to be written, with the registry rules when a directory is given.

    Its dates are checked against :func:`comity.model.clock.today`: neither may fall after next
    year. Every write comes through here (CLI, API, web form, dataset importers, executing a
    plan) but the generic importer's, which applies the same rule to each distinct date of a file.

    Args:
        data: A mapping of fields, or an :class:`Engagement` to check again.
        directory: Nation lookup for the known-nation and existence rules.

    Raises:
        ValidationError: Naming every offending field.
    """
    # A record built elsewhere may not have met the date rule, which needs the day of the check.
    fields = data.model_dump(mode="json") if isinstance(data, Engagement) else data
    engagement = validate_record(Engagement, fields, "engagement", {CHECKED_ON: today()})
    if directory is not None:
        problems = engagement.nation_problems(directory)
        if problems:
            raise ValidationError(problems, "engagement")
    return engagement
