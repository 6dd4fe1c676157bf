"""``comity effect``: did a programme, a kind of engagement or a command's plans work?"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from comity.cli.output import emit_json, stdout
from comity.cli.state import state_of

__all__ = ["effect"]

_YEAR = {"min": 1000, "max": 3000}


def _number(value: Any) -> str:
    return "" if value is None else f"{value:.3g}".replace("-", "−")


def _interval(low: Any, high: Any) -> str:
    return f"95 % CI {_number(low)} to {_number(high)}"


def _left_out(answer: dict[str, Any]) -> str:
    parts = []
    censored = answer["treated"].get("already_treated") or []
    if censored:
        parts.append(f"{len(censored)} pair(s) treated already when the source begins")
    left = answer["diagnostics"].get("left_out", {})
    if left.get("too_few_pre_years"):
        parts.append(f"{len(left['too_few_pre_years'])} with too few years before")
    if left.get("no_year_after"):
        parts.append(f"{len(left['no_year_after'])} treated after the last year used")
    return "; ".join(parts)


def _facts(answer: dict[str, Any]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()

    def row(name: str, value: str) -> None:
        if value:
            grid.add_row(name, escape(value))

    row("Outcome", answer["outcome"])
    if answer["answerable"]:
        extra = f"; SE {_number(answer['standard_error'])}" if answer["standard_error"] else ""
        row(
            "Estimate",
            f"{_number(answer['estimate'])} ({_interval(answer['ci_low'], answer['ci_high'])}"
            f"{extra}; p = {answer['p_value']:.3f})",
        )
    row(
        "Pairs",
        f"{answer['n_treated']} treated, {answer['n_comparison']} comparison: "
        f"{answer['comparison']}",
    )
    trend = answer.get("pre_trend")
    if trend:
        passed = "passed" if trend["passed"] else "failed"
        df = trend["df"]
        row(
            "Pre-trend",
            f"{passed} (F({df[0]}, {df[1]}) = {trend['statistic']:.2f}, "
            f"p = {trend['p_value']:.3f})",
        )
    diagnostics = answer["diagnostics"]
    naive = diagnostics.get("naive_twfe")
    if naive:
        row(
            "Naive TWFE",
            f"{_number(naive['estimate'])} ({_interval(naive['ci_low'], naive['ci_high'])}; "
            "biased under staggered timing, shown for comparison)",
        )
    if "pre_rmspe" in diagnostics:
        row(
            "Synthetic fit",
            f"pre-treatment RMSPE {_number(diagnostics['pre_rmspe'])} "
            f"({diagnostics['relative_pre_rmspe']:.0%} of the pair's level); weights "
            + ", ".join(f"{k} {v}" for k, v in diagnostics.get("weights", {}).items()),
        )
    years = answer.get("years")
    if years:
        row("Years", f"{years[0]}-{years[1]}")
    row("Left out", _left_out(answer))
    return grid


def _events(answer: dict[str, Any]) -> Table | None:
    events = answer.get("event_study") or []
    if not events:
        return None
    table = Table(
        title="Effect by year from the treatment (0: the first treated year; -1, the year "
        "before, is the reference)"
    )
    for name in ("year", "estimate", "95 % CI"):
        table.add_column(name, justify="right")
    for event in events:
        table.add_row(
            f"{event['relative_year']:+d}",
            _number(event["estimate"]),
            f"{_number(event['ci_low'])} to {_number(event['ci_high'])}",
        )
    return table


def _show(answer: dict[str, Any]) -> None:
    console = stdout()
    console.print(f"[bold]Effect of {escape(answer['treatment'])}[/bold]", highlight=False)
    console.print(f"[dim]{escape(answer['estimator'])}[/dim]", highlight=False)
    console.print(_facts(answer))
    events = _events(answer)
    if events is not None:
        console.print(events)
    style = "green" if answer["answerable"] else "yellow"
    console.print(f"[{style}]{escape(answer['verdict'])}[/{style}]", highlight=False)
    console.print("[bold]Caveats[/bold]")
    for caveat in answer["caveats"]:
        console.print(f"- {escape(caveat)}", highlight=False)


def effect(
    ctx: typer.Context,
    provider: Annotated[
        str, typer.Option("--provider", help="The nation that gave the treatment (USA).")
    ],
    programme: Annotated[
        list[str] | None,
        typer.Option(
            "--programme",
            help="A programme (IMET, CTFP): records it names or that it funded; repeat for "
            "several.",
        ),
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="A kind of engagement (training); repeat for several."),
    ] = None,
    series: Annotated[
        str | None, typer.Option("--series", help="An exercise series (Cobra Gold).")
    ] = None,
    plans: Annotated[
        bool, typer.Option("--plans", help="The provider's executed plans are the treatment.")
    ] = False,
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            help="exercises (the pair's yearly exercise contribution), agreements (entered "
            "per year) or index-without-treated (the index with the treated kinds' weights 0).",
        ),
    ] = "exercises",
    design: Annotated[
        str,
        typer.Option(
            "--design", help="did (difference-in-differences) or synth (one pair, --pair)."
        ),
    ] = "did",
    pair: Annotated[
        str | None,
        typer.Option("--pair", help="The pair for --design synth: USA-PHL."),
    ] = None,
    from_year: Annotated[
        int | None, typer.Option("--from-year", help="Use no year before this.", **_YEAR)
    ] = None,
    to_year: Annotated[
        int | None, typer.Option("--to-year", help="Use no year after this.", **_YEAR)
    ] = None,
    pre_years: Annotated[
        int | None,
        typer.Option(
            "--pre-years", min=1, max=30, help="Years before the treatment (default 4; 8 synth)."
        ),
    ] = None,
    post_years: Annotated[
        int, typer.Option("--post-years", min=0, max=30, help="Years from the treatment on.")
    ] = 4,
    treatment_year: Annotated[
        int | None,
        typer.Option(
            "--treatment-year", help="For synth: the first treated year, if known.", **_YEAR
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")] = False,
) -> None:
    """Did it work? The effect of a treatment on what the provider's pairs did afterwards.

    The treated pairs are the provider with each partner of a matching record, from the first
    year of one; the comparison pairs the provider with states never (or not yet) treated. The
    outcome never counts the treatment's own kind. The answer gives the estimate, its 95 %
    interval, the pairs compared, the pre-trend test and a verdict, or says why the data cannot
    answer (docs/effects.md).
    """
    from comity.services.effects import TreatmentSpec, estimate_effect

    spec = TreatmentSpec(
        provider=provider,
        programmes=tuple(programme or ()),
        kinds=tuple(kind or ()),
        series=series,
        plans=plans,
    )
    state = state_of(ctx)
    answer = estimate_effect(
        state.store(),
        state.viewer(),
        treatment=spec,
        outcome=outcome,
        design=design,
        pair=pair,
        from_year=from_year,
        to_year=to_year,
        pre_years=pre_years,
        post_years=post_years,
        treatment_year=treatment_year,
    )
    if as_json:
        emit_json(answer)
        return
    _show(answer)
