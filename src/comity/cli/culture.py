"""``comity briefing``, ``comity calendar``, ``comity culture distance`` and ``comity notes``."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from comity.cli.output import MOST_ID as _MOST_ID
from comity.cli.output import Column, OutputFormat, choose_format, emit, emit_json, stdout
from comity.cli.state import state_of
from comity.culture.windows import SEARCH_DAYS
from comity.model.vocabulary import NoteTopic

if TYPE_CHECKING:
    from comity.culture.calendar_check import CalendarCheck
    from comity.store.notes import StoredNote

__all__ = ["briefing", "calendar_app", "culture_app", "notes_app"]

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")]
_CSV = Annotated[bool, typer.Option("--csv", help="Write CSV (for scripts).")]
_SEARCH = Annotated[
    int,
    typer.Option(
        "--search-days", min=0, max=366, help="How far to look for another window, each way."
    ),
]


class BriefingFormat(StrEnum):
    """How a briefing is written."""

    TEXT = "text"
    JSON = "json"
    HTML = "html"
    PDF = "pdf"


def _parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint=option) from None


def _day(value: str | None, option: str) -> date | None:
    return None if value is None else _parse_day(value, option)


def briefing(
    ctx: typer.Context,
    nation: Annotated[str, typer.Argument(help="The partner nation (any name or code).")],
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: today).")
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="Last day, YYYY-MM-DD (default: 90 days from the first)."),
    ] = None,
    perspective: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Your own nation: adds cultural distance, shared memberships and the tie index.",
        ),
    ] = None,
    file_format: Annotated[
        BriefingFormat, typer.Option("--format", "-f", help="text, json, html or pdf.")
    ] = BriefingFormat.TEXT,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="File to write (default: standard output; pdf needs one)."
        ),
    ] = None,
) -> None:
    """Brief on a partner nation before a visit, an exercise or a course.

    Languages, the country's own names, holidays in the window, weekend days, time zones,
    Hofstede's dimensions and the cultural distance to your nation, shared memberships, ties,
    recent engagements, notes and lessons; missing data is listed as missing.
    """
    from comity.culture.marking import create_print_marking, read_data_version
    from comity.culture.render import render_html, render_pdf, render_text
    from comity.services import culture as culture_service

    if file_format is BriefingFormat.PDF and output is None:
        raise typer.BadParameter("a PDF needs a file to go to", param_hint="--output")
    state = state_of(ctx)
    store, viewer = state.store(), state.viewer()
    result = culture_service.create_briefing(
        store,
        viewer,
        nation,
        start=_day(start, "--from"),
        end=_day(end, "--to"),
        perspective=perspective,
    )
    marking = create_print_marking(result, viewer, read_data_version(store))
    content: str | bytes
    if file_format is BriefingFormat.PDF:
        content = render_pdf(result, marking)
    elif file_format is BriefingFormat.HTML:
        content = render_html(result, marking)
    elif file_format is BriefingFormat.JSON:
        data = {**result.to_dict(), "print_marking": marking.to_dict()}
        content = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        content = render_text(result, marking)
    if isinstance(content, bytes):
        assert output is not None  # checked above: a PDF goes to a file
        output.write_bytes(content)
    elif output is None:
        sys.stdout.write(content)
        return
    else:
        output.write_text(content, encoding="utf-8")
    stdout().print(f"Wrote the {file_format.value} briefing to {output}.", highlight=False)


calendar_app = typer.Typer(
    help="Check dates against participants' holidays and weekends.", no_args_is_help=True
)


def _print_check(check: CalendarCheck, title: str) -> None:
    console = stdout()
    console.print(f"[bold]{escape(title)}[/bold]", highlight=False)
    for key in check.nations:
        found = check.conflicts[key]
        worst = check.worst(key)
        label = f"{check.names[key]} ({key})"
        console.print(
            f"  {escape(label)}: {worst.label if worst else 'no conflict'}", highlight=False
        )
        for c in found:
            weekday = c.to_dict()["weekday"]
            line = f"    {c.day.isoformat()} {weekday:<9} {c.name} ({c.severity.label})"
            console.print(escape(line), highlight=False)
    for notice in check.notices:
        console.print(f"[yellow]Notice:[/yellow] {escape(notice)}", highlight=False)
    if check.rule:
        console.print(escape(check.rule), highlight=False, style="dim")
    if check.suggestions:
        console.print("Nearest other windows:", highlight=False)
    for suggestion in check.suggestions:
        left = ", ".join(sorted({c.severity.label for c in suggestion.conflicts}))
        console.print(
            f"  {suggestion.describe()}: " + (f"still meets {left}" if left else "no conflict"),
            highlight=False,
        )


@calendar_app.command("check")
def check_engagement(
    ctx: typer.Context,
    engagement_id: Annotated[int, typer.Argument(min=1, max=_MOST_ID, help="The engagement's id.")],
    search_days: _SEARCH = SEARCH_DAYS,
    as_json: _JSON = False,
) -> None:
    """List the holidays and weekend days of each participant an engagement falls on.

    Severity: national public holiday, observance or weekend; then the nearest windows of the
    same length with no conflict for any participant.
    """
    from comity.services import culture as culture_service

    state = state_of(ctx)
    result = culture_service.check_engagement_calendar(
        state.store(), state.viewer(), engagement_id, search_days=search_days
    )
    if as_json:
        emit_json(result.to_dict())
        return
    e = result.engagement.engagement
    title = f"Engagement {result.engagement.id}: {e.title} ({result.check.window}, "
    _print_check(result.check, title + f"{result.check.window.days} days)")


@calendar_app.command("window")
def check_window(
    nations: Annotated[list[str], typer.Argument(help="The participants (names or codes).")],
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    search_days: _SEARCH = SEARCH_DAYS,
    host: Annotated[
        str | None,
        typer.Option(
            "--host", help="Where it takes place (name or code): only its weekend counts."
        ),
    ] = None,
    as_json: _JSON = False,
) -> None:
    """Check planned dates (no engagement recorded yet) against the participants' calendars."""
    from comity.culture.calendar_check import check_calendar
    from comity.nations import default_resolver

    first, last = _parse_day(start, "--from"), _parse_day(end, "--to")
    key = default_resolver().resolve(host, year=first.year).iso3 if host else None
    if key is not None:
        nations = [*nations, key]
    result = check_calendar(first, last, nations, search_days=search_days, host=key)
    if as_json:
        emit_json(result.to_dict())
        return
    _print_check(result, f"{result.window} ({result.window.days} days)")


culture_app = typer.Typer(help="Cultural measures between nations.", no_args_is_help=True)


@culture_app.command("distance")
def distance(
    ctx: typer.Context,
    nations: Annotated[list[str], typer.Argument(help="Two or more nations (names or codes).")],
    as_json: _JSON = False,
    as_csv: _CSV = False,
) -> None:
    """Kogut-Singh cultural distance between every pair, from Hofstede's dimensions.

    The table is the square matrix; --csv writes one row per pair (iso3_1 < iso3_2) for joining
    onto dyad tables; nations without scores are missing.
    """
    from comity.services import culture as culture_service

    output = choose_format(as_json, as_csv)
    matrix = culture_service.create_distance_matrix(state_of(ctx).store(), nations)
    if output is OutputFormat.JSON:
        emit_json(
            {
                "method": "Kogut-Singh (1988), sample variance across every scored nation",
                "nations": list(matrix.nations),
                "matrix": matrix.matrix(),
                "pairs": matrix.rows(),
                "unscored": list(matrix.unscored),
                "notices": list(matrix.notices),
            }
        )
        return
    if output is OutputFormat.CSV:
        columns = [
            Column(name, _getter(name))
            for name in ("iso3_1", "iso3_2", "kogut_singh", "dimensions")
        ]
        emit(matrix.rows(), columns, output)
        return
    table = Table(title="Kogut-Singh cultural distance", header_style="bold")
    table.add_column("")
    for key in matrix.nations:
        table.add_column(key, justify="right")
    for key, row in zip(matrix.nations, matrix.matrix(), strict=True):
        table.add_row(key, *("–" if v is None else f"{v:.2f}" for v in row))
    console = stdout()
    console.print(table)
    for notice in matrix.notices:
        console.print(f"[yellow]Notice:[/yellow] {notice}", highlight=False)


def _getter(name: str) -> Any:
    def get(row: dict[str, Any]) -> Any:
        value = row.get(name)
        return round(value, 4) if isinstance(value, float) else value

    return get


notes_app = typer.Typer(
    help="Curated notes on nations: customs, etiquette, language, lessons, protocol.",
    no_args_is_help=True,
)

_NOTE_COLUMNS = [
    Column("id", lambda s: s.id, style="bold"),
    Column("nation", lambda s: s.note.nation),
    Column("topic", lambda s: s.note.topic.value),
    Column("title", lambda s: s.note.title),
    Column("body", lambda s: s.note.body),
    Column("releasability", lambda s: str(s.note.releasability)),
    Column("version", lambda s: s.version, table=False),
    Column("created_by", lambda s: s.created_by, table=False),
    Column("updated_by", lambda s: s.updated_by),
    Column("updated_at", lambda s: s.updated_at.isoformat(timespec="seconds")),
    Column("owner", lambda s: s.owner or ""),
]
_Topic = Annotated[NoteTopic | None, typer.Option("--topic", help="What the note is about.")]
_Release = Annotated[
    str | None,
    typer.Option("--releasability", help="PUBLIC (default), or e.g. 'REL NATO' or 'REL USA'."),
]


@notes_app.command("list")
def list_notes(
    ctx: typer.Context,
    nation: Annotated[str | None, typer.Argument(help="Only notes on this nation.")] = None,
    topic: _Topic = None,
    as_json: _JSON = False,
    as_csv: _CSV = False,
) -> None:
    """List the notes you may see, by nation and topic."""
    from comity.services import culture as culture_service
    from comity.store.notes import StoredNote

    output = choose_format(as_json, as_csv)
    state = state_of(ctx)
    found = culture_service.list_notes(state.store(), state.viewer(), nation=nation, topic=topic)
    if output is not OutputFormat.TABLE:
        emit(found, _NOTE_COLUMNS, output, as_dict=StoredNote.to_dict)
        return
    # Notes are prose: blocks read better than a table that folds every body.
    console = stdout()
    for stored in found:
        n = stored.note
        console.print(
            f"[bold]{escape(f'#{stored.id} {n.nation} [{n.topic.value}] {n.title}')}[/bold] — "
            f"{n.releasability}, {escape(stored.updated_by)} "
            f"{stored.updated_at:%Y-%m-%d} (version {stored.version})",
            highlight=False,
        )
        console.print(f"    {escape(n.body)}", highlight=False)
    if not found:
        console.print("[dim]No notes.[/dim]")


def _show(stored: StoredNote, verb: str) -> None:
    stdout().print(
        f"{verb} note {stored.id} on {stored.note.nation} ({stored.note.topic.value}, "
        f"version {stored.version}).",
        highlight=False,
    )


@notes_app.command("add")
def add_note(
    ctx: typer.Context,
    nation: Annotated[str, typer.Argument(help="The nation the note is about.")],
    title: Annotated[str, typer.Option("--title", "-t", help="Short title.")],
    body: Annotated[str, typer.Option("--body", "-b", help="The text of the note.")],
    topic: Annotated[
        NoteTopic, typer.Option("--topic", help="What the note is about.")
    ] = NoteTopic.OTHER,
    releasability: _Release = None,
) -> None:
    """Write a note on a nation (you are recorded as its author)."""
    from comity.services import culture as culture_service

    state = state_of(ctx)
    data: dict[str, Any] = {"nation": nation, "topic": topic, "title": title, "body": body}
    if releasability is not None:
        data["releasability"] = releasability
    _show(culture_service.add_note(state.store(), data, state.viewer()), "Added")


@notes_app.command("edit")
def edit_note(
    ctx: typer.Context,
    note_id: Annotated[int, typer.Argument(min=1, max=_MOST_ID, help="The note's id.")],
    title: Annotated[str | None, typer.Option("--title", "-t", help="New title.")] = None,
    body: Annotated[str | None, typer.Option("--body", "-b", help="New text.")] = None,
    topic: _Topic = None,
    releasability: _Release = None,
    version: Annotated[
        int | None, typer.Option("--version", help="Refuse if the note changed since this one.")
    ] = None,
) -> None:
    """Change a note's title, text, topic or releasability."""
    from comity.services import culture as culture_service

    changes: dict[str, Any] = {
        k: v
        for k, v in (
            ("title", title),
            ("body", body),
            ("topic", topic),
            ("releasability", releasability),
        )
        if v is not None
    }
    if not changes:
        raise typer.BadParameter("name something to change", param_hint="--title/--body/--topic")
    state = state_of(ctx)
    stored = culture_service.edit_note(
        state.store(), note_id, changes, state.viewer(), expected_version=version
    )
    _show(stored, "Changed")


@notes_app.command("delete")
def delete_note(
    ctx: typer.Context,
    note_id: Annotated[int, typer.Argument(min=1, max=_MOST_ID, help="The note's id.")],
) -> None:
    """Delete a note."""
    from comity.services import culture as culture_service

    state = state_of(ctx)
    culture_service.delete_note(state.store(), note_id, state.viewer())
    stdout().print(f"Deleted note {note_id}.", highlight=False)
