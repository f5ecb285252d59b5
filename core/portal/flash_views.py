"""The user's side of flash messages: the banner on every page, the list of current messages, "marquer comme lu".

Its own blueprint, ``flash`` (``/flash``); the banner's data is computed at most once per request, and only when a
page built on base.html asks for it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from ..db import db_session
from ..models import AccountState
from ..web import safe_next
from . import flash as flash_service

bp = Blueprint("flash", __name__)


def _today():
    return flash_service.local_today(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris"))


def _lang() -> str:
    return str(get_locale() or "fr")


def flash_board() -> flash_service.Board | None:
    """The logged-in user's board (cached for the request); None for anonymous or pre-deleted accounts."""
    if not current_user.is_authenticated or current_user.state == AccountState.PRE_DELETED:
        return None
    if "_preau_flash_board" not in g:
        g._preau_flash_board = flash_service.board_for(db_session(), current_user._get_current_object(),
                                                       today=_today(), lang=_lang())
    return g._preau_flash_board


@bp.app_context_processor
def inject_flash_board():
    return {"flash_board": flash_board, "flash_colours": flash_service.COLOURS}


@bp.route("/flash")
@login_required
def my_flash_messages():
    """Opening the page reads the messages it shows."""
    board = flash_board()
    messages = board.messages if board else []
    if board and board.unread:
        flash_service.mark_read(db_session(), current_user._get_current_object(), board.unread, today=_today(),
                                lang=_lang())
        db_session().commit()
        g._preau_flash_board = flash_service.Board(messages, set())
    return render_template("portal/flash.html", messages=messages)


@bp.route("/flash/read", methods=["POST"])
@login_required
def mark_flash_read():
    ids = [int(v) for v in request.form.getlist("message_id") if v.isascii() and v.isdigit()]
    flash_service.mark_read(db_session(), current_user._get_current_object(), ids, today=_today(), lang=_lang())
    db_session().commit()
    return redirect(safe_next(request.form.get("next")))
