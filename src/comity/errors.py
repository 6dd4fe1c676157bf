"""Every error comity raises on purpose.

Library code raises these; the CLI, the API and the web pages decide how they look. Each carries
a ``message`` (what failed and the value that caused it), an optional ``hint`` (the next step) and
the HTTP ``status`` an API would answer with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AuthenticationError",
    "BackupError",
    "ComityError",
    "ConflictError",
    "FieldProblem",
    "ImportRejectedError",
    "NotFoundError",
    "PermissionDeniedError",
    "PreconditionError",
    "StaleVersionError",
    "StoreUnavailableError",
    "TooManyRequestsError",
    "UnknownNationError",
    "ValidationError",
]


class ComityError(Exception):
    """Base class of every expected failure.

    Args:
        message: One sentence naming what failed and the value that caused it.
        hint: The next step for the user, if there is one.
    """

    status: int = 400

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class NotFoundError(ComityError):
    """A record asked for by its key does not exist, or is not visible to the viewer."""

    status = 404


class ConflictError(ComityError):
    """A write would clash with what is already stored (a duplicate key, a stale version)."""

    status = 409


class TooManyRequestsError(ComityError):
    """Too many requests from one token or address; wait and try again."""

    status = 429


class StaleVersionError(ConflictError):
    """The record changed since the caller read it (optimistic concurrency)."""


class AuthenticationError(ComityError):
    """The request carries no valid credentials (missing, wrong, expired or revoked)."""

    status = 401


class PreconditionError(ComityError):
    """A conditional write's precondition failed (a stale ETag) or is missing."""

    status = 412


class PermissionDeniedError(ComityError):
    """The actor may not do what was asked."""

    status = 403


class BackupError(ComityError):
    """A backup file cannot be restored: unreadable, altered, or from a newer comity."""

    status = 422


class StoreUnavailableError(ComityError):
    """The database cannot be opened or reached, or its schema is not migrated."""

    status = 503


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field of one record.

    Attributes:
        field: Dotted path of the field, e.g. ``participants.2.personnel``.
        reason: What is wrong, in words.
        value: The offending value as text, when there is one.
    """

    field: str
    reason: str
    value: str | None = None

    def __str__(self) -> str:
        shown = f" (got {self.value})" if self.value is not None else ""
        return f"{self.field}: {self.reason}{shown}"


class ValidationError(ComityError):
    """A record breaks one or more rules of the domain model.

    Args:
        problems: One entry per offending field.
        subject: What was being validated, e.g. ``engagement``.
    """

    status = 422

    def __init__(
        self, problems: Sequence[FieldProblem], subject: str = "record", hint: str | None = None
    ) -> None:
        self.problems = list(problems)
        self.subject = subject
        if len(self.problems) == 1:
            message = f"Invalid {subject}: {self.problems[0]}"
        else:
            listed = "; ".join(str(p) for p in self.problems)
            message = f"Invalid {subject} ({len(self.problems)} problems): {listed}"
        super().__init__(message, hint)


class UnknownNationError(ComityError):
    """A nation name or code matched nothing in the registry.

    Args:
        value: The name or code as given.
        suggestions: The closest known names, best first.
        system: The code system that was searched, if one was named.
    """

    status = 422

    def __init__(
        self, value: str, suggestions: Sequence[str] = (), system: str | None = None
    ) -> None:
        self.value = value
        self.suggestions = list(suggestions)
        self.system = system
        where = f" as a {system} code" if system else ""
        message = f"Unknown nation {value!r}{where}."
        hint = (
            "Did you mean: " + ", ".join(self.suggestions) + "?"
            if self.suggestions
            else "Run `comity nations --search TEXT` to look it up."
        )
        super().__init__(message, hint)


class ImportRejectedError(ComityError):
    """An import found problems and wrote nothing.

    Args:
        message: What failed.
        hint: The next step.
        report: The import's report, listing every problem, when the files were read.
    """

    status = 422

    def __init__(self, message: str, hint: str | None = None, report: object = None) -> None:
        super().__init__(message, hint)
        self.report = report
