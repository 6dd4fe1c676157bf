"""``comity drafts list|show|edit|accept|reject``: the review queue of drafts read from text."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from comity.cli.output import MOST_ID, Column, OutputFormat, emit, emit_json, stdout
from comity.cli.state import state_of

__all__ = ["drafts_app"]

drafts_app = typer.Typer(
    help="Draft engagements read from press releases and news: review, change, accept, reject.",
    no_args_is_help=True,
)

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")]
_DRAFT = Annotated[
    int, typer.Argument(min=1, max=MOST_ID, help="The draft's id (see `comity drafts list`).")
]
_FIELDS = ("kind", "title", "programme", "host", "start", "end", "personnel", "location")


def _say(text: str) -> None:
    # Passages come from the web: what they say is printed as it is, never read as markup.
    stdout().print(text, highlight=False, markup=False)


def _nations(draft: dict[str, Any]) -> str:
    return ",".join(p["nation"] for p in draft["values"]["participants"])


def _source(draft: dict[str, Any]) -> str:
    passage = draft["passage"]
    return passage.get("publisher") or passage.get("url") or passage.get("origin") or ""


def _confidence(draft: dict[str, Any]) -> Any:
    return draft["proposed"]["fields"].get("kind", {}).get("confidence")


_DRAFTS = [
    Column("id", lambda d: d["id"], style="bold"),
    Column("status", lambda d: d["status"]),
    Column("kind", lambda d: d["values"]["kind"]),
    Column("title", lambda d: escape(d["values"]["title"] or "")),
    Column("start", lambda d: d["values"]["start"]),
    Column("nations", _nations),
    Column("confidence", _confidence),
    Column("source", lambda d: escape(_source(d)), priority=2, shrink=20),
    Column("queued", lambda d: d["created_at"][:10], priority=2),
]


@drafts_app.command("list")
def list_drafts(
    ctx: typer.Context,
    status: Annotated[
        str, typer.Option("--status", help="pending (waiting), accepted, rejected or all.")
    ] = "pending",
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="At most N.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip the first N.")] = 0,
    as_json: _JSON = False,
) -> None:
    """The drafts of your nation's queue, newest first (pending ones unless --status)."""
    from comity.services import drafts as draft_service

    state = state_of(ctx)
    rows = draft_service.list_drafts(
        state.store(), state.viewer(), status=status, limit=limit, offset=offset
    )
    output = OutputFormat.JSON if as_json else OutputFormat.TABLE
    emit(rows, _DRAFTS, output, title=f"Drafts ({status})", as_dict=dict)
    if output is OutputFormat.TABLE and not rows:
        _say(f"No {'' if status == 'all' else status + ' '}drafts in your queue.")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _quoted(evidence: dict[str, Any] | None) -> str:
    if not evidence or not evidence.get("span"):
        return ""
    return escape(f'"{evidence.get("text", "")}"')


def _sure(evidence: dict[str, Any] | None) -> str:
    confidence = (evidence or {}).get("confidence")
    return "" if confidence is None else f"{confidence:.2f}"


def _print_draft(draft: dict[str, Any]) -> None:
    passage = draft["passage"]
    _say(
        f"Draft {draft['id']}: {draft['status']}, queued by {draft['created_by']} on "
        f"{draft['created_at'][:10]}"
    )
    if draft["status"] == "accepted":
        _say(
            f"  Accepted by {draft['decided_by']} on {(draft['decided_at'] or '')[:10]}: "
            f"engagement {draft['engagement_id']} ({draft['releasability']})"
        )
    elif draft["status"] == "rejected":
        _say(
            f"  Rejected by {draft['decided_by']} on {(draft['decided_at'] or '')[:10]}: "
            f"{draft['reason']}"
        )
    where = [passage.get(k) for k in ("publisher", "published", "url", "origin")]
    _say("Passage" + (f" ({'; '.join(str(w) for w in where if w)})" if any(where) else "") + ":")
    if passage.get("title"):
        _say(f"  {passage['title']}")
    for line in passage["text"].splitlines():
        _say(f"  {line}" if line.strip() else "")
    for reason in draft["reasons"]:
        _say(f"Note: {reason}")
    fields = draft["proposed"]["fields"]
    values, edited = draft["values"], set(draft["edited"])
    emit(
        [
            {
                "field": name,
                "value": escape(_text(values.get(name))) + (" (edited)" if name in edited else ""),
                "quoted": _quoted(fields.get(name)),
                "confidence": _sure(fields.get(name)),
            }
            for name in _FIELDS
        ],
        [
            Column("field", lambda r: r["field"], style="bold"),
            Column("value", lambda r: r["value"]),
            Column("quoted", lambda r: r["quoted"], heading="From the text", shrink=30),
            Column("confidence", lambda r: r["confidence"]),
        ],
        OutputFormat.TABLE,
        title="Proposed fields",
    )
    mentions = {role["nation"]: role for role in draft["proposed"]["roles"]}
    emit(
        values["participants"],
        [
            Column("nation", lambda p: p["nation"], style="bold"),
            Column("role", lambda p: p["role"]),
            Column("personnel", lambda p: _text(p.get("personnel"))),
            Column("quoted", lambda p: _quoted(mentions.get(p["nation"])), heading="From the text"),
            Column("confidence", lambda p: _sure(mentions.get(p["nation"]))),
        ],
        OutputFormat.TABLE,
        title="Nations" + (" (edited)" if "participants" in edited else ""),
    )
    if not draft["duplicates"]:
        _say("No stored event that you may see looks like this one.")
        return
    emit(
        draft["duplicates"],
        [
            Column("id", lambda d: d["id"], style="bold"),
            Column("title", lambda d: escape(d["title"])),
            Column("kind", lambda d: d["kind"]),
            Column("start", lambda d: d["start"]),
            Column("nations", lambda d: ",".join(d["nations"])),
            Column("probability", lambda d: f"{d['probability']:.4f}"),
        ],
        OutputFormat.TABLE,
        title="Stored events it may repeat (accepting links it to one above 0.9)",
    )


@drafts_app.command("show")
def show(ctx: typer.Context, draft: _DRAFT, as_json: _JSON = False) -> None:
    """One draft: its passage, each proposed field with the text it was read from, duplicates."""
    from comity.services import drafts as draft_service

    state = state_of(ctx)
    found = draft_service.get_draft(state.store(), state.viewer(), draft)
    if as_json:
        emit_json(found)
        return
    _print_draft(found)


def _participants(text: str) -> list[Any]:
    """``A,B:host,C:observer:120``: each nation, with its role and personnel where given."""
    entries: list[Any] = []
    for spec in (part.strip() for part in text.split(",")):
        if not spec:
            continue
        nation, *rest = (piece.strip() for piece in spec.split(":"))
        entry: dict[str, Any] = {"nation": nation}
        for piece in rest:
            entry["personnel" if piece.isdigit() else "role"] = piece.lower()
        entries.append(entry if rest else nation)
    return entries


@drafts_app.command("edit")
def edit(
    ctx: typer.Context,
    draft: _DRAFT,
    kind: Annotated[
        str | None, typer.Option("--kind", help="The kind (exercise, visit...).")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The title.")] = None,
    host: Annotated[str | None, typer.Option("--host", help="The host: any name or code.")] = None,
    participants: Annotated[
        str | None,
        typer.Option(
            "--participants",
            help="Every nation taking part, comma-separated: 'Philippines,USA' "
            "(NATION:ROLE:PERSONNEL where needed: 'JPN:observer:40').",
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="Start: YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="End: YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    personnel: Annotated[
        int | None, typer.Option("--personnel", min=0, help="Personnel in all.")
    ] = None,
    location: Annotated[str | None, typer.Option("--location", help="Where.")] = None,
    programme: Annotated[
        str | None, typer.Option("--programme", help="The recurring series it belongs to.")
    ] = None,
) -> None:
    """Change fields of a pending draft (the proposal is kept; the changes are stored beside it)."""
    from comity.services import drafts as draft_service

    given = {
        "kind": kind,
        "title": title,
        "host": host,
        "participants": None if participants is None else _participants(participants),
        "start": start,
        "end": end,
        "personnel": personnel,
        "location": location,
        "programme": programme,
    }
    changes = {name: value for name, value in given.items() if value is not None}
    state = state_of(ctx)
    changed = draft_service.edit_draft(state.store(), state.viewer(), draft, changes)
    _say(f"Draft {changed['id']} changed: {', '.join(sorted(changes))}.")


@drafts_app.command("accept")
def accept(
    ctx: typer.Context,
    draft: _DRAFT,
    releasability: Annotated[
        str | None,
        typer.Option(
            "--releasability", help="Who may see the engagement (default: REL your nation)."
        ),
    ] = None,
    as_json: _JSON = False,
) -> None:
    """Accept a draft: store its engagement, linked to the stored event it repeats."""
    from comity.services import drafts as draft_service

    state = state_of(ctx)
    result = draft_service.accept_draft(state.store(), state.viewer(), draft, releasability)
    if as_json:
        emit_json(result)
        return
    text = (
        f"Draft {result['id']} accepted: engagement {result['engagement_id']} "
        f"({result['releasability']})"
    )
    if result["linked_to"] is not None:
        text += f", one event with engagement {result['linked_to']}"
    if result["for_review"]:
        text += (
            f"; {result['for_review']} possible match(es) for review "
            f"(`comity links review --record {result['engagement_id']}`)"
        )
    _say(text + ".")


@drafts_app.command("reject")
def reject(
    ctx: typer.Context,
    draft: _DRAFT,
    reason: Annotated[
        str, typer.Option("--reason", help="Why it is not recorded (kept in the audit log).")
    ],
) -> None:
    """Reject a draft, saying why."""
    from comity.services import drafts as draft_service

    state = state_of(ctx)
    rejected = draft_service.reject_draft(state.store(), state.viewer(), draft, reason)
    _say(f"Draft {rejected['id']} rejected: {rejected['reason']}")
