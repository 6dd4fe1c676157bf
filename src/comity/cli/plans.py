"""``comity plans``: add, list, show and edit plans; move them through approval; friction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from comity.cli.output import Column, choose_format, emit, emit_json, stdout
from comity.cli.state import state_of
from comity.errors import FieldProblem, ValidationError
from comity.model.vocabulary import Agency, EngagementKind, PlanState
from comity.planning.friction import FrictionBy

if TYPE_CHECKING:
    from comity.store.plans import StoredPlan

__all__ = ["app"]

app = typer.Typer(
    help="Plan engagements and move them through approval, execution and assessment.",
    no_args_is_help=True,
)

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")]
_CSV = Annotated[bool, typer.Option("--csv", help="Write CSV (for scripts).")]
_Id = Annotated[int, typer.Argument(metavar="ID", help="The plan's id.")]
_Reason = Annotated[str | None, typer.Option("--reason", "-r", help="Why, in words.")]

_COLUMNS = [
    Column("id", lambda s: s.id, style="bold"),
    Column("state", lambda s: s.state.value),
    Column("kind", lambda s: s.plan.kind.value),
    Column("title", lambda s: s.plan.title),
    Column("start", lambda s: s.plan.start.isoformat()),
    Column("end", lambda s: s.plan.end.isoformat()),
    Column("partners", lambda s: ", ".join(s.plan.nations)),
    Column("budget", lambda s: str(s.plan.budget) if s.plan.budget else None),
    Column("agencies", lambda s: ", ".join(a.value for a in s.plan.agencies)),
    Column("approved_by", lambda s: ", ".join(s.approved_by)),
    Column("owner", lambda s: s.plan.owner, table=False),
    Column("releasability", lambda s: str(s.plan.releasability)),
]


def _partner(spec: str) -> dict[str, Any]:
    from comity.model.engagements import ParticipantRole
    from comity.model.numbers import is_whole

    parts = [p.strip() for p in spec.split(":")]
    entry: dict[str, Any] = {"nation": parts[0]}
    for part in parts[1:]:
        if is_whole(part):
            entry["personnel"] = int(part)
        elif part.lower() in {r.value for r in ParticipantRole}:
            entry["role"] = part.lower()
        else:
            raise ValidationError(
                [
                    FieldProblem(
                        "partner",
                        "write NATION[:ROLE][:PERSONNEL], ROLE being host, participant or observer",
                        spec,
                    )
                ],
                "plan",
            )
    return entry


def _budget(text: str | None) -> dict[str, str] | None:
    if text is None:
        return None
    amount, _, currency = text.strip().partition(" ")
    if not currency.strip():
        raise ValidationError(
            [FieldProblem("budget", "write AMOUNT CURRENCY, e.g. '250000 EUR'", text)], "plan"
        )
    return {"amount": amount.replace(",", ""), "currency": currency.strip()}


def _says(stored: StoredPlan, verb: str) -> None:
    stdout().print(f"Plan {stored.id} {verb}: now {stored.state.value}.", highlight=False)


_Partners = Annotated[
    list[str] | None,
    typer.Option(
        "--partner",
        "-p",
        help="NATION[:ROLE][:PERSONNEL], e.g. Thailand:host:300 or USA:500 (repeat).",
    ),
]
_Agencies = Annotated[
    list[Agency] | None, typer.Option("--agency", "-a", help="An agency whose approval it needs.")
]
_Budget = Annotated[
    str | None, typer.Option("--budget", help="AMOUNT CURRENCY, e.g. '250000 EUR'.")
]
_Release = Annotated[
    str | None, typer.Option("--releasability", help="PUBLIC (default), or e.g. 'REL USA,GBR'.")
]
_SHARED_HELP = (
    "Share with partner installations (when releasable to them): the plan travels in exchange "
    "bundles, without its budget."
)


@app.command("add")
def add_plan(
    ctx: typer.Context,
    title: Annotated[str, typer.Option("--title", "-t", help="Short title.")],
    kind: Annotated[EngagementKind, typer.Option("--kind", "-k", help="What it will be.")],
    start: Annotated[str, typer.Option("--start", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--end", help="Last day, YYYY-MM-DD.")],
    partner: _Partners = None,
    agency: _Agencies = None,
    objective: Annotated[list[str] | None, typer.Option("--objective", help="(repeat)")] = None,
    location: Annotated[str | None, typer.Option("--location", help="Where.")] = None,
    budget: _Budget = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Responsible account.")] = None,
    releasability: _Release = None,
    shared: Annotated[bool, typer.Option("--shared/--not-shared", help=_SHARED_HELP)] = False,
    as_json: _JSON = False,
) -> None:
    """Add a plan, as a draft. Partners may be given by any name or code.

    Example: comity plans add -t "Cobra Gold 2027" -k exercise --start 2027-02-22
    --end 2027-03-05 -p Thailand:host -p USA:5000 -a policy -a finance --budget "2500000 USD"
    """
    from comity.services import plans as plan_service

    state = state_of(ctx)
    data = plan_service.resolve_partners(
        {
            "title": title,
            "kind": kind,
            "start": start,
            "end": end,
            "partners": [_partner(p) for p in partner or []],
            "agencies": [a.value for a in agency or []],
            "objectives": objective or [],
            "location": location,
            "budget": _budget(budget),
            "owner": owner,
            "releasability": releasability,
            "shared": shared,
        }
    )
    stored = plan_service.add_plan(state.store(), data, state.viewer())
    if as_json:
        emit_json(stored.to_dict())
    else:
        stdout().print(f"Added plan {stored.id}: {stored.plan.title} (draft)", highlight=False)


@app.command("list")
def list_plans(
    ctx: typer.Context,
    plan_state: Annotated[
        list[PlanState] | None, typer.Option("--state", "-s", help="Only this state (repeat).")
    ] = None,
    nation: Annotated[
        str | None, typer.Option("--nation", "-n", help="Only those this nation takes part in.")
    ] = None,
    as_json: _JSON = False,
    as_csv: _CSV = False,
) -> None:
    """List the plans you may see, soonest first."""
    from comity.services import plans as plan_service
    from comity.store.plans import StoredPlan

    output = choose_format(as_json, as_csv)
    state = state_of(ctx)
    found = plan_service.list_plans(
        state.store(), state.viewer(), states=plan_state or (), nation=nation
    )
    emit(found, _COLUMNS, output, title="Plans", as_dict=StoredPlan.to_dict)


@app.command("show")
def show_plan(ctx: typer.Context, plan_id: _Id, as_json: _JSON = False) -> None:
    """Show one plan with its partners, approvals, calendar warnings and history."""
    from comity.services import plans as plan_service

    state = state_of(ctx)
    stored = plan_service.get_plan(state.store(), plan_id, state.viewer())
    if as_json:
        emit_json(stored.to_dict())
        return
    p, console = stored.plan, stdout()
    console.print(
        f"[bold]#{stored.id} {p.title}[/bold]  [dim]{p.kind.value}, {stored.state.value}[/dim]",
        highlight=False,
    )
    needed = ", ".join(a.value for a in p.agencies)
    rows = [
        ("When", f"{p.start} to {p.end}"),
        ("Where", p.location),
        ("Budget", str(p.budget) if p.budget else None),
        ("Objectives", "; ".join(p.objectives)),
        ("Agencies", needed),
        ("Approved by", ", ".join(stored.approved_by) or "none yet"),
        ("Owner", p.owner),
        ("Releasability", str(p.releasability)),
        ("Shared", _sharing(stored)),
        ("Engagement", str(stored.engagement_id) if stored.engagement_id else None),
    ]
    for label, value in rows:
        if value:
            console.print(f"  {label + ':':15} {value}", highlight=False)
    partners = Table(title="Partners", header_style="bold")
    for heading in ("nation", "role", "personnel"):
        partners.add_column(heading)
    for q in p.partners:
        partners.add_row(q.nation, q.role.value, "" if q.personnel is None else str(q.personnel))
    console.print(partners)
    for line in _warnings(stored):
        console.print(f"  [yellow]calendar:[/yellow] {line}", highlight=False)
    history = Table(title="History", header_style="bold")
    for heading in ("when", "from", "to", "who", "why"):
        history.add_column(heading)
    for t in stored.transitions:
        history.add_row(
            f"{t.at:%Y-%m-%d %H:%M}",
            t.from_state.value if t.from_state else "",
            t.to_state.value,
            t.actor,
            t.reason or "",
        )
    console.print(history)


def _sharing(stored: StoredPlan) -> str:
    if stored.received_from is not None:
        return (
            f"received from {stored.received_from} (its plan {stored.id_at_origin}); it follows "
            f"{stored.received_from}'s approval, never sent on"
        )
    if stored.plan.shared:
        return "yes, with partner installations that may read it"
    return "no"


def _warnings(stored: StoredPlan) -> list[str]:
    found = stored.calendar_warnings or {}
    lines = [
        # A weekend day is said once ("weekend"), a holiday by its name and kind.
        f"{c['date']} {c['weekday']} {n['nation']}: "
        + (
            "weekend"
            if c.get("category") == "weekend"
            else f"{c['name']} ({c['severity'].replace('_', ' ')})"
        )
        for n in found.get("nations", [])
        for c in n.get("conflicts", [])
    ]
    return lines + list(found.get("notices", []))


@app.command("edit")
def edit_plan(
    ctx: typer.Context,
    plan_id: _Id,
    title: Annotated[str | None, typer.Option("--title", "-t", help="New title.")] = None,
    kind: Annotated[EngagementKind | None, typer.Option("--kind", "-k", help="New kind.")] = None,
    start: Annotated[str | None, typer.Option("--start", help="New first day.")] = None,
    end: Annotated[str | None, typer.Option("--end", help="New last day.")] = None,
    partner: Annotated[
        list[str] | None, typer.Option("--partner", "-p", help="Replace all partners (repeat).")
    ] = None,
    agency: Annotated[
        list[Agency] | None, typer.Option("--agency", "-a", help="Replace the agencies (repeat).")
    ] = None,
    objective: Annotated[
        list[str] | None, typer.Option("--objective", help="Replace the objectives (repeat).")
    ] = None,
    location: Annotated[str | None, typer.Option("--location", help="New place.")] = None,
    budget: _Budget = None,
    releasability: _Release = None,
    shared: Annotated[
        bool | None, typer.Option("--shared/--not-shared", help=_SHARED_HELP, show_default=False)
    ] = None,
    as_json: _JSON = False,
) -> None:
    """Change fields of a draft or returned plan; the result is validated as a whole."""
    from comity.services import plans as plan_service

    state = state_of(ctx)
    changes: dict[str, Any] = {
        k: v
        for k, v in {
            "title": title,
            "kind": kind,
            "start": start,
            "end": end,
            "objectives": objective,
            "location": location,
            "budget": _budget(budget),
            "releasability": releasability,
            "shared": shared,
            "agencies": [a.value for a in agency] if agency else None,
        }.items()
        if v is not None
    }
    if partner:
        changes["partners"] = plan_service.resolve_partners(
            {"start": start, "partners": [_partner(p) for p in partner]}
        )["partners"]
    if not changes:
        raise typer.BadParameter("nothing to change: give at least one option")
    stored = plan_service.edit_plan(state.store(), plan_id, changes, state.viewer())
    if as_json:
        emit_json(stored.to_dict())
    else:
        stdout().print(f"Updated plan {stored.id} (version {stored.version}).", highlight=False)


@app.command("submit")
def submit_plan(ctx: typer.Context, plan_id: _Id, reason: _Reason = None) -> None:
    """Submit a draft or returned plan for approval; its calendar check is stored with it."""
    from comity.services import plan_workflow as workflow

    state = state_of(ctx)
    stored = workflow.submit_plan(state.store(), plan_id, state.viewer(), reason)
    _says(stored, "submitted")
    for line in _warnings(stored):
        stdout().print(f"  [yellow]calendar:[/yellow] {line}", highlight=False)


_DecideAgency = Annotated[
    Agency | None,
    typer.Option("--agency", "-a", help="The agency decided for (default: your account's)."),
]


@app.command("approve")
def approve_plan(
    ctx: typer.Context, plan_id: _Id, agency: _DecideAgency = None, reason: _Reason = None
) -> None:
    """Approve a submitted plan for your agency; the last required agency approves it."""
    from comity.services import plan_workflow as workflow

    state = state_of(ctx)
    stored = workflow.approve_plan(
        state.store(), plan_id, state.viewer(), agency=agency, reason=reason
    )
    waiting = [a.value for a in stored.plan.agencies if a.value not in stored.approved_by]
    extra = f" (waiting for {', '.join(waiting)})" if stored.state is PlanState.SUBMITTED else ""
    stdout().print(
        f"Plan {stored.id} approved by your agency: now {stored.state.value}{extra}.",
        highlight=False,
    )


@app.command("return")
def return_plan(
    ctx: typer.Context,
    plan_id: _Id,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why it goes back (required).")],
    agency: _DecideAgency = None,
) -> None:
    """Return a submitted plan to its planner with the reason; this round's approvals lapse."""
    from comity.services import plan_workflow as workflow

    state = state_of(ctx)
    _says(
        workflow.return_plan(state.store(), plan_id, state.viewer(), reason, agency=agency),
        "returned",
    )


@app.command("schedule")
def schedule_plan(ctx: typer.Context, plan_id: _Id, reason: _Reason = None) -> None:
    """Schedule an approved plan."""
    from comity.services import plan_workflow as workflow

    state = state_of(ctx)
    _says(workflow.schedule_plan(state.store(), plan_id, state.viewer(), reason), "scheduled")


@app.command("execute")
def execute_plan(ctx: typer.Context, plan_id: _Id, reason: _Reason = None) -> None:
    """Mark a scheduled plan executed and create its engagement (in one transaction)."""
    from comity.services import plan_workflow as workflow

    state = state_of(ctx)
    stored = workflow.execute_plan(state.store(), plan_id, state.viewer(), reason)
    stdout().print(
        f"Plan {stored.id} executed: engagement {stored.engagement_id} created.", highlight=False
    )


@app.command("assess")
def assess_plan(
    ctx: typer.Context,
    plan_id: _Id,
    score: Annotated[
        list[str] | None,
        typer.Option("--score", help="OBJECTIVE=1..5 for each of the plan's objectives (repeat)."),
    ] = None,
    interoperability: Annotated[int | None, typer.Option(help="Overall, 1-5.")] = None,
    trust: Annotated[int | None, typer.Option(help="Overall, 1-5.")] = None,
    lessons: Annotated[
        str | None, typer.Option(help="Lessons learned (shown in briefings).")
    ] = None,
    cultural_notes: Annotated[str | None, typer.Option(help="Cultural observations.")] = None,
    follow_up: Annotated[str | None, typer.Option(help="Follow-up actions.")] = None,
) -> None:
    """Assess an executed plan: score each objective; the plan becomes assessed."""
    from comity.model.numbers import is_whole
    from comity.services import plan_workflow as workflow

    scores: dict[str, Any] = {}
    for item in score or []:
        name, sep, value = item.rpartition("=")
        if not sep or not is_whole(value.strip()):
            raise ValidationError(
                [FieldProblem("score", "write OBJECTIVE=1..5", item)], "assessment"
            )
        scores[name.strip()] = int(value)
    data = {
        k: v
        for k, v in {
            "objectives": scores,
            "interoperability": interoperability,
            "trust": trust,
            "lessons": lessons,
            "cultural_notes": cultural_notes,
            "follow_up": follow_up,
        }.items()
        if v is not None
    }
    state = state_of(ctx)
    _says(workflow.assess_plan(state.store(), plan_id, data, state.viewer()), "assessed")


@app.command("cancel")
def cancel_plan(
    ctx: typer.Context,
    plan_id: _Id,
    reason: Annotated[
        str,
        typer.Option("--reason", "-r", help="Why, in words (required: a cancellation is final)."),
    ],
) -> None:
    """Cancel a plan that has not been executed: its author, or an administrator (final)."""
    from comity.services import plan_workflow as workflow

    state = state_of(ctx)
    _says(workflow.cancel_plan(state.store(), plan_id, state.viewer(), reason), "cancelled")


@app.command("friction")
def friction(
    ctx: typer.Context,
    by: Annotated[FrictionBy, typer.Option("--by", help="Group by agency or partner.")] = (
        FrictionBy.AGENCY
    ),
    as_json: _JSON = False,
    as_csv: _CSV = False,
) -> None:
    """Median and p90 days from submission to approval, per agency or partner."""
    from comity.services import plans as plan_service

    output = choose_format(as_json, as_csv)
    state = state_of(ctx)
    figures = plan_service.plan_friction(state.store(), state.viewer(), by)
    columns = [
        Column(by.value, lambda f: f.key, style="bold"),
        Column("approvals", lambda f: f.approvals),
        Column("median_days", lambda f: f.median_days),
        Column("p90_days", lambda f: f.p90_days),
    ]
    emit(figures, columns, output, title=f"Days from submission to approval, by {by.value}")
