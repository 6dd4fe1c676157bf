"""Imports: the bundled datasets, an upload form, and each import job's progress and report.

An upload is saved to a private staging folder and handed to the server's
:class:`~comity.services.jobs.ImportJobs`, which runs one import at a time in the background; the
job's page polls its progress with HTMX until it is done, then shows its report (or, for a
rejected import, every problem with its file, row and column).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from comity.access.viewer import Role, Viewer
from comity.errors import (
    ComityError,
    FieldProblem,
    ImportRejectedError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from comity.services.imports import list_sources, read_names
from comity.services.jobs import ImportJob, ImportJobs, Upload, safe_name
from comity.web.forms import messages_by_field, text_of
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["router"]

router = WebRouter()

_CHUNK = 1 << 20
_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
_FIELDS = ("dataset", "mapping", "files", "names", "form")
_RUNNING = frozenset({"queued", "running"})


def _jobs(request: Request) -> ImportJobs:
    jobs: ImportJobs = request.app.state.import_jobs
    return jobs


def _index(
    request: Request,
    viewer: Viewer,
    *,
    problems: list[FieldProblem] | None = None,
    error: ComityError | None = None,
    chosen: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    sources = list_sources(store_of(request))
    context = {
        "title": "Imports",
        "sources": sources,
        "jobs": _jobs(request).list(viewer),
        "may_import": viewer.may(Role.PLANNER),
        "sees_all": viewer.may(Role.ADMIN),
        "messages": messages_by_field(problems or [], _FIELDS),
        "error": error,
        "chosen": chosen or {},
    }
    return render(request, "imports/index.html", context, status=status)


@router.get("/imports")
def imports_page(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The bundled datasets, the upload form (planners) and the viewer's import jobs."""
    return _index(request, viewer)


def _file(value: Any) -> UploadFile | None:
    # A file input left empty still sends a part, with no file name.
    return value if isinstance(value, UploadFile) and value.filename else None


async def _save(upload: UploadFile, folder: Path) -> Upload:
    name = upload.filename or "upload"
    target = folder / safe_name(name)
    with target.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            out.write(chunk)
    return Upload(filename=Path(name.replace("\\", "/")).name, path=target)


@router.post("/imports")
async def start_import(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> Response:
    """Queue an import from the upload form (planners) and go to its job page."""
    # The uploads are spooled to temporary files: close them whatever happens.
    async with request.form() as form:
        return await _start(request, viewer, form)


async def _start(request: Request, viewer: Viewer, form: FormData) -> Response:
    if not viewer.may(Role.PLANNER):
        raise PermissionDeniedError(
            f"{viewer.name} may not import data: it needs the role planner.",
            hint="Ask an administrator for the planner role.",
        )
    dataset = text_of(form, "dataset")[:60] or None
    dry_run = text_of(form, "dry_run") in {"on", "true", "1"}
    files = [f for f in (_file(v) for v in form.getlist("files")) if f is not None]
    mapping, names_file = _file(form.get("mapping")), _file(form.get("names"))
    chosen = {"dataset": dataset or "", "dry_run": dry_run}
    problems = _form_problems(dataset, mapping, files)
    if problems:
        return _index(request, viewer, problems=problems, chosen=chosen, status=422)
    jobs = _jobs(request)
    folder = jobs.staging()
    extra = folder / ".extra"  # no uploaded name can be this one: safe_name strips leading dots
    try:
        uploads = [await _save(f, folder) for f in files]
        if len({u.path for u in uploads}) < len(uploads):
            raise ValidationError([FieldProblem("files", "two files have the same name")], "import")
        extra.mkdir()
        saved = await _save(mapping, extra) if mapping is not None else None
        names = await _names(names_file, extra) if names_file is not None else None
        job = jobs.submit(
            viewer,
            dataset=dataset,
            mapping=saved,
            uploads=uploads,
            folder=folder,
            dry_run=dry_run,
            names=names,
        )
    except ComityError as error:
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(error, ValidationError):
            found = error.problems
        elif isinstance(error, ImportRejectedError) and mapping is not None:
            # The mapping could not be read: say so beside it, under the name the user gave.
            text = error.message.replace(
                str(extra / safe_name(mapping.filename or "")), mapping.filename or ""
            )
            found = [FieldProblem("mapping", text + (f" {error.hint}" if error.hint else ""))]
        else:
            found = []
        return _index(
            request,
            viewer,
            problems=found,
            chosen=chosen,
            status=422,
            error=None if found else error,
        )
    return RedirectResponse(f"/imports/{job.id}", status_code=303)


async def _names(upload: UploadFile, folder: Path) -> dict[str, str]:
    """The extra spellings of a names file (a name, then the nation's key, per line).

    Raises:
        ValidationError: On the ``names`` field, when the file is not such a list.
    """
    saved = await _save(upload, folder)
    try:
        return read_names(saved.path)
    except ImportRejectedError as error:
        text = error.message.replace(str(saved.path), saved.filename)
        raise ValidationError([FieldProblem("names", text)], "import") from None


def _form_problems(
    dataset: str | None, mapping: UploadFile | None, files: list[UploadFile]
) -> list[FieldProblem]:
    if dataset is None and mapping is None:
        return [FieldProblem("dataset", "choose a bundled dataset, or give a mapping file below")]
    if dataset is not None and mapping is not None:
        return [FieldProblem("dataset", "choose a bundled dataset or a mapping file, not both")]
    if mapping is not None and not files:
        return [FieldProblem("files", "a mapping needs the data files it describes")]
    return []


def _job(request: Request, viewer: Viewer, job_id: str) -> ImportJob:
    if not _JOB_ID.match(job_id):
        raise NotFoundError(f"No import job {job_id!r}.", hint="See your imports on /imports.")
    return _jobs(request).get(viewer, job_id)


_CLI_HINT = "Run `comity nations --search TEXT` to look it up."
_WEB_HINT = "look it up on the Nations page, or map it with a names file."


def _for_the_web(text: str | None) -> str | None:
    # The importers' advice names a CLI command; on a page, point at the page's own means.
    return text.replace(_CLI_HINT, _WEB_HINT) if text else text


def _job_context(job: ImportJob) -> dict[str, Any]:
    report = job.report or {}
    excluded = report.get("excluded") or {}
    corrected = report.get("corrected") or {}
    issues = [
        {**issue, "reason": _for_the_web(issue.get("reason"))}
        for issue in report.get("issues") or []
    ]
    return {
        "job": job,
        "report": job.report,
        "running": job.status in _RUNNING,
        "excluded_total": sum(excluded.values()),
        "corrected_total": sum(corrected.values()),
        "issues": issues,
        "issue_count": report.get("rejected") or 0,
        "message": _for_the_web(job.message),
    }


@router.get("/imports/{job_id}")
def job_page(
    request: Request,
    job_id: str,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """One import job: its progress while it runs, then its report."""
    job = _job(request, viewer, job_id)
    return render(
        request, "imports/job.html", {"title": f"Import of {job.dataset}", **_job_context(job)}
    )


@router.get("/imports/{job_id}/progress")
def job_progress(
    request: Request,
    job_id: str,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The job's status fragment, polled by its page every second while the job runs."""
    job = _job(request, viewer, job_id)
    return render(request, "imports/_job.html", _job_context(job))
