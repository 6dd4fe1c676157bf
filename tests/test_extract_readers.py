"""Reading passages: text, JSON lines, CSV, HTML pages, RSS and Atom feeds, and every bad input."""

from __future__ import annotations

import io
import json
import sys
from datetime import date
from pathlib import Path

import pytest

from comity.errors import ValidationError
from comity.extract.readers import FORMATS, read_passages

HINT = (
    "Each passage needs a text; published is a date (YYYY-MM-DD); files are UTF-8. "
    "See docs/extraction.md."
)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work in tmp_path, so that messages name files as the tests do."""
    monkeypatch.chdir(tmp_path)


def _write(name: str, text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    Path(name).write_bytes(data)
    return name


def _problems(paths: list[str], file_format: str = "auto") -> str:
    with pytest.raises(ValidationError) as caught:
        read_passages(paths, file_format)
    assert caught.value.hint == HINT
    return caught.value.message


def test_a_text_file_is_one_passage_named_by_the_file() -> None:
    path = _write("release.txt", "\n  Japan and the Philippines signed an agreement.  \n")
    [passage] = read_passages([path])
    assert passage.text == "Japan and the Philippines signed an agreement."
    assert (passage.origin, passage.published, passage.url) == ("release.txt", None, None)


def test_standard_input_is_read_once_as_a_passage(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"Filipino and U.S. Marines trained."))
    monkeypatch.setattr(sys, "stdin", stdin)
    [passage] = read_passages(["-"])
    assert (passage.text, passage.origin) == ("Filipino and U.S. Marines trained.", "stdin")


def test_json_lines_give_one_passage_per_object_with_its_fields_and_line() -> None:
    lines = [
        {"text": "First.", "url": "https://example.org/a", "published": "2024-03-06"},
        {},
        {"text": "Second.", "published": "2024-03-07T08:30:00Z", "publisher": "Navy", "id": 7},
    ]
    path = _write("news.jsonl", "\n".join(json.dumps(x) if x else "" for x in lines) + "\n")
    first, second = read_passages([path])
    assert (first.text, first.url, first.published, first.origin) == (
        "First.",
        "https://example.org/a",
        date(2024, 3, 6),
        "news.jsonl:1",
    )
    assert (second.published, second.publisher, second.origin) == (
        date(2024, 3, 7),
        "Navy",
        "news.jsonl:3",
    )


def test_csv_rows_count_from_the_header_as_a_spreadsheet_shows_them() -> None:
    path = _write(
        "news.csv",
        'title,text,published\nDrills,"Thai and U.S. troops, together.",2023-02-28\nVisit,Met.,\n',
    )
    first, second = read_passages([path])
    assert (first.title, first.text, first.published, first.origin) == (
        "Drills",
        "Thai and U.S. troops, together.",
        date(2023, 2, 28),
        "news.csv:2",
    )
    assert (second.published, second.origin) == (None, "news.csv:3")


PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Site | Cobra Gold</title>
<meta property="og:title" content="Cobra Gold 2024 opens">
<meta property="og:site_name" content="Royal Thai Navy News">
<meta property="article:published_time" content="2024-02-27T09:00:00+07:00">
<link rel="canonical" href="https://example.org/cobra-gold">
<script>var tracking = "Russia";</script></head>
<body><nav><p>Home | News | Contact</p></nav><header><p>Menu</p></header>
<article><h1>Cobra Gold 2024 opens</h1>
<p>Thailand and the United States opened <b>Cobra Gold</b> on Tuesday.</p>
<figure><figcaption>Photo: a caption</figcaption></figure>
<p>More than 9,000 personnel take part.</p></article>
<footer><p>Copyright</p></footer></body></html>"""


def test_a_web_page_gives_its_article_headline_date_address_and_site() -> None:
    [passage] = read_passages([_write("page.html", PAGE)])
    assert passage.text == (
        "Thailand and the United States opened Cobra Gold on Tuesday.\n\n"
        "More than 9,000 personnel take part."
    )
    assert passage.title == "Cobra Gold 2024 opens"
    assert passage.published == date(2024, 2, 27)
    assert passage.url == "https://example.org/cobra-gold"
    assert (passage.publisher, passage.origin) == ("Royal Thai Navy News", "page.html")


def test_a_page_without_metadata_takes_its_h1_and_its_time_element() -> None:
    page = (
        "<html><body><h1>Port visit</h1><time datetime='2023-05-16'>16 May</time>"
        "<p>INS Delhi arrived in Manila.</p></body></html>"
    )
    [passage] = read_passages([_write("visit.htm", page)])
    assert (passage.title, passage.published, passage.text) == (
        "Port visit",
        date(2023, 5, 16),
        "INS Delhi arrived in Manila.",
    )


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Navy News</title>
<item><title>Port call</title><link>https://example.org/1</link>
<pubDate>Mon, 15 May 2023 10:00:00 GMT</pubDate>
<description>&lt;p&gt;INS Delhi arrived in &lt;b&gt;Manila&lt;/b&gt;.&lt;/p&gt;</description></item>
<item><title>Drills</title><link>https://example.org/2</link>
<description>Japanese and Australian ships drilled.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Defence news</title><entry><title>Agreement</title>
<link href="https://example.org/a"/><updated>2024-07-08T00:00:00Z</updated>
<content type="html">&lt;p&gt;Japan and the Philippines signed a pact.&lt;/p&gt;</content>
</entry></feed>"""


def test_each_rss_item_is_a_passage_with_its_html_stripped() -> None:
    first, second = read_passages([_write("navy.rss", RSS)])
    assert (first.text, first.title, first.url, first.published) == (
        "INS Delhi arrived in Manila.",
        "Port call",
        "https://example.org/1",
        date(2023, 5, 15),
    )
    assert (first.publisher, first.origin, second.origin) == (
        "Navy News",
        "navy.rss#1",
        "navy.rss#2",
    )
    assert second.published is None


def test_an_atom_feed_is_read_like_rss() -> None:
    [entry] = read_passages([_write("news.atom", ATOM)])
    assert (entry.text, entry.published, entry.publisher, entry.url) == (
        "Japan and the Philippines signed a pact.",
        date(2024, 7, 8),
        "Defence news",
        "https://example.org/a",
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"text": "A."}\n', "jsonl"),
        (PAGE, "html"),
        (RSS, "feed"),
        ("title,text\nA,B\n", "csv"),
        ("Plain words.", "text"),
    ],
)
def test_a_file_without_extension_is_sniffed(content: str, expected: str) -> None:
    sniffed = read_passages([_write("input", content)])
    stated = read_passages([_write(f"input.{expected}", content)], expected)
    assert [p.text for p in sniffed] == [p.text for p in stated]


def test_format_overrides_the_extension() -> None:
    [passage] = read_passages([_write("notes.txt", '{"text": "A."}')], "text")
    assert passage.text == '{"text": "A."}'


def test_formats_are_the_readers() -> None:
    assert FORMATS == ("auto", "text", "jsonl", "csv", "html", "feed")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.jsonl", "not json\n", "a.jsonl:1: is not JSON (Expecting value at column 1)"),
        ("a.jsonl", "[1, 2]\n", "a.jsonl:1: is not a JSON object (got 'list')"),
        ("a.jsonl", '{"title": "T"}\n', "a.jsonl:1.text: is missing"),
        ("a.jsonl", '{"text": 3}\n', "a.jsonl:1.text: must be text (got '3')"),
        ("a.jsonl", '{"text": "  "}\n', "a.jsonl:1.text: is empty"),
        (
            "a.jsonl",
            '{"text": "A.", "published": "last Tuesday"}\n',
            "a.jsonl:1.published: is not a date: use YYYY-MM-DD or an ISO date and time "
            "(got 'last Tuesday')",
        ),
        ("a.jsonl", '{"text": "A.", "url": 5}\n', "a.jsonl:1.url: must be text (got '5')"),
        ("a.txt", "", "a.txt: is empty"),
        ("a.txt", "  \n\n", "a.txt: is empty"),
        (
            "a.txt",
            b"Caf\xe9",
            "a.txt: is not UTF-8 text (byte 0xe9 at position 3); save it as UTF-8",
        ),
        ("a.csv", "title,body\nA,B\n", "a.csv: has no text column (columns: title, body)"),
        ("a.csv", "title,text\n", "a.csv: has a header but no rows"),
        (
            "a.csv",
            "text,published\nA,2024-02-30\n",
            "a.csv:2.published: is not a date: use YYYY-MM-DD or an ISO date and time "
            "(got '2024-02-30')",
        ),
        (
            "a.html",
            "<html><body><nav>Menu</nav></body></html>",
            "a.html: has no paragraphs of text",
        ),
        (
            "a.xml",
            "<?xml version='1.0'?><rss version='2.0'><channel><title>T</title></channel></rss>",
            "a.xml: is a feed with no entries",
        ),
        (
            "a.rss",
            "<rss version='2.0'><channel><item><title>T</title></item></channel></rss>",
            "a.rss#1.text: is empty",
        ),
    ],
)
def test_bad_input_names_the_file_line_field_and_value(
    name: str, content: str | bytes, expected: str
) -> None:
    assert _problems([_write(name, content)]) == f"Invalid passages: {expected}"


def test_a_missing_file_and_a_folder_are_named() -> None:
    Path("folder").mkdir()
    assert _problems(["gone.txt", "folder"]) == (
        "Invalid passages (2 problems): gone.txt: no such file; folder: is a folder, not a file"
    )


def test_every_problem_of_every_file_is_reported_at_once() -> None:
    first = _write("a.jsonl", '{"text": "A."}\nnot json\n{"text": ""}\n')
    second = _write("b.txt", "")
    assert _problems([first, second]) == (
        "Invalid passages (3 problems): a.jsonl:2: is not JSON (Expecting value at column 1); "
        "a.jsonl:3.text: is empty; b.txt: is empty"
    )


def test_an_unknown_format_is_refused() -> None:
    assert _problems(["a.txt"], "pdf") == (
        "Invalid passages: format: must be one of auto, text, jsonl, csv, html, feed (got 'pdf')"
    )


def test_no_files_is_refused() -> None:
    assert _problems([]) == (
        "Invalid passages: files: none given: name files to read, or - for standard input"
    )
