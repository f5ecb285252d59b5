"""Administration of a structure's flash messages (tableau d'affichage).

Every route checks the administrator's scope on the server (``_structure_in_scope``, which audits refusals);
the rules live in :mod:`preau.portal.flash`. Bad input re-renders the form with a French message, nothing saved.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db import db_session
from ..models import FlashMessage, Structure
from ..portal import flash as flash_service
from ..types import Profile
from ..web import client_ip
from .views import _structure_in_scope, bp


def _today():
    return flash_service.local_today(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris"))


def _message_in_scope(message_id: int) -> tuple[FlashMessage, Structure]:
    message = db_session().get(FlashMessage, message_id)
    if message is None:
        abort(404)
    return message, _structure_in_scope(message.structure_id)


def _form_page(structure: Structure, *, values: dict, message: FlashMessage | None = None,
               error: str | None = None, preview: flash_service.FlashInput | None = None, status: int = 200):
    return render_template("admin/flash/form.html", structure=structure, message=message, values=values,
                           error=error, preview=preview, colours=flash_service.COLOURS,
                           profiles=[p.value for p in Profile], languages=flash_service.LANGUAGES), status


def _values_of(message: FlashMessage | None) -> dict:
    if message is None:
        today = _today().isoformat()
        return {"title": "", "body": "", "starts_on": today, "ends_on": today, "profiles": [], "languages": [],
                "colour": flash_service.DEFAULT_COLOUR, "notify_by_mail": False}
    return {"title": message.title, "body": message.body, "starts_on": message.starts_on.isoformat(),
            "ends_on": message.ends_on.isoformat(), "profiles": list(message.profiles),
            "languages": list(message.languages), "colour": message.colour,
            "notify_by_mail": message.notify_by_mail}


def _posted_values() -> dict:
    form = request.form
    return {"title": form.get("title", "")[:flash_service.TITLE_MAX], "body": form.get("body", ""),
            "starts_on": form.get("starts_on", ""), "ends_on": form.get("ends_on", ""),
            "profiles": form.getlist("profiles"), "languages": form.getlist("languages"),
            "colour": form.get("colour", ""), "notify_by_mail": form.get("notify_by_mail") in ("1", "on")}


def _save(structure: Structure, message: FlashMessage | None):
    """Preview (``action=preview``, nothing stored) or save the posted form."""
    session = db_session()
    values = _posted_values()
    try:
        data = flash_service.parse_form(request.form, request.form.getlist)
        if request.form.get("action") == "preview":
            values["body"] = data.body
            return _form_page(structure, values=values, message=message, preview=data)
        admin = current_user._get_current_object()
        if message is None:
            message = flash_service.create_message(session, structure, data, actor=admin, today=_today(),
                                                   ip=client_ip())
        else:
            flash_service.update_message(session, message, data, actor=admin, today=_today(), ip=client_ip())
    except flash_service.FlashError as error:
        session.rollback()
        return _form_page(structure, values=values, message=message, error=str(error), status=400)
    session.commit()
    flash(_("Message enregistré."), "success")
    return redirect(url_for("admin.flash_messages", structure_id=structure.id))


@bp.route("/structures/<int:structure_id>/flash")
def flash_messages(structure_id: int):
    structure = _structure_in_scope(structure_id)
    listing = flash_service.structure_messages(db_session(), structure.id, _today())
    return render_template("admin/flash/list.html", structure=structure, listing=listing,
                           colours=flash_service.COLOURS)


@bp.route("/structures/<int:structure_id>/flash/new", methods=["GET", "POST"])
def flash_new(structure_id: int):
    structure = _structure_in_scope(structure_id)
    if request.method == "POST":
        return _save(structure, None)
    return _form_page(structure, values=_values_of(None))


@bp.route("/flash/<int:message_id>/edit", methods=["GET", "POST"])
def flash_edit(message_id: int):
    message, structure = _message_in_scope(message_id)
    if request.method == "POST":
        return _save(structure, message)
    return _form_page(structure, values=_values_of(message), message=message)


@bp.route("/flash/<int:message_id>/delete", methods=["POST"])
def flash_delete(message_id: int):
    message, structure = _message_in_scope(message_id)
    flash_service.delete_message(db_session(), message, actor=current_user._get_current_object(), ip=client_ip())
    db_session().commit()
    flash(_("Message supprimé."), "success")
    return redirect(url_for("admin.flash_messages", structure_id=structure.id))
