"""The connector launch page: every connector tile of "Mes Applis" opens ``/launch/<key>``.

The page finds the connector among those that reach the person (a forged key is a 404; the resolution lives in
:mod:`preau.portal.launches`), records the launch (statistics count these rows, not the audit log) and hands
over to the launcher of the connector's kind: a redirect for a plain link, the CAS login for a CAS service, a
signed form for LTI… Protocol modules register their launcher with :func:`launcher`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    has_request_context,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user, login_required

from ..db import db_session
from ..models import User
from ..portal.launches import Launch, find_launch, record_launch
from ..rights import Access
from ..web import current_access, current_role

bp = Blueprint("sso", __name__)

Launcher = Callable[["Launch"], Any]
LAUNCHERS: dict[str, Launcher] = {}


def launcher(kind: str) -> Callable[[Launcher], Launcher]:
    """Register the function that opens connectors of ``kind`` (it returns a Flask response)."""

    def register(function: Launcher) -> Launcher:
        LAUNCHERS[kind] = function
        return function

    return register


def request_access(user: User) -> Access | None:
    """The request's access (computed once per request) when ``user`` is the person logged in with all their
    roles; ``None`` otherwise (a server-to-server call, a role chosen with the role switch)."""
    if has_request_context() and current_user.is_authenticated and current_user.id == user.id \
            and current_role() is None:
        return current_access()
    return None


# -- pages -----------------------------------------------------------------------------------------------


def autosubmit_page(action: str, fields: dict[str, str], *, title: str = "") -> Response:
    """A page that POSTs ``fields`` to ``action`` by itself (LTI launches); a "Continuer" button without
    JavaScript. Its CSP lets forms go to that one origin only."""
    parts = urlsplit(action)
    origin = f"{parts.scheme}://{parts.netloc}"
    response = Response(render_template("sso/autosubmit.html", action=action, fields=fields, title=title))
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"form-action 'self' {origin}; frame-ancestors 'none'; base-uri 'self'")
    response.headers["Cache-Control"] = "no-store"  # signed, single-use parameters
    return response


@launcher("link")
@launcher("saml")  # SAML federations (the GAR) start at the service, which comes back to Préau
def _open_link(launch: Launch):
    return redirect(launch.url, 303)


@launcher("cas")
def _open_cas_service(launch: Launch):
    """Through the CAS login when the CAS server is installed: the service gets its ticket at once."""
    if "cas.login" in current_app.view_functions:
        return redirect(url_for("cas.login", service=launch.url), 303)
    return redirect(launch.url, 303)


@bp.route("/launch/<path:key>")
@login_required
def launch(key: str):
    session, registry = db_session(), current_app.extensions["preau.plugins"]
    user = current_user._get_current_object()
    found = find_launch(session, registry, user, key, access=request_access(user))
    if found is None:
        abort(404)
    response = LAUNCHERS.get(found.kind, _open_link)(found)
    record_launch(session, found)  # after the launcher's reads: one transaction for the whole page
    session.commit()
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
