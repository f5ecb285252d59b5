"""The user's own account pages: personal API tokens. Thin: the rules live in ``preau.auth.tokens``."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import audit
from ..auth import tokens
from ..auth.totp_views import register_account_routes
from ..db import db_session
from ..errors import problem
from ..filestore import default_storage
from ..models import AccountState
from ..models._time import utcnow
from ..plugins import KERNEL_WIDE
from ..types import AdminLink
from ..web import client_ip
from . import data_export
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
        state_labels=STATE_LABELS, scope_labels=SCOPE_LABELS, plugin_links=_plugin_links()), status)
    if new_token:
        response.headers["Cache-Control"] = "no-store"  # the only time the plaintext is ever sent
    return response


def _plugin_links() -> list[AdminLink]:
    """The links plugins add to the account page (``preau_account_links``)."""
    return current_app.extensions["preau.plugins"].links("preau_account_links", apps=KERNEL_WIDE)


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


# -- « Mes données » ---------------------------------------------------------------------------------------

# A pre-deleted account may only export its data: every other page sends it here.
PRE_DELETED_ENDPOINTS = {"account.data", "account.request_data", "account.download_data", "auth.logout",
                         "auth.csrf_token", "static"}


@bp.before_app_request
def confine_pre_deleted():
    if (current_user.is_authenticated and current_user.state == AccountState.PRE_DELETED
            and request.endpoint not in PRE_DELETED_ENDPOINTS):
        if request.path.startswith("/api/"):
            return problem(403, _("Ce compte est en cours de suppression : seul l'export de vos données reste "
                                  "possible."), reason="pre_deleted")
        return redirect(url_for("account.data"), 303)
    return None


@bp.route("/data", endpoint="data")
@login_required
def data_page():
    user = current_user._get_current_object()
    rows = data_export.exports_of(db_session(), user)
    building = any(export.storage_key is None and job is not None and job.state in ("queued", "running")
                   for export, job in rows)
    deletion_at = None
    if user.state == AccountState.PRE_DELETED:
        deletion_at = user.state_changed_at + timedelta(days=current_app.config["LIFECYCLE_PRE_DELETED_DAYS"])
    response = make_response(render_template("account/data.html", rows=rows, building=building,
                                             deletion_at=deletion_at))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/data", methods=["POST"], endpoint="request_data")
@login_required
def request_data():
    session = db_session()
    data_export.request_export(session, current_user._get_current_object())
    session.commit()
    flash(_("Votre export est en préparation : cette page indique où il en est."), "success")
    return redirect(url_for("account.data"), 303)


@bp.route("/data/<int:export_id>/download", endpoint="download_data")
@login_required
def download_data(export_id: int):
    session = db_session()
    user = current_user._get_current_object()
    export = data_export.downloadable(session, user, export_id)
    if export is None:
        abort(404)
    audit.record(session, "account.export_downloaded", actor=user, target=user, ip=client_ip())
    session.commit()
    name = f"mes-donnees-{user.login}-{export.created_at:%Y-%m-%d}.zip"
    assert export.storage_key  # downloadable() gives only built exports
    response = send_file(default_storage().open(export.storage_key), mimetype="application/zip",
                         as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


register_account_routes(bp)  # the second factor's set-up pages
