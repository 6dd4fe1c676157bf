"""Use case of the media-event pipeline: GDELT files -> dyad-years, on DuckDB or Spark."""

from __future__ import annotations

from pathlib import Path

from comity.access.viewer import Role, Viewer
from comity.analytics.engines import open_engine
from comity.config import analytic_directory
from comity.errors import ImportRejectedError
from comity.ingest.base import ImportContext, ImportReport, Progress
from comity.ingest.media.pipeline import DEFAULT_MIN_SOURCES, MediaRun, run_media_pipeline
from comity.nations.resolver import default_resolver
from comity.services.engagements import require
from comity.store import Store
from comity.store import nations as nation_store
from comity.store.audit import append_audit

__all__ = ["default_media_output", "run_media"]


def default_media_output(store: Store, dataset: str) -> Path:
    """Where a run writes by default: ``<analytic store>/media/<dataset>``, read by the index."""
    return analytic_directory(store.describe_url()) / "media" / dataset


def run_media(
    store: Store,
    viewer: Viewer,
    patterns: list[str],
    *,
    engine: str = "duckdb",
    master: str | None = None,
    min_sources: int = DEFAULT_MIN_SOURCES,
    output: Path | None = None,
    dataset: str = "gdelt",
    progress: Progress | None = None,
) -> MediaRun:
    """Run the media-event pipeline over GDELT event files.

    Args:
        store: The store (its nations resolve the actors; its analytic folder is the default
            output).
        viewer: Who runs it: the installation's operator (its output feeds every nation's
            challenges panel and may replace a bundled dataset's events).
        patterns: Paths or glob patterns of event files.
        engine: ``duckdb`` (in this process) or ``spark``.
        master: The Spark master URL (``local[2]`` by default).
        min_sources: Events reported by fewer sources are left out.
        output: The output folder (default: :func:`default_media_output`).
        dataset: The name recorded on every event and of the default output folder.
        progress: Told of rows read.

    Raises:
        ImportRejectedError: When a file is malformed; its report names file, line and field.
    """
    require(viewer, Role.OPERATOR, "run the media-event pipeline (every nation reads its output)")
    if min_sources < 1:
        raise ImportRejectedError(
            f"--min-sources must be 1 or more, not {min_sources}.",
            hint=f"The default is {DEFAULT_MIN_SOURCES}.",
        )
    with store.connect() as connection:
        nations = nation_store.load_nations(connection)
    context = ImportContext(default_resolver(), nations, "", progress)
    target = output or default_media_output(store, dataset)
    runner = open_engine(engine, master=master)
    try:
        run = run_media_pipeline(
            patterns, runner, context, output=target, dataset=dataset, min_sources=min_sources
        )
    finally:
        runner.close()
    if context.issue_count:
        report = ImportReport(dataset=dataset, files=run.files, rows_read=run.rows_read)
        report.issues, report.issue_count = context.issues, context.issue_count
        raise ImportRejectedError(
            f"{dataset}: {context.issue_count} problem(s) found; nothing was written. "
            f"First: {context.issues[0]}",
            hint="Fix the file and run again.",
            report=report,
        )
    if run.written:
        # The default output feeds every user's challenges panel: the run is a write, audited.
        summary = {k: v for k, v in run.to_dict().items() if k != "seconds"}
        with store.transaction() as connection:
            append_audit(connection, viewer.name, "media_run", "media", dataset, None, summary)
    return run
