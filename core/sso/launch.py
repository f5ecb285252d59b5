"""The connector launch page: every connector tile of "Mes Applis" opens ``/launch/<key>``.

The page finds the connector among those that reach the person (a forged key is a 404; the resolution lives in
:mod:`preau.portal.launches`), records the launch (statistics count these rows, not the audit log) and hands
over to the launcher of the connector's kind: a redirect for a plain link, the CAS login for a CAS service, a
signed form for an LTI tool… The kernel opens links, SAML and CAS services; a plugin opens the kinds it gives
through ``preau_launchers`` (the registry collects them at load); a kind nobody opens is a 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
from ..models import Role, User
from ..portal.launches import (
    Launch,
    connector_choices,
    find_launch,
    fresh_launch,
    reachable_launches,
    record_launch,
    released_attributes,
)
from ..rights import Access
from ..web import current_access, current_role

bp = Blueprint("sso", __name__)

Launcher = Callable[[Launch], Any]


def request_access(user: User) -> Access | None:
    """The request's access (computed once per request) when ``user`` is the person logged in with all their
    roles; ``None`` otherwise (a server-to-server call, a role chosen with the role switch)."""
    if has_request_context() and current_user.is_authenticated and current_user.id == user.id \
            and current_role() is None:
        return current_access()
    return None


# -- pages -----------------------------------------------------------------------------------------------


def autosubmit_page(action: str, fields: dict[str, str], *, title: str = "") -> Response:
    """A page that POSTs ``fields`` to ``action`` by itself (a signed launch form, an id_token for a tool); a
    "Continuer" button without JavaScript. Its CSP lets forms go to that one origin only; it is never cached.

    :param action: the http(s) URL the browser POSTs to.
    :param fields: the form's hidden fields.
    :param title: the page's title (the service's name)."""
    parts = urlsplit(action)
    origin = f"{parts.scheme}://{parts.netloc}"
    response = Response(render_template("sso/autosubmit.html", action=action, fields=fields, title=title))
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"form-action 'self' {origin}; frame-ancestors 'none'; base-uri 'self'")
    response.headers["Cache-Control"] = "no-store"  # signed, single-use parameters
    return response


def _open_link(launch: Launch) -> Any:
    return redirect(launch.url, 303)


def _open_cas_service(launch: Launch) -> Any:
    """Through the CAS login when the CAS server is installed: the service gets its ticket at once."""
    if "cas.login" in current_app.view_functions:
        return redirect(url_for("cas.login", service=launch.url), 303)
    return redirect(launch.url, 303)


# SAML federations (the GAR) start at the service, which comes back to Préau: a link.
KERNEL_LAUNCHERS: dict[str, Launcher] = {"link": _open_link, "saml": _open_link, "cas": _open_cas_service}


def launcher_of(kind: str) -> Launcher | None:
    """The function that opens connectors of ``kind``: the kernel's, or the one an active plugin gives."""
    return KERNEL_LAUNCHERS.get(kind) or current_app.extensions["preau.plugins"].launchers().get(kind)


def reachable_launches_for(user: User, kinds: Iterable[str] | None = None,
                           roles: Iterable[Role] | None = None) -> list[Launch]:
    """Every external service (connector) that reaches ``user``, through ``roles`` (default: all their roles),
    optionally only those of some connector ``kinds``: the tiles of their "Mes Applis", as :class:`Launch`
    values. In a request for the person logged in, their access computed once for the request is used."""
    session, registry = db_session(), current_app.extensions["preau.plugins"]
    chosen = list(roles) if roles is not None else None
    return reachable_launches(session, registry, user, kinds, chosen,
                              access=request_access(user) if chosen is None else None)


def find_launch_for(user: User, key: str, roles: Iterable[Role] | None = None) -> Launch | None:
    """The external service named ``key`` (``"connector:<catalogue id>"`` or ``"plugin:<connector id>"``) if
    it reaches ``user`` through ``roles`` (default: all their roles), else ``None``: a grant withdrawn since, a
    forged key."""
    session, registry = db_session(), current_app.extensions["preau.plugins"]
    chosen = list(roles) if roles is not None else None
    return find_launch(session, registry, user, key, chosen,
                       access=request_access(user) if chosen is None else None)


def connector_released_attributes(key: str, structure_id: int) -> tuple[str, ...]:
    """What the connector named ``key`` releases in the structure ``structure_id`` (the names of
    :func:`preau.released_values`): a data connector's configuration of the nearest structure up the tree, a
    plugin connector's declaration; ``("login",)`` when there is none. For a protocol's server-to-server
    answers (a roster), where no launch is at hand."""
    return released_attributes(db_session(), current_app.extensions["preau.plugins"], key, structure_id)


def connector_choices_of(kind: str) -> list[tuple[str, str]]:
    """The ``(key, name)`` pairs of every connector of ``kind`` an administrator may bind to something (a tool
    registration): the catalogue's entries and the active plugins' connectors."""
    return connector_choices(current_app.extensions["preau.plugins"], kind)


def confirm_launch(user: User, key: str, *, kind: str, role_id: int, structure_id: int,
                   connector_id: int | None = None, name: str = "", age: float = 0.0) -> Launch | None:
    """A launch granted ``age`` seconds ago (its values signed by the protocol, e.g. in a login hint), checked
    again when the person comes back: the same service still reaches them through the same role, with the same
    ``kind``, from the same structure. A data connector granted under a minute ago is checked cheaply (still
    enabled for the role's profile, the role still held); anything else takes the full check."""
    session = db_session()
    fresh = fresh_launch(session, user, key, kind=kind, role_id=role_id, structure_id=structure_id,
                         connector_id=connector_id, name=name, age=age)
    if fresh is not None:
        return fresh
    roles = [role for role in user.roles if role.id == role_id]
    found = find_launch_for(user, key, roles=roles) if roles else None
    if found is None or found.kind != kind or found.structure_id != structure_id:
        return None
    return found


@bp.route("/launch/<path:key>")
@login_required
def launch(key: str):
    session, registry = db_session(), current_app.extensions["preau.plugins"]
    user = current_user._get_current_object()
    found = find_launch(session, registry, user, key, access=request_access(user))
    if found is None:
        abort(404)
    opener = launcher_of(found.kind)
    if opener is None:
        abort(404)  # a connector kind whose plugin is not installed opens nothing
    response = opener(found)
    record_launch(session, found)  # after the launcher's reads: one transaction for the whole page
    session.commit()
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
