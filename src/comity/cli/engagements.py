"""``comity engagements list|show|add|edit|delete``."""

from __future__ import annotations

import json
import typing
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from comity.cli.output import MOST_ID as _MOST_ID
from comity.cli.output import MOST_ROWS as _MOST
from comity.cli.output import Column, choose_format, emit, emit_json, stdout
from comity.cli.state import state_of
from comity.errors import FieldProblem, ValidationError
from comity.model.vocabulary import EngagementKind

if TYPE_CHECKING:
    from comity.services.periods import EngagementPeriods, Period
    from comity.store.engagements import StoredEngagement

__all__ = ["app"]

app = typer.Typer(help="List, show, add, edit and delete engagements.", no_args_is_help=True)

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")]
_CSV = Annotated[bool, typer.Option("--csv", help="Write CSV (for scripts).")]


def _nations(stored: StoredEngagement) -> str:
    keys = stored.engagement.nations
    shown = ", ".join(keys[:6])
    return shown + (f" +{len(keys) - 6}" if len(keys) > 6 else "")


def _columns(periods: EngagementPeriods) -> list[Column]:
    """The listing's columns: the table shows the period, scripts get start and end too."""
    return [
        Column("id", lambda s: s.id, style="bold"),
        Column("kind", lambda s: s.engagement.kind.value),
        Column("title", lambda s: s.engagement.title),
        Column("start", lambda s: str(s.engagement.start), table=False),
        Column("end", lambda s: str(s.engagement.end) if s.engagement.end else None, table=False),
        Column("period", lambda s: periods.of(s.engagement).text),
        Column("source_ends", lambda s: periods.of(s.engagement).source_ends, table=False),
        Column("host", lambda s: s.engagement.host),
        Column("nations", _nations),
        Column("programme", lambda s: s.engagement.programme, table=False),
        Column("releasability", lambda s: str(s.engagement.releasability)),
    ]


@app.command("list")
def list_engagements(
    ctx: typer.Context,
    nation: Annotated[
        str | None, typer.Option("--nation", "-n", help="Only those this nation takes part in.")
    ] = None,
    partner: Annotated[
        str | None, typer.Option("--partner", help="With --nation: only those both take part in.")
    ] = None,
    kind: Annotated[
        list[EngagementKind] | None, typer.Option("--kind", "-k", help="Only this kind (repeat).")
    ] = None,
    from_year: Annotated[
        int | None, typer.Option("--from-year", help="Active in or after this year.")
    ] = None,
    to_year: Annotated[
        int | None, typer.Option("--to-year", help="Active in or before this year.")
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", "-q", help="Text in the title, description or place.")
    ] = None,
    programme: Annotated[
        str | None, typer.Option("--programme", help="Only this programme (exact name).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=0, max=_MOST, help="At most N rows (default: all).")
    ] = None,
    offset: Annotated[
        int, typer.Option("--offset", min=0, max=_MOST, help="Skip the first N.")
    ] = 0,
    as_json: _JSON = False,
    as_csv: _CSV = False,
) -> None:
    """List engagements, oldest first, filtered by nation, partner, kind, years and text."""
    from comity import services
    from comity.services.periods import engagement_periods

    output = choose_format(as_json, as_csv)
    state = state_of(ctx)
    found = services.list_engagements(
        state.store(),
        state.viewer(),
        nation=nation,
        partner=partner,
        kinds=kind or (),
        from_year=from_year,
        to_year=to_year,
        text=text,
        programme=programme,
        limit=limit,
        offset=offset,
    )
    periods = engagement_periods(state.store())
    emit(found, _columns(periods), output, title="Engagements", as_dict=periods.to_dict)


@app.command("show")
def show_engagement(
    ctx: typer.Context,
    engagement_id: Annotated[
        int, typer.Argument(metavar="ID", min=1, max=_MOST_ID, help="The engagement's id.")
    ],
    as_json: _JSON = False,
) -> None:
    """Show one engagement with its participants, details and sources."""
    from comity import services
    from comity.services.periods import engagement_periods

    state = state_of(ctx)
    store = state.store()
    stored = services.get_engagement(store, engagement_id, state.viewer())
    periods = engagement_periods(store)
    if as_json:
        emit_json(periods.to_dict(stored))
        return
    _print_engagement(stored, periods.of(stored.engagement))


def _print_engagement(stored: StoredEngagement, period: Period) -> None:
    e = stored.engagement
    console = stdout()
    console.print(
        f"[bold]#{stored.id} {e.title}[/bold]  [dim]{e.kind.value}[/dim]", highlight=False
    )
    rows: list[tuple[str, Any]] = [
        ("When", period.text),
        ("Host", e.host),
        ("Where", e.location),
        ("Programme", e.programme),
        ("Objectives", "; ".join(e.objectives) or None),
        ("Description", e.description),
        ("Releasability", str(e.releasability)),
        ("External id", e.external_id),
        (
            "Version",
            f"{stored.version} (updated {stored.updated_at:%Y-%m-%d %H:%M} by {stored.updated_by})",
        ),
    ]
    for label, value in rows:
        if value:
            console.print(f"  {label + ':':15} {value}", highlight=False)
    table = Table(title="Participants", header_style="bold")
    for heading in ("nation", "role", "personnel"):
        table.add_column(heading)
    for p in e.participants:
        table.add_row(p.nation, p.role.value, "" if p.personnel is None else str(p.personnel))
    console.print(table)
    if e.details is not None:
        details = e.details.model_dump(mode="json", exclude={"kind"}, exclude_none=True)
        for key, value in details.items():
            if value not in ((), []):
                shown = ", ".join(value) if isinstance(value, list) else value
                console.print(f"  {key}: {shown}", highlight=False)
    for source in e.sources:
        console.print(f"  source: {source.model_dump(exclude_none=True)}", highlight=False)


def _parse_participant(spec: str, year: int | None) -> dict[str, Any]:
    from comity import services
    from comity.model.engagements import ParticipantRole
    from comity.model.numbers import is_whole

    parts = [p.strip() for p in spec.split(":")]
    if not parts[0]:
        raise ValidationError([FieldProblem("participant", "names no nation", spec)], "engagement")
    entry: dict[str, Any] = {"nation": services.resolve_nation(parts[0], year=year).iso3}
    for part in parts[1:]:
        if is_whole(part):
            entry["personnel"] = int(part)
        elif part.lower() in {r.value for r in ParticipantRole}:
            entry["role"] = part.lower()
        else:
            raise ValidationError(
                [
                    FieldProblem(
                        "participant",
                        "write NATION[:ROLE][:PERSONNEL], ROLE being host, participant or observer",
                        spec,
                    )
                ],
                "engagement",
            )
    return entry


def _detail_fields(kind: EngagementKind) -> dict[str, Any]:
    from comity.model.details import Details

    for model in typing.get_args(typing.get_args(Details)[0]):
        if model.model_fields["kind"].default == kind.value:
            return dict(model.model_fields)
    return {}


def _parse_details(kind: EngagementKind, pairs: list[str]) -> dict[str, Any]:
    fields = _detail_fields(kind)
    details: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValidationError([FieldProblem("detail", "write KEY=VALUE", pair)], "engagement")
        field = fields.get(key)
        if field is not None and typing.get_origin(field.annotation) is tuple:
            details[key] = [v.strip() for v in value.split(",") if v.strip()]
            continue
        try:
            details[key] = json.loads(value)
        except json.JSONDecodeError:
            details[key] = value
    return details


def _year_of(text: str | None) -> int | None:
    from comity.model.dates import PartialDate
    from comity.model.validation import validate_record

    if not text:
        return None
    return validate_record(PartialDate, text, "date").year


_Kind = Annotated[EngagementKind, typer.Option("--kind", "-k", help="What sort of engagement.")]
_Title = Annotated[str, typer.Option("--title", "-t", help="Short title.")]
_Start = Annotated[str, typer.Option("--start", help="Start: YYYY, YYYY-MM or YYYY-MM-DD.")]
_End = Annotated[str | None, typer.Option("--end", help="End: YYYY, YYYY-MM or YYYY-MM-DD.")]
_Host = Annotated[
    str | None, typer.Option("--host", help="Host nation (any name or code); it takes part.")
]
_Participants = Annotated[
    list[str] | None,
    typer.Option(
        "--participant",
        "-p",
        help="NATION[:ROLE][:PERSONNEL], e.g. 'South Korea:500' or JPN:observer (repeat).",
    ),
]
_Location = Annotated[str | None, typer.Option("--location", help="Where, as free text.")]
_Programme = Annotated[
    str | None, typer.Option("--programme", help="Recurring series, e.g. 'Cobra Gold'.")
]
_Objectives = Annotated[
    list[str] | None, typer.Option("--objective", help="An objective (repeat).")
]
_Description = Annotated[str | None, typer.Option("--description", help="Free text.")]
_Details = Annotated[
    list[str] | None,
    typer.Option("--detail", help="Kind-specific KEY=VALUE, e.g. domains=land,sea (repeat)."),
]
_Release = Annotated[
    str | None,
    typer.Option("--releasability", help="PUBLIC (default), or e.g. 'REL NATO' or 'REL USA,AUS'."),
]
_Sources = Annotated[
    list[str] | None, typer.Option("--source", help="A URL or a document reference (repeat).")
]


def _sources(values: list[str]) -> list[dict[str, str]]:
    return [
        {"url": v} if v.startswith(("http://", "https://")) else {"document": v} for v in values
    ]


@app.command("add")
def add_engagement(
    ctx: typer.Context,
    kind: _Kind,
    title: _Title,
    start: _Start,
    end: _End = None,
    host: _Host = None,
    participant: _Participants = None,
    location: _Location = None,
    programme: _Programme = None,
    objective: _Objectives = None,
    description: _Description = None,
    detail: _Details = None,
    releasability: _Release = None,
    source: _Sources = None,
    external_id: Annotated[
        str | None, typer.Option("--external-id", help="A stable key from your own system.")
    ] = None,
    as_json: _JSON = False,
) -> None:
    """Add an engagement. Nations may be given by any name or code.

    Example: comity engagements add --kind exercise --title "Cobra Gold 2010" --start 2010-02
    --host Thailand -p USA:5000 -p Singapore --detail domains=land,sea
    """
    from comity import services
    from comity.services.engagements import assign_host
    from comity.services.periods import engagement_periods

    state = state_of(ctx)
    year = _year_of(start)
    participants = [_parse_participant(p, year) for p in participant or []]
    host_key = services.resolve_nation(host, year=year).iso3 if host else None
    if host_key:
        participants = assign_host(participants, host_key)
    data: dict[str, Any] = {
        "kind": kind,
        "title": title,
        "start": start,
        "end": end,
        "host": host_key,
        "participants": participants,
        "location": location,
        "programme": programme,
        "objectives": objective or [],
        "description": description,
        "details": _parse_details(kind, detail) if detail else None,
        "releasability": releasability,
        "sources": _sources(source or []),
        "external_id": external_id,
    }
    stored = services.add_engagement(state.store(), data, state.viewer())
    if as_json:
        emit_json(engagement_periods(state.store()).to_dict(stored))
    else:
        stdout().print(f"Added engagement {stored.id}: {stored.engagement.title}", highlight=False)


@app.command("edit")
def edit_engagement(
    ctx: typer.Context,
    engagement_id: Annotated[
        int, typer.Argument(metavar="ID", min=1, max=_MOST_ID, help="The engagement's id.")
    ],
    kind: Annotated[EngagementKind | None, typer.Option("--kind", "-k", help="New kind.")] = None,
    title: Annotated[str | None, typer.Option("--title", "-t", help="New title.")] = None,
    start: Annotated[str | None, typer.Option("--start", help="New start date.")] = None,
    end: _End = None,
    host: _Host = None,
    participant: Annotated[
        list[str] | None,
        typer.Option("--participant", "-p", help="Replace all participants (repeat)."),
    ] = None,
    add_participant: Annotated[
        list[str] | None,
        typer.Option("--add-participant", help="Add or replace one participant (repeat)."),
    ] = None,
    remove_participant: Annotated[
        list[str] | None,
        typer.Option("--remove-participant", help="Remove one participant (repeat)."),
    ] = None,
    location: _Location = None,
    programme: _Programme = None,
    objective: Annotated[
        list[str] | None, typer.Option("--objective", help="Replace the objectives (repeat).")
    ] = None,
    description: _Description = None,
    detail: Annotated[
        list[str] | None, typer.Option("--detail", help="Set one detail KEY=VALUE (repeat).")
    ] = None,
    releasability: _Release = None,
    expected_version: Annotated[
        int | None,
        typer.Option("--expected-version", help="Refuse if someone changed it since this version."),
    ] = None,
    as_json: _JSON = False,
) -> None:
    """Change fields of an engagement; the result is validated as a whole."""
    from comity import services
    from comity.services.engagements import assign_host
    from comity.services.periods import engagement_periods

    state = state_of(ctx)
    store, viewer = state.store(), state.viewer()
    current = services.get_engagement(store, engagement_id, viewer).engagement
    year = _year_of(start) or current.start_year
    changes: dict[str, Any] = {
        key: value
        for key, value in {
            "kind": kind,
            "title": title,
            "start": start,
            "end": end,
            "location": location,
            "programme": programme,
            "description": description,
            "releasability": releasability,
            "objectives": objective,
        }.items()
        if value is not None
    }
    participants = [p.model_dump(mode="json") for p in current.participants]
    if participant is not None:
        participants = [_parse_participant(p, year) for p in participant]
    for spec in add_participant or []:
        entry = _parse_participant(spec, year)
        participants = [p for p in participants if p["nation"] != entry["nation"]] + [entry]
    for name in remove_participant or []:
        key = services.resolve_nation(name, year=year).iso3
        participants = [p for p in participants if p["nation"] != key]
    if host:
        changes["host"] = services.resolve_nation(host, year=year).iso3
        participants = assign_host(participants, changes["host"])
    if participant is not None or add_participant or remove_participant or host:
        changes["participants"] = participants
    if detail:
        new_kind = kind or current.kind
        base = (
            current.details.model_dump(mode="json", exclude={"kind"})
            if current.details is not None and new_kind == current.kind
            else {}
        )
        changes["details"] = {**base, **_parse_details(new_kind, detail)}
    if not changes:
        raise typer.BadParameter("nothing to change: give at least one option")
    stored = services.edit_engagement(
        store, engagement_id, changes, viewer, expected_version=expected_version
    )
    if as_json:
        emit_json(engagement_periods(store).to_dict(stored))
    else:
        stdout().print(
            f"Updated engagement {stored.id} (version {stored.version}).", highlight=False
        )


@app.command("delete")
def delete_engagement(
    ctx: typer.Context,
    engagement_id: Annotated[
        int, typer.Argument(metavar="ID", min=1, max=_MOST_ID, help="The engagement's id.")
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an engagement with its participants and sources."""
    from comity import services

    state = state_of(ctx)
    store, viewer = state.store(), state.viewer()
    stored = services.get_engagement(store, engagement_id, viewer)
    if not yes:
        typer.confirm(f"Delete engagement {engagement_id} ({stored.engagement.title})?", abort=True)
    services.delete_engagement(store, engagement_id, viewer)
    stdout().print(f"Deleted engagement {engagement_id}.", highlight=False)
