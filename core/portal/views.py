"""Dashboard, language and role switches, health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session
from flask_login import current_user, login_required
from sqlalchemy import text

from ..account.service import set_locale
from ..db import db_session
from ..web import client_ip, current_access, safe_next
from .widgets import render_widget

bp = Blueprint("portal", __name__)


@bp.route("/")
@login_required
def dashboard():
    note = current_app.extensions["preau.plugins"].note_failure
    widgets = [render_widget(w, current_user, on_error=note) for w in current_access().widgets]
    return render_template("portal/dashboard.html", widgets=widgets)


@bp.route("/apps")
@login_required
def my_apps():
    registry = current_app.extensions["preau.plugins"]
    apps = [r for r in registry.active() if r.app_id in current_access().apps and r.manifest.entry_endpoint]
    return render_template("portal/apps.html", apps=apps, connectors=current_access().connectors,
                           links=[m for m in current_access().menu_items if m.placement == "apps"])


LANG_COOKIE_SECONDS = 365 * 24 * 3600


@bp.route("/lang", methods=["POST"])
def set_language():
    """Choose the interface language: for this session, the account, and (cookie) this browser."""
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        set_locale(db_session(), current_user._get_current_object(), lang, ip=client_ip())
        db_session().commit()
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie("preau_lang", lang, max_age=LANG_COOKIE_SECONDS, httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.route("/role", methods=["POST"])
@login_required
def switch_role():
    """Act as one of one's roles (``role_id``) or as all of them (``all``); another person's role is refused."""
    role_id = request.form.get("role_id", "")
    if role_id == "all":
        session.pop("role_id", None)
    elif role_id.isascii() and role_id.isdigit() and any(r.id == int(role_id) for r in current_user.roles):
        session["role_id"] = int(role_id)
    else:
        abort(400)
    return redirect(safe_next(request.form.get("next")))


@bp.route("/health")
def health():
    db_session().execute(text("SELECT 1"))
    return jsonify(status="ok")
