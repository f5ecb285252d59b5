"""Activation letters (PDF) and the mass renewal of activation codes, for a class, a profile or chosen accounts.

Scoped on the server (``_structure_in_scope``); renewals and printings are audited."""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import audit
from ..db import db_session
from ..directory import letters
from ..directory.lifecycle import STATE_LABELS
from ..directory.structures import DirectoryError
from ..models import SchoolClass, Structure
from ..types import Profile
from ..web import client_ip
from .views import _structure_in_scope, bp

MAX_SELECTED = 5000


def _selection(values) -> letters.Selection:
    """The selection named by a form or a query string; anything malformed is a 400, never a guess."""
    class_id = values.get("class_id", "").strip()
    profile = values.get("profile", "").strip()
    raw_ids = [part for part in values.get("users", "").replace(" ", "").split(",") if part]
    if (class_id and not class_id.isdigit()) or not all(part.isdigit() for part in raw_ids):
        raise DirectoryError(_("Sélection invalide : classe ou comptes mal indiqués."))
    if profile and profile not in {p.value for p in Profile}:
        raise DirectoryError(_("Profil inconnu : %(profile)s.", profile=profile))
    if len(raw_ids) > MAX_SELECTED:
        raise DirectoryError(_("Sélectionnez au plus %(max)d comptes.", max=MAX_SELECTED))
    return letters.Selection(class_id=int(class_id) if class_id else None, profile=profile or None,
                             user_ids=tuple(int(part) for part in raw_ids))


def _page(structure: Structure, selection: letters.Selection, *, error: str | None = None, status: int = 200):
    session = db_session()
    users = letters.selected_users(session, structure, selection) if error is None else []
    waiting, others = letters.letters_for(session, structure, users) if users else ([], 0)
    classes = session.scalars(select(SchoolClass).where(SchoolClass.structure_id == structure.id,
                                                          SchoolClass.archived_at.is_(None))
                              .order_by(SchoolClass.name)).all()
    return render_template(
        "admin/letters.html", structure=structure, selection=selection, classes=classes, profiles=list(Profile),
        waiting=waiting, others=others, error=error, state_labels=STATE_LABELS,
        instructions=letters.instructions_of(session, structure), chosen=bool(
            selection.class_id or selection.profile or selection.user_ids),
        users_param=",".join(map(str, selection.user_ids))), status


@bp.route("/structures/<int:structure_id>/letters")
def activation_letters(structure_id: int):
    structure = _structure_in_scope(structure_id)
    try:
        return _page(structure, _selection(request.args))
    except DirectoryError as error:
        return _page(structure, letters.Selection(), error=str(error), status=400)


@bp.route("/structures/<int:structure_id>/letters/pdf", methods=["POST"])
def activation_letters_pdf(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    try:
        selection = _selection(request.form)
        instructions = letters.save_instructions(session, structure, request.form.get("instructions", ""))
        waiting, _others = letters.letters_for(session, structure,
                                               letters.selected_users(session, structure, selection))
    except DirectoryError as error:
        session.rollback()
        return _page(structure, letters.Selection(), error=str(error), status=400)
    if not waiting:
        session.rollback()
        return _page(structure, selection, error=_("Aucun compte à activer dans cette sélection : il n'y a "
                                                   "pas de lettre à imprimer."), status=400)
    site = current_app.config.get("LTI13_ISSUER") or request.host_url.rstrip("/")
    pdf = letters.render_pdf(waiting, structure=structure, site_url=site, instructions=instructions)
    audit.record(session, "account.letters_printed", actor=current_user.id, structure_id=structure.id,
                 ip=client_ip(), count=len(waiting))
    session.commit()
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="codes-activation-{structure.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"  # codes are secrets until used
    return response


@bp.route("/structures/<int:structure_id>/letters/renew", methods=["POST"])
def renew_activation_codes(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    try:
        selection = _selection(request.form)
        if not (selection.class_id or selection.profile or selection.user_ids):
            raise DirectoryError(_("Choisissez une classe, un profil ou des comptes avant de renouveler les "
                                   "codes."))
        users = letters.selected_users(session, structure, selection)
        count = letters.renew_codes(session, users, actor=current_user._get_current_object(),
                                    structure=structure, ip=client_ip())
    except DirectoryError as error:
        session.rollback()
        return _page(structure, letters.Selection(), error=str(error), status=400)
    session.commit()
    flash(_("%(count)d code(s) d'activation renouvelé(s) : les lettres imprimées avant ne servent plus.",
            count=count), "success")
    return redirect(url_for("admin.activation_letters", structure_id=structure.id, class_id=selection.class_id or "",
                            profile=selection.profile or "", users=",".join(map(str, selection.user_ids))), 303)
