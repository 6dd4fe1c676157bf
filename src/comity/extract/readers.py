"""Read passages from files: plain text, JSON lines, CSV, HTML pages, RSS and Atom feeds.

- **text** (``.txt``, ``.text``, ``.md``): the whole file is one passage; ``-`` is standard input.
- **jsonl** (``.jsonl``, ``.ndjson``): one object per line with ``text`` and optionally ``url``,
  ``published`` (``YYYY-MM-DD``, or an ISO date and time), ``publisher`` and ``title``; other keys
  are ignored (the labelled set's lines read as they are); blank lines are skipped.
- **csv** (``.csv``): a header row naming the same columns; rows count from 1 at the header, as a
  spreadsheet shows them.
- **html** (``.html``, ``.htm``): one page is one passage: its headline (``og:title``, the first
  ``h1``, else ``title``), the paragraphs of its article (navigation, headers, footers, scripts and
  forms left out), the publication date of ``<meta property="article:published_time">``,
  ``<time datetime>`` or the like, its canonical address and its site's name as publisher.
- **feed** (``.rss``, ``.atom``, ``.xml``): each entry of an RSS or Atom feed is a passage, its
  HTML stripped, with its link, its publication date and the feed's title as publisher.

Without ``format`` (``auto``), the extension decides, else the first characters do. Every
problem of every file is collected (file, line or row, field, value) and raised at once as one
:class:`~comity.errors.ValidationError`; nothing is returned when any input is bad.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from comity.errors import FieldProblem, ValidationError
from comity.extract.draft import Passage

__all__ = ["FORMATS", "read_passages"]

FORMATS = ("auto", "text", "jsonl", "csv", "html", "feed")
"""The formats ``read_passages`` reads (``auto``: by extension, else by content)."""

_EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
}
_FIELDS = ("text", "url", "published", "publisher", "title")
_STDIN = "stdin"
_HINT = (
    "Each passage needs a text; published is a date (YYYY-MM-DD); files are UTF-8. "
    "See docs/extraction.md."
)


class _Problems:
    """The problems found so far, in the order met."""

    def __init__(self) -> None:
        self.found: list[FieldProblem] = []

    def add(self, where: str, reason: str, value: Any = None) -> None:
        shown = None if value is None else _shorten(str(value))
        self.found.append(FieldProblem(where, reason, shown))


def _shorten(text: str, most: int = 60) -> str:
    text = repr(text) if not text.startswith("'") else text
    return text if len(text) <= most else text[: most - 4] + "...'"


def read_passages(paths: Sequence[str], format: str = "auto") -> list[Passage]:  # noqa: A002
    """Read every passage of ``paths``, in order.

    Args:
        paths: Files to read; ``-`` reads standard input (once).
        format: One of :data:`FORMATS`; ``auto`` chooses per file.

    Returns:
        The passages, file by file, each with its ``origin`` (``news.jsonl:3``, ``page.html``,
        ``feed.xml#2``).

    Raises:
        ValidationError: Naming every problem of every file (a missing file, an empty one, text
            that is not UTF-8, a line that is not JSON, a missing text, a date that is not a
            date...).
    """
    problems = _Problems()
    if format not in FORMATS:
        problems.add("format", f"must be one of {', '.join(FORMATS)}", format)
        raise ValidationError(problems.found, "passages", hint=_HINT)
    if not paths:
        problems.add("files", "none given: name files to read, or - for standard input")
    passages: list[Passage] = []
    stdin: bytes | None = None
    for path in paths:
        if path == "-":
            stdin = sys.stdin.buffer.read() if stdin is None else b""
            name, data = _STDIN, stdin
        else:
            name, data = path, _read_bytes(path, problems)
            if data is None:
                continue
        chosen = format if format != "auto" else _guess(name, data)
        if not data.strip():
            problems.add(name, "is empty")
            continue
        passages.extend(_READERS[chosen](name, data, problems))
    if problems.found:
        raise ValidationError(problems.found, "passages", hint=_HINT)
    return passages


def _read_bytes(path: str, problems: _Problems) -> bytes | None:
    file = Path(path)
    try:
        return file.read_bytes()
    except FileNotFoundError:
        problems.add(path, "no such file")
    except IsADirectoryError:
        problems.add(path, "is a folder, not a file")
    except OSError as error:
        problems.add(path, f"cannot be read ({error.strerror or error})")
    return None


def _guess(name: str, data: bytes) -> str:
    by_extension = _EXTENSIONS.get(Path(name).suffix.lower())
    if by_extension is not None:
        return by_extension
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head:
        return "feed"
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    first_line = head.split(b"\n", 1)[0]
    if b"," in first_line and b"text" in first_line.split(b","):
        return "csv"
    return "text"


def _decode(name: str, data: bytes, problems: _Problems, encoding: str = "utf-8") -> str | None:
    try:
        return data.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
    except UnicodeDecodeError as error:
        byte = data[error.start : error.start + 1].hex()
        problems.add(
            name,
            f"is not {encoding.upper()} text (byte 0x{byte} at position {error.start}); "
            "save it as UTF-8",
        )
    except LookupError:
        problems.add(name, "declares an unknown encoding", encoding)
    return None


def _read_text(name: str, data: bytes, problems: _Problems) -> list[Passage]:
    text = _decode(name, data, problems)
    if text is None:
        return []
    return [Passage(text=text.strip(), origin=name)]


def _published(value: Any, where: str, problems: _Problems) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        parsed = _iso_date(value.strip())
        if parsed is not None:
            return parsed
    problems.add(where, "is not a date: use YYYY-MM-DD or an ISO date and time", value)
    return None


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _passage(record: dict[str, Any], origin: str, problems: _Problems) -> Passage | None:
    """A passage from a JSON object or CSV row; its problems noted under ``origin.field``."""
    before = len(problems.found)
    text = record.get("text")
    if text is None:
        problems.add(f"{origin}.text", "is missing")
    elif not isinstance(text, str):
        problems.add(f"{origin}.text", "must be text", text)
    elif not text.strip():
        problems.add(f"{origin}.text", "is empty")
    values: dict[str, str | None] = {}
    for field in ("url", "publisher", "title"):
        value = record.get(field)
        if value is not None and not isinstance(value, str):
            problems.add(f"{origin}.{field}", "must be text", value)
            continue
        values[field] = value.strip() or None if isinstance(value, str) else None
    published = _published(record.get("published"), f"{origin}.published", problems)
    if len(problems.found) > before or not isinstance(text, str):
        return None
    return Passage(
        text=text.strip(),
        url=values["url"],
        published=published,
        publisher=values["publisher"],
        title=values["title"],
        origin=origin,
    )


def _read_jsonl(name: str, data: bytes, problems: _Problems) -> list[Passage]:
    text = _decode(name, data, problems)
    if text is None:
        return []
    passages = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        origin = f"{name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.add(origin, f"is not JSON ({error.msg} at column {error.colno})")
            continue
        if not isinstance(record, dict):
            problems.add(origin, "is not a JSON object", type(record).__name__)
            continue
        passage = _passage(record, origin, problems)
        if passage is not None:
            passages.append(passage)
    return passages


def _read_csv(name: str, data: bytes, problems: _Problems) -> list[Passage]:
    text = _decode(name, data, problems)
    if text is None:
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip() for c in reader.fieldnames or []]
    if "text" not in columns:
        problems.add(name, f"has no text column (columns: {', '.join(columns) or 'none'})")
        return []
    passages = []
    try:
        for row in reader:
            origin = f"{name}:{reader.line_num}"
            record = {(k or "").strip(): v for k, v in row.items() if k is not None}
            passage = _passage({k: record.get(k) for k in _FIELDS}, origin, problems)
            if passage is not None:
                passages.append(passage)
    except csv.Error as error:
        problems.add(f"{name}:{reader.line_num}", f"is not CSV ({error})")
    if not passages and not problems.found:
        problems.add(name, "has a header but no rows")
    return passages


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def _read_html(name: str, data: bytes, problems: _Problems) -> list[Passage]:
    declared = _CHARSET.search(data[:4096])
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    text = _decode(name, data, problems, encoding)
    if text is None:
        return []
    from comity.extract.pages import read_page

    page = read_page(text)
    if not page.text:
        problems.add(name, "has no paragraphs of text")
        return []
    return [
        Passage(
            text=page.text,
            url=page.url,
            published=page.published,
            publisher=page.publisher,
            title=page.title,
            origin=name,
        )
    ]


def _read_feed(name: str, data: bytes, problems: _Problems) -> list[Passage]:
    from comity.extract.pages import read_feed

    feed = read_feed(data)
    if feed.error is not None:
        problems.add(name, f"is not an RSS or Atom feed ({feed.error})")
        return []
    passages = []
    for number, entry in enumerate(feed.entries, start=1):
        origin = f"{name}#{number}"
        if not entry.text:
            problems.add(f"{origin}.text", "is empty")
            continue
        passages.append(
            Passage(
                text=entry.text,
                url=entry.url,
                published=entry.published,
                publisher=feed.title,
                title=entry.title,
                origin=origin,
            )
        )
    if not feed.entries:
        problems.add(name, "is a feed with no entries")
    return passages


_READERS = {
    "text": _read_text,
    "jsonl": _read_jsonl,
    "csv": _read_csv,
    "html": _read_html,
    "feed": _read_feed,
}
