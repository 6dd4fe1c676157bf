"""The password rule: at least 12 characters, and hard to guess as zxcvbn estimates it.

zxcvbn (Dropbox's estimator, https://github.com/dwolfhub/zxcvbn-python) scores a password 0-4
from the guesses an attacker would need, knowing common passwords, names, words, keyboard
patterns, repeats, sequences, dates and the account's own details; its feedback says why a
password is weak. A score of 3 ("safely unguessable: moderate protection from offline
slow-hash scenario") is required.
"""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

from comity.errors import FieldProblem

__all__ = ["MIN_PASSWORD", "MIN_STRENGTH", "password_problem"]

MIN_PASSWORD = 12
"""Fewest characters in a password."""
MIN_STRENGTH = 3
"""Lowest zxcvbn score (0-4) accepted."""
_SCORED = 72
"""zxcvbn scores at most this many characters (its own limit); the rest only adds strength."""


def password_problem(
    password: str, *, username: str, other_words: Iterable[str | None] = ()
) -> FieldProblem | None:
    """Why ``password`` is refused for the account ``username``, or None when it is accepted.

    Args:
        password: The new password.
        username: The account's name: a password built on it is weak.
        other_words: More of the account's details (full name, nation) to count as guessable.
    """
    if len(password) < MIN_PASSWORD:
        return FieldProblem("password", f"must have at least {MIN_PASSWORD} characters")
    if password.strip().casefold() == username.strip().casefold():
        return FieldProblem("password", "must not be the username")
    known = [word for word in (username, *other_words, "comity") if word]
    result = zxcvbn(password[:_SCORED], user_inputs=known)
    score = int(result["score"])
    if score >= MIN_STRENGTH:
        return None
    feedback = result.get("feedback") or {}
    advice = [str(feedback.get("warning") or ""), *map(str, feedback.get("suggestions") or [])]
    why = " ".join(part for part in advice if part) or "Add another word or two."
    return FieldProblem(
        "password", f"is too easy to guess (strength {score} of 4, {MIN_STRENGTH} needed): {why}"
    )
