"""OAuth 2.0 / OpenID Connect clients (platform-wide, so the super administrator's): register an application,
see its secret once, remove it. The page keeps its address in the administration (``/admin/oauth-clients``)."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from preau import current_user, db_session, public_endpoint, record_audit, require_admin

from . import service
from .models import OAuthClient
from .provider import bp


def _super_admin_only() -> None:
    """An administrator who is not the super administrator is refused (and audited): clients are platform-wide."""
    require_admin()  # 403 for anyone who administers nothing, as the whole administration
    if not current_user.is_super_admin:
        record_audit(db_session(), "security.scope_denied", actor=current_user.id, ip=request.remote_addr,
                     path=request.path, reason="oauth_clients_are_platform_wide")
        db_session().commit()
        abort(403)


def _page(*, error: str | None = None, created: OAuthClient | None = None, secret: str | None = None,
          status: int = 200):
    clients = db_session().scalars(select(OAuthClient).order_by(OAuthClient.name)).all()
    response = make_response(render_template(
        "oidc/clients.html", clients=clients, scopes=service.known_scopes(), error=error,
        created=created, secret=secret, form=request.form if request.method == "POST" else {}), status)
    if secret:
        response.headers["Cache-Control"] = "no-store"  # the only time the secret is ever sent
    return response


@bp.route("/admin/oauth-clients")
@public_endpoint  # the plugin is no school's app: the super administrator check is below
@login_required
def oauth_clients():
    _super_admin_only()
    return _page()


@bp.route("/admin/oauth-clients", methods=["POST"])
@public_endpoint
@login_required
def oauth_client_add():
    _super_admin_only()
    session = db_session()
    try:
        client, secret = service.register_client(
            session, name=request.form.get("name", ""),
            redirect_uris=(request.form.get("redirect_uris") or "").split(),
            confidential=request.form.get("kind") != "public", scopes=request.form.getlist("scopes"),
            actor=current_user._get_current_object())
    except service.OidcError as error:
        session.rollback()
        return _page(error=str(error), status=400)
    session.commit()
    return _page(created=client, secret=secret, status=201)


@bp.route("/admin/oauth-clients/<int:client_id>/remove", methods=["POST"])
@public_endpoint
@login_required
def oauth_client_remove(client_id: int):
    _super_admin_only()
    session = db_session()
    client = session.get(OAuthClient, client_id) or abort(404)
    service.remove_client(session, client, actor=current_user._get_current_object())
    session.commit()
    flash(_("L'application « %(name)s » est supprimée : ses jetons ne valent plus rien.", name=client.name),
          "success")
    return redirect(url_for("oidc.oauth_clients"), 303)
