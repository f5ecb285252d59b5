"""Login, logout, activation, charter and reset pages. Thin: the rules live in ``service``."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import audit
from ..db import db_session
from ..models import User
from ..web import client_ip, safe_next
from . import service, throttle
from .forms import ActivationFinishForm, ActivationForm, CharterForm, LoginForm, LogoutForm, ResetForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _ctx() -> service.Context:
    cfg = current_app.config
    from datetime import timedelta

    policy = throttle.ThrottlePolicy(window=timedelta(minutes=cfg["THROTTLE_WINDOW_MINUTES"]),
                                     max_per_login=cfg["THROTTLE_MAX_PER_LOGIN"],
                                     max_per_ip=cfg["THROTTLE_MAX_PER_IP"])
    return service.Context(ip=client_ip(), policy=policy)


def _start_session(user: User) -> None:
    session.clear()  # a fresh session at login: no fixation
    login_user(user)
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data))
    if form.validate_on_submit():
        try:
            user = service.authenticate(db_session(), form.login.data, form.password.data, _ctx())
        except service.AuthError as error:
            flash(_(error.message), "error")
            return render_template("auth/login.html", form=form), 401 if error.reason != "throttled" else 429
        target = safe_next(form.next.data)
        if form.next.data and target == "/" and form.next.data != "/":
            audit.record(db_session(), "security.redirect_rejected", actor=user, ip=client_ip(),
                         target=form.next.data[:200])
            db_session().commit()
        _start_session(user)
        return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = LogoutForm()
    if request.method == "GET":
        return render_template("auth/logout.html", form=form)
    if form.validate_on_submit():
        if current_user.is_authenticated:
            audit.record(db_session(), "auth.logout", actor=current_user.id, ip=client_ip())
            db_session().commit()
        logout_user()
        session.clear()
        flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/csrf-token")
def csrf_token():
    """The session's CSRF token, for scripts of this site (no CORS: other origins cannot read it)."""
    from flask import jsonify
    from flask_wtf.csrf import generate_csrf

    return jsonify(csrf_token=generate_csrf())


@bp.route("/activate", methods=["GET", "POST"])
def activate():
    form = ActivationForm()
    if form.validate_on_submit():
        try:
            user = service.check_activation_code(db_session(), form.login.data, form.code.data, _ctx())
        except service.AuthError as error:
            flash(_(error.message), "error")
            return render_template("auth/activate.html", form=form), 400
        session["activation"] = {"user_id": user.id, "code": user.activation_code}
        return redirect(url_for("auth.activate_finish"))
    return render_template("auth/activate.html", form=form), 400 if request.method == "POST" else 200


def _pending_activation() -> User | None:
    pending = session.get("activation") or {}
    user = db_session().get(User, pending.get("user_id", 0))
    if user is None or user.activation_code != pending.get("code"):
        return None
    return user


@bp.route("/activate/finish", methods=["GET", "POST"])
def activate_finish():
    user = _pending_activation()
    if user is None:
        flash(_("Commencez par saisir votre identifiant et votre code d'activation."), "error")
        return redirect(url_for("auth.activate"))
    form = ActivationFinishForm()
    charters = service.latest_charters(db_session(), user.profiles)
    if request.method == "POST" and form.refuse.data:  # CSRFProtect already checked the token
        session.clear()
        audit.record(db_session(), "charter.refused", actor=user, ip=client_ip())
        db_session().commit()
        flash(_("Sans acceptation de la charte, le compte ne peut pas être activé."), "error")
        return redirect(url_for("auth.login"))
    if form.validate_on_submit():
        try:
            service.complete_activation(db_session(), user, form.password.data, form.confirm.data,
                                        form.email.data or "", _ctx())
        except service.AuthError as error:
            db_session().rollback()
            flash(_(error.message), "error")
            return render_template("auth/activate_finish.html", form=form, user=user, charters=charters), 400
        _start_session(user)
        flash(_("Votre compte est activé. Bienvenue !"), "success")
        return redirect(url_for("portal.dashboard"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/activate_finish.html", form=form, user=user, charters=charters), status


@bp.route("/charter", methods=["GET", "POST"])
@login_required
def charter():
    form = CharterForm(next=request.args.get("next", ""))
    pending = service.pending_charters(db_session(), current_user)
    if not pending:
        return redirect(safe_next(form.next.data))
    if form.validate_on_submit():
        if form.refuse.data:
            audit.record(db_session(), "charter.refused", actor=current_user.id, ip=client_ip())
            db_session().commit()
            logout_user()
            session.clear()
            flash(_("Vous avez refusé la charte : vous êtes déconnecté."), "error")
            return redirect(url_for("auth.login"))
        service.accept_charters(db_session(), current_user)
        db_session().commit()
        return redirect(safe_next(form.next.data))
    return render_template("auth/charter.html", form=form, charters=pending)


@bp.route("/reset", methods=["GET", "POST"])
def reset():
    form = ResetForm()
    if form.validate_on_submit():
        try:
            service.reset_password(db_session(), form.login.data, form.code.data, form.password.data,
                                   form.confirm.data, _ctx())
        except service.AuthError as error:
            db_session().rollback()
            flash(_(error.message), "error")
            return render_template("auth/reset.html", form=form), 400
        flash(_("Votre mot de passe est changé : connectez-vous."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 400 if request.method == "POST" else 200
