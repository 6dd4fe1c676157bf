"""Passwords (argon2), API tokens and web sessions (random, stored as a SHA-256 digest)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "NewToken",
    "hash_password",
    "hash_token",
    "new_session",
    "new_token",
    "verify_password",
]

_HASHER = PasswordHasher()
TOKEN_PREFIX = "cmt_"


def hash_password(password: str) -> str:
    """An argon2id hash of the password, with its own salt and parameters."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches the stored hash."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class NewToken:
    """A token as created: the secret (shown once), its prefix (shown later) and its digest."""

    secret: str
    prefix: str
    digest: str


def hash_token(secret: str) -> str:
    """The digest stored for a token: SHA-256 suffices for 256 random bits."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> NewToken:
    """A new random API token."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return NewToken(secret=secret, prefix=secret[:12], digest=hash_token(secret))


def new_session() -> tuple[str, str]:
    """A new web session: its secret (for the signed cookie only) and the digest stored."""
    secret = secrets.token_urlsafe(32)
    return secret, hash_token(secret)
