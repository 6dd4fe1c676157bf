"""``comity outlook NATION``: priority ties projected ahead, those at risk, what would keep them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from comity.cli.output import emit_json, stdout
from comity.cli.state import state_of

__all__ = ["outlook"]


def outlook(
    ctx: typer.Context,
    nation: Annotated[str, typer.Argument(help="Any name or code of the nation.")],
    partners: Annotated[
        list[str] | None,
        typer.Option(
            "--partner",
            "-p",
            help="A priority partner (repeatable; default: the nation's strongest ties now).",
        ),
    ] = None,
    threshold: Annotated[
        float,
        typer.Option("--threshold", "-t", help="The index each tie should stay above (0-100)."),
    ] = 50.0,
    years: Annotated[int, typer.Option("--years", min=1, max=20, help="How many years ahead.")] = 5,
    top: Annotated[
        int,
        typer.Option(
            "--top", "-n", min=1, max=100, help="Priority partners by default: the N strongest."
        ),
    ] = 10,
    candidates: Annotated[
        Path | None,
        typer.Option(
            "--candidates",
            "-c",
            help="CSV or JSON file of candidate engagements for the remedies (default: the "
            "nation's plans in draft, submitted or returned, with a budget).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")] = False,
) -> None:
    """Project a nation's priority ties ahead and flag those that fall below a threshold.

    The projection keeps what the relationship has without new decisions: standing ties in force
    now, recurring series still running, and approved or scheduled plans. For a tie at risk, the
    cheapest candidates that keep it above the threshold at its lowest point are proposed through
    the optimiser.
    """
    from comity.cli.optimise import _read
    from comity.planning.candidates import read_candidates
    from comity.services.outlook import nation_outlook

    state = state_of(ctx)
    offered = None
    if candidates is not None:
        file_format = "json" if candidates.suffix.lower() == ".json" else "csv"
        offered = read_candidates(_read(candidates), file_format)
    answer = nation_outlook(
        state.store(),
        state.viewer(),
        nation,
        partners=partners,
        years=years,
        threshold=threshold,
        top=top,
        candidates=offered,
    )
    if as_json:
        emit_json(answer)
        return
    _show(answer)


def _show(answer: dict[str, Any]) -> None:
    from comity.nations import load_reference

    names = load_reference().nations
    console = stdout()
    base, last = answer["base_year"], answer["base_year"] + answer["years"]
    line = answer["threshold"]
    title = f"Outlook of {answer['nation']}, {base} to {last} (threshold {line:g})"
    table = Table(title=title, header_style="bold")
    for heading in ("Partner", f"Now ({base})", f"In {last}", "Lowest", "At risk", "Kept by"):
        table.add_column(heading)
    for p in answer["projections"]:
        name = names[p["partner"]].name if p["partner"] in names else p["partner"]
        kept = [name for name, values in p["parts"].items() if values]
        table.add_row(
            f"{name} ({p['partner']})",
            f"{p['base_index']:.1f}",
            f"{p['years'][-1]['index']:.1f}",
            f"{p['lowest']['index']:.1f} in {p['lowest']['year']}",
            f"[red]yes, from {p['first_below']}[/red]" if p["at_risk"] else "no",
            ", ".join(kept) or "nothing: it fades",
        )
    console.print(table)
    console.print(
        f"  [dim]{base} is a best estimate; index {answer['data_through']}. "
        "The projection counts standing ties in force, recurring series still running and "
        "approved or scheduled plans; nothing else is foreseen.[/dim]",
        highlight=False,
    )
    unaided: dict[str, list[str]] = {}
    for partner, remedy in answer["remedies"].items():
        if remedy["found"]:
            console.print(
                f"To keep {partner} at {line:g} or more in {remedy['year']}: "
                f"{'; '.join(remedy['titles'])} (cost {remedy['cost']:,.0f}; index then "
                f"{remedy['index_after']:.1f}).",
                highlight=False,
            )
        else:
            unaided.setdefault(remedy["reason"], []).append(partner)
    for reason, which in unaided.items():
        console.print(f"{', '.join(which)}: {reason}.", highlight=False)
