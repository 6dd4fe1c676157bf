"""Briefings as plain text, printable HTML and PDF, all made from :meth:`Briefing.to_dict`.

The HTML comes from the Jinja2 template ``templates/briefing.html``, whose stylesheet is inline
(with print rules: A4 pages, no page break inside a section) and which loads nothing from
anywhere: no fonts, images or scripts. The PDF is WeasyPrint's rendering of that HTML, with a URL
fetcher that refuses every URL, so rendering never touches the network.

Given a :class:`~comity.culture.marking.PrintMarking`, every rendering carries it: the text at
its top and foot, the HTML and PDF in the header and footer of every printed page.
"""

from __future__ import annotations

import warnings
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from comity.culture.briefing import Briefing
from comity.culture.marking import PrintMarking
from comity.errors import ComityError

__all__ = ["render_html", "render_pdf", "render_text"]


def _number(value: float | None, places: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:.{places}f}" if places else f"{value:g}"


def _share(value: float | None) -> str:
    return "share unknown" if value is None else f"{value:g}% of the population"


def _section(lines: list[str], title: str) -> None:
    lines.extend(["", title, "-" * len(title)])


def _text_header(d: dict[str, Any], lines: list[str]) -> None:
    nation, window = d["nation"], d["window"]
    lines.append(d["title"])
    lines.append("=" * len(d["title"]))
    facts = [nation["official_name"], nation["region"]]
    lines.append(" · ".join(f for f in facts if f))
    span = f"{window['start']} to {window['end']} ({window['days']} days)"
    if not window["given"]:
        span += ", the default window"
    lines.append(f"Window: {span}")
    perspective = d["perspective"]
    seen = f"{perspective['name']} ({perspective['iso3']})" if perspective else "no nation given"
    lines.append(f"Seen from: {seen}")


def _text_languages(d: dict[str, Any], lines: list[str]) -> None:
    _section(lines, "Languages")
    for lang in d["languages"]:
        own = f" ({lang['autonym']})" if lang["autonym"] and lang["autonym"] != lang["name"] else ""
        status = f"{lang['status']}, " if lang["status"] else ""
        lines.append(f"  {lang['name']}{own}: {status}{_share(lang['share'])}")
    if not d["languages"]:
        lines.append("  No language data.")
    if d["native_names"]:
        lines.append("  The country's name in its own languages:")
        for name in d["native_names"]:
            lines.append(f"    {name['language']}: {name['name']}")


def _text_calendar(d: dict[str, Any], lines: list[str]) -> None:
    _section(lines, "Calendar")
    for weekend in d["weekend"]:
        span = ""
        if weekend["valid_from"] or weekend["valid_to"]:
            span = f" ({weekend['valid_from'] or '…'} to {weekend['valid_to'] or '…'})"
        lines.append(f"  Weekend: {weekend['text']}{span}")
    if not d["weekend"]:
        lines.append("  Weekend: no data.")
    zones = [f"{z['name']} (UTC{', '.join(z['utc_offsets'])})" for z in d["time_zones"]]
    lines.append("  Time zones: " + ("; ".join(zones) if zones else "no data."))
    if d["observances"]:
        lines.append("  Seasons overlapping the window:")
    for season in d["observances"]:
        lines.append(
            f"    {season['start']} to {season['end']}  {season['name']} ({season['days']} days)"
        )
        lines.append(f"      {season['meaning']}")
        lines.append(f"      Why listed: {season['reason']} Dates: {season['source']}.")
    lines.append(f"  Holidays and observances, {d['window']['start']} to {d['window']['end']}:")
    for holiday in d["holidays"]:
        kind = (
            "national public holiday"
            if holiday["severity"] == "public_holiday"
            else (f"observance ({holiday['category']})")
        )
        lines.append(f"    {holiday['date']}  {holiday['name']} — {kind}")
    if not d["holidays"]:
        lines.append("    none known (see Missing data).")


def _text_culture(d: dict[str, Any], lines: list[str]) -> None:
    _section(lines, "Culture (Hofstede dimensions, 0-120)")
    h, perspective = d["hofstede"], d["perspective"]
    own = d["nation"]["iso3"]
    heading = f"  {'dimension':24}{own:>6}"
    if perspective:
        heading += f"{perspective['iso3']:>6}"
    lines.append(heading)
    for dim in h["dimensions"]:
        row = f"  {dim['name']:24}{_number(dim['score']):>6}"
        if perspective:
            row += f"{_number(dim['perspective_score']):>6}"
        lines.append(row)
    if h["summary"]:
        lines.append(f"  {h['summary']}")
        lines.append(f"  {h['comparison']}")
    if h["refusal"]:
        lines.append(f"  Cultural distance: {h['refusal']}")


def _text_relations(d: dict[str, Any], lines: list[str]) -> None:
    perspective = d["perspective"]
    _section(lines, f"Relations with {perspective['iso3']}" if perspective else "Relations")
    m = d["memberships"]
    label = "Shared memberships" if m["shared"] else "Memberships"
    orgs = [f"{o['name']} ({o['code']}, since {o['since']})" for o in m["organisations"]]
    lines.append(f"  {label} in {m['year']}: " + ("; ".join(orgs) if orgs else "none recorded."))
    ties = d["ties"]
    if ties:
        trend = (
            f", {ties['trend']} ({ties['change_5y']:+.1f} over 5 years)" if ties["trend"] else ""
        )
        lines.append(
            f"  Tie index: {ties['latest_index']:.1f} in {ties['latest_year']}{trend}; "
            + ", ".join(f"{y['year']}: {y['index']:.1f}" for y in ties["years"])
        )
        if ties.get("estimate"):
            e = ties["estimate"]
            lines.append(
                f"  Best estimate for {e['year']}: {e['index']:.1f} "
                f"({e['projected_share']:.0%} projected beyond the sources' coverage)."
            )
        if ties.get("caution"):
            lines.append(f"  Caution: {ties['caution']}")
        if ties.get("data_through"):
            lines.append(f"  Index {ties['data_through']}.")
    elif perspective:
        lines.append("  Tie index: no recorded ties.")
    e = d["engagements"]
    lines.append(
        f"  Engagements recorded: {e['count']}" + ("; the most recent:" if e["recent"] else ".")
    )
    for item in reversed(e["recent"]):
        end = f" to {item['end']}" if item["end"] else ""
        source = f" [source id {item['source_id']}]" if item["source_id"] else ""
        lines.append(
            f"    #{item['id']} {item['start']}{end} {item['kind']}: {item['title']}{source} "
            f"({_few(item['nations'])})"
        )
    lines.append(f"  {d['plans']}")


def _text_notes(d: dict[str, Any], lines: list[str]) -> None:
    _section(lines, "Notes")
    for note in d["notes"]:
        lines.append(
            f"  [{note['topic']}] {note['title']} (note {note['id']}, {note['releasability']})"
        )
        lines.append(f"    {note['body']}")
        lines.append(f"    — {note['updated_by']}, {note['updated_at'][:10]}")
    if not d["notes"]:
        lines.append("  No notes.")
    _section(lines, "Lessons from assessments")
    for lesson in d["lessons"]:
        lines.append(
            f"  #{lesson['engagement_id']} {lesson['engagement']} ({lesson['assessed_on']})"
        )
        if lesson["lessons"]:
            lines.append(f"    Lessons: {lesson['lessons']}")
        if lesson["cultural_notes"]:
            lines.append(f"    Cultural notes: {lesson['cultural_notes']}")
    if not d["lessons"]:
        lines.append("  No assessment with lessons.")


def render_text(briefing: Briefing, marking: PrintMarking | None = None) -> str:
    """The briefing as plain text, for a terminal or a note.

    Args:
        briefing: The briefing.
        marking: Its releasability, reader, date and data version, written first and last.
    """
    d = briefing.to_dict()
    lines: list[str] = []
    if marking is not None:
        lines.extend([marking.header, ""])
    _text_header(d, lines)
    _text_languages(d, lines)
    _text_calendar(d, lines)
    _text_culture(d, lines)
    _text_relations(d, lines)
    _text_notes(d, lines)
    _section(lines, "Missing data")
    lines.extend(f"  - {item}" for item in d["missing"])
    _section(lines, "Sources")
    lines.extend(f"  - {item}" for item in d["sources"])
    if marking is not None:
        lines.extend(["", marking.describe_labels(), marking.footer])
    return "\n".join(lines) + "\n"


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("comity.culture", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;()-_/+·" else f"\\{ord(ch):x} " for ch in text
    )
    return Markup(f'"{escaped}"')


def render_html(briefing: Briefing, marking: PrintMarking | None = None) -> str:
    """The briefing as a printable HTML page (one file, nothing loaded from elsewhere).

    Args:
        briefing: The briefing.
        marking: Its releasability, reader, date and data version, printed at the head and
            foot of every page.
    """
    template = _environment().get_template("briefing.html")
    return template.render(
        b=briefing.to_dict(),
        m=marking.to_dict() if marking else None,
        labels=marking.describe_labels() if marking else None,
        number=_number,
        share=_share,
        css_string=_css_string,
    )


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ComityError(f"A briefing loads nothing from elsewhere; it asked for {url!r}.")


def render_pdf(briefing: Briefing, marking: PrintMarking | None = None) -> bytes:
    """The briefing as PDF (WeasyPrint's rendering of :func:`render_html`).

    Args:
        briefing: The briefing.
        marking: Its releasability, reader, date and data version, in the header and footer
            of every page.

    Raises:
        ComityError: When the page tries to load anything (it never should).
    """
    with warnings.catch_warnings():
        # WeasyPrint warns at import when libharfbuzz-subset is missing (Debian's
        # libharfbuzz-subset0); PDFs still render, with whole fonts embedded.
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint

    document = weasyprint.HTML(string=render_html(briefing, marking), url_fetcher=_refuse)
    pdf: bytes = document.write_pdf()
    return pdf


def _few(nations: list[str], shown: int = 6, most: int = 8) -> str:
    """Up to ``most`` nations in full; beyond, the first ``shown`` and how many more."""
    if len(nations) <= most:
        return ", ".join(nations)
    return f"{', '.join(nations[:shown])} and {len(nations) - shown} more"
