"""The Médiacentre pages (mounted at ``/apps/gar``): the person's resources, the launch of one resource through
the GAR, the assignment page of the responsable d'affectation and the export download for administrators."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from preau import (
    N_,
    Group,
    GroupKind,
    SchoolClass,
    Structure,
    current_user,
    db_session,
    record_launch,
    require_admin,
    require_right,
    setting,
)

from . import services
from .export import GarExportError, export_structure
from .models import Target

ACCESS = "gar.access"
bp = Blueprint("gar", __name__, template_folder="templates")

PROFILE_LABELS = {"student": N_("Élèves"), "teacher": N_("Enseignants"), "personnel": N_("Personnels")}


def _me() -> Any:
    return current_user._get_current_object()


# -- Médiacentre ------------------------------------------------------------------------------------------


@bp.route("/")
@login_required
@require_right(ACCESS)
def mediacentre():
    session, user = db_session(), _me()
    reached = services.user_resources(session, user)
    can_assign = bool(services.responsable_structures(session, user))
    return render_template("gar/mediacentre.html", reached=reached, can_assign=can_assign)


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@bp.route("/ouvrir/<path:resource_id>")
@login_required
@require_right(ACCESS)
def launch(resource_id: str):
    """Open a resource through the GAR: the person is already signed in to Préau, which is the GAR's identity
    provider, so no password is asked; the launch is counted like every connector's."""
    session, user = db_session(), _me()
    found = services.find_user_resource(session, user, resource_id)
    if found is None or not _is_web_url(found.resource.get("urlAccesRessource", "")):
        abort(404)
    record_launch(session, user, key=f"gar:{resource_id}", kind="saml", structure_id=found.structure_id,
                  profile=found.profile)
    session.commit()
    return redirect(found.resource["urlAccesRessource"], 302)


# -- assignment by the responsable d'affectation ---------------------------------------------------------


@bp.route("/affectation/")
@login_required
def assignment_index():
    structures = services.responsable_structures(db_session(), _me())
    if not structures:
        abort(403)
    if len(structures) == 1:
        return redirect(url_for("gar.assignment", structure_id=structures[0].id))
    return render_template("gar/assignment_index.html", structures=structures)


def _responsable_structure(structure_id: int) -> Structure:
    session = db_session()
    structure = session.get(Structure, structure_id)
    if structure is None:
        abort(404)
    if not services.is_responsable(session, _me(), structure.id):
        abort(403)
    return structure


def _audiences(structure: Structure) -> dict[str, list[tuple[str, str]]]:
    session = db_session()
    classes = session.scalars(select(SchoolClass).where(SchoolClass.structure_id == structure.id,
                                                          SchoolClass.archived_at.is_(None))
                              .order_by(SchoolClass.name))
    groups = session.scalars(select(Group).where(Group.structure_id == structure.id,
                                                 Group.kind == GroupKind.TEACHING).order_by(Group.name))
    return {"profile": [(p, _(label)) for p, label in PROFILE_LABELS.items()],
            "class": [(str(c.id), c.name) for c in classes], "group": [(str(g.id), g.name) for g in groups]}


def _audience_label(assignment: Any, audiences: dict[str, list[tuple[str, str]]]) -> str:
    if assignment.target == Target.STRUCTURE:
        return _("Tout l'établissement")
    key = {"profile": assignment.profile, "class": str(assignment.class_id),
           "group": str(assignment.group_id)}[assignment.target]
    return dict(audiences[assignment.target]).get(key, "?")


@bp.route("/affectation/<int:structure_id>", methods=["GET", "POST"])
@login_required
def assignment(structure_id: int):
    structure = _responsable_structure(structure_id)
    session = db_session()
    if request.method == "POST":
        target = request.form.get("target", "")
        value = request.form.get(f"value_{target}", "") if target != Target.STRUCTURE else ""
        try:
            services.assign(session, _me(), structure, request.form.get("resource", ""), target, value)
        except services.GarError as error:
            session.rollback()
            flash(_(str(error)), "error")
            return _assignment_page(structure), 400  # the refusal says why; nothing was recorded
        session.commit()
        flash(_("Ressource attribuée."), "success")
        return redirect(url_for("gar.assignment", structure_id=structure.id), 303)
    return _assignment_page(structure)


def _assignment_page(structure):
    session = db_session()
    resources = services.structure_resources(session, structure)
    audiences = _audiences(structure)
    rows = [(a, _audience_label(a, audiences)) for a in services.assignments_of(session, structure.id)]
    names = {r["idRessource"]: r["nomRessource"] for r in resources}
    return render_template("gar/assignment.html", structure=structure, resources=resources, rows=rows,
                           names=names, audiences=audiences)


@bp.route("/affectation/<int:structure_id>/<int:assignment_id>/retirer", methods=["POST"])
@login_required
def unassign(structure_id: int, assignment_id: int):
    structure = _responsable_structure(structure_id)
    session = db_session()
    try:
        services.unassign(session, _me(), structure, assignment_id)
    except services.GarError as error:
        session.rollback()
        flash(_(str(error)), "error")
        return _assignment_page(structure), 400
    session.commit()
    flash(_("Attribution retirée."), "success")
    return redirect(url_for("gar.assignment", structure_id=structure.id), 303)


# -- export for administrators ----------------------------------------------------------------------------


@bp.route("/export/<int:structure_id>.zip")
@login_required
def export_zip(structure_id: int):
    """The structure's GAR file set as a zip, for an administrator of that structure."""
    session = db_session()
    structure = require_admin(structure_id)
    ent_id = setting("gar", "ent_id") or "PREAU"
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        try:
            result = export_structure(session, structure, Path(folder), ent_id=ent_id)
        except GarExportError as error:
            return render_template("gar/export_error.html", structure=structure, message=str(error)), 400
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in result.files:
                archive.write(path, path.name)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"GAR-{structure.uai}.zip")
