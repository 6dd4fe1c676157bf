"""``comity links run|review|show|accept|reject|undo|split|event``: one event, many sources."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from comity.cli.output import Column, OutputFormat, choose_format, emit, emit_json, stdout
from comity.cli.state import state_of

__all__ = ["links_app"]

links_app = typer.Typer(
    help="Records of one event from several sources: review the uncertain links, decide, undo.",
    no_args_is_help=True,
)

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")]
_CSV = Annotated[bool, typer.Option("--csv", help="Write CSV (for scripts).")]
_REASON = Annotated[str | None, typer.Option("--reason", help="Why (kept in the audit log).")]
_LINK = Annotated[int, typer.Argument(help="The link's id (see `comity links review`).")]


def _say(text: str) -> None:
    stdout().print(text, highlight=False)


def _brief(record: dict[str, Any]) -> str:
    start = record["start"]
    day = start["value"] if isinstance(start, dict) else start
    nations = ",".join(p["nation"] for p in record["participants"])
    source = (record.get("provenance") or {}).get("dataset") or "entered by hand"
    return f"#{record['id']} {record['title']} ({day}; {nations}; {source})"


_LINKS = [
    Column("id", lambda link: link["id"], style="bold"),
    Column("probability", lambda link: round(link["probability"], 4)),
    Column("status", lambda link: link["status"]),
    Column("left", lambda link: _brief(link["records"][0])),
    Column("right", lambda link: _brief(link["records"][1])),
    Column("decided_by", lambda link: link["decided_by"] or ""),
]


@links_app.command("run")
def run(ctx: typer.Context, as_json: _JSON = False) -> None:
    """Score every pair of records again and store the links (the installation's operator)."""
    from comity.services import links as link_service

    state = state_of(ctx)
    report = link_service.link_store_records(state.store(), state.viewer())
    if as_json:
        emit_json(report.to_dict())
        return
    _say(
        f"{report.records:,} records, {report.scored:,} pairs scored: {report.linked:,} linked, "
        f"{report.review:,} for review ({report.seconds:.1f} s)."
    )


@links_app.command("review")
def review(
    ctx: typer.Context,
    status: Annotated[
        str, typer.Option("--status", help="review (waiting), linked or rejected.")
    ] = "review",
    record: Annotated[
        int | None, typer.Option("--record", help="Only the links of this engagement.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="At most N.")] = 20,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip the first N.")] = 0,
    as_json: _JSON = False,
    as_csv: _CSV = False,
) -> None:
    """The links waiting for a decision (or of a status), likeliest first."""
    from comity.services import links as link_service

    output = choose_format(as_json, as_csv)
    state = state_of(ctx)
    rows = link_service.list_links(
        state.store(), state.viewer(), status=status, record=record, limit=limit, offset=offset
    )
    emit(rows, _LINKS, output, title=f"Links ({status})", as_dict=dict)
    if output is OutputFormat.TABLE and not rows:
        _say(f"No {status} links that you may see.")


@links_app.command("show")
def show(ctx: typer.Context, link: _LINK, as_json: _JSON = False) -> None:
    """One link: its two records side by side and what each comparison found."""
    from comity.services import links as link_service

    state = state_of(ctx)
    found = link_service.get_link(state.store(), state.viewer(), link)
    if as_json:
        emit_json(found)
        return
    left, right = found["records"]
    console = stdout()
    console.print(
        f"Link {found['id']}: probability {found['probability']:.4f}, match weight "
        f"{found['weight']:+.2f}, {found['status']}"
        + (f" (decided by {found['decided_by']})" if found["decided_by"] else ""),
        highlight=False,
    )
    emit(
        [
            {"field": name, "left": _text(left.get(name)), "right": _text(right.get(name))}
            for name in ("id", "kind", "title", "start", "end", "host", "location", "programme")
        ]
        + [
            {
                "field": "nations",
                "left": ",".join(p["nation"] for p in left["participants"]),
                "right": ",".join(p["nation"] for p in right["participants"]),
            },
            {
                "field": "source",
                "left": _text((left.get("provenance") or {}).get("dataset")),
                "right": _text((right.get("provenance") or {}).get("dataset")),
            },
        ],
        [
            Column("field", lambda r: r["field"], style="bold"),
            Column("left", lambda r: r["left"]),
            Column("right", lambda r: r["right"]),
        ],
        OutputFormat.TABLE,
        title="The two records",
    )
    emit(
        [{"comparison": k, **v} for k, v in found["explanation"].items()],
        [
            Column("comparison", lambda r: r["comparison"], style="bold"),
            Column("found", lambda r: r["level"]),
            Column("match weight", lambda r: f"{r['weight']:+.2f}"),
        ],
        OutputFormat.TABLE,
        title="Why (match weights add up; above 0 is for one event)",
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and "value" in value:
        return f"{value['value']} ({value.get('precision', 'day')})"
    return str(value)


def _decided(result: dict[str, Any], verb: str) -> None:
    _say(f"Link {result['id']} {verb}: now {result['status']}.")


@links_app.command("accept")
def accept(ctx: typer.Context, link: _LINK, reason: _REASON = None) -> None:
    """The two records are one event."""
    from comity.services import links as link_service

    state = state_of(ctx)
    _decided(link_service.accept_link(state.store(), state.viewer(), link, reason), "accepted")


@links_app.command("reject")
def reject(ctx: typer.Context, link: _LINK, reason: _REASON = None) -> None:
    """The two records are two events."""
    from comity.services import links as link_service

    state = state_of(ctx)
    _decided(link_service.reject_link(state.store(), state.viewer(), link, reason), "rejected")


@links_app.command("undo")
def undo(ctx: typer.Context, link: _LINK) -> None:
    """Undo a decision: the link goes back to what the model says."""
    from comity.services import links as link_service

    state = state_of(ctx)
    _decided(link_service.undo_link(state.store(), state.viewer(), link), "undone")


@links_app.command("split")
def split(
    ctx: typer.Context,
    record: Annotated[int, typer.Argument(help="The engagement to take out of its event.")],
    reason: _REASON = None,
) -> None:
    """Take a record out of its event: each of its links is rejected."""
    from comity.services import links as link_service

    state = state_of(ctx)
    done = link_service.split_record(state.store(), state.viewer(), record, reason)
    _say(
        f"Engagement {record} split from {len(done)} record(s)."
        if done
        else f"Engagement {record} is linked to no record you may see."
    )


@links_app.command("event")
def event(
    ctx: typer.Context,
    record: Annotated[int, typer.Argument(help="An engagement of the event.")],
    as_json: _JSON = False,
) -> None:
    """The event a record belongs to: its records and the source of each field."""
    from comity.services import links as link_service

    state = state_of(ctx)
    found = link_service.event_of(state.store(), state.viewer(), record)
    if as_json:
        emit_json(found)
        return
    _say(f"Event of {len(found['records'])} record(s):")
    for item in found["records"]:
        _say(f"  {_brief(item)}")
    emit(
        [{"field": k, **v} for k, v in found["fields"].items()],
        [
            Column("field", lambda r: r["field"], style="bold"),
            Column("value", lambda r: _text(r["value"])),
            Column("from record", lambda r: r["record"]),
        ],
        OutputFormat.TABLE,
        title="Fields and their source",
    )
