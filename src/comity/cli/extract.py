"""``comity extract``: read press releases and news, propose draft engagements for review."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from comity.cli.output import Column, OutputFormat, emit, emit_json, stderr, stdout
from comity.cli.state import state_of

if TYPE_CHECKING:
    from rich.progress import Progress

    from comity.extract.draft import Draft

__all__ = ["extract"]


class InputFormat(StrEnum):
    """How to read the files (``auto``: by extension, else by content)."""

    AUTO = "auto"
    TEXT = "text"
    JSONL = "jsonl"
    CSV = "csv"
    HTML = "html"
    FEED = "feed"


_PROGRESS_FROM = 50
"""Inputs of at least this many passages show a progress bar (on standard error)."""
_PROCESSES_FROM = 200
"""Inputs of at least this many passages are read by several processes."""
_MOST_PROCESSES = 4


def _nations(draft: Draft) -> str:
    return ",".join(p.nation for p in draft.participants)


_DRAFTS = [
    Column("origin", lambda d: escape(d.passage.origin or ""), style="bold"),
    Column("kind", lambda d: d.kind.value or "no engagement"),
    Column("title", lambda d: escape(d.title.value or "; ".join(d.reasons))),
    Column("nations", _nations),
    Column("start", lambda d: d.start.value),
]


def _progress(total: int) -> tuple[Callable[[int], None], Progress]:
    """A progress bar on standard error that appears on its first step.

    Starting it late lets the worker processes start first, before the bar's own thread.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = stderr()
    progress = Progress(
        TextColumn("[bold]extract"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} passages"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal or total < _PROGRESS_FROM,
    )
    task = progress.add_task("extract", total=total)

    def advance(done: int) -> None:
        if not progress.live.is_started:
            progress.start()
        progress.advance(task, done)

    return advance, progress


def extract(
    ctx: typer.Context,
    files: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILE",
            help="Files to read: text, JSON lines, CSV, HTML pages, RSS or Atom feeds; "
            "- (or none) reads standard input.",
            show_default=False,
        ),
    ] = None,
    file_format: Annotated[
        InputFormat,
        typer.Option("--format", help="How to read the files (auto: by extension or content)."),
    ] = InputFormat.AUTO,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the drafts; queue nothing, open no store.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")] = False,
) -> None:
    """Propose draft engagements from press releases and news, and queue them for review.

    Each passage (a text file, a JSON line or CSV row with a text, a web page, a feed's entry)
    gives one draft: a kind or no engagement, title, host, participants with roles, dates at
    the precision the text gives, personnel and place, each with the words it came from and a
    confidence. The drafts proposing an engagement wait in your nation's review queue
    (`comity drafts list`); --dry-run only shows them. Bad input is reported in full, line by
    line, and nothing is queued.
    """
    from comity.extract.pipeline import extract_passages
    from comity.extract.readers import read_passages

    paths = list(files or ["-"])
    if "-" in paths and sys.stdin.isatty():
        raise typer.BadParameter("give files to read, or pipe text in (- reads standard input)")
    passages = read_passages(paths, file_format.value)
    processes = 1
    if len(passages) >= _PROCESSES_FROM:
        processes = max(1, min(os.cpu_count() or 1, _MOST_PROCESSES))
    advance, progress = _progress(len(passages))
    try:
        drafts = extract_passages(passages, processes=processes, progress=advance)
    finally:
        progress.stop()
    if dry_run:
        _show(drafts, as_json, None)
        return
    from comity.services import drafts as draft_service

    state = state_of(ctx)
    proposing = [d for d in drafts if d.is_engagement]
    saved = draft_service.save_drafts(state.store(), state.viewer(), proposing)
    _show(drafts, as_json, saved.to_dict())


def _show(drafts: list[Draft], as_json: bool, saved: dict[str, Any] | None) -> None:
    if as_json:
        shown = [d.to_dict() for d in drafts]
        emit_json(shown if saved is None else {**saved, "drafts": shown})
        return
    emit(drafts, _DRAFTS, OutputFormat.TABLE, title="Drafts")
    proposing = sum(d.is_engagement for d in drafts)
    console = stdout()
    console.print(
        f"{len(drafts):,} passage(s): {proposing:,} engagement(s) proposed, "
        f"{len(drafts) - proposing:,} no engagement.",
        highlight=False,
    )
    if saved is None:
        console.print("[yellow]Dry run: nothing was queued.[/yellow]")
        return
    added, already = len(saved["added"]), saved["already_queued"]
    console.print(
        f"Queued {added:,} draft(s) for review ({already:,} already queued); "
        "see `comity drafts list`.",
        highlight=False,
    )
