"""Web addresses in records: which schemes a field accepts, and which a page may link to.

A record's address becomes a link on the engagement page. An address such as
``javascript:alert(1)`` (or ``data:``, ``vbscript:``) would run script in the reader's session
when clicked, so the fields that hold an address accept ``http`` and ``https`` only (``mailto``
is for fields that name a contact; none does yet). The rule is checked when a record is
written, as the date horizon is (:data:`~comity.model.clock.CHECKED_ON`): a record stored
before it reads back as it was, and the pages show its address as text, never as a link
(:func:`is_linkable`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

from comity.model.clock import CHECKED_ON

__all__ = [
    "LINK_SCHEMES",
    "WEB_SCHEMES",
    "checks_a_write",
    "is_linkable",
    "web_address_problem",
]

WEB_SCHEMES = ("http", "https")
"""Schemes a field holding a web address accepts."""
LINK_SCHEMES = ("http", "https", "mailto")
"""Schemes a page may put in a link's ``href``."""

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Browsers drop tabs and newlines inside a URL and spaces around it, so "java\tscript:" runs as
# "javascript:"; an address holding any whitespace or control character is refused outright.
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f]")


def checks_a_write(context: Any) -> bool:
    """True when a validation context says the record is being written (not read back)."""
    return isinstance(context, dict) and CHECKED_ON in context


def web_address_problem(value: str, schemes: Collection[str] = WEB_SCHEMES) -> str | None:
    """Why ``value`` cannot be stored as a web address, or None if it can.

    Args:
        value: The address, with any spaces around it already stripped.
        schemes: The schemes the field accepts (lower case).

    Returns:
        The reason in words (the field and value are named by the caller), or None.
    """
    wanted = " or ".join(f"{s}://" if s != "mailto" else "mailto:" for s in schemes)
    found = _SCHEME.match(value)
    if found is None:
        return f"is not a web address; give one that starts with {wanted}"
    scheme = found.group(1).lower()
    if scheme not in schemes:
        return f"{scheme}: addresses are refused; give a web address that starts with {wanted}"
    if _UNSAFE.search(value):
        return "holds spaces or control characters; encode them (%20) or remove them"
    if scheme != "mailto" and not urlsplit(value).netloc:
        return f"names no host; give a web address such as {scheme}://example.org/page"
    return None


def is_linkable(value: object) -> bool:
    """True when a page may link to ``value``: an http, https or mailto address, well formed.

    Pages ask this of every stored address, since records stored before the rule of
    :func:`web_address_problem` may hold any text.
    """
    if not isinstance(value, str):
        return False
    return web_address_problem(value.strip(), LINK_SCHEMES) is None
