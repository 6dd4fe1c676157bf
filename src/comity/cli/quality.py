"""``comity quality``: completeness and timeliness of the records, and which to fix first.

The table also lists the recurring series expected but missing in some years.
"""

from __future__ import annotations

from typing import Annotated

import typer

from comity.cli.output import Column, OutputFormat, choose_format, emit, emit_json, stdout
from comity.cli.state import state_of

__all__ = ["quality"]

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")]
_CSV = Annotated[bool, typer.Option("--csv", help="Write CSV (for scripts).")]

_QUALITY = [
    Column("group", lambda g: g["group"], style="bold"),
    Column("records", lambda g: g["records"]),
    Column("required", lambda g: round(g["required_complete"], 3)),
    Column("completeness", lambda g: round(g["completeness"], 3)),
    Column("top gaps", lambda g: ", ".join(f"{x['field']} {x['filled']:.0%}" for x in g["gaps"])),
    Column("median days", lambda g: g["timeliness_median_days"]),
    Column("p90 days", lambda g: g["timeliness_p90_days"]),
]

_SERIES = [
    Column("programme", lambda s: s["programme"], style="bold"),
    Column("period", lambda s: _every(s["period"])),
    Column("years", lambda s: f"{s['first_year']}-{s['last_year']}"),
    Column("missing years", lambda s: ", ".join(str(y) for y in s["missing_years"])),
    Column("source", lambda s: ", ".join(s["sources"])),
]


def _every(period: int) -> str:
    return "every year" if period == 1 else f"every {period} years"


def quality(
    ctx: typer.Context,
    nation: Annotated[
        str | None, typer.Option("--nation", help="Only records of this nation.")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Group by unit or nation.")] = "unit",
    top: Annotated[int, typer.Option("--top", min=1, help="Records to fix to list.")] = 20,
    as_json: _JSON = False,
    as_csv: _CSV = False,
) -> None:
    """Completeness and timeliness of the records, which to fix first, and series gaps.

    A series gap is a year a recurring programme (such as a yearly exercise) has no record in,
    though its source covers that year.
    """
    from comity.services import quality as quality_service

    output = choose_format(as_json, as_csv)
    state = state_of(ctx)
    report = quality_service.quality_report(
        state.store(), state.viewer(), nation=nation, by=by, top=top
    )
    if output is OutputFormat.JSON:
        emit_json(report)
        return
    emit(report["groups"], _QUALITY, output, title=f"Data quality by {by}")
    if output is OutputFormat.TABLE and report["records_to_fix"]:
        console = stdout()
        console.print("Records to fix first:", highlight=False)
        for item in report["records_to_fix"]:
            console.print(
                f"  #{item['id']} {item['title']} ({item['kind']}, {item['unit']}): "
                f"missing {', '.join(item['missing'])}",
                highlight=False,
            )
    if output is OutputFormat.TABLE and report["expected_but_missing"]:
        emit(report["expected_but_missing"], _SERIES, output, title="Expected but missing")
