"""Dashboard, language and role switches, health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session
from flask_login import current_user, login_required
from sqlalchemy import text

from ..db import db_session
from ..web import current_access, safe_next
from .widgets import render_widget

bp = Blueprint("portal", __name__)


@bp.route("/")
@login_required
def dashboard():
    widgets = [render_widget(w, current_user) for w in current_access().widgets]
    return render_template("portal/dashboard.html", widgets=widgets)


@bp.route("/apps")
@login_required
def my_apps():
    registry = current_app.extensions["preau.plugins"]
    apps = [r for r in registry.active() if r.app_id in current_access().apps and r.manifest.entry_endpoint]
    return render_template("portal/apps.html", apps=apps, connectors=current_access().connectors,
                           links=current_access().menu_items)


@bp.route("/lang", methods=["POST"])
def set_language():
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    return redirect(safe_next(request.form.get("next")))


@bp.route("/role", methods=["POST"])
@login_required
def switch_role():
    role_id = request.form.get("role_id", "")
    if role_id == "all":
        session.pop("role_id", None)
    elif role_id.isdigit() and any(r.id == int(role_id) for r in current_user.roles):
        session["role_id"] = int(role_id)
    else:
        abort(400)
    return redirect(safe_next(request.form.get("next")))


@bp.route("/health")
def health():
    db_session().execute(text("SELECT 1"))
    return jsonify(status="ok")
