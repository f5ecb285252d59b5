"""OAuth 2.0 / OpenID Connect clients (platform-wide, so the super administrator's): register an application,
see its secret once, remove it."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import audit
from ..db import db_session
from ..models import OAuthClient
from ..sso import oidc_service as service
from ..web import client_ip
from .views import bp


def _super_admin_only() -> None:
    if not current_user.is_super_admin:
        audit.record(db_session(), "security.scope_denied", actor=current_user.id, ip=client_ip(),
                     path=request.path, reason="oauth_clients_are_platform_wide")
        db_session().commit()
        abort(403)


def _registry():
    return current_app.extensions["preau.plugins"]


def _page(*, error: str | None = None, created: OAuthClient | None = None, secret: str | None = None,
          status: int = 200):
    clients = db_session().scalars(select(OAuthClient).order_by(OAuthClient.name)).all()
    response = make_response(render_template(
        "admin/oidc_clients.html", clients=clients, scopes=service.known_scopes(_registry()), error=error,
        created=created, secret=secret, form=request.form if request.method == "POST" else {}), status)
    if secret:
        response.headers["Cache-Control"] = "no-store"  # the only time the secret is ever sent
    return response


@bp.route("/oauth-clients")
def oauth_clients():
    _super_admin_only()
    return _page()


@bp.route("/oauth-clients", methods=["POST"])
def oauth_client_add():
    _super_admin_only()
    session = db_session()
    try:
        client, secret = service.register_client(
            session, _registry(), name=request.form.get("name", ""),
            redirect_uris=(request.form.get("redirect_uris") or "").split(),
            confidential=request.form.get("kind") != "public", scopes=request.form.getlist("scopes"),
            actor=current_user._get_current_object())
    except service.OidcError as error:
        session.rollback()
        return _page(error=str(error), status=400)
    session.commit()
    return _page(created=client, secret=secret, status=201)


@bp.route("/oauth-clients/<int:client_id>/remove", methods=["POST"])
def oauth_client_remove(client_id: int):
    _super_admin_only()
    session = db_session()
    client = session.get(OAuthClient, client_id) or abort(404)
    service.remove_client(session, client, actor=current_user._get_current_object())
    session.commit()
    flash(_("L'application « %(name)s » est supprimée : ses jetons ne valent plus rien.", name=client.name),
          "success")
    return redirect(url_for("admin.oauth_clients"), 303)
