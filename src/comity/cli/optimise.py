"""``comity optimise``: choose candidate plans within a budget, explained."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from comity.cli.output import emit_json, stdout
from comity.cli.state import state_of
from comity.errors import FieldProblem, ValidationError

if TYPE_CHECKING:
    from comity.planning.optimiser import Portfolio

__all__ = ["optimise"]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ValidationError(
            [FieldProblem("candidates", str(reason), str(path))], "file"
        ) from None


def optimise(
    ctx: typer.Context,
    budget: Annotated[float, typer.Option("--budget", "-b", min=0, help="The budget.")],
    candidates: Annotated[
        Path | None,
        typer.Option("--candidates", "-c", help="CSV or JSON file of candidate plans."),
    ] = None,
    from_plans: Annotated[
        bool,
        typer.Option(
            "--from-plans",
            help="Take the stored plans you may see that are drafts, submitted, returned or "
            "approved (their budget is their cost).",
        ),
    ] = False,
    nation: Annotated[
        str | None,
        typer.Option("--as", help="The planning nation (default: your account's nation)."),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            "-y",
            min=1000,
            max=3000,
            help="Evaluation year (default: the latest plan's year).",
        ),
    ] = None,
    priority: Annotated[
        list[str] | None,
        typer.Option(
            "--priority", "-p", help="A priority partner and its weight: USA=2 (repeatable)."
        ),
    ] = None,
    max_per_partner: Annotated[
        int | None, typer.Option("--max-per-partner", min=1, help="At most N plans per partner.")
    ] = None,
    include: Annotated[
        list[str] | None, typer.Option("--include", help="A plan id that must be chosen.")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="A plan id that must not be chosen.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")] = False,
) -> None:
    """Choose the candidate plans that raise the tie index most with priority partners."""
    from comity.planning.candidates import read_candidates
    from comity.planning.optimiser import Rules
    from comity.services import optimiser as optimiser_service

    state = state_of(ctx)
    left_out: list[str] = []
    if (candidates is None) == (not from_plans):
        raise ValidationError(
            [FieldProblem("candidates", "give either --candidates FILE or --from-plans")],
            "options",
        )
    if candidates is not None:
        file_format = "json" if candidates.suffix.lower() == ".json" else "csv"
        found = read_candidates(_read(candidates), file_format)
    else:
        found, left_out = optimiser_service.candidates_from_plans(
            state.store(), state.viewer(), nation
        )
    rules = Rules(
        max_per_partner=max_per_partner,
        include=frozenset(include or ()),
        exclude=frozenset(exclude or ()),
    )
    result = optimiser_service.optimise_portfolio(
        state.store(),
        state.viewer(),
        found,
        budget=budget,
        nation=nation,
        priorities=optimiser_service.parse_priorities(priority or []) or None,
        rules=rules,
        year=year,
    )
    if as_json:
        emit_json({**result.to_dict(), "left_out_plans": left_out})
        return
    show_portfolio(result)
    for line in left_out:
        stdout().print(f"Not a candidate: {line}.", highlight=False)


def show_portfolio(result: Portfolio) -> None:
    """Print the chosen plans, the explanation and the greedy comparison."""
    console = stdout()
    table = Table(
        title=f"Portfolio for {result.nation}, index gains by {result.year}", header_style="bold"
    )
    for name in ("plan", "title", "kind", "partners", "year", "cost", "weighted gain"):
        table.add_column(name, overflow="fold")
    for pick in result.chosen:
        table.add_row(
            pick.id,
            pick.title,
            pick.kind,
            ", ".join(pick.partners),
            str(pick.year),
            f"{pick.cost:g}",
            f"{pick.marginal_gain:.3f}",
        )
    console.print(table)
    lines = [
        f"Chosen {len(result.chosen)} plans costing {result.cost:g} of {result.budget:g}.",
        f"Weighted index gain: {result.exact_gain:.3f} exact, {result.objective:.3f} as the "
        f"solver scored it (chords; the exact gain is at most {result.error_bound:.4f} above).",
        f"Solver: HiGHS, {result.status}, gap {_gap(result.gap)}, {result.seconds:.2f} s.",
        "Binding: " + (", ".join(result.binding) if result.binding else "nothing"),
        f"Greedy gain per cost: {len(result.greedy['chosen'])} plans costing "
        f"{result.greedy['cost']:g}, exact gain {result.greedy['exact_gain']:.3f}.",
    ]
    gains = ", ".join(f"{p} +{g:.2f}" for p, g in result.gains_by_partner.items() if g > 0)
    if gains:
        lines.append(f"Index gains by partner: {gains}.")
    for line in lines:
        console.print(line, highlight=False)


def _gap(gap: float | None) -> str:
    return "n/a" if gap is None else f"{gap:.2%}"
