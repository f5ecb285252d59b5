"""Duplicate accounts of a structure: merge one into the other, or dissociate them.

Server-checked: both accounts wholly inside the administrator's scope (a refusal names the structure), CSRF,
audited."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db import db_session
from ..directory import duplicates
from ..directory.lifecycle import STATE_LABELS
from ..directory.structures import DirectoryError
from ..models import User
from ..web import client_ip
from .views import _structure_in_scope, bp


def _page(structure, error: str | None = None, status: int = 200):
    sets = duplicates.duplicate_sets(db_session(), structure.id)
    return render_template("admin/duplicates.html", structure=structure, sets=sets, error=error,
                           state_labels=STATE_LABELS), status


def _two_accounts(first_field: str, second_field: str) -> tuple[User, User]:
    ids = [request.form.get(first_field, ""), request.form.get(second_field, "")]
    if not all(value.isdigit() for value in ids):
        raise DirectoryError(_("Choisissez deux comptes."))
    first, second = (db_session().get(User, int(value)) for value in ids)
    if first is None or second is None:
        raise DirectoryError(_("Ce compte n'existe pas."))
    return first, second


@bp.route("/structures/<int:structure_id>/duplicates")
def duplicate_accounts(structure_id: int):
    return _page(_structure_in_scope(structure_id))


@bp.route("/structures/<int:structure_id>/duplicates/merge", methods=["POST"])
def merge_duplicates(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    try:
        kept, merged = _two_accounts("kept", "merged")
        login = merged.login
        duplicates.merge(session, current_user._get_current_object(), kept, merged, ip=client_ip())
    except DirectoryError as error:
        session.rollback()
        return _page(structure, error=str(error), status=403 if isinstance(error, duplicates.OutOfScope) else 400)
    session.commit()
    flash(_("%(login)s est fusionné dans %(kept)s : rôles, groupes, famille et contenus suivent.",
            login=login, kept=kept.login), "success")
    return redirect(url_for("admin.duplicate_accounts", structure_id=structure.id), 303)


@bp.route("/structures/<int:structure_id>/duplicates/dissociate", methods=["POST"])
def dissociate_duplicates(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    try:
        first, second = _two_accounts("first", "second")
        duplicates.dissociate(session, current_user._get_current_object(), first, second, ip=client_ip())
    except DirectoryError as error:
        session.rollback()
        return _page(structure, error=str(error), status=403 if isinstance(error, duplicates.OutOfScope) else 400)
    session.commit()
    flash(_("%(first)s et %(second)s sont deux personnes : ils ne sont plus proposés à la fusion.",
            first=first.login, second=second.login), "success")
    return redirect(url_for("admin.duplicate_accounts", structure_id=structure.id), 303)
