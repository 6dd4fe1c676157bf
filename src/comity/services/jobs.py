"""Imports run in the background: one at a time, with progress, for the API and the web app.

A job owns a temporary folder holding the uploaded files; it is removed when the job ends.
Jobs live in the server process (a restarted server forgets finished jobs; their imports are
in the store and the audit log either way).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from comity.access.viewer import Role, Viewer
from comity.errors import (
    ComityError,
    FieldProblem,
    ImportRejectedError,
    NotFoundError,
    ValidationError,
)
from comity.ingest.base import Importer
from comity.ingest.catalog import get_importer
from comity.services import imports as import_service
from comity.services.engagements import require
from comity.store import Store

__all__ = ["ImportJob", "ImportJobs", "Upload"]

_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the name the user gave it and its bytes on disk."""

    filename: str
    path: Path


@dataclass
class ImportJob:
    """One import and where it stands: queued, running, done, rejected or failed."""

    id: str
    owner: str
    dataset: str
    dry_run: bool
    files: list[str]
    nation: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    status: str = "queued"
    rows_read: int = 0
    finished_at: datetime | None = None
    message: str | None = None
    report: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "id": self.id,
            "owner": self.owner,
            "nation": self.nation,
            "dataset": self.dataset,
            "dry_run": self.dry_run,
            "files": self.files,
            "status": self.status,
            "rows_read": self.rows_read,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "message": self.message,
            "report": self.report,
        }


def safe_name(filename: str) -> str:
    """A file name that cannot leave its folder (``../x`` becomes ``x``), keeping its suffix."""
    base = Path(filename.replace("\\", "/")).name
    cleaned = "".join(c if c in _SAFE else "_" for c in base).lstrip(".")
    return cleaned[:120] or "upload"


class ImportJobs:
    """The import jobs of one server: run one at a time, in a background thread.

    Args:
        store: The store imports write to.
        keep: How many finished jobs to remember.
    """

    def __init__(self, store: Store, keep: int = 200) -> None:
        self.store = store
        self.keep = keep
        self._jobs: dict[str, ImportJob] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="comity-import")

    def staging(self) -> Path:
        """A new private folder for a job's uploads."""
        return Path(tempfile.mkdtemp(prefix="comity-upload-"))

    def submit(
        self,
        viewer: Viewer,
        *,
        dataset: str | None,
        mapping: Upload | None,
        uploads: list[Upload],
        folder: Path,
        dry_run: bool = False,
        names: Mapping[str, str] | None = None,
    ) -> ImportJob:
        """Queue an import of a bundled dataset (its own or uploaded files) or of a mapping.

        Raises:
            PermissionDeniedError: When the viewer may not import.
            ValidationError: When neither or both of ``dataset`` and ``mapping`` are given.
            ImportRejectedError: When the mapping is not valid (nothing is queued).
        """
        require(viewer, Role.PLANNER, "import data")
        try:
            if (dataset is None) == (mapping is None):
                raise ValidationError(
                    [FieldProblem("dataset", "give a dataset name or a mapping file, not both")],
                    "import",
                )
            importer: str | Importer
            if mapping is not None:
                importer = import_service.mapped_importer(mapping.path)
                if not uploads:
                    raise ValidationError(
                        [FieldProblem("files", "a mapping needs the files it maps")], "import"
                    )
            else:
                importer = str(dataset)
                try:
                    get_importer(importer)
                except NotFoundError as error:
                    raise ValidationError(
                        [FieldProblem("dataset", f"is not a dataset; {error.hint}", importer)],
                        "import",
                    ) from None
        except ComityError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        label = importer if isinstance(importer, str) else importer.info.name
        job = ImportJob(
            id=uuid.uuid4().hex,
            owner=viewer.name,
            dataset=label,
            dry_run=dry_run,
            files=[u.filename for u in uploads],
            nation=viewer.nation,
        )
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        self._pool.submit(self._run, job, importer, uploads, folder, viewer, dry_run, names)
        return job

    def _run(
        self,
        job: ImportJob,
        importer: str | Importer,
        uploads: list[Upload],
        folder: Path,
        viewer: Viewer,
        dry_run: bool,
        names: Mapping[str, str] | None,
    ) -> None:
        shown = {str(u.path): u.filename for u in uploads}
        shown.update({u.path.name: u.filename for u in uploads})

        def advance(rows: int) -> None:
            job.rows_read += rows

        job.status = "running"
        try:
            report = import_service.import_dataset(
                self.store,
                importer,
                [u.path for u in uploads] or None,
                viewer=viewer,
                dry_run=dry_run,
                names=names,
                progress=advance,
            )
            job.report, job.status = _rename(report.to_dict(), shown), "done"
        except ImportRejectedError as error:
            job.status, job.message = "rejected", error.message
            to_dict = getattr(error.report, "to_dict", None)
            job.report = _rename(to_dict(), shown) if to_dict else None
        except ComityError as error:
            job.status, job.message = "rejected", error.message
        except Exception as error:
            job.status, job.message = "failed", f"{type(error).__name__}: {error}"
        finally:
            job.finished_at = datetime.now(UTC)
            shutil.rmtree(folder, ignore_errors=True)

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.finished_at is not None]
        for job in sorted(finished, key=lambda j: j.created_at)[: -self.keep or None]:
            if len(self._jobs) <= self.keep:
                break
            del self._jobs[job.id]

    def get(self, viewer: Viewer, job_id: str) -> ImportJob:
        """A job the viewer may see (see :meth:`list`).

        Raises:
            NotFoundError: When there is no such job, or it is not the viewer's to see.
        """
        job = self._jobs.get(job_id)
        if job is None or not _sees(viewer, job):
            raise NotFoundError(f"No import job {job_id!r}.")
        return job

    def list(self, viewer: Viewer) -> list[ImportJob]:
        """The viewer's jobs, newest first; an admin's: their nation's; the operator's: all."""
        with self._lock:
            jobs = list(self._jobs.values())
        mine = [j for j in jobs if _sees(viewer, j)]
        return sorted(mine, key=lambda j: j.created_at, reverse=True)

    def wait(self, job_id: str, timeout: float = 60.0) -> ImportJob:
        """Block until a job ends (for tests and scripts)."""
        import time

        deadline = time.monotonic() + timeout
        job = self._jobs[job_id]
        while job.finished_at is None and time.monotonic() < deadline:
            time.sleep(0.02)
        return job

    def close(self) -> None:
        """Finish the running job and stop."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _sees(viewer: Viewer, job: ImportJob) -> bool:
    """A job is its owner's; an admin sees their nation's, the installation's operator all."""
    if job.owner == viewer.name or viewer.spans_nations:
        return True
    return viewer.may(Role.ADMIN) and job.nation is not None and job.nation == viewer.nation


def _rename(report: dict[str, Any], shown: Mapping[str, str]) -> dict[str, Any]:
    """The report with the temporary paths replaced by the names the user uploaded."""
    report["files"] = [shown.get(f, Path(f).name) for f in report.get("files", [])]
    for issue in report.get("issues", []):
        if isinstance(issue, dict) and issue.get("file") in shown:
            issue["file"] = shown[issue["file"]]
    return report
