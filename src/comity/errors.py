"""Every error comity raises on purpose.

Library code raises these; the CLI, the API and the web pages decide how they look. Each carries
a ``message`` (what failed and the value that caused it), an optional ``hint`` (the next step) and
the HTTP ``status`` an API would answer with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "AuthenticationError",
    "BackupError",
    "ComityError",
    "ConflictError",
    "FieldProblem",
    "ImportRejectedError",
    "NationCandidate",
    "NotFoundError",
    "PermissionDeniedError",
    "PreconditionError",
    "StaleVersionError",
    "StoreUnavailableError",
    "TooManyRequestsError",
    "UnknownNationError",
    "UnknownNationReason",
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


class UnknownNationReason(StrEnum):
    """Why a name or code gave no nation."""

    NO_MATCH = "no_match"
    """Nothing in the registry has that name or code."""
    AMBIGUOUS_NAME = "ambiguous_name"
    """A name that several nations' patterns match."""
    BARE_NUMBER = "bare_number"
    """A number given without its code system (the systems' numbers collide)."""


@dataclass(frozen=True)
class NationCandidate:
    """A nation an unresolved name or code may have meant.

    Attributes:
        key: The nation's key (ISO alpha-3).
        label: How it is shown: ``Germany (DEU)``, or for a number, its reading in one code
            system (``cow 2 = United States (USA)``).
    """

    key: str
    label: str


class UnknownNationError(ComityError):
    """A nation name or code matched nothing in the registry, or more than one nation.

    Args:
        value: The name or code as given.
        candidates: The nations it may have meant, best first.
        system: The code system that was searched, if one was named.
        reason: Why nothing was chosen.

    Attributes:
        value: The name or code as given.
        candidates: The nations it may have meant, best first.
        suggestions: The candidates' labels, best first.
        system: The code system searched, if one was named.
        reason: Why nothing was chosen; callers branch on it, never on the message.
    """

    status = 422

    def __init__(
        self,
        value: str,
        candidates: Sequence[NationCandidate] = (),
        system: str | None = None,
        reason: UnknownNationReason = UnknownNationReason.NO_MATCH,
    ) -> None:
        self.value = value
        self.candidates = list(candidates)
        self.suggestions = [c.label for c in self.candidates]
        self.system = system
        self.reason = reason
        super().__init__(self._message(), self._hint())

    def _message(self) -> str:
        if self.reason is UnknownNationReason.AMBIGUOUS_NAME:
            return f"Nation name {self.value!r} is ambiguous."
        if self.reason is UnknownNationReason.BARE_NUMBER:
            return f"{self.value!r} is a number: name its code system."
        where = f" as a {self.system} code" if self.system else ""
        return f"Unknown nation {self.value!r}{where}."

    def _hint(self) -> str:
        if self.reason is UnknownNationReason.BARE_NUMBER:
            readings = (
                "Readings: " + "; ".join(self.suggestions)
                if self.suggestions
                else "No code system has this number."
            )
            return f"{readings} Pass the system (iso_numeric, cow or gw)."
        if self.suggestions:
            return "Did you mean: " + ", ".join(self.suggestions) + "?"
        return "Run `comity nations --search TEXT` to look it up."


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
