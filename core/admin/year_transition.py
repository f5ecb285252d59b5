"""The year transition of a structure (and the structures below it): what it would do, then doing it.

Scoped on the server (``_structure_in_scope``), audited per structure; nothing is saved before the confirmation."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db import db_session
from ..directory import year_transition as transition
from ..directory.structures import DirectoryError
from ..web import client_ip
from .views import _structure_in_scope, bp


def _page(structure, error: str | None = None, status: int = 200):
    plan = transition.plan_transition(db_session(), structure)
    return render_template("admin/year_transition.html", structure=structure, plan=plan, error=error), status


@bp.route("/structures/<int:structure_id>/year-transition")
def year_transition(structure_id: int):
    return _page(_structure_in_scope(structure_id))


@bp.route("/structures/<int:structure_id>/year-transition", methods=["POST"])
def apply_year_transition(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    try:
        plan = transition.apply_transition(session, structure, actor=current_user.id, ip=client_ip())
    except DirectoryError as error:
        session.rollback()
        return _page(structure, error=str(error), status=409)
    session.commit()
    flash(_("Bascule %(year)s faite : %(classes)d classe(s) archivée(s), aucun contenu supprimé.",
            year=plan.school_year, classes=plan.classes), "success")
    return redirect(url_for("admin.year_transition", structure_id=structure.id), 303)
