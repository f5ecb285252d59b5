"""The ``directory.import`` background job: a dry run or an application of uploaded files.

Payload: ``source`` (a directory source id), ``files`` (``[{"key": storage key, "name": file name}]``, the
uploads kept in the instance storage), ``dry_run``, ``options``, ``structure_id``, ``actor_id``. The result
(``run_id`` of the import run) is added to the payload. The import runs in its own session and transaction, so
that the job's progress (committed by :func:`preau.jobs.report_progress`) never commits half an import. On
SQLite, whose single writer is the import, progress is reported while the files are read, then at the end.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ..filestore import default_storage
from ..jobs import PermanentJobError, enqueue, job_handler, mark_done, report_progress
from ..models import Job, User
from ..models.imports import ImportRun
from .imports import directory_sources, record_failure, run_import
from .sync import FeedError, ImportPlan

IMPORT_JOB = "directory.import"
PREVIEW_ROWS = 10  # rows of the diff kept per kind for the page
SILENT_LEASE_SECONDS = 30 * 60  # SQLite: no heartbeat while the import holds the write lock


def store_uploads(files: list[tuple[str, Any]]) -> list[dict[str, str]]:
    """Keep uploaded files (name, stream) in the instance storage; returns the payload's ``files``."""
    storage = default_storage()
    return [{"key": storage.put(stream), "name": safe_name(name)} for name, stream in files]


def safe_name(name: str) -> str:
    """A file name without directories nor odd characters (sources look at names: « Complet », « Eleve »…)."""
    base = Path(name or "fichier").name
    return re.sub(r"[^A-Za-z0-9._-]", "_", base)[:120] or "fichier"


def enqueue_import(session: Session, *, source: str, files: list[dict[str, str]], dry_run: bool,
                   options: dict[str, Any] | None = None, structure_id: int | None = None,
                   actor_id: int | None = None) -> Job:
    payload = {"source": source, "files": files, "dry_run": dry_run, "options": options or {},
               "structure_id": structure_id, "actor_id": actor_id}
    job = enqueue(session, IMPORT_JOB, payload, structure_id=structure_id)
    job.max_attempts = 1  # a failed import is reported, not retried
    return job


@job_handler(IMPORT_JOB)
def run_import_job(session: Session, job: Job) -> None:
    payload = dict(job.payload or {})
    sources = directory_sources(current_app)
    source = sources.get(payload.get("source", ""))
    if source is None:
        raise PermanentJobError(f"source d'import inconnue : {payload.get('source')}")
    work: Session = current_app.extensions["preau.sessionmaker"]()
    # SQLite has one writer, and a session bound to a Connection (the tests') shares it with the job's session.
    single_writer = work.get_bind().dialect.name == "sqlite" or isinstance(work.get_bind(), Connection)

    def progress(percent: int, message: str) -> None:
        # With a single writer, committing the progress while the import's transaction is open would wait for
        # it (and the import for the progress). Report what can be reported, with a lease long enough for the
        # silent part; the end is reported below. Elsewhere each report renews a short lease.
        if not (single_writer and work.in_transaction()):
            report_progress(job, percent, message, lease_seconds=SILENT_LEASE_SECONDS if single_writer else None)

    dry_run, structure_id = bool(payload.get("dry_run")), payload.get("structure_id")
    try:
        with tempfile.TemporaryDirectory(prefix="preau-import-") as folder:
            paths = _fetch_files(payload.get("files") or [], Path(folder))
            actor = work.get(User, payload["actor_id"]) if payload.get("actor_id") else None
            try:
                result = run_import(work, source, paths, dry_run=dry_run, options=payload.get("options") or {},
                                    structure_id=structure_id, actor=actor, progress=progress)
            except FeedError as error:
                record_failure(work, source.id, error, dry_run=dry_run, structure_id=structure_id,
                               actor=payload.get("actor_id"))
                work.commit()
                raise PermanentJobError(str(error)) from None
            except Exception:
                work.rollback()
                raise
            plan = result if isinstance(result, ImportPlan) else result.plan
            preview = {kind: [{"label": c.label, "external_id": c.external_id, "action": c.action,
                               "fields": list(c.fields)} for c in changes]
                       for kind, changes in plan.first_changes(PREVIEW_ROWS).items()}
            # The job ends in the import's transaction: cancelled meanwhile, the import is rolled back.
            mark_done(work, job, message="Terminé", payload={
                **payload, "run_id": _last_run_id(work, source.id), "changed": plan.changed, "preview": preview})
            work.commit()
        if not dry_run:  # the uploads served the dry run and this application: they are no longer needed
            for item in payload.get("files") or []:
                default_storage().delete(item["key"])
    finally:
        work.close()


def _last_run_id(session: Session, source_id: str) -> int | None:
    return session.scalar(select(ImportRun.id).where(ImportRun.source == source_id).order_by(ImportRun.id.desc()))


def _fetch_files(files: list[dict[str, str]], folder: Path) -> list[Path]:
    storage, paths = default_storage(), []
    for index, item in enumerate(files):
        path = folder / f"{index:03d}" / safe_name(item.get("name", ""))
        path.parent.mkdir()
        with storage.open(item["key"]) as stream, open(path, "wb") as out:
            while chunk := stream.read(1024 * 1024):
                out.write(chunk)
        paths.append(path)
    return paths
