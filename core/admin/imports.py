"""Directory imports from the administration: upload, dry run with its diff, apply, progress, history.

Every route checks the administrator's scope on the server (``_structure_in_scope``); a source that imports for
the whole académie (AAF) is for super administrators only. Uploaded files go to the instance storage and the
work runs as ``directory.import`` jobs (:mod:`preau.directory.import_jobs`); the progress page reloads itself
(``<meta http-equiv="refresh">``) and a small JSON endpoint gives the same state to scripts.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import false, or_, select
from werkzeug.datastructures import FileStorage

from ..db import db_session
from ..directory.import_jobs import IMPORT_JOB, enqueue_import, safe_name, store_uploads
from ..directory.import_report import ACTIONS, CHANGE_LABELS, KIND_LABELS
from ..directory.imports import directory_sources
from ..directory.sync_plan import RECORD_KINDS
from ..jobs import DEAD_WORKER_ERROR, cancel_job, is_interrupted
from ..models import Job, JobState, Structure
from ..models.imports import ImportRun
from ..safezip import ZipRefused, is_zip, open_zip
from ..types import DirectorySource
from .views import _structure_in_scope, bp

HISTORY_SIZE = 30
MAX_FILES = 200
FINISHED_STATES = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


def _sources_for(user) -> dict[str, DirectorySource]:
    return {sid: s for sid, s in directory_sources(current_app).items() if user.is_super_admin or not s.academy_wide}


def _page(structure: Structure, *, error: str | None = None, status: int = 200, selected: str = ""):
    user = current_user._get_current_object()
    runs = db_session().scalars(
        select(ImportRun).where(or_(ImportRun.structure_id == structure.id,
                                    ImportRun.structure_id.is_(None) if user.is_super_admin else false()))
        .order_by(ImportRun.started_at.desc(), ImportRun.id.desc()).limit(HISTORY_SIZE)).all()
    return render_template("admin/imports/index.html", structure=structure, sources=_sources_for(user),
                           runs=runs, error=error, selected=selected,
                           max_mb=current_app.config.get("MAX_CONTENT_LENGTH", 0) // (1024 * 1024)), status


@bp.route("/structures/<int:structure_id>/imports")
def imports(structure_id: int):
    return _page(_structure_in_scope(structure_id))


@bp.route("/structures/<int:structure_id>/imports", methods=["POST"])
def imports_upload(structure_id: int):
    structure = _structure_in_scope(structure_id)
    user = current_user._get_current_object()
    source_id = request.form.get("source", "")
    sources = _sources_for(user)
    source = sources.get(source_id)
    if source is None:
        return _page(structure, error=_("Choisissez une source d'import."), status=400)
    uploads = posted_files()
    if not uploads:
        return _page(structure, error=_("Choisissez au moins un fichier."), status=400, selected=source_id)
    if len(uploads) > MAX_FILES or (len(uploads) > 1 and not source.multiple):
        return _page(structure, error=_("Trop de fichiers pour cette source."), status=400, selected=source_id)
    refused = [name for name, _file in uploads if Path(name).suffix.lower() not in source.accepts]
    if refused:
        return _page(structure, error=_("Fichier refusé : %(name)s (attendu : %(types)s).", name=safe_name(refused[0]),
                                        types=", ".join(source.accepts)), status=400, selected=source_id)
    refused_zip = refused_archive(uploads)
    if refused_zip:
        return _page(structure, error=refused_zip, status=400, selected=source_id)
    options = {option.id: request.form.get(f"option_{option.id}", "") for option in source.options}
    files = store_uploads([(name, file.stream) for name, file in uploads])
    session = db_session()
    job = enqueue_import(session, source=source.id, files=files, dry_run=True, options=options,
                         structure_id=None if source.academy_wide else structure.id, actor_id=user.id)
    job.structure_id = structure.id  # the page the job belongs to (and its scope check)
    session.commit()
    return redirect(url_for("admin.import_job", structure_id=structure.id, job_id=job.id))


def posted_files() -> list[tuple[str, FileStorage]]:
    """The files of the form's ``files`` field that have a name, with their name."""
    return [(f.filename, f) for f in request.files.getlist("files") if f and f.filename]


def refused_archive(uploads: list[tuple[str, FileStorage]]) -> str | None:
    """Why an uploaded zip is refused (too many members, too large once inflated, a bomb's ratio), checked on
    its central directory before it is stored; ``None`` when every archive is acceptable."""
    for name, upload in uploads:
        try:
            if Path(name).suffix.lower() == ".zip" or is_zip(upload.stream):
                open_zip(upload.stream, name=safe_name(name)).close()
        except ZipRefused as exc:
            return str(exc)
        finally:
            upload.stream.seek(0)
    return None


def _job_in_scope(structure: Structure, job_id: int) -> Job:
    job = db_session().get(Job, job_id)
    if job is None or job.kind != IMPORT_JOB or job.structure_id != structure.id:
        abort(404)
    payload = job.payload or {}
    source = directory_sources(current_app).get(payload.get("source", ""))
    if source is not None and source.academy_wide and not current_user.is_super_admin:
        abort(403)
    return job


@bp.route("/structures/<int:structure_id>/imports/jobs/<int:job_id>")
def import_job(structure_id: int, job_id: int):
    structure = _structure_in_scope(structure_id)
    job = _job_in_scope(structure, job_id)
    payload = job.payload or {}
    run = db_session().get(ImportRun, payload["run_id"]) if payload.get("run_id") else None
    finished = job.state in FINISHED_STATES
    return render_template("admin/imports/job.html", structure=structure, job=job, payload=payload, run=run,
                           finished=finished, interrupted=is_interrupted(job), dead_worker_error=DEAD_WORKER_ERROR,
                           kinds=RECORD_KINDS, kind_labels=KIND_LABELS, actions=ACTIONS,
                           change_labels=CHANGE_LABELS,
                           source=directory_sources(current_app).get(payload.get("source", "")))


@bp.route("/structures/<int:structure_id>/imports/jobs/<int:job_id>.json")
def import_job_state(structure_id: int, job_id: int):
    structure = _structure_in_scope(structure_id)
    job = _job_in_scope(structure, job_id)
    payload = job.payload or {}
    return jsonify(state=job.state, progress=job.progress, message=job.progress_message,
                   interrupted=is_interrupted(job), run_id=payload.get("run_id"),
                   error=job.last_error if job.state in (JobState.FAILED, JobState.CANCELLED) else None)


@bp.route("/structures/<int:structure_id>/imports/jobs/<int:job_id>/cancel", methods=["POST"])
def import_cancel(structure_id: int, job_id: int):
    """Cancel a queued or running import: a running one stops at its next progress report, nothing written."""
    structure = _structure_in_scope(structure_id)
    job = _job_in_scope(structure, job_id)
    session = db_session()
    if cancel_job(session, job, actor=current_user.id):
        session.commit()
        flash(_("Import annulé : rien n'a été modifié dans l'annuaire."), "success")
    else:
        flash(_("Cet import est déjà terminé : il ne peut plus être annulé."), "error")
    return redirect(url_for("admin.import_job", structure_id=structure.id, job_id=job.id))


@bp.route("/structures/<int:structure_id>/imports/jobs/<int:job_id>/apply", methods=["POST"])
def import_apply(structure_id: int, job_id: int):
    structure = _structure_in_scope(structure_id)
    dry = _job_in_scope(structure, job_id)
    payload = dry.payload or {}
    if not payload.get("dry_run") or dry.state != JobState.DONE or payload.get("applied_by_job"):
        flash(_("Cette simulation ne peut pas être appliquée."), "error")
        return redirect(url_for("admin.import_job", structure_id=structure.id, job_id=dry.id))
    session = db_session()
    job = enqueue_import(session, source=payload["source"], files=payload.get("files") or [], dry_run=False,
                         options=payload.get("options") or {}, structure_id=payload.get("structure_id"),
                         actor_id=current_user.id)
    job.structure_id = structure.id
    session.flush()
    dry.payload = {**payload, "applied_by_job": job.id}
    session.commit()
    return redirect(url_for("admin.import_job", structure_id=structure.id, job_id=job.id))
