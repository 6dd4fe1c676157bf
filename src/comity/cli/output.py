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
    "print_error",
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


class Column:
    """A column of a listing: its heading, how to get its value, and its style in tables.

    Args:
        name: Key in JSON and CSV, heading in tables.
        get: Reads the value from a row.
        style: Rich style of the table column.
        table: Whether the column appears in the Rich table (JSON and CSV carry every column).
    """

    def __init__(
        self,
        name: str,
        get: Callable[[Any], Any],
        *,
        style: str | None = None,
        table: bool = True,
    ) -> None:
        self.name = name
        self.get = get
        self.style = style
        self.table = table


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
) -> None:
    """Write rows as a table, JSON or CSV.

    In CSV, a text cell that begins like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return) is written with a ``'`` before it; numbers are written as they are.

    Args:
        rows: The records.
        columns: What to show of each.
        output: The format.
        title: Caption of the table.
        as_dict: Turns a row into its full JSON form (defaults to the columns).
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
    shown = [c for c in columns if c.table]
    table = Table(title=title, header_style="bold", show_lines=False, expand=False)
    for column in shown:
        table.add_column(column.name, style=column.style, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(c.get(row)) for c in shown))
    console = stdout()
    console.print(table)
    if not rows:
        console.print("[dim]No matching records.[/dim]")


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
