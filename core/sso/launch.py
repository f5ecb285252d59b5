"""The connector launch page: every connector tile of "Mes Applis" opens ``/launch/<key>``.

The page finds the connector among those that reach the person (a forged key is a 404), records the launch
(statistics count these rows, not the audit log) and hands over to the launcher of the connector's kind: a
redirect for a plain link, the CAS login for a CAS service, a signed form for LTI… Protocol modules register
their launcher with :func:`launcher`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from string import Formatter
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from ..db import db_session
from ..models import ConnectorLaunch, Role, User
from ..models._time import utcnow
from ..portal.services import reached_connectors
from ..rights import access_for
from ..settings import get_setting
from ..types import Connector

bp = Blueprint("sso", __name__)

Launcher = Callable[["Launch"], Any]
LAUNCHERS: dict[str, Launcher] = {}


@dataclass(frozen=True)
class Launch:
    """One external service as it opens for one person."""

    key: str  # "connector:<catalogue id>" (a data connector) or "plugin:<connector id>"
    kind: str  # link, cas, lti11, lti13, saml
    name: str
    url: str  # the filled launch URL for this person
    base_url: str  # the filled base URL of the service
    user: User
    role: Role  # the role through which it reaches the person
    structure_id: int  # the structure whose connector reaches the person (its values live there)
    values: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    attributes: tuple[str, ...] = ("login",)
    connector_id: int | None = None
    reauthenticate: bool = False


def launcher(kind: str) -> Callable[[Launcher], Launcher]:
    """Register the function that opens connectors of ``kind`` (it returns a Flask response)."""

    def register(function: Launcher) -> Launcher:
        LAUNCHERS[kind] = function
        return function

    return register


# -- what reaches a person -------------------------------------------------------------------------------


def _placeholders(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in Formatter().parse(template) if name}


def _filled(template: str, values: dict[str, Any]) -> str | None:
    """The template with its placeholders filled, or None when one stays empty."""
    wanted = _placeholders(template)
    if any(not values.get(name) for name in wanted):
        return None
    return template.format(**{name: str(values[name]) for name in wanted})


def _plugin_launch(session: Session, registry: Any, user: User, connector: Connector) -> Launch | None:
    """A plugin connector opens through the first role whose structure fills its placeholders
    (``{uai}`` and the plugin's own settings, set per structure by administrators)."""
    app_id = connector.id.split(".", 1)[0]
    record = registry.by_app_id(app_id)
    keys = {spec.key for spec in record.settings} if record else set()
    for role in user.roles:
        template = connector.url_for_profile({role.profile})
        wanted = _placeholders(template) | _placeholders(connector.url)
        values: dict[str, Any] = {"uai": (role.structure.uai or "").lower()}
        for name in wanted & keys:
            values[name] = get_setting(session, registry, app_id, name, structure_id=role.structure_id,
                                       profile=role.profile)
        url, base = _filled(template, values), _filled(connector.url, values)
        if url and base:
            return Launch(f"plugin:{connector.id}", connector.kind, connector.name, url, base, user, role,
                          role.structure_id, attributes=connector.attributes,
                          reauthenticate=connector.reauthenticate)
    return None


def reachable_launches(session: Session, registry: Any, user: User, kinds: Iterable[str] | None = None,
                       roles: Iterable[Role] | None = None) -> list[Launch]:
    """Every connector that reaches ``user`` (data connectors of their structures, plugin connectors whose
    right reaches them), optionally only those of ``kinds``."""
    wanted = set(kinds) if kinds is not None else None
    chosen = list(roles) if roles is not None else None
    launches = []
    for reached in reached_connectors(session, user, chosen):
        entry, connector = reached.entry, reached.connector
        if wanted is None or entry.kind in wanted:
            launches.append(Launch(reached.key, entry.kind, entry.name, reached.url, reached.base_url, user,
                                   reached.role, connector.structure_id, dict(connector.values or {}),
                                   dict(connector.secrets or {}), tuple(connector.attributes or ("login",)),
                                   connector.id, entry.reauthenticate))
    for connector in access_for(session, registry, user, chosen).connectors:
        if wanted is None or connector.kind in wanted:
            launch = _plugin_launch(session, registry, user, connector)
            if launch is not None:
                launches.append(launch)
    return launches


def plugin_tile_url(session: Session, registry: Any, user: User, connector: Connector) -> str | None:
    """Where a plugin connector's tile points (its launch page), or None when it cannot open yet."""
    if _plugin_launch(session, registry, user, connector) is None:
        return None
    return url_for("sso.launch", key=f"plugin:{connector.id}")


def record_launch(session: Session, launch: Launch) -> None:
    session.add(ConnectorLaunch(user_id=launch.user.id, structure_id=launch.structure_id, key=launch.key,
                                kind=launch.kind, profile=launch.role.profile, at=utcnow()))


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
    found = next((item for item in reachable_launches(session, registry, user) if item.key == key), None)
    if found is None:
        abort(404)
    record_launch(session, found)
    session.commit()
    return LAUNCHERS.get(found.kind, _open_link)(found)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
