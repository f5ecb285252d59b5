"""The column mapping page of a directory source that can describe its files (``DirectorySource.inspect``; the CSV
source does): upload, see each file's encoding, detected profile and columns, choose a profile per file and a
field per column, then hand over to the imports page's dry run job (diff, « Appliquer », progress, history).

The options given to the source are ``{"profile": {file name: profile}, "mapping": {file name: {header: field}}}``.
Every route checks the administrator's scope on the server; the target structure is the page's structure. The
uploads go to the instance storage and their keys are remembered in the user's session, so that a form can only
name files this user uploaded.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db import db_session
from ..directory.import_jobs import enqueue_import, safe_name, store_uploads
from ..directory.imports import directory_sources
from ..filestore import default_storage
from ..types import DirectorySource
from .imports import posted_files, refused_archive
from .views import _structure_in_scope, bp

MAX_FILES = 10
SESSION_KEY = "import_column_uploads"


def _source(source_id: str) -> DirectorySource:
    source = directory_sources(current_app).get(source_id)
    if source is None or source.inspect is None or source.academy_wide:
        abort(404)
    return source


def _page(structure, source, *, files=(), error=None, status=200):
    return render_template("admin/csv_import.html", structure=structure, source=source, files=files,
                           error=error, max_files=MAX_FILES), status


@bp.route("/structures/<int:structure_id>/imports/<source_id>/columns")
def import_columns(structure_id: int, source_id: str):
    structure = _structure_in_scope(structure_id)
    return _page(structure, _source(source_id))


@bp.route("/structures/<int:structure_id>/imports/<source_id>/columns", methods=["POST"])
def import_columns_upload(structure_id: int, source_id: str):
    """Describe each uploaded file: the mapping form shows what was detected."""
    structure = _structure_in_scope(structure_id)
    source = _source(source_id)
    uploads = posted_files()
    if not uploads:
        return _page(structure, source, error=_("Choisissez au moins un fichier CSV."), status=400)
    if len(uploads) > MAX_FILES:
        return _page(structure, source, error=_("Trop de fichiers : %(n)s au plus.", n=MAX_FILES), status=400)
    refused = [name for name, _file in uploads if Path(name).suffix.lower() not in source.accepts]
    if refused:
        return _page(structure, source, error=_("Fichier refusé : %(name)s (attendu : %(types)s).",
                                                name=safe_name(refused[0]), types=", ".join(source.accepts)),
                     status=400)
    refused_zip = refused_archive(uploads)
    if refused_zip:
        return _page(structure, source, error=refused_zip, status=400)
    contents = [(safe_name(name), file.read()) for name, file in uploads]
    stored = store_uploads(contents)
    session[SESSION_KEY] = {**session.get(SESSION_KEY, {}), **{item["key"]: item["name"] for item in stored}}
    inspect = source.inspect
    assert inspect is not None  # _source gives only the sources that describe their files
    files = [{"key": item["key"], "description": inspect(name, data)}
             for item, (name, data) in zip(stored, contents, strict=True)]
    return _page(structure, source, files=files)


def _posted_files() -> list[dict]:
    """The files named by the form with their profile and mapping; only this user's uploads."""
    mine, chosen = session.get(SESSION_KEY, {}), []
    for index in range(MAX_FILES):
        key = request.form.get(f"file_{index}_key")
        if key is None:
            break
        if key not in mine:
            abort(400)
        headers, fields = request.form.getlist(f"file_{index}_header"), request.form.getlist(f"file_{index}_field")
        chosen.append({"key": key, "name": mine[key], "profile": request.form.get(f"file_{index}_profile", ""),
                       "mapping": dict(zip(headers, fields, strict=False))})
    return chosen


@bp.route("/structures/<int:structure_id>/imports/<source_id>/columns/simulate", methods=["POST"])
def import_columns_simulate(structure_id: int, source_id: str):
    """Hand the files and the choices to the import job (dry run), then show its page."""
    structure = _structure_in_scope(structure_id)
    source = _source(source_id)
    files = _posted_files()
    if not files:
        return _page(structure, source, error=_("Aucun fichier à importer : envoyez-les de nouveau."), status=400)
    options = {"profile": {f["name"]: f["profile"] for f in files if f["profile"]},
               "mapping": {f["name"]: f["mapping"] for f in files}}
    db = db_session()
    job = enqueue_import(db, source=source.id, files=[{"key": f["key"], "name": f["name"]} for f in files],
                         dry_run=True, options=options, structure_id=structure.id, actor_id=current_user.id)
    job.structure_id = structure.id
    db.commit()
    used = {f["key"] for f in files}
    session[SESSION_KEY] = {k: v for k, v in session.get(SESSION_KEY, {}).items() if k not in used}
    return redirect(url_for("admin.import_job", structure_id=structure.id, job_id=job.id))


@bp.route("/structures/<int:structure_id>/imports/<source_id>/columns/cancel", methods=["POST"])
def import_columns_cancel(structure_id: int, source_id: str):
    """Forget the uploads of a mapping form that will not be used."""
    _structure_in_scope(structure_id)
    _source(source_id)
    for key in session.pop(SESSION_KEY, {}):
        default_storage().delete(key)
    return redirect(url_for("admin.import_columns", structure_id=structure_id, source_id=source_id))
