"""The user's locale, from the browser: how they write numbers on a form."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from fastapi import Request

__all__ = ["locale_of"]


def locale_of(request: Request) -> str:
    """The first language of the browser's Accept-Language that babel knows, else ``en``."""
    header = request.headers.get("accept-language", "")
    ranked = []
    for position, item in enumerate(header.split(",")[:10]):
        tag, _, quality = item.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        ranked.append((-weight, position, tag.strip()))
    for _, _, tag in sorted(ranked):
        try:
            return str(Locale.parse(tag.replace("-", "_")))
        except (ValueError, TypeError, UnknownLocaleError):
            continue
    return "en"
