"""Imports (uploaded, run in the background with progress) and exports (files to download)."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from comity.access.viewer import Role, Viewer
from comity.api.schemas import JobId
from comity.api.security import current_viewer, requires
from comity.errors import FieldProblem, ValidationError
from comity.export.writers import NetworkFormat, TableFormat
from comity.services import exports
from comity.services.imports import list_sources
from comity.services.jobs import ImportJobs, Upload, safe_name
from comity.store import Store

router = APIRouter()

_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}
_CHUNK = 1 << 20


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _jobs(request: Request) -> ImportJobs:
    jobs: ImportJobs = request.app.state.import_jobs
    return jobs


@router.get("/sources", tags=["imports"], summary="Bundled datasets and what the store holds")
def sources(
    request: Request,
    viewer: Viewer = Depends(current_viewer),
) -> list[dict[str, Any]]:
    """Each dataset comity can import, its citation, and the years and records imported."""
    out = []
    for source in list_sources(_store(request)):
        info = source.importer.info
        record = source.imported
        out.append(
            {
                "name": info.name,
                "title": info.title,
                "becomes": info.becomes,
                "citation": info.citation,
                "licence": info.licence,
                "version": info.version,
                "imported": None
                if record is None
                else {
                    "version": record.version,
                    "records": record.records,
                    "first_year": record.first_year,
                    "last_year": record.last_year,
                    "imported_at": record.imported_at.isoformat(),
                    "imported_by": record.imported_by,
                },
            }
        )
    return out


async def _save(upload: UploadFile, folder: Path) -> Upload:
    name = upload.filename or "upload"
    target = folder / safe_name(name)
    with target.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            out.write(chunk)
    return Upload(filename=Path(name.replace("\\", "/")).name, path=target)


@router.post("/imports", tags=["imports"], status_code=202, summary="Start an import")
async def start_import(
    request: Request,
    response: Response,
    dataset: Annotated[str | None, Form(max_length=60, description="A bundled dataset.")] = None,
    dry_run: Annotated[bool, Form(description="Check everything, write nothing.")] = False,
    files: Annotated[list[UploadFile] | None, File(description="Files to read.")] = None,
    mapping: Annotated[UploadFile | None, File(description="A TOML mapping.")] = None,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> dict[str, Any]:
    """Queue an import (planners); poll the job for its progress and report.

    Give a bundled dataset (read from its own files, or the ones uploaded), or your own files
    with a TOML mapping. All or nothing: a rejected import writes nothing.
    """
    jobs = _jobs(request)
    folder = jobs.staging()
    uploads = [await _save(f, folder) for f in files or []]
    if len({u.path for u in uploads}) < len(uploads):
        raise ValidationError([FieldProblem("files", "two files have the same name")], "import")
    saved = await _save(mapping, folder) if mapping is not None else None
    job = jobs.submit(
        viewer,
        dataset=dataset or None,
        mapping=saved,
        uploads=uploads,
        folder=folder,
        dry_run=dry_run,
    )
    response.headers["Location"] = f"{request.url.path}/{job.id}"
    return job.to_dict()


@router.get("/imports", tags=["imports"], summary="Your import jobs")
def list_imports(
    request: Request,
    viewer: Viewer = Depends(current_viewer),
) -> list[dict[str, Any]]:
    """Your import jobs, newest first (an admin's: everyone's)."""
    return [job.to_dict() for job in _jobs(request).list(viewer)]


@router.get("/imports/{job_id}", tags=["imports"], summary="One import job")
def get_import(
    job_id: JobId,
    request: Request,
    viewer: Viewer = Depends(current_viewer),
) -> dict[str, Any]:
    """Where an import stands: rows read, then its report (every problem: file, row, field)."""
    return _jobs(request).get(viewer, job_id).to_dict()


def _download(path: Path, file_format: str, stem: str) -> FileResponse:
    # The entity tag is the body's digest: the same table gives the same tag, whenever made.
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return FileResponse(
        path,
        media_type=_MEDIA[file_format],
        filename=f"{stem}.{file_format}",
        headers={"ETag": f'"{digest.hexdigest()[:32]}"'},
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


def _scratch(file_format: str) -> Path:
    handle = tempfile.NamedTemporaryFile(
        prefix="comity-export-", suffix=f".{file_format}", delete=False
    )
    handle.close()
    return Path(handle.name)


@router.get("/exports/dyad-years", tags=["exports"], summary="The index of every pair and year")
def export_dyad_years(
    request: Request,
    file_format: Annotated[TableFormat, Query(alias="format")] = TableFormat.CSV,
    viewer: Viewer = Depends(requires(Role.ANALYST)),
) -> FileResponse:
    """Download the dyad-year table (analysts), of the records you may see.

    Columns: iso3_1, iso3_2, ccode1, ccode2, year, index and its components, method version
    and settings digest.
    """
    path = _scratch(file_format.value)
    try:
        exports.export_dyad_years(_store(request), viewer, file_format, path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return _download(path, file_format.value, "dyad_years")


@router.get("/exports/network", tags=["exports"], summary="The network, for Gephi or R")
def export_network(
    request: Request,
    file_format: Annotated[NetworkFormat, Query(alias="format")] = NetworkFormat.GRAPHML,
    year: Annotated[int | None, Query(ge=1000, le=3000)] = None,
    min_index: Annotated[float, Query(ge=0, le=100)] = 0.0,
    viewer: Viewer = Depends(requires(Role.ANALYST)),
) -> FileResponse:
    """Download one year's network (GraphML, GEXF) or every year's measures (CSV, Parquet)."""
    path = _scratch(file_format.value)
    try:
        exports.export_network(
            _store(request), viewer, year, file_format, path, min_index=min_index
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    stem = "network" if year is None else f"network_{year}"
    return _download(path, file_format.value, stem)
