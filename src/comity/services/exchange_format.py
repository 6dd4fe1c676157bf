"""The exchange bundle's format: one JSON document, its manifest signed with Ed25519.

A bundle is a UTF-8 JSON object (docs/exchange.md, "The format")::

    {"format": "comity-exchange/1",
     "manifest": {"format", "installation": {"name", "nation", "key_id"}, "for", "since",
                  "created_at", "sequence", "data_version", "counts": {PART: n},
                  "digests": {PART: SHA-256 of the part's canonical bytes}},
     "records": {"engagements": [...], "links": [...], "assessments": [...], "notes": [...],
                 "plans": [...]},
     "signature": base64 Ed25519 signature of the manifest's canonical bytes}

The signature covers the manifest, and the manifest the digest of each part, so one changed
byte anywhere is found. Reading checks the shape first, then (once the key is known) the
signature, then each part against the manifest: nothing of a bundle is trusted before.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from comity.access.signing import canonical_bytes, sign, verify
from comity.errors import ImportRejectedError

__all__ = [
    "FORMAT",
    "PARTS",
    "Bundle",
    "BundleRefusedError",
    "Manifest",
    "RefusalReason",
    "bundle_digest",
    "check_parts",
    "check_signature",
    "read_bundle",
    "write_bundle",
]

FORMAT = "comity-exchange/1"
"""The format's name and version, in the document and in its manifest."""
PARTS = ("engagements", "links", "assessments", "notes", "plans")
"""The parts of a bundle's records, in this order."""


class RefusalReason(StrEnum):
    """Why a bundle was refused (carried as data, not read from the message)."""

    UNREADABLE = "unreadable"
    TAMPERED = "tampered"
    UNTRUSTED = "untrusted"
    REPLAYED = "replayed"
    MISADDRESSED = "misaddressed"
    INVALID = "invalid"


class BundleRefusedError(ImportRejectedError):
    """A bundle was refused; nothing of it was written.

    Args:
        message: What failed, naming the bundle's digest or partner.
        reason: Why, as a :class:`RefusalReason`.
        hint: The next step.
    """

    def __init__(self, message: str, reason: RefusalReason, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.reason = reason


@dataclass(frozen=True)
class Manifest:
    """What a bundle says of itself (trusted only once its signature is checked).

    Attributes:
        installation: The exporting installation's name.
        nation: Its nation.
        key_id: The id of the key it signed with.
        recipient: The nation or organisation the bundle is for.
        since: Only records changed since this day, when given.
        created_at: When it was made.
        sequence: Its sequence number at the exporting installation.
        data_version: The exporting store's version of its records.
        counts: How many records each part holds.
        digests: The SHA-256 of each part's canonical bytes.
    """

    installation: str
    nation: str
    key_id: str
    recipient: str
    since: str | None
    created_at: datetime
    sequence: int
    data_version: str
    counts: dict[str, int]
    digests: dict[str, str]


@dataclass(frozen=True)
class Bundle:
    """A bundle as read: its manifest (raw and parsed), its records and its signature.

    Attributes:
        digest: SHA-256 of the bundle's bytes as received (what the audit log names).
        raw_manifest: The manifest as it came, which the signature covers.
        manifest: It, parsed.
        records: Each part's records.
        signature: The base64 signature.
    """

    digest: str
    raw_manifest: dict[str, Any]
    manifest: Manifest
    records: dict[str, list[dict[str, Any]]]
    signature: str


def bundle_digest(data: bytes) -> str:
    """SHA-256 of a bundle's bytes, in hexadecimal."""
    return hashlib.sha256(data).hexdigest()


def _part_digest(records: list[dict[str, Any]]) -> str:
    return hashlib.sha256(canonical_bytes(records)).hexdigest()


def write_bundle(
    manifest: dict[str, Any], records: dict[str, list[dict[str, Any]]], private_pem: bytes
) -> bytes:
    """A signed bundle's bytes.

    Args:
        manifest: The manifest's fields but ``format``, ``counts`` and ``digests``.
        records: Each part's records (every part of :data:`PARTS`).
        private_pem: The exporting installation's private key.
    """
    parts = {part: records.get(part, []) for part in PARTS}
    signed = {
        **manifest,
        "format": FORMAT,
        "counts": {part: len(items) for part, items in parts.items()},
        "digests": {part: _part_digest(items) for part, items in parts.items()},
    }
    document = {
        "format": FORMAT,
        "manifest": signed,
        "records": parts,
        "signature": sign(private_pem, canonical_bytes(signed)),
    }
    return canonical_bytes(document)


def _refuse_unreadable(digest: str, why: str) -> BundleRefusedError:
    return BundleRefusedError(
        f"Bundle {digest[:12]} is not a comity exchange bundle: {why}. Nothing was imported.",
        RefusalReason.UNREADABLE,
        hint="Ask the partner for the bundle again: it may have been cut short or damaged.",
    )


def read_bundle(data: bytes) -> Bundle:
    """Read a bundle's bytes and check its shape (not yet its signature).

    Raises:
        BundleRefusedError: ``unreadable`` when it is not JSON (a truncated or damaged file),
            not this format, or a field is missing or of the wrong kind.
    """
    digest = bundle_digest(data)
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _refuse_unreadable(digest, f"it is not JSON ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _refuse_unreadable(digest, f"it is not in the format {FORMAT}")
    raw, records, signature = (document.get(k) for k in ("manifest", "records", "signature"))
    if not isinstance(raw, dict) or not isinstance(records, dict) or not isinstance(signature, str):
        raise _refuse_unreadable(digest, "it lacks its manifest, records or signature")
    if set(records) != set(PARTS) or not all(isinstance(records[p], list) for p in PARTS):
        raise _refuse_unreadable(digest, f"its records are not the parts {', '.join(PARTS)}")
    try:
        manifest = _manifest(raw)
    except (KeyError, TypeError, ValueError) as error:
        raise _refuse_unreadable(digest, f"its manifest is not valid ({error})") from None
    return Bundle(digest, raw, manifest, {p: list(records[p]) for p in PARTS}, signature)


def _manifest(raw: dict[str, Any]) -> Manifest:
    installation = raw["installation"]
    created = datetime.fromisoformat(str(raw["created_at"]))
    if created.tzinfo is None:
        raise ValueError("created_at has no time zone")
    sequence = raw["sequence"]
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise ValueError("sequence is not a whole number from 1")
    counts, digests = raw["counts"], raw["digests"]
    if not isinstance(counts, dict) or not isinstance(digests, dict):
        raise ValueError("counts and digests are not objects")
    return Manifest(
        installation=str(installation["name"]),
        nation=str(installation["nation"]),
        key_id=str(installation["key_id"]),
        recipient=str(raw["for"]),
        since=None if raw.get("since") is None else str(raw["since"]),
        created_at=created,
        sequence=sequence,
        data_version=str(raw.get("data_version") or ""),
        counts={str(k): int(v) for k, v in counts.items()},
        digests={str(k): str(v) for k, v in digests.items()},
    )


def check_signature(bundle: Bundle, public_key: str) -> None:
    """Refuse a bundle whose manifest was not signed with this public key.

    Raises:
        BundleRefusedError: ``tampered``.
    """
    if not verify(public_key, canonical_bytes(bundle.raw_manifest), bundle.signature):
        raise BundleRefusedError(
            f"Bundle {bundle.digest[:12]} from {bundle.manifest.installation}: its signature "
            f"does not match the key {bundle.manifest.key_id}; it was changed after it was "
            "signed, or signed with another key. Nothing was imported.",
            RefusalReason.TAMPERED,
            hint="Ask the partner for the bundle again, and check the key you trust for it.",
        )


def check_parts(bundle: Bundle) -> None:
    """Refuse a bundle whose records do not match what its (signed) manifest says.

    Raises:
        BundleRefusedError: ``tampered``, naming the part.
    """
    for part in PARTS:
        items = bundle.records[part]
        if bundle.manifest.counts.get(part) != len(items) or bundle.manifest.digests.get(
            part
        ) != _part_digest(items):
            raise BundleRefusedError(
                f"Bundle {bundle.digest[:12]} from {bundle.manifest.installation}: its {part} "
                "do not match the signed manifest (changed after signing). Nothing was imported.",
                RefusalReason.TAMPERED,
                hint="Ask the partner for the bundle again.",
            )
