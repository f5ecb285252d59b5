"""The user's own account pages: personal API tokens. Thin: the rules live in ``preau.auth.tokens``."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth import tokens
from ..db import db_session
from ..models._time import utcnow
from ..web import client_ip
from .forms import SCOPE_LABELS, TokenForm

bp = Blueprint("account", __name__, url_prefix="/account")

STATE_LABELS = {"active": "Actif", "revoked": "Révoqué", "expired": "Expiré"}


def _token_form(**kwargs) -> TokenForm:
    form = TokenForm(**kwargs)
    form.limit_scopes(tokens.allowed_scopes(current_user))
    return form


def _render(form: TokenForm, new_token: str | None = None, status: int = 200, error: str | None = None):
    user = current_user._get_current_object()
    now = utcnow()
    rows = [(token, tokens.token_state(token, now)) for token in tokens.tokens_of(db_session(), user)]
    response = make_response(render_template(
        "account/tokens.html", form=form, rows=rows, new_token=new_token, error=error,
        state_labels=STATE_LABELS, scope_labels=SCOPE_LABELS), status)
    if new_token:
        response.headers["Cache-Control"] = "no-store"  # the only time the plaintext is ever sent
    return response


@bp.route("/tokens", endpoint="tokens")
@login_required
def tokens_page():
    return _render(_token_form())


@bp.route("/tokens", methods=["POST"])
@login_required
def create_token():
    form = _token_form()
    if not form.validate_on_submit():
        return _render(form, status=400)
    session = db_session()
    try:
        plaintext, _token = tokens.create_token(session, current_user._get_current_object(), form.name.data,
                                                form.scopes.data, form.expiry_days, ip=client_ip())
    except tokens.TokenError as error:
        session.rollback()
        return _render(form, status=400, error=_(str(error)))
    session.commit()
    return _render(_token_form(formdata=None), new_token=plaintext, status=201)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    session = db_session()
    try:
        token = tokens.revoke_token(session, current_user._get_current_object(), token_id, ip=client_ip())
    except tokens.TokenError as error:
        session.rollback()
        flash(_(str(error)), "error")
        return redirect(url_for("account.tokens"), 303)
    session.commit()
    flash(_("Le jeton « %(name)s » est révoqué.", name=token.name), "success")
    return redirect(url_for("account.tokens"), 303)
