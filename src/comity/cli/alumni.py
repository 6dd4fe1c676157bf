"""``comity alumni``, ``comity schools`` and ``comity people attend|career|import``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from comity.cli.output import Column, OutputFormat, choose_format, emit, emit_json, stdout
from comity.cli.state import state_of
from comity.errors import FieldProblem, ValidationError

__all__ = ["alumni", "people_app", "schools"]

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")]
_CSV = Annotated[bool, typer.Option("--csv", help="Write CSV (for scripts).")]
_LABEL = Annotated[
    str | None, typer.Option("--releasability", help="Who may see it: PUBLIC, REL USA,NATO...")
]


def _years(value: Any) -> Any:
    return None if value is None else round(value, 1)


_ALUMNI = [
    Column("group", lambda f: f["group"], style="bold"),
    Column("alumni", lambda f: f["alumni"]),
    Column("senior", lambda f: f["senior"]),
    Column("share", lambda f: round(f["share"], 3)),
    Column("median_years", lambda f: _years(f["median_years"])),
    Column("min_years", lambda f: _years(f["min_years"])),
    Column("max_years", lambda f: _years(f["max_years"])),
]


def alumni(
    ctx: typer.Context,
    programme: Annotated[
        str | None, typer.Option("--programme", help="Only this programme.")
    ] = None,
    nation: Annotated[
        str | None, typer.Option("--nation", help="Only alumni of this nation.")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Group by programme or nation.")] = "programme",
    as_json: _JSON = False,
    as_csv: _CSV = False,
) -> None:
    """Alumni of education programmes: how many reached senior posts, and how fast."""
    from comity.services import alumni as alumni_service

    output = choose_format(as_json, as_csv)
    state = state_of(ctx)
    figures = alumni_service.alumni_report(
        state.store(), state.viewer(), programme=programme, nation=nation, by=by
    )
    emit(
        figures,
        _ALUMNI,
        output,
        title=f"Alumni by {by} (years from course to senior post)",
        as_dict=dict,
    )


_SCHOOLS = [
    Column("school", lambda s: s["school"], style="bold"),
    Column("students", lambda s: s["students"]),
    Column("records", lambda s: s["records"]),
    Column("unknown", lambda s: s["unknown"]),
    Column("nations", lambda s: s["nations"]),
    Column("first", lambda s: s["first"]),
    Column("last", lambda s: s["last"]),
]


def schools(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="One school: its students by nation and year.")
    ] = None,
    nation: Annotated[
        str | None, typer.Option("--nation", help="Only officers of this nation.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="At most this many schools.")
    ] = None,
    as_json: _JSON = False,
    as_csv: _CSV = False,
) -> None:
    """Schools that trained foreign officers: how many of which nations, by year.

    Without NAME, every school (most students first); with NAME, one school's students by
    nation and year ("?" where the records give no number).
    """
    from comity.services import schools as schools_service

    output = choose_format(as_json, as_csv)
    state = state_of(ctx)
    if name is None:
        rows = schools_service.school_list(
            state.store(), state.viewer(), nation=nation, limit=limit
        )
        title = "Schools by students trained" + (f" ({nation})" if nation else "")
        emit(rows, _SCHOOLS, output, title=title, as_dict=dict)
        return
    school = schools_service.school_detail(state.store(), state.viewer(), name, nation=nation)
    if output is OutputFormat.JSON:
        emit_json(school)
        return
    years = school["years"]
    columns = [
        Column("nation", lambda n: n["nation"], style="bold"),
        Column("students", lambda n: n["students"]),
        # A terminal shows the latest years; CSV (and JSON) carry every one.
        *(_year_column(year, year in years[-_TABLE_YEARS:]) for year in years),
    ]
    nations = school["nations"][:limit] if limit else school["nations"]
    title = f"{school['school']}: students by nation and year"
    if output is OutputFormat.TABLE and len(years) > _TABLE_YEARS:
        title += f" (from {years[-_TABLE_YEARS]}; --csv for {years[0]} on)"
    emit(nations, columns, output, title=title)


_TABLE_YEARS = 6


def _year_column(year: int, in_table: bool) -> Column:
    def cell(n: dict[str, Any]) -> Any:
        value = n["by_year"].get(year, "")
        return "?" if value is None else value

    return Column(str(year), cell, table=in_table)


people_app = typer.Typer(
    help="Record alumni: attendances of programmes and career steps.", no_args_is_help=True
)


def _say(text: str) -> None:
    stdout().print(text, highlight=False)


@people_app.command("attend")
def attend(
    ctx: typer.Context,
    person: Annotated[int, typer.Option("--person", help="The person's id.")],
    programme: Annotated[str, typer.Option("--programme", help="The programme's name.")],
    start: Annotated[str, typer.Option("--start", help="First day: YYYY, YYYY-MM or a date.")],
    end: Annotated[str | None, typer.Option("--end", help="Last day.")] = None,
    institution: Annotated[str | None, typer.Option("--institution", help="Where.")] = None,
    engagement: Annotated[
        int | None, typer.Option("--engagement", help="The education engagement's id.")
    ] = None,
    releasability: _LABEL = None,
) -> None:
    """Record that a person attended an education programme."""
    from comity.services import alumni as alumni_service

    data = {
        "person_id": person,
        "programme": programme,
        "start": start,
        "end": end,
        "institution": institution,
        "engagement_id": engagement,
        "releasability": releasability,
    }
    state = state_of(ctx)
    new_id = alumni_service.add_attendance(
        state.store(), {k: v for k, v in data.items() if v is not None}, state.viewer()
    )
    _say(f"Recorded attendance {new_id}.")


@people_app.command("career")
def career(
    ctx: typer.Context,
    person: Annotated[int, typer.Option("--person", help="The person's id.")],
    on: Annotated[str, typer.Option("--date", help="When: YYYY, YYYY-MM or a date.")],
    position: Annotated[str, typer.Option("--position", help="The post.")],
    seniority: Annotated[
        str,
        typer.Option(
            "--seniority",
            help="flag_rank, service_chief, chief_of_defence, minister, senior_official or other.",
        ),
    ] = "other",
    rank: Annotated[str | None, typer.Option("--rank", help="The rank then.")] = None,
    releasability: _LABEL = None,
) -> None:
    """Record a step in a person's career (a promotion or appointment)."""
    from comity.services import alumni as alumni_service

    data = {
        "person_id": person,
        "date": on,
        "position": position,
        "seniority": seniority,
        "rank": rank,
        "releasability": releasability,
    }
    state = state_of(ctx)
    new_id = alumni_service.add_career_step(
        state.store(), {k: v for k, v in data.items() if v is not None}, state.viewer()
    )
    _say(f"Recorded career step {new_id}.")


@people_app.command("import")
def import_people(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV file with a header row.")],
    kind: Annotated[str, typer.Option("--kind", help="attendance or career.")],
) -> None:
    """Import attendances or career steps from CSV: all rows, or none when one is wrong."""
    from comity.services import alumni as alumni_service

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ValidationError([FieldProblem("file", str(reason), str(file))], "import") from None
    state = state_of(ctx)
    count = alumni_service.import_alumni(state.store(), state.viewer(), text, kind)
    _say(f"Imported {count} {kind} records.")
