"""How the CLI shows things: Rich tables for people, JSON and CSV for scripts, errors on stderr."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from numbers import Number
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from comity.errors import ComityError
from comity.export.cells import neutralise_cell

__all__ = [
    "MOST_ID",
    "MOST_ROWS",
    "Column",
    "OutputFormat",
    "choose_format",
    "emit",
    "emit_json",
    "heading_of",
    "print_error",
    "sparkline",
    "stderr",
    "stdout",
]

MOST_ID = 2_147_483_647
"""The largest record id a store holds (PostgreSQL's integer): larger ids are refused as input."""
MOST_ROWS = 1_000_000_000
"""The largest --limit or --offset accepted."""


def stdout() -> Console:
    """A console on the current standard output (looked up on every call, so tests capture it)."""
    return Console(file=sys.stdout, soft_wrap=True)


def stderr() -> Console:
    """A console on the current standard error."""
    return Console(file=sys.stderr, soft_wrap=True)


class OutputFormat(StrEnum):
    """How results are written."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def choose_format(as_json: bool, as_csv: bool) -> OutputFormat:
    """The format chosen by the ``--json`` / ``--csv`` flags.

    Raises:
        typer.BadParameter: When both are given.
    """
    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv, not both")
    if as_json:
        return OutputFormat.JSON
    return OutputFormat.CSV if as_csv else OutputFormat.TABLE


_HEADINGS = {
    "iso3": "Code",
    "iso2": "ISO2",
    "iso_numeric": "ISO numeric",
    "cow": "CoW",
    "cow_abbrev": "CoW abbrev.",
    "gw": "G-W",
    "p90_days": "P90 days",
    "interoperability": "Interop.",
    "institutional": "Instit.",
    "continuity": "Contin.",
    "diversity": "Divers.",
    "projected_share": "Projected",
    "last_observed_year": "Observed to",
    "ideological_distance": "Ideol. distance",
    "polity_distance": "Polity distance",
    "disputes_50y": "Disputes 50y",
    "fatal_disputes_50y": "Fatal 50y",
    "last_dispute_year": "Last dispute",
    "major_power_gap": "Power gap",
    "weighted_degree": "Weighted degree",
}


def heading_of(name: str) -> str:
    """The heading people read for a column's key (``fatal_disputes_50y``: ``Fatal 50y``)."""
    return _HEADINGS.get(name) or name.replace("_", " ").capitalize()


class Column:
    """A column of a listing: its heading, how to get its value, and its style in tables.

    Args:
        name: Key in JSON and CSV.
        get: Reads the value from a row.
        style: Rich style of the table column.
        table: Whether the column appears in the Rich table (JSON and CSV carry every column).
        heading: The table's heading (default: the key in words, see :func:`heading_of`).
        priority: Which columns a narrow terminal keeps: 0 always, then 1, 2...; the others
            wait for ``--wide`` (JSON and CSV carry every column).
        shrink: The width a long text may be cut to (with an ellipsis) to fit; titles, names
            and notes may shrink to 16 by default, other columns keep their widest cell.
        wrap: A long text that wraps over lines in the width left (a list such as a
            source's coverage) rather than being cut; it may shrink to ``shrink`` (24 if not
            given).
    """

    def __init__(
        self,
        name: str,
        get: Callable[[Any], Any],
        *,
        style: str | None = None,
        table: bool = True,
        heading: str | None = None,
        priority: int | None = None,
        shrink: int | None = None,
        wrap: bool = False,
    ) -> None:
        text = name in _TEXTS
        self.name = name
        self.get = get
        self.style = style
        self.table = table
        self.heading = heading or heading_of(name)
        self.priority = (0 if text else 1) if priority is None else priority
        self.shrink = (16 if text else 24 if wrap else None) if shrink is None else shrink
        self.wrap = wrap


_TEXTS = frozenset({"title", "name", "note", "summary", "description"})
"""Columns people read first, which may be cut to fit (see :class:`Column`)."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _csv_cell(value: Any) -> Any:
    """A CSV cell: text that begins like a formula neutralised, numbers left as numbers."""
    if isinstance(value, Number):
        return value
    return neutralise_cell(_cell(value))


def emit_json(data: Any) -> None:
    """Write ``data`` as indented JSON on standard output."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def emit(
    rows: Sequence[Any],
    columns: Sequence[Column],
    output: OutputFormat,
    *,
    title: str | None = None,
    as_dict: Callable[[Any], Any] | None = None,
    wide: bool | None = None,
) -> None:
    """Write rows as a table, JSON or CSV.

    In CSV, a text cell that begins like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return) is written with a ``'`` before it; numbers are written as they are.
    A table keeps to the terminal's width: the columns that fit, by priority, each on one line;
    a line under it names those left out.

    Args:
        rows: The records.
        columns: What to show of each.
        output: The format.
        title: Caption of the table.
        as_dict: Turns a row into its full JSON form (defaults to the columns).
        wide: The command's ``--wide``: True shows every column whatever the width; None when
            the command has no such option.
    """
    if output is OutputFormat.JSON:
        emit_json([as_dict(r) if as_dict else {c.name: c.get(r) for c in columns} for r in rows])
        return
    if output is OutputFormat.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([c.name for c in columns])
        for row in rows:
            writer.writerow([_csv_cell(c.get(row)) for c in columns])
        return
    console = stdout()
    cells = [[_cell(c.get(row)) if c.table else "" for c in columns] for row in rows]
    chosen = [i for i, c in enumerate(columns) if c.table]
    widths = _widths(columns, chosen, cells)
    shown = chosen if wide else _fitting(columns, chosen, widths, console.width)
    rooms = {} if wide else _rooms(columns, shown, widths, console.width)
    table = Table(title=title, header_style="bold", show_lines=False, expand=False)
    for i in shown:
        column = columns[i]
        # A column that may shrink gets its room; the others keep their widest cell, so that
        # none is squeezed to nothing.
        least, most = (None, rooms[i]) if i in rooms else (widths[i], None)
        table.add_column(
            column.heading,
            style=column.style,
            no_wrap=not column.wrap,
            overflow="fold" if column.wrap else "ellipsis",
            min_width=least,
            max_width=most,
        )
    for row in cells:
        table.add_row(*(row[i] for i in shown))
    console.print(table)
    if not rows:
        console.print("[dim]No matching records.[/dim]")
    left_out = [columns[i].heading for i in chosen if i not in shown]
    if left_out:
        how = "--wide shows them; " if wide is not None else ""
        console.print(
            f"[dim]Not shown at this width: {', '.join(left_out)} ({how}--json and --csv "
            "carry every column).[/dim]",
            highlight=False,
        )


def _widths(columns: Sequence[Column], chosen: list[int], cells: list[list[str]]) -> dict[int, int]:
    """Each column's widest cell or heading."""
    return {i: max([len(columns[i].heading), *(len(row[i]) for row in cells)]) for i in chosen}


def _fitting(
    columns: Sequence[Column], chosen: list[int], widths: dict[int, int], width: int
) -> list[int]:
    """The columns (positions) that fit in ``width``: priority 0 always, then by priority."""

    def needs(i: int) -> int:  # its width (or what it may shrink to), padding and border
        return _least(columns[i], widths[i]) + 3

    used = 1  # the table's left border
    kept = set()
    for i in sorted(chosen, key=lambda i: (columns[i].priority, i)):
        if columns[i].priority == 0 or used + needs(i) <= width:
            kept.add(i)
            used += needs(i)
    return [i for i in chosen if i in kept]


def _least(column: Column, widest: int) -> int:
    """The narrowest a column may be.

    Its widest cell, or what it may shrink to, but not narrower than its heading.
    """
    if column.shrink is None:
        return widest
    return min(widest, max(column.shrink, len(column.heading)))


def _rooms(
    columns: Sequence[Column], shown: list[int], widths: dict[int, int], width: int
) -> dict[int, int]:
    """The widths of the columns that may shrink, so that the table fits in ``width``.

    Each gives up a share of the excess in proportion to what it can give (its widest cell
    down to its ``shrink``); none when the table fits as it is.
    """
    over = 1 + sum(widths[i] + 3 for i in shown) - width
    floors = {i: _least(columns[i], widths[i]) for i in shown if columns[i].shrink is not None}
    slack = sum(widths[i] - floor for i, floor in floors.items())
    if over <= 0 or slack <= 0:
        return {}
    return {
        i: max(floor, widths[i] - -(-over * (widths[i] - floor) // slack))
        for i, floor in floors.items()
    }


def sparkline(values: Sequence[float | None]) -> str:
    """A trend in one line of block characters, lowest to highest (a space where missing)."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    blocks = "▁▂▃▄▅▆▇█"
    span = (high - low) or 1.0
    return "".join(
        " " if v is None else blocks[min(int((v - low) / span * len(blocks)), len(blocks) - 1)]
        for v in values
    )


def print_error(error: ComityError, *, verbose: bool = False) -> None:
    """Print ``Error: message`` and an indented ``Hint:`` on standard error."""
    console = stderr()
    console.print(f"[bold red]Error:[/bold red] {escape(error.message)}", highlight=False)
    if error.hint:
        console.print(f"  [yellow]Hint:[/yellow] {escape(error.hint)}", highlight=False)
    problems = getattr(error, "problems", None)
    if verbose and problems:
        for problem in problems:
            console.print(f"  - {escape(str(problem))}", highlight=False)
