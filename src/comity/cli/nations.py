"""``comity nations``, ``comity nation`` and ``comity orgs``: nations and organisations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from comity.cli.output import MOST_ROWS as _MOST
from comity.cli.output import Column, choose_format, emit, emit_json, stdout
from comity.cli.state import state_of

if TYPE_CHECKING:
    from comity.model.nations import Nation

__all__ = ["list_nations", "organisations", "show_nation"]

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")]
_CSV = Annotated[bool, typer.Option("--csv", help="Write CSV (for scripts).")]

_NATION_COLUMNS = [
    Column("iso3", lambda n: n.iso3, style="bold"),
    Column("name", lambda n: n.name),
    Column("iso2", lambda n: n.iso2, table=False),
    Column("iso_numeric", lambda n: n.iso_numeric, table=False),
    Column("cow", lambda n: n.cow_code),
    Column("cow_abbrev", lambda n: n.cow_abbrev, table=False),
    Column("gw", lambda n: n.gw_code, table=False),
    Column("region", lambda n: n.region),
    Column("state_years", lambda n: n.years),
    Column("historical", lambda n: n.historical, table=False),
]


def _nation_json(nation: Nation) -> dict[str, object]:
    data = nation.model_dump(mode="json", exclude={"spells"})
    data["spells"] = [s.model_dump(mode="json") for s in nation.spells]
    return data


def list_nations(
    ctx: typer.Context,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Text in the name, or an exact code.")
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="UN region or continent, e.g. 'Western Asia'.")
    ] = None,
    historical: Annotated[
        bool | None,
        typer.Option("--historical/--current", help="Only former states, or only current ones."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=0, max=_MOST, help="At most N rows.")
    ] = None,
    as_json: _JSON = False,
    as_csv: _CSV = False,
) -> None:
    """List the nations of the registry, current and historical."""
    from comity import services

    output = choose_format(as_json, as_csv)
    found = services.list_nations(
        state_of(ctx).store(), search=search, region=region, historical=historical
    )
    if limit is not None:
        found = found[:limit]
    emit(found, _NATION_COLUMNS, output, title="Nations", as_dict=_nation_json)


def show_nation(
    ctx: typer.Context,
    nation: Annotated[str, typer.Argument(help="Any name or code: KOR, ROK, 'South Korea', 732.")],
    as_json: _JSON = False,
) -> None:
    """Show one nation: its codes in every system, state-system years and memberships."""
    from comity import services

    profile = services.get_nation(state_of(ctx).store(), nation)
    if as_json:
        emit_json(
            {
                **_nation_json(profile.nation),
                "codes": [c.model_dump(mode="json") for c in profile.codes],
                "memberships": [m.model_dump(mode="json") for m in profile.memberships],
                "successions": [
                    {
                        "role": entry.role,
                        "kind": entry.succession.kind,
                        "predecessor": entry.succession.predecessor,
                        "successors": list(entry.succession.successors),
                        "date": entry.succession.date.isoformat(),
                        "text": entry.text,
                        "source": entry.succession.source,
                        "note": entry.succession.note,
                    }
                    for entry in profile.successions
                ],
            }
        )
        return
    n = profile.nation
    console = stdout()
    console.print(
        f"[bold]{n.name}[/bold] ({n.iso3})" + (" [dim]historical[/dim]" if n.historical else "")
    )
    for label, value in (
        ("Official name", n.official_name),
        ("ISO", f"{n.iso2 or '-'} / {n.iso3} / {n.iso_numeric or '-'}"),
        ("Correlates of War", f"{n.cow_code or '-'} ({n.cow_abbrev or '-'})"),
        ("Gleditsch-Ward", n.gw_code or "-"),
        ("Region", f"{n.region or '-'}, {n.continent or '-'}"),
        ("State-system years", n.years),
    ):
        console.print(f"  {label + ':':20} {value}", highlight=False)
    for index, entry in enumerate(profile.successions):
        label = "Succession:" if index == 0 else ""
        console.print(f"  {label:20} {entry.text}", highlight=False)
    if profile.codes:
        table = Table(title="Codes over time", header_style="bold")
        for heading in ("system", "code", "from", "to"):
            table.add_column(heading)
        for code in profile.codes:
            table.add_row(
                code.system.value,
                code.code,
                str(code.valid_from or ""),
                str(code.valid_to or ""),
            )
        console.print(table)
    if profile.memberships:
        table = Table(title="Memberships", header_style="bold")
        for heading in ("organisation", "joined", "left", "note"):
            table.add_column(heading)
        for m in profile.memberships:
            table.add_row(m.organisation, str(m.joined), str(m.left or ""), m.note or "")
        console.print(table)


def organisations(
    ctx: typer.Context,
    code: Annotated[
        str | None, typer.Argument(help="An organisation's code (e.g. NATO) to list its members.")
    ] = None,
    year: Annotated[
        int | None,
        typer.Option("--year", min=1000, max=3000, help="Only the members in this year."),
    ] = None,
    as_json: _JSON = False,
    as_csv: _CSV = False,
) -> None:
    """List organisations, or the members of one over time."""
    from comity import services

    output = choose_format(as_json, as_csv)
    store = state_of(ctx).store()
    if code is None:
        rows = services.list_organisations(store)
        emit(
            rows,
            [
                Column("code", lambda r: r[0].code, style="bold"),
                Column("name", lambda r: r[0].name),
                Column("kind", lambda r: r[0].kind),
                Column("parent", lambda r: r[0].parent, table=False),
                Column("current_members", lambda r: r[1]),
            ],
            output,
            title="Organisations",
        )
        return
    members = services.get_organisation(store, code, year=year)
    title = f"{members.organisation.name} ({members.organisation.code})"
    emit(
        members.memberships,
        [
            Column("nation", lambda m: m.nation, style="bold"),
            Column("name", lambda m: members.names[m.nation]),
            Column("joined", lambda m: m.joined),
            Column("left", lambda m: m.left),
            Column("note", lambda m: m.note),
        ],
        output,
        title=title + (f" in {year}" if year else ""),
    )
