"""Second-factor pages: the code asked after the password, and setting the factor up in one's account.

After the password, a session whose owner has a second factor is *pending*: every request but these pages is
sent to the code page until a right code is given (whatever way the password was checked: form, CAS login,
activation). The pending flag and the count of wrong codes live on the server session (``AuthSession``), read
with the user on every request: replaying a cookie from before a wrong code resets nothing (see ``totp.py``)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from markupsafe import Markup

from ..db import db_session
from ..directory import scopes
from ..errors import problem
from ..web import client_ip, is_local_target
from . import devices, sessions, throttle, totp

OPEN_WHILE_PENDING = {"auth.totp", "auth.logout", "auth.csrf_token", "static"}


def _pending() -> bool:
    return sessions.second_factor_pending(db_session(), session.get("sid"))


def install_second_factor_gate(app: Flask) -> None:
    """Registered before every other request hook, so that nothing runs for a half-logged-in session. The
    device cookie of a completed login is written by the same installation (``devices.install``)."""
    devices.install(app)

    @app.before_request
    def require_second_factor():
        if not current_user.is_authenticated:
            return None
        if _pending() and request.endpoint not in OPEN_WHILE_PENDING:
            if request.path.startswith("/api/"):
                return problem(401, _("Donnez d'abord le code de votre application d'authentification."),
                               reason="second_factor_required")
            return redirect(url_for("auth.totp", next=request.full_path.rstrip("?")), 303)
        if (request.blueprint == "admin" and current_app.config.get("ADMIN_TOTP_REQUIRED")
                and not totp.is_enabled(db_session(), current_user.id)):
            flash(_("La plateforme exige une double authentification pour administrer : activez-la d'abord."),
                  "error")
            return redirect(url_for("account.totp"), 303)
        return None


def register_auth_routes(auth_bp: Blueprint) -> None:
    """The second step of a login, ``/auth/totp`` (endpoint ``auth.totp``), on the auth blueprint."""
    auth_bp.add_url_rule("/totp", "totp", verify_code, methods=["GET", "POST"])


@login_required
def verify_code():
    if not _pending():
        return redirect(url_for("portal.dashboard"))
    wanted = request.values.get("next", "")
    if request.method == "GET":
        return render_template("auth/totp.html", next=wanted)
    user = current_user._get_current_object()
    outcome = totp.check_login_code(db_session(), user, session["sid"], request.form.get("code", ""), client_ip(),
                                    throttle.ThrottlePolicy.from_config(current_app.config),
                                    devices.device_for(user.login))
    if outcome.result == "passed":
        devices.remember(user.login)  # the login is complete: this browser is now known for the account
        return redirect(wanted if wanted and is_local_target(wanted) else url_for("portal.dashboard"), 303)
    if outcome.result == "ended":
        logout_user()
        session.clear()
        flash(_("Trop de codes erronés : reconnectez-vous avec votre mot de passe."), "error")
        return redirect(url_for("auth.login"), 303)
    if outcome.result == "throttled":
        minutes = max(1, (outcome.retry_after + 59) // 60)
        flash(_("Trop de codes erronés pour ce compte. Réessayez dans %(minutes)d minute(s).", minutes=minutes),
              "error")
        response = make_response(render_template("auth/totp.html", next=wanted), 429)
        response.headers["Retry-After"] = str(outcome.retry_after)
        return response
    flash(_("Ce code n'est pas le bon, ou il a déjà servi. Saisissez le code affiché maintenant."), "error")
    return make_response(render_template("auth/totp.html", next=wanted), 400)


# -- in one's account: set up, turn off ---------------------------------------------------------------------


def _setup_page(status: int = 200):
    user = current_user._get_current_object()
    found = totp.credential(db_session(), user.id)
    context: dict[str, Any] = {"enabled": found is not None and found.confirmed_at is not None, "required": bool(
        current_app.config.get("ADMIN_TOTP_REQUIRED") and scopes.is_admin(user))}
    if found is not None and found.confirmed_at is None:
        uri = totp.provisioning_uri(user, found.secret)
        context.update(secret=found.secret, qr=Markup(totp.qr_svg(uri)))  # noqa: S704 - segno's own SVG
    response = make_response(render_template("account/totp.html", **context), status)
    response.headers["Cache-Control"] = "no-store"  # the secret is on the page while it is set up
    return response


def register_account_routes(account_bp: Blueprint) -> None:
    @account_bp.route("/totp", endpoint="totp")
    @login_required
    def totp_page():
        return _setup_page()

    @account_bp.route("/totp/setup", methods=["POST"], endpoint="totp_setup")
    @login_required
    def totp_setup():
        user = current_user._get_current_object()
        code = request.form.get("code")
        if code is None:  # first step: a secret to scan
            try:
                totp.begin_setup(db_session(), user)
            except ValueError:
                abort(409)
            db_session().commit()
            return redirect(url_for("account.totp"), 303)
        if not totp.confirm_setup(db_session(), user, code, ip=client_ip()):
            db_session().rollback()
            flash(_("Ce code ne correspond pas : vérifiez l'heure de votre téléphone et saisissez le code "
                    "affiché maintenant."), "error")
            return _setup_page(400)
        db_session().commit()
        flash(_("La double authentification est activée : un code vous sera demandé à chaque connexion."),
              "success")
        return redirect(url_for("account.totp"), 303)

    @account_bp.route("/totp/disable", methods=["POST"], endpoint="totp_disable")
    @login_required
    def totp_disable():
        user = current_user._get_current_object()
        if current_app.config.get("ADMIN_TOTP_REQUIRED") and scopes.is_admin(user):
            flash(_("La plateforme exige la double authentification des administrateurs."), "error")
            return _setup_page(403)
        if not totp.disable(db_session(), user, request.form.get("code", ""), ip=client_ip()):
            db_session().rollback()
            flash(_("Ce code ne correspond pas : la double authentification reste active."), "error")
            return _setup_page(400)
        db_session().commit()
        flash(_("La double authentification est désactivée."), "success")
        return redirect(url_for("account.totp"), 303)
