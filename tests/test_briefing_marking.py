"""The marking of a printed briefing: releasability, the viewer's nation, the date, the data."""

from __future__ import annotations

import re
import warnings
from datetime import date

import pytest

from comity import services
from comity.access import Role, Viewer
from comity.culture.briefing import Briefing
from comity.culture.marking import create_print_marking, most_restrictive, read_data_version
from comity.culture.render import render_html, render_pdf, render_text
from comity.model.releasability import Releasability
from comity.services import culture
from comity.store import Store

AMERICAN = Viewer(name="planner.usa", nation="USA", role=Role.PLANNER)
PRODUCED = date(2026, 5, 4)


@pytest.mark.parametrize(
    ("labels", "viewer_nation", "marking"),
    [
        ([], "USA", "PUBLIC"),
        (["PUBLIC", "PUBLIC"], None, "PUBLIC"),
        (["PUBLIC", "REL NATO"], "USA", "REL NATO"),
        (["REL NATO", "REL NATO,USA"], "FRA", "REL NATO"),
        (["REL GBR,USA", "REL AUS,GBR,USA"], "USA", "REL GBR,USA"),
        # No target in common: the viewer's own nation, which may see both.
        (["REL NATO", "REL USA"], "USA", "REL USA"),
        (["REL NATO", "REL USA"], None, "REL NATO + REL USA"),
    ],
)
def test_the_marking_is_the_most_restrictive_label(
    labels: list[str], viewer_nation: str | None, marking: str
) -> None:
    parsed = [Releasability.parse(label) for label in labels]
    assert most_restrictive(parsed, viewer_nation) == marking


def _briefing(store: Store, viewer: Viewer) -> Briefing:
    return culture.create_briefing(
        store, viewer, "SAU", start=date(2027, 3, 1), end=date(2027, 3, 20)
    )


@pytest.fixture
def labelled(store: Store) -> Store:
    """The store with one public note and one REL USA note on Saudi Arabia."""
    for title, label in (("Coffee", "PUBLIC"), ("Majlis", "REL USA")):
        culture.add_note(
            store,
            {"nation": "SAU", "title": title, "body": "...", "releasability": label},
            AMERICAN,
        )
    return store


def test_a_briefing_with_a_rel_usa_note_is_marked_rel_usa(labelled: Store) -> None:
    marking = create_print_marking(
        _briefing(labelled, AMERICAN), AMERICAN, read_data_version(labelled), produced=PRODUCED
    )
    assert marking.marking == "REL USA"
    assert marking.labels == (("PUBLIC", 1), ("REL USA", 1))
    assert re.fullmatch(r"[0-9a-f]{16}", marking.data_version)
    assert marking.footer == (
        f"REL USA · Produced 2026-05-04 for a viewer of United States (USA) · "
        f"Data version {marking.data_version}"
    )


def test_a_public_briefing_is_marked_public(store: Store) -> None:
    marking = create_print_marking(_briefing(store, AMERICAN), AMERICAN, "abc", produced=PRODUCED)
    assert marking.marking == "PUBLIC"
    assert marking.describe_labels() == "No record listed."


def test_the_data_version_changes_with_the_records(store: Store) -> None:
    before = read_data_version(store)
    services.add_engagement(
        store,
        {
            "kind": "visit",
            "title": "Staff talks",
            "start": "2026-04-01",
            "participants": [{"nation": "SAU"}, {"nation": "USA"}],
        },
        AMERICAN,
    )
    assert read_data_version(store) != before


def test_text_and_html_carry_the_marking_at_head_and_foot(labelled: Store) -> None:
    briefing = _briefing(labelled, AMERICAN)
    marking = create_print_marking(briefing, AMERICAN, "0123456789abcdef", produced=PRODUCED)
    text = render_text(briefing, marking)
    assert text.startswith("REL USA\n\nBriefing: Saudi Arabia (SAU)\n")
    assert text.endswith(
        "Records listed: 1 PUBLIC, 1 REL USA.\nREL USA · Produced 2026-05-04 for a viewer of "
        "United States (USA) · Data version 0123456789abcdef\n"
    )
    html = render_html(briefing, marking)
    assert '<p class="marking" id="marking-header">REL USA</p>' in html
    assert '@top-center { content: "REL USA";' in html
    assert (
        '@bottom-center { content: "REL USA · Produced 2026-05-04 for a viewer of United '
        'States (USA) · Data version 0123456789abcdef";' in html
    )


def _page_texts(html: str) -> list[str]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint

    document = weasyprint.HTML(string=html).render()
    # WeasyPrint's laid-out pages: the text of every box, margin boxes (header, footer) too.
    return [
        " ".join(box.text for box in page._page_box.descendants() if getattr(box, "text", None))
        for page in document.pages
    ]


def test_every_pdf_page_has_the_header_and_footer(labelled: Store) -> None:
    briefing = _briefing(labelled, AMERICAN)
    marking = create_print_marking(briefing, AMERICAN, "0123456789abcdef", produced=PRODUCED)
    assert render_pdf(briefing, marking).startswith(b"%PDF")
    pages = _page_texts(render_html(briefing, marking))
    assert len(pages) >= 2
    for text in pages:
        assert text.count("REL USA") >= 2, text[:200]
        assert "Produced 2026-05-04 for a viewer of United States (USA)" in text
        assert "Data version 0123456789abcdef" in text
