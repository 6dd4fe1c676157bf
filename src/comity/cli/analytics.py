"""``comity ties``, ``dyad``, ``profile``, ``network`` and ``compare``.

Each takes ``--settings FILE`` and ``--set KEY=VALUE`` to change the index's settings for the
call (see :mod:`comity.cli.overrides`); every answer names the method version and the digest of
the settings it was computed with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from comity.cli.output import (
    Column,
    OutputFormat,
    choose_format,
    emit,
    emit_json,
    sparkline,
    stdout,
)
from comity.cli.overrides import Assignments, SettingsFile, read_overrides
from comity.cli.state import state_of

if TYPE_CHECKING:
    from comity.services.analytics import IndexTable

__all__ = ["compare", "dyad", "network", "profile", "ties"]

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")]
_CSV = Annotated[bool, typer.Option("--csv", help="Write CSV (for scripts).")]
_WIDE = Annotated[
    bool,
    typer.Option("--wide", help="Show every column, whatever the terminal's width."),
]
_YEAR = Annotated[
    int | None,
    typer.Option(
        "--year",
        "-y",
        min=1000,
        max=3000,
        help="The year (default: the last year whose ties are mostly observed; later years "
        "up to the present are labelled estimates).",
    ),
]


def _name(key: str) -> str:
    from comity.nations import load_reference

    nation = load_reference().nations.get(key)
    return nation.name if nation else key


def _getter(name: str) -> Any:
    def get(row: dict[str, Any]) -> Any:
        return _round(row.get(name))

    return get


def _round(value: Any) -> Any:
    if isinstance(value, list):  # a pair of keys
        return "–".join(str(v) for v in value)
    return round(value, 2) if isinstance(value, float) else value


def _method(version: str, digest: str) -> str:
    return f"method {version}, settings {digest}"


_TIE_COLUMNS = [
    Column("partner", lambda t: t.partner, style="bold", priority=0),
    Column("name", lambda t: _name(t.partner)),
    Column("year", lambda t: t.year, table=False),
    Column("index", lambda t: _round(t.index), priority=0),
    Column("interoperability", lambda t: _round(t.interoperability), priority=2),
    Column("institutional", lambda t: _round(t.institutional), priority=2),
    Column("cultural", lambda t: _round(t.cultural), priority=2),
    Column("continuity", lambda t: _round(t.continuity), priority=3),
    Column("diversity", lambda t: _round(t.diversity), priority=3),
    Column("projected_share", lambda t: _round(t.projected_share), priority=2),
    Column("last_observed_year", lambda t: t.last_observed_year, priority=2),
]


def ties(
    ctx: typer.Context,
    nation: Annotated[str, typer.Argument(help="Any name or code of the nation.")],
    year: _YEAR = None,
    top: Annotated[
        int | None, typer.Option("--top", "-n", min=1, help="Only the N strongest.")
    ] = 10,
    as_json: _JSON = False,
    as_csv: _CSV = False,
    wide: _WIDE = False,
    settings_file: SettingsFile = None,
    assignments: Assignments = None,
    robustness: Annotated[
        bool,
        typer.Option(
            "--robustness",
            help="Add each partner's chance of staying in the top 10 when every weight is "
            "drawn within ±50 % of its value (500 draws), and the band of ranks it holds in "
            "90 % of them.",
        ),
    ] = False,
) -> None:
    """A nation's partners in a year, strongest tie first, with the index's components.

    Without --year, the last year whose ties are mostly observed. projected_share is the share
    of a tie projected beyond the coverage of its sources, last_observed_year the last year they
    observe the pair. JSON and CSV rows carry the method version and the settings' digest.
    With --robustness, top10_chance is the share of draws of the weights in which the partner
    stays in the top 10 (docs/methodology.md, "Robustness").
    """
    from comity.services import ties as ties_service
    from comity.services.registry import resolve_nation

    output = choose_format(as_json, as_csv)
    overrides = read_overrides(settings_file, assignments)
    state = state_of(ctx)
    found, result = ties_service.list_ties(
        state.store(), state.viewer(), nation, year=year, top=top, overrides=overrides
    )
    chosen = result.default_year if year is None else year
    key = resolve_nation(nation, year=year).iso3
    method, digest = result.settings.method_version, result.settings.digest()
    title = f"Ties of {_name(key)} ({key}) in {chosen} — {_method(method, digest)}"
    columns = [
        *_TIE_COLUMNS,
        *(_stability_columns(state, key, chosen, len(found), overrides) if robustness else []),
        Column("method_version", lambda _: method, table=False),
        Column("settings_digest", lambda _: digest, table=False),
    ]
    emit(found, columns, output, title=title, wide=wide)
    if output is OutputFormat.TABLE:
        _data_through(result, chosen)


def _stability_columns(
    state: Any, nation: str, year: int, count: int, overrides: Any
) -> list[Column]:
    """The top-10 chance and rank band of each partner listed."""
    from comity.services.robustness import band_text, stability_by_partner

    found = stability_by_partner(
        state.store(), state.viewer(), nation, year=year, partners=count, overrides=overrides
    )
    return [
        Column(
            "top10_chance",
            lambda t: round(found[t.partner].chance, 3) if t.partner in found else 0.0,
            heading="Top-10 chance",
            priority=1,
        ),
        Column(
            "rank_band",
            lambda t: band_text(found.get(t.partner)),
            heading="Ranks (90 %)",
            priority=2,
        ),
    ]


def _data_through(result: IndexTable, year: int) -> None:
    """The line under an answer about a year: how far the sources reach, and what is estimated."""
    console = stdout()
    if year > result.default_year:
        console.print(
            f"  [yellow]{year} is a best estimate: {result.default_year} is the last year whose "
            "ties are mostly observed (Projected: the part of a tie beyond its sources' "
            "coverage).[/yellow]",
            highlight=False,
        )
    console.print(f"  [dim]Index {result.data_through}.[/dim]", highlight=False)


RECENT_YEARS = 15
"""The years a pair's table shows without ``--all``."""
_DYAD_PRIORITY = {
    "year": 0,
    "index": 0,
    "interoperability": 2,
    "institutional": 2,
    "cultural": 2,
    "projected_share": 2,
    "ideological_distance": 2,
    "rivalry": 2,
    "continuity": 3,
    "diversity": 3,
    "polity_distance": 3,
    "disputes_50y": 3,
    "fatal_disputes_50y": 3,
}


def dyad(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument(help="One nation (any name or code).")],
    second: Annotated[str, typer.Argument(help="The other nation.")],
    every_year: Annotated[
        bool,
        typer.Option("--all", help=f"Every year in the table, not the last {RECENT_YEARS}."),
    ] = False,
    as_json: _JSON = False,
    as_csv: _CSV = False,
    wide: _WIDE = False,
    settings_file: SettingsFile = None,
    assignments: Assignments = None,
) -> None:
    """A pair's history: the index year by year, its components, and the challenges.

    The table shows the last years (every year with --all) and the index's trend over every
    year in one line; JSON and CSV carry every year.
    """
    from comity.services import ties as ties_service

    output = choose_format(as_json, as_csv)
    overrides = read_overrides(settings_file, assignments)
    state = state_of(ctx)
    report = ties_service.pair_report(
        state.store(), state.viewer(), first, second, overrides=overrides
    )
    if output is OutputFormat.JSON:
        emit_json(report)
        return
    rows = report["years"]
    columns = [
        Column(name, _getter(name), priority=_DYAD_PRIORITY.get(name, 4))
        for name in report["columns"]
    ]
    if output is OutputFormat.CSV:
        emit(rows, columns, output)
        return
    console = stdout()
    if rows:
        trend = sparkline([row["index"] for row in rows])
        first, last = rows[0]["year"], rows[-1]["year"]
        console.print(f"Index {first}–{last}: {trend}", highlight=False)
    shown = rows if every_year else rows[-RECENT_YEARS:]
    title = report["title"]
    if len(shown) < len(rows):
        title += f" — the last {len(shown)} of {len(rows)} years (--all: every year)"
    emit(shown, columns, output, title=title, wide=wide)
    shown_method = _method(report["method_version"], report["settings_digest"])
    console.print(f"  [dim]Index: {shown_method}.[/dim]", highlight=False)
    console.print(
        f"  [dim]{report['default_year']} is the last year whose ties are mostly observed; "
        f"index {report['data_through']}.[/dim]",
        highlight=False,
    )
    for note in report["notes"]:
        console.print(f"  [dim]{note}[/dim]", highlight=False)
    friction = report["friction"]
    shown = (
        f"median {friction['median_days']} days, p90 {friction['p90_days']}"
        if friction["approvals"]
        else "missing"
    )
    console.print(f"  Bureaucratic friction: {shown}. {friction['note']}", highlight=False)


def _table(title: str, headings: list[str], rows: list[list[Any]]) -> Table:
    table = Table(title=title, header_style="bold")
    for heading in headings:
        table.add_column(heading)
    for row in rows:
        table.add_row(*(str(_round(v)) if v is not None else "" for v in row))
    return table


_NETWORK_COLUMNS = [
    Column("nation", lambda r: r["nation"], style="bold", priority=0),
    Column("name", lambda r: _name(r["nation"])),
    Column("year", lambda r: r["year"], table=False),
    Column("partners", lambda r: r["partners"], priority=0),
    Column("strength", lambda r: _round(r["strength"])),
    Column("weighted_degree", lambda r: _round(r["weighted_degree"]), table=False),
    Column("degree", lambda r: r["degree"], table=False),
    Column("eigenvector", lambda r: _round(r["eigenvector"]), priority=2),
    Column("betweenness", lambda r: _round(r["betweenness"]), priority=2),
    Column("community", lambda r: r["community"], priority=2),
]


def network(
    ctx: typer.Context,
    year: _YEAR = None,
    top: Annotated[
        int | None, typer.Option("--top", "-n", min=1, help="Only the N strongest nations.")
    ] = None,
    as_json: _JSON = False,
    as_csv: _CSV = False,
    wide: _WIDE = False,
    settings_file: SettingsFile = None,
    assignments: Assignments = None,
) -> None:
    """The military-ties network of a year.

    Each nation's partners, strength, centralities and community (coalition).
    """
    from comity.services import network as network_service

    output = choose_format(as_json, as_csv)
    overrides = read_overrides(settings_file, assignments)
    state = state_of(ctx)
    found = network_service.network_year(state.store(), state.viewer(), year, overrides=overrides)
    rows = found.nations[:top] if top else found.nations
    if output is OutputFormat.JSON:
        emit_json({**found.to_dict(), "nations": rows})
        return
    title = f"Network in {found.year}"
    summary = found.communities
    if summary:
        title += f" — {summary['communities']} communities, modularity {summary['modularity']:.3f}"
    title += f" — {_method(found.method_version, found.settings_digest)}"
    emit(rows, _NETWORK_COLUMNS, output, title=title, wide=wide)


def profile(
    ctx: typer.Context,
    nation: Annotated[str, typer.Argument(help="Any name or code of the nation.")],
    as_json: _JSON = False,
    settings_file: SettingsFile = None,
    assignments: Assignments = None,
) -> None:
    """A nation's profile over time.

    Partners and centrality by year, strongest partners, and the mix of mechanisms it uses by
    partner region.
    """
    from comity.services import network as network_service

    overrides = read_overrides(settings_file, assignments)
    state = state_of(ctx)
    report = network_service.nation_profile(
        state.store(), state.viewer(), nation, overrides=overrides
    )
    if as_json:
        emit_json(report)
        return
    console = stdout()
    shown = _method(report["method_version"], report["settings_digest"])
    console.print(
        f"[bold]{report['name']} ({report['nation']})[/bold] [dim]{shown}[/dim]", highlight=False
    )
    latest_year = report["latest_year"]
    recent = [y for y in report["years"] if y["year"] % 5 == 0 or y["year"] == latest_year]
    over_time = ["year", "partners", "strength", "eigenvector", "betweenness", "community"]
    console.print(_table("Over time", over_time, [[y[c] for c in over_time] for y in recent[-12:]]))
    parts = ["index", "interoperability", "institutional", "cultural"]
    partners = [
        [t["partner"], _name(t["partner"]), *(t[c] for c in parts)] for t in report["top_partners"]
    ]
    console.print(
        _table(f"Strongest partners in {latest_year}", ["partner", "name", *parts], partners)
    )
    latest = sorted(
        (m for m in report["mechanisms"] if m["year"] == latest_year), key=lambda m: -m["share"]
    )
    mechanisms = [[m["kind"], m["partner_region"], m["share"]] for m in latest[:12]]
    console.print(
        _table(f"Mechanisms in {latest_year}", ["kind", "partner region", "share"], mechanisms)
    )


def compare(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument(help="One nation (any name or code).")],
    second: Annotated[str, typer.Argument(help="The other nation.")],
    since: Annotated[int | None, typer.Option("--since", help="Only years from this one.")] = None,
    as_json: _JSON = False,
    as_csv: _CSV = False,
    wide: _WIDE = False,
    settings_file: SettingsFile = None,
    assignments: Assignments = None,
) -> None:
    """Two nations' outreach side by side (e.g. USA and CHN).

    Partners, strength and centrality year by year, and the mix of mechanisms each uses.
    """
    from comity.services import network as network_service

    output = choose_format(as_json, as_csv)
    overrides = read_overrides(settings_file, assignments)
    state = state_of(ctx)
    report = network_service.compare_nations(
        state.store(), state.viewer(), first, second, overrides=overrides
    )
    if since is not None:
        report["years"] = [y for y in report["years"] if y["year"] >= since]
    if output is OutputFormat.JSON:
        emit_json(report)
        return
    a, b = report["nations"]
    columns = [Column("year", lambda r: r["year"], style="bold", priority=0)] + [
        Column(
            f"{key}_{measure}",
            _getter(f"{key}_{measure}"),
            heading=f"{key} {measure}",
            priority=0 if measure == "partners" else 1,
        )
        for key in (a, b)
        for measure in ("partners", "strength", "eigenvector")
    ]
    shown = _method(report["method_version"], report["settings_digest"])
    title = f"{_name(a)} and {_name(b)} — {shown}"
    emit(report["years"], columns, output, title=title, wide=wide)
    if output is OutputFormat.TABLE:
        mix = report["mechanisms"]
        kinds = sorted(set(mix[a]) | set(mix[b]))
        shares = [[k, mix[a].get(k, 0.0), mix[b].get(k, 0.0)] for k in kinds]
        stdout().print(_table("Share of each mechanism, all years", ["kind", a, b], shares))
