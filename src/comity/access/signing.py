"""Ed25519 signatures of exchange bundles, and the canonical bytes they are made over.

A comity installation signs the bundles it exports with its own Ed25519 key (RFC 8032, through
the ``cryptography`` library); a partner checks them against the public key it was given by
hand (``comity exchange trust``). A key is named by its *key id*: the first 16 hexadecimal
digits of the SHA-256 of its 32 raw bytes. Public keys and signatures travel as standard
base64. ``cryptography`` is imported inside the functions, so a command that signs nothing
never loads it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SigningKey",
    "canonical_bytes",
    "key_id_of",
    "new_signing_key",
    "parse_public_key",
    "public_key_of",
    "sign",
    "verify",
]

_KEY_BYTES = 32
"""An Ed25519 public key's raw length."""


@dataclass(frozen=True)
class SigningKey:
    """A new key pair.

    Attributes:
        private_pem: The private key, PKCS #8 PEM, unencrypted (kept in a file readable by its
            owner only).
        public_key: The public key's 32 raw bytes in base64 (what a partner trusts).
        key_id: The short digest that names the key.
    """

    private_pem: bytes
    public_key: str
    key_id: str


def canonical_bytes(value: Any) -> bytes:
    """The one byte form of a JSON value that is signed and digested.

    UTF-8 JSON with the keys of every object sorted, no spaces, and characters beyond ASCII
    written as themselves. Numbers are written as Python writes them (the shortest form that
    reads back to the same float).
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def key_id_of(public_key: str) -> str:
    """The key id of a base64 public key: 16 hexadecimal digits of the SHA-256 of its bytes."""
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:16]


def parse_public_key(text: str) -> str:
    """A public key given by a person, checked and written the standard way.

    Raises:
        ValueError: When it is not base64 of 32 bytes (an Ed25519 public key).
    """
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{text!r} is not base64") from None
    if len(raw) != _KEY_BYTES:
        raise ValueError(f"an Ed25519 public key is {_KEY_BYTES} bytes; {text!r} holds {len(raw)}")
    return base64.b64encode(raw).decode("ascii")


def new_signing_key() -> SigningKey:
    """Make a new Ed25519 key pair."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    public = public_key_of(pem)
    return SigningKey(private_pem=pem, public_key=public, key_id=key_id_of(public))


def _private(private_pem: bytes) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the key file does not hold an Ed25519 private key")
    return key


def public_key_of(private_pem: bytes) -> str:
    """The base64 public key of a PEM private key.

    Raises:
        ValueError: When the PEM does not hold an Ed25519 private key.
    """
    from cryptography.hazmat.primitives import serialization

    raw = (
        _private(private_pem)
        .public_key()
        .public_bytes(encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode("ascii")


def sign(private_pem: bytes, data: bytes) -> str:
    """The base64 Ed25519 signature of ``data``.

    Raises:
        ValueError: When the PEM does not hold an Ed25519 private key.
    """
    signature: bytes = _private(private_pem).sign(data)
    return base64.b64encode(signature).decode("ascii")


def verify(public_key: str, data: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is the key's signature of ``data``; False for any doubt."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        return False
    return True
