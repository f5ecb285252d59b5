"""The pages of the flash messages: the reader's list and "marquer comme lu", the banner every page shows, and a
structure's administration.

Readers need the right ``flash.read`` (the kernel's guard answers 404 where the app does not reach them). The
administration pages are open to the administrators of the structure whatever their own rights (a super
administrator holds no role): they are marked ``public_endpoint`` for the guard and check, on the server,
login, the administrator's scope (``require_admin``, which audits refusals) and that the app is enabled there.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from preau import (
    AccountState,
    Profile,
    Structure,
    User,
    app_enabled,
    client_ip,
    current_access,
    current_user,
    db_session,
    public_endpoint,
    require_admin,
    require_right,
    safe_next,
)

from . import services
from .models import FlashMessage

APP_ID = "flash"
READ = "flash.read"
bp = Blueprint(APP_ID, __name__, template_folder="templates", static_folder="static", static_url_path="/static")


def _today() -> date:
    return services.local_today(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris"))


def _lang() -> str:
    return str(get_locale() or "fr")


# -- readers -------------------------------------------------------------------------------------------------


def board() -> services.Board | None:
    """The logged-in user's board (once per request); None for anonymous or pre-deleted accounts, or where the
    right to read does not reach them."""
    if not current_user.is_authenticated or current_user.state == AccountState.PRE_DELETED:
        return None
    if not current_access().has(READ):
        return None
    if "_preau_flash_board" not in g:
        g._preau_flash_board = services.board_for(db_session(), current_user._get_current_object(),
                                                  today=_today(), lang=_lang())
    return g._preau_flash_board


def render_banner(user: User) -> Markup | None:
    """The banner at the top of every page (``preau_page_banners``): nothing when no message is current."""
    current = board()
    if current is None or not current.messages:
        return None
    return Markup(render_template("flash/_banner.html", board=current))  # noqa: S704 - our escaped template


@bp.route("/")
@login_required
@require_right(READ)
def my_flash_messages():
    """Opening the page reads the messages it shows."""
    current = board()
    messages = current.messages if current else []
    if current and current.unread:
        services.mark_read(db_session(), current_user._get_current_object(), current.unread, today=_today(),
                           lang=_lang())
        db_session().commit()
        g._preau_flash_board = services.Board(messages, set())
    return render_template("flash/index.html", messages=messages)


@bp.route("/read", methods=["POST"])
@login_required
@require_right(READ)
def mark_flash_read():
    ids = [int(v) for v in request.form.getlist("message_id") if v.isascii() and v.isdigit() and len(v) < 12]
    services.mark_read(db_session(), current_user._get_current_object(), ids, today=_today(), lang=_lang())
    db_session().commit()
    return redirect(safe_next(request.form.get("next")))


# -- administration ------------------------------------------------------------------------------------------


def _structure_in_scope(structure_id: int) -> Structure:
    structure = require_admin(structure_id)
    if not app_enabled(db_session(), APP_ID, structure):
        abort(404)
    return structure


def _message_in_scope(message_id: int) -> tuple[FlashMessage, Structure]:
    message = db_session().get(FlashMessage, message_id)
    if message is None:
        abort(404)
    return message, _structure_in_scope(message.structure_id)


def _form_page(structure: Structure, *, values: dict, message: FlashMessage | None = None,
               error: str | None = None, preview: services.FlashInput | None = None, status: int = 200):
    return render_template("flash/admin_form.html", structure=structure, message=message, values=values,
                           error=error, preview=preview, colours=services.COLOURS,
                           profiles=[p.value for p in Profile], languages=services.LANGUAGES), status


def _values_of(message: FlashMessage | None) -> dict:
    if message is None:
        today = _today().isoformat()
        return {"title": "", "body": "", "starts_on": today, "ends_on": today, "profiles": [], "languages": [],
                "colour": services.DEFAULT_COLOUR, "notify_by_mail": False}
    return {"title": message.title, "body": message.body, "starts_on": message.starts_on.isoformat(),
            "ends_on": message.ends_on.isoformat(), "profiles": list(message.profiles),
            "languages": list(message.languages), "colour": message.colour,
            "notify_by_mail": message.notify_by_mail}


def _posted_values() -> dict:
    form = request.form
    return {"title": form.get("title", "")[:services.TITLE_MAX], "body": form.get("body", ""),
            "starts_on": form.get("starts_on", ""), "ends_on": form.get("ends_on", ""),
            "profiles": form.getlist("profiles"), "languages": form.getlist("languages"),
            "colour": form.get("colour", ""), "notify_by_mail": form.get("notify_by_mail") in ("1", "on")}


def _save(structure: Structure, message: FlashMessage | None):
    """Preview (``action=preview``, nothing stored) or save the posted form."""
    session = db_session()
    values = _posted_values()
    try:
        data = services.parse_form(request.form, request.form.getlist)
        if request.form.get("action") == "preview":
            values["body"] = data.body
            return _form_page(structure, values=values, message=message, preview=data)
        admin = current_user._get_current_object()
        if message is None:
            services.create_message(session, structure, data, actor=admin, today=_today(), ip=client_ip())
        else:
            services.update_message(session, message, data, actor=admin, today=_today(), ip=client_ip())
    except services.FlashError as error:
        session.rollback()
        return _form_page(structure, values=values, message=message, error=str(error), status=400)
    session.commit()
    flash(_("Message enregistré."), "success")
    return redirect(url_for("flash.admin_messages", structure_id=structure.id))


@bp.route("/admin/structures/<int:structure_id>")
@public_endpoint
@login_required
def admin_messages(structure_id: int):
    structure = _structure_in_scope(structure_id)
    listing = services.structure_messages(db_session(), structure.id, _today())
    return render_template("flash/admin_list.html", structure=structure, listing=listing, colours=services.COLOURS)


@bp.route("/admin/structures/<int:structure_id>/new", methods=["GET", "POST"])
@public_endpoint
@login_required
def admin_new(structure_id: int):
    structure = _structure_in_scope(structure_id)
    if request.method == "POST":
        return _save(structure, None)
    return _form_page(structure, values=_values_of(None))


@bp.route("/admin/<int:message_id>/edit", methods=["GET", "POST"])
@public_endpoint
@login_required
def admin_edit(message_id: int):
    message, structure = _message_in_scope(message_id)
    if request.method == "POST":
        return _save(structure, message)
    return _form_page(structure, values=_values_of(message), message=message)


@bp.route("/admin/<int:message_id>/delete", methods=["POST"])
@public_endpoint
@login_required
def admin_delete(message_id: int):
    message, structure = _message_in_scope(message_id)
    services.delete_message(db_session(), message, actor=current_user._get_current_object(), ip=client_ip())
    db_session().commit()
    flash(_("Message supprimé."), "success")
    return redirect(url_for("flash.admin_messages", structure_id=structure.id))
