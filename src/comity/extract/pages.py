"""The article in a web page and the entries of a feed, as plain text.

Pages are read with BeautifulSoup and the standard library's HTML parser; feeds with
``feedparser``. Both are imported when a page or feed is first read, never at start-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

__all__ = ["Feed", "FeedEntry", "Page", "read_feed", "read_page", "strip_html"]

_LEFT_OUT = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "iframe",
    "svg",
    "figure",
)
"""Elements that hold no article text: navigation, scripts, forms, captions."""
_DATE_METAS = (
    ("property", "article:published_time"),
    ("property", "og:published_time"),
    ("name", "article:published_time"),
    ("itemprop", "datePublished"),
    ("name", "pubdate"),
    ("name", "publish-date"),
    ("name", "date"),
    ("name", "dc.date"),
    ("name", "DC.date.issued"),
    ("name", "dcterms.date"),
)
_BLANKS = re.compile(r"[ \t\r\f\v\u00a0]+")


@dataclass(frozen=True)
class Page:
    """What a web page says: its headline, article text, date, address and publisher."""

    title: str | None
    text: str
    url: str | None
    published: date | None
    publisher: str | None


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed, its HTML stripped."""

    title: str | None
    text: str
    url: str | None
    published: date | None


@dataclass(frozen=True)
class Feed:
    """A feed's title and entries, or why it could not be read."""

    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    error: str | None = None


def _clean(text: str) -> str:
    lines = (_BLANKS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _break_lines(soup: Any) -> None:
    """Turn ``<br>`` into line breaks, so that inline text joins without stray spaces."""
    for tag in soup.find_all("br"):
        tag.replace_with("\n")


def _date_of(value: str | None) -> date | None:
    if not value:
        return None
    value = value.strip()
    for text in (value, value[:10]):
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            continue
    return None


def _meta(soup: Any, attribute: str, value: str) -> str | None:
    tag = soup.find("meta", attrs={attribute: re.compile(f"^{re.escape(value)}$", re.I)})
    content = tag.get("content") if tag is not None else None
    return content.strip() if isinstance(content, str) and content.strip() else None


def read_page(html: str) -> Page:
    """The article of a web page as plain text, with its headline, date and address.

    Args:
        html: The page's markup.

    Returns:
        The page; its ``text`` is empty when it holds no paragraph of text.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = _meta(soup, "property", "og:title")
    if title is None:
        heading = soup.find("h1")
        title = _clean(heading.get_text(" ")) if heading is not None else None
    if not title and soup.title is not None:
        title = _clean(soup.title.get_text(" ")) or None
    published = None
    for attribute, value in _DATE_METAS:
        published = _date_of(_meta(soup, attribute, value))
        if published is not None:
            break
    if published is None:
        for tag in soup.find_all("time"):
            stamp = tag.get("datetime")
            published = _date_of(stamp if isinstance(stamp, str) else None)
            if published is not None:
                break
    canonical = soup.find("link", rel="canonical")
    href = canonical.get("href") if canonical is not None else None
    url = href.strip() if isinstance(href, str) and href.strip() else None
    url = url or _meta(soup, "property", "og:url")
    publisher = _meta(soup, "property", "og:site_name")
    for tag in soup(list(_LEFT_OUT)):
        tag.decompose()
    body = soup.find("article") or soup.find("main") or soup.body or soup
    headline = body.find("h1")
    if headline is not None:
        headline.decompose()
    _break_lines(body)
    paragraphs = [_clean(p.get_text()) for p in body.find_all("p")]
    text = "\n\n".join(p for p in paragraphs if p) or _clean(body.get_text("\n"))
    return Page(title=title or None, text=text, url=url, published=published, publisher=publisher)


def strip_html(html: str) -> str:
    """Plain text of an HTML fragment (a feed entry's summary), paragraphs kept apart."""
    if "<" not in html:
        return _clean(html)
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    _break_lines(soup)
    blocks = soup.find_all(["p", "li", "h1", "h2", "h3", "h4"])
    if blocks:
        return "\n\n".join(t for t in (_clean(b.get_text()) for b in blocks) if t)
    return _clean(soup.get_text(" "))


def read_feed(data: bytes) -> Feed:
    """The entries of an RSS or Atom feed.

    Args:
        data: The feed's bytes (feedparser reads its declared encoding).

    Returns:
        The feed; ``error`` says why when it is not a feed at all.
    """
    import feedparser  # type: ignore[import-untyped]

    parsed = feedparser.parse(data)
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        reason = parsed.get("bozo_exception")
        return Feed(title=None, error=str(reason) if reason else "no RSS or Atom elements")
    entries = []
    for item in parsed.entries:
        contents = item.get("content") or []
        markup = contents[0].get("value", "") if contents else item.get("summary", "")
        stamp = item.get("published_parsed") or item.get("updated_parsed")
        entries.append(
            FeedEntry(
                title=_clean(item.get("title", "")) or None,
                text=strip_html(markup or ""),
                url=item.get("link") or None,
                published=date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None,
            )
        )
    title = _clean(parsed.feed.get("title", "")) or None
    return Feed(title=title, entries=entries)
