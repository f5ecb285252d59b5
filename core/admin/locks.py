"""Verrouillages: the accounts whose logins are currently delayed by throttling, and lifting a delay.

Thin: who may see and lift what is in ``auth.locks`` (an ADML only the accounts of the structures they
administer; the super administrator everything, with the busy addresses)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import locks as locks_service
from ..auth import throttle
from ..db import db_session
from ..types import N_
from ..web import client_ip
from .views import bp

KIND_LABELS = {throttle.PASSWORD: N_("Mot de passe"), throttle.TOTP: N_("Code de double authentification"),
               throttle.ACTIVATION: N_("Code d'activation"), throttle.RESET: N_("Code de réinitialisation")}


@bp.route("/locks")
def locks():
    policy = throttle.ThrottlePolicy.from_config(current_app.config)
    admin = current_user._get_current_object()
    accounts = locks_service.visible_locks(db_session(), admin, policy)
    addresses = throttle.busy_addresses(db_session(), policy) if admin.is_super_admin else []
    return render_template("admin/locks.html", accounts=accounts, addresses=addresses, kinds=KIND_LABELS,
                           policy=policy)


@bp.route("/locks/lift", methods=["POST"])
def lock_lift():
    login = request.form.get("login", "")
    try:
        locks_service.lift(db_session(), current_user._get_current_object(), login, ip=client_ip())
    except locks_service.OutOfScope:
        abort(403)
    flash(_("Les tentatives échouées de %(login)s sont oubliées : la connexion n'est plus ralentie.",
            login=login.strip().lower()), "success")
    return redirect(url_for("admin.locks"), 303)


@bp.route("/locks/address", methods=["POST"])
def lock_lift_address():
    address = request.form.get("address", "")
    try:
        locks_service.lift_address(db_session(), current_user._get_current_object(), address, ip=client_ip())
    except locks_service.OutOfScope:
        abort(403)
    flash(_("L'adresse %(address)s n'est plus considérée comme suspecte.", address=address.strip()), "success")
    return redirect(url_for("admin.locks"), 303)
