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
    from comity.services.optimiser import PortfolioSummary

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
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency",
            help="The budget's currency, e.g. USD (default: the stored plans' currency; "
            "with --from-plans, plans in another currency are left out).",
        ),
    ] = None,
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
    from babel.numbers import list_currencies

    from comity.planning.candidates import read_candidates
    from comity.planning.optimiser import Rules
    from comity.services import optimiser as optimiser_service

    state = state_of(ctx)
    left_out: list[str] = []
    code = currency.strip().upper() if currency else None
    if code is not None and code not in list_currencies():
        problem = FieldProblem("currency", "is not an ISO 4217 currency code such as EUR", code)
        raise ValidationError([problem], "options")
    if (candidates is None) == (not from_plans):
        raise ValidationError(
            [FieldProblem("candidates", "give either --candidates FILE or --from-plans")],
            "options",
        )
    if candidates is not None:
        file_format = "json" if candidates.suffix.lower() == ".json" else "csv"
        found = read_candidates(_read(candidates), file_format)
    else:
        plans = optimiser_service.candidates_from_plans(
            state.store(), state.viewer(), nation, currency=code
        )
        found, left_out, code = plans.candidates, plans.left_out, plans.currency
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
        emit_json({**result.to_dict(), "currency": code, "left_out_plans": left_out})
        return
    summary = optimiser_service.explain_portfolio(
        state.store(), state.viewer(), result, found, currency=code
    )
    show_portfolio(summary)
    for line in left_out:
        stdout().print(f"Not a candidate: {line}.", highlight=False)


def show_portfolio(summary: PortfolioSummary) -> None:
    """Print which plans, what they cost and what they add, what was left out, and the method."""
    console = stdout()
    result = summary.portfolio
    table = Table(
        title=f"Plans to fund for {result.nation}, tie index in {result.year}",
        header_style="bold",
    )
    for name in ("plan", "title", "cost", "index points", "what it adds"):
        table.add_column(name, overflow="fold")
    for pick in summary.chosen:
        table.add_row(pick.id, pick.title, pick.cost_text, f"+{pick.points:.2f}", pick.words)
    console.print(table)
    lines = [summary.headline]
    if summary.partners:
        lines.append(f"Tie index with each partner in {result.year}, without and with the plans:")
        lines += [
            f"  {r.name}: {r.before:.1f} -> {r.after:.1f} (+{r.after - r.before:.2f})"
            for r in summary.partners
        ]
    if summary.left_out:
        lines.append("Left out:")
        lines += [f"  {row.title} ({row.cost_text}): {row.why}." for row in summary.left_out]
    if summary.more_left_out > 0:
        lines.append(f"  and {summary.more_left_out} more, each adding less.")
    lines.append("Method:")
    lines += [f"  {line}" for line in summary.method]
    for line in lines:
        console.print(line, highlight=False)
