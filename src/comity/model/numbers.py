"""Reading whole numbers typed by people or found in files."""

from __future__ import annotations

__all__ = ["is_whole"]


def is_whole(text: str) -> bool:
    """True when ``text`` is one or more ASCII digits, so that ``int(text)`` reads it.

    ``str.isdigit`` alone also accepts digits such as "²" or "٣" that ``int`` refuses or reads
    differently.
    """
    return text.isascii() and text.isdigit()
