"""Login, logout, activation, charter and reset pages. Thin: the rules live in ``service``."""

from __future__ import annotations

import hmac
import time

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from .. import audit, statistics
from ..db import db_session
from ..models import User
from ..types import N_
from ..web import client_ip, is_local_target
from . import devices, service, sessions, throttle, totp
from .forms import ActivationFinishForm, ActivationForm, CharterForm, LoginForm, LogoutForm, ResetForm
from .totp_views import register_auth_routes

bp = Blueprint("auth", __name__, url_prefix="/auth")
register_auth_routes(bp)  # the second step of a login

ACTIVATION_STEP_SECONDS = 30 * 60  # between the code and the password, the half-activated session expires
_STATUS_OF_REASON = {"throttled": 429, "blocked": 403}


MSG_LOGIN_HINT = N_("Si votre compte n'est pas encore activé, utilisez le code d'activation qui vous a été remis.")


def _ctx() -> service.Context:
    return service.Context(ip=client_ip(), policy=throttle.ThrottlePolicy.from_config(current_app.config),
                           known_device=devices.device_for)


def _refused(template: str, error: service.AuthError, status: int = 400, **context):
    """The page again, with the service's French message, an HTTP status that says why, and Retry-After."""
    flash(_(error.message, **error.params), "error")
    response = make_response(render_template(template, **context), _STATUS_OF_REASON.get(error.reason, status))
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _invalid_form(template: str, form, login: str, action: str, count: bool = True, **context):
    """Validators refused the form: their French messages are shown beside the fields; audited."""
    service.refuse_invalid_form(db_session(), login, list(form.errors), _ctx(), action, count=count)
    return render_template(template, form=form, **context), 400


def _start_session(user: User) -> None:
    session.clear()  # a fresh session at login: no fixation
    statistics.record_connection(db_session(), user, request.user_agent.string)  # committed with the session
    pending = totp.is_enabled(db_session(), user.id)  # with a second factor, nothing opens before the code
    session["sid"] = sessions.open_session(db_session(), user.id, client_ip(), second_factor_pending=pending)
    login_user(user)
    session.permanent = True
    if not pending:
        devices.remember(user.login)  # a complete login: this browser is known for the account from now on


def _target_after_login(user: User, wanted: str | None) -> str:
    """Where to go after logging in: ``wanted`` if it stays on this site; a foreign one is refused and audited."""
    if not wanted:
        return url_for("portal.dashboard")
    if is_local_target(wanted):
        return wanted
    audit.record(db_session(), "security.redirect_rejected", actor=user, ip=client_ip(),
                 next_url=service.loggable(wanted, 200), reason="foreign_next")
    db_session().commit()
    flash(_("L'adresse de retour demandée mène hors de Préau : vous arrivez sur l'accueil."), "info")
    return url_for("portal.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_target_after_login(current_user, form.next.data))
    if request.method == "GET":
        return render_template("auth/login.html", form=form)
    if not form.validate_on_submit():
        return _invalid_form("auth/login.html", form, form.login.data or "", "auth.login_failed")
    try:
        user = service.authenticate(db_session(), form.login.data, form.password.data, _ctx())
    except service.AuthError as error:
        if error.message == service.MSG_BAD_CREDENTIALS:
            flash(_(MSG_LOGIN_HINT), "info")  # the same hint for every failure: it tells nothing of the account
        return _refused("auth/login.html", error, status=401, form=form)
    _start_session(user)
    return redirect(_target_after_login(user, form.next.data))


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """GET asks for confirmation (a link or an image must not log anyone out); POST, CSRF-checked, does it."""
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        return render_template("auth/logout.html", form=LogoutForm())
    if current_user.is_authenticated:
        audit.record(db_session(), "auth.logout", actor=current_user.id, target=current_user._get_current_object(),
                     ip=client_ip())
        db_session().commit()
    sessions.end_session(db_session(), session.get("sid"))
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/csrf-token")
def csrf_token():
    """The session's CSRF token, for scripts of this site (no CORS: other origins cannot read it)."""
    return jsonify(csrf_token=generate_csrf())


# -- activation ----------------------------------------------------------------------------------------


@bp.route("/activate", methods=["GET", "POST"])
def activate():
    form = ActivationForm()
    if request.method == "GET":
        return render_template("auth/activate.html", form=form)
    if not form.validate_on_submit():
        return _invalid_form("auth/activate.html", form, form.login.data or "", "auth.activation_failed")
    try:
        user = service.check_activation_code(db_session(), form.login.data, form.code.data, _ctx())
    except service.AuthError as error:
        return _refused("auth/activate.html", error, form=form)
    # The cookie session is signed, not encrypted: keep a keyed hash of the code (a plain hash of 8 characters
    # could be brute-forced offline from the cookie), never the code.
    session["activation"] = {"user_id": user.id, "code": _code_digest(user.activation_code),
                             "at": int(time.time())}
    return redirect(url_for("auth.activate_finish"))


def _code_digest(code: str) -> str:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), code.upper().encode(), "sha256").hexdigest()


def _pending_activation() -> User | None:
    pending = session.get("activation")
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > ACTIVATION_STEP_SECONDS:
        return None
    user = db_session().get(User, pending.get("user_id") or 0)
    if user is None or not user.activation_code:
        return None
    if not hmac.compare_digest(_code_digest(user.activation_code), str(pending.get("code", ""))):
        return None  # a new code was printed since, or the account was activated meanwhile
    return user


@bp.route("/activate/finish", methods=["GET", "POST"])
def activate_finish():
    user = _pending_activation()
    if user is None:
        session.pop("activation", None)
        flash(_("Commencez par saisir votre identifiant et votre code d'activation."), "error")
        return redirect(url_for("auth.activate"))
    form = ActivationFinishForm()
    charters = service.latest_charters(db_session(), user.profiles)
    page = {"form": form, "user": user, "charters": charters}
    if request.method == "GET":
        return render_template("auth/activate_finish.html", **page)
    if form.refuse.data:  # CSRFProtect already checked the token
        session.clear()
        audit.record(db_session(), "charter.refused", actor=user, target=user, ip=client_ip(),
                     reason="activation")
        db_session().commit()
        flash(_("Sans acceptation de la charte, le compte ne peut pas être activé."), "error")
        return redirect(url_for("auth.login"))
    if not form.validate_on_submit():
        return _invalid_form("auth/activate_finish.html", form, user.login, "auth.activation_failed",
                             count=False, user=user, charters=charters)
    try:
        service.complete_activation(db_session(), user, form.password.data, form.confirm.data,
                                    form.email.data or "", _ctx())
    except service.AuthError as error:
        return _refused("auth/activate_finish.html", error, **page)
    _start_session(user)
    flash(_("Votre compte est activé. Bienvenue !"), "success")
    return redirect(url_for("portal.dashboard"))


# -- charter -------------------------------------------------------------------------------------------


def _shown_ids(raw: str | None) -> set[int]:
    return {int(part) for part in (raw or "").split(",") if part.strip().isdigit()}


@bp.route("/charter", methods=["GET", "POST"])
@login_required
def charter():
    form = CharterForm(next=request.args.get("next", ""))
    pending = service.pending_charters(db_session(), current_user)
    if not pending:
        return redirect(_target_after_login(current_user, form.next.data))
    if form.validate_on_submit():
        if form.refuse.data:
            audit.record(db_session(), "charter.refused", actor=current_user.id,
                         target=current_user._get_current_object(), ip=client_ip(),
                         versions=[c.version for c in pending])
            db_session().commit()
            sessions.end_session(db_session(), session.get("sid"))
            logout_user()
            session.clear()
            flash(_("Vous avez refusé la charte : vous êtes déconnecté."), "error")
            return redirect(url_for("auth.login"))
        service.accept_charters(db_session(), current_user, only=_shown_ids(form.shown.data))
        db_session().commit()
        return redirect(url_for("auth.charter", next=form.next.data or None))
    form.shown.data = ",".join(str(c.id) for c in pending)
    return render_template("auth/charter.html", form=form, charters=pending)


# -- reset code ----------------------------------------------------------------------------------------


@bp.route("/reset", methods=["GET", "POST"])
def reset():
    form = ResetForm()
    if request.method == "GET":
        return render_template("auth/reset.html", form=form)
    if not form.validate_on_submit():
        return _invalid_form("auth/reset.html", form, form.login.data or "", "auth.reset_failed")
    try:
        service.reset_password(db_session(), form.login.data, form.code.data, form.password.data,
                               form.confirm.data, _ctx())
    except service.AuthError as error:
        return _refused("auth/reset.html", error, form=form)
    flash(_("Votre mot de passe est changé : connectez-vous."), "success")
    return redirect(url_for("auth.login"))

