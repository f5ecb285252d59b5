"""« Mes données »: a person's export, a zip of JSON files (the kernel's and each plugin's) and their files.

The archive is built by a background job (a plugin may hold years of messages), kept in the storage for
``DATA_EXPORT_DAYS`` and downloadable only by its owner.
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..directory.users import children_of, classes_of, parents_of
from ..filestore import StorageError, default_storage
from ..jobs import PermanentJobError, enqueue, job_handler, report_progress
from ..models import AuditEvent, DataExport, Job, JobState, User
from ..models._time import utcnow
from ..plugins import HookFailure
from ..rights import apps_for_user

EXPORT_JOB = "account.export"
KERNEL_FILE = "preau.json"
_UNSAFE = re.compile(r"[^\w.\- ]+")


def request_export(session: Session, user: User) -> DataExport:
    """Queue an export, or give the one already being built (asking twice does not build twice)."""
    building = session.scalar(
        select(DataExport).join(Job, Job.id == DataExport.job_id)
        .where(DataExport.user_id == user.id, DataExport.storage_key.is_(None),
               Job.state.in_((JobState.QUEUED, JobState.RUNNING))))
    if building is not None:
        return building
    days = current_app.config.get("DATA_EXPORT_DAYS", 7)
    export = DataExport(user_id=user.id, expires_at=utcnow() + timedelta(days=days), size=0)
    session.add(export)
    session.flush()
    export.job_id = enqueue(session, EXPORT_JOB, {"export_id": export.id}).id
    audit.record(session, "account.export_requested", actor=user, target=user)
    return export


def exports_of(session: Session, user: User) -> list[tuple[DataExport, Job | None]]:
    """The person's exports still kept, newest first, with the job that builds each."""
    rows = session.execute(
        select(DataExport, Job).outerjoin(Job, Job.id == DataExport.job_id)
        .where(DataExport.user_id == user.id, DataExport.expires_at > utcnow())
        .order_by(DataExport.id.desc())).all()
    return [(export, job) for export, job in rows]


def downloadable(session: Session, user: User, export_id: int) -> DataExport | None:
    """The export if it is this person's, built and not expired; anyone else's is simply not found."""
    export = session.get(DataExport, export_id)
    if export is None or export.user_id != user.id or not export.storage_key or export.expires_at <= utcnow():
        return None
    return export


def kernel_data(session: Session, user: User) -> dict[str, Any]:
    """What the kernel knows of the person: identity, roles, functions, classes, family, account history."""
    history = session.scalars(
        select(AuditEvent).where(AuditEvent.target_type == "users", AuditEvent.target_id == str(user.id))
        .order_by(AuditEvent.id)).all()
    return {
        "account": {"login": user.login, "first_name": user.first_name, "last_name": user.last_name,
                    "display_name": user.display_name, "email": user.email,
                    "birth_date": user.birth_date.isoformat() if user.birth_date else None,
                    "state": user.state, "created_at": user.created_at.isoformat(), "source": user.source},
        "roles": [{"structure": role.structure.name, "uai": role.structure.uai, "profile": role.profile}
                  for role in user.roles],
        "functions": [function.code for function in user.functions],
        "classes": [f"{c.name} ({c.structure.name})" for c in classes_of(session, user)],
        "children": [child.display_name for child in children_of(session, user)],
        "parents": [parent.display_name for parent in parents_of(session, user)],
        "history": [{"action": event.action, "at": event.at.isoformat()} for event in history],
    }


def _file_name(name: Any, taken: set[str]) -> str:
    base = _UNSAFE.sub("_", str(name).rsplit("/", 1)[-1]).strip(" .")[:120] or "fichier"
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{number}-{base}"
    taken.add(candidate)
    return candidate


def _write_plugin_part(archive: zipfile.ZipFile, app_id: str, data: dict[str, Any]) -> None:
    """``<app id>.json``, and the files it lists under "files" ({"name", "storage_key"}) in ``<app id>/``."""
    files = data.pop("files", None) or []
    taken: set[str] = set()
    listed: list[str | None] = []
    for entry in files:
        name = _file_name(entry.get("name"), taken)
        try:
            with default_storage().open(entry["storage_key"]) as source, \
                    archive.open(f"{app_id}/{name}", "w") as target:
                while chunk := source.read(1 << 20):
                    target.write(chunk)
            listed.append(f"{app_id}/{name}")
        except (KeyError, StorageError):
            listed.append(None)  # a file gone from the storage: said in the JSON rather than failing all
    if files:
        data["files"] = listed
    archive.writestr(f"{app_id}.json", _json(data))


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


@job_handler(EXPORT_JOB)
def build_export(session: Session, job: Job) -> None:
    export = session.get(DataExport, (job.payload or {}).get("export_id"))
    if export is None:
        raise PermanentJobError("export inconnu")
    user = session.get_one(User, export.user_id)
    registry = current_app.extensions["preau.plugins"]
    missing: list[str] = []
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as buffer:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(KERNEL_FILE, _json(kernel_data(session, user)))
            apps = apps_for_user(session, registry, user)  # the apps that reach the person, as for the rest
            plugins = registry.implementers("preau_export_user_data", apps=apps)
            results = registry.call_each("preau_export_user_data", apps=apps, guard=session.begin_nested, user=user)
            for done, (record, result) in enumerate(results, start=1):
                if isinstance(result, HookFailure):
                    missing.append(record.app_id)  # said in the archive: the person knows it is incomplete
                elif isinstance(result, dict):
                    _write_plugin_part(archive, record.app_id, dict(result))
                report_progress(job, 90 * done // max(1, len(plugins)), record.app_id)
            archive.writestr("LISEZMOI.txt", _readme(missing))
        size = buffer.tell()
        buffer.seek(0)
        export.storage_key = default_storage().put(buffer)
    export.size = size
    audit.record(session, "account.export_built", target=user, size=size)


def _readme(missing: list[str]) -> str:
    lines = [_("Vos données dans Préau."), "",
             _("%(file)s : votre compte, vos rôles, vos classes, votre famille et l'historique du compte.",
               file=KERNEL_FILE),
             _("<application>.json : ce que chaque application garde de vous ; ses fichiers sont dans le dossier "
               "du même nom.")]
    if missing:
        lines += ["", _("Ces applications n'ont pas pu fournir leurs données : %(apps)s.", apps=", ".join(missing)),
                  _("Demandez un nouvel export plus tard.")]
    return "\n".join(lines) + "\n"


def purge_expired(session: Session) -> int:
    """Remove the archives past their date (the rows and the stored files)."""
    expired = session.scalars(select(DataExport).where(DataExport.expires_at <= utcnow())).all()
    for export in expired:
        if export.storage_key:
            default_storage().delete(export.storage_key)
        session.delete(export)
    return len(expired)
