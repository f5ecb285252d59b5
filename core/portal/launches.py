"""Connector launches: which external services reach a person, through which role and structure, and the filled
URL each opens (the launch page of :mod:`preau.sso.launch` and the SSO protocols open them; "Mes Applis" shows
their tiles). No request is read here: the caller hands over the person's access when it has it.
"""

from __future__ import annotations

from collections.abc import Iterable
from string import Formatter
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import statistics
from ..directory.structures import ancestor_distances
from ..models import ConnectorLaunch, Launch, Role, StructureConnector, User
from ..models._time import utcnow
from ..rights import Access, access_for
from ..settings import get_setting
from ..types import Connector
from .catalogue import PLACEHOLDER_VALUE, catalogue
from .services import reached_connectors


def _placeholders(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in Formatter().parse(template) if name}


# Placeholders about the person, optional: a login hint such as ``?user={email}`` is dropped when empty.
USER_PLACEHOLDERS = frozenset({"email"})


def _without_empty_parameters(url: str) -> str:
    parts = urlsplit(url)
    kept = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if value]
    return urlunsplit(parts._replace(query=urlencode(kept, quote_via=quote)))


def _filled(template: str, values: dict[str, Any]) -> str | None:
    """The template with its placeholders filled, or None when a required one stays empty."""
    wanted = _placeholders(template)
    if any(not values.get(name) for name in wanted - USER_PLACEHOLDERS):
        return None
    url = template.format(**{name: str(values.get(name) or "") for name in wanted})
    return _without_empty_parameters(url) if wanted & USER_PLACEHOLDERS else url


def _is_web_url(url: str) -> bool:
    """A filled URL must still be http(s): a setting such as ``{url}`` cannot smuggle ``javascript:``."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _fits(name: str, value: Any, templates: tuple[str, ...]) -> bool:
    """A setting that starts a URL (``{url}…``) is a whole address, checked once filled; anywhere else (a host
    label, a path segment) it may hold letters, digits, dots and dashes only, so it cannot change the host."""
    if all(template.startswith("{" + name + "}") for template in templates if name in _placeholders(template)):
        return True
    return bool(PLACEHOLDER_VALUE.match(str(value or "")))


def _plugin_launch(session: Session, registry: Any, user: User, connector: Connector) -> Launch | None:
    """A plugin connector opens through the first role whose structure fills its placeholders
    (``{uai}`` and the plugin's own settings, set per structure by administrators)."""
    app_id = connector.id.split(".", 1)[0]
    record = registry.by_app_id(app_id)
    keys = {spec.key for spec in record.settings} if record else set()
    for role in user.roles:
        template = connector.url_for_profile({role.profile})
        wanted = _placeholders(template) | _placeholders(connector.url)
        values: dict[str, Any] = {"uai": (role.structure.uai or "").lower(),
                                  "email": quote(user.email or "", safe="")}
        for name in wanted & keys:
            value = get_setting(session, registry, app_id, name, structure_id=role.structure_id,
                                profile=role.profile)
            values[name] = value if _fits(name, value, (template, connector.url)) else None
        url, base = _filled(template, values), _filled(connector.url, values)
        if url and base and _is_web_url(url) and _is_web_url(base):
            return Launch(f"plugin:{connector.id}", connector.kind, connector.name, url, base, user, role,
                          role.structure_id, attributes=connector.attributes,
                          reauthenticate=connector.reauthenticate)
    return None


def _data_launches(session: Session, user: User, roles: list[Role] | None, kinds: set[str] | None,
                   catalogue_ids: set[str] | None = None) -> list[Launch]:
    return [Launch(reached.key, reached.entry.kind, reached.entry.name, reached.url, reached.base_url, user,
                   reached.role, reached.connector.structure_id, dict(reached.connector.values or {}),
                   dict(reached.connector.secrets or {}), tuple(reached.connector.attributes or ("login",)),
                   reached.connector.id, reached.entry.reauthenticate)
            for reached in reached_connectors(session, user, roles, kinds=kinds, catalogue_ids=catalogue_ids)]


def _plugin_connectors(session: Session, registry: Any, user: User, roles: list[Role] | None,
                       access: Access | None) -> list[Connector]:
    """The plugin connectors whose right reaches the person: ``access`` when the caller has it (the request's,
    computed once), else computed here."""
    if roles is None and access is not None:
        return access.connectors
    return access_for(session, registry, user, roles).connectors


def reachable_launches(session: Session, registry: Any, user: User, kinds: Iterable[str] | None = None,
                       roles: Iterable[Role] | None = None, *, access: Access | None = None) -> list[Launch]:
    """Every connector that reaches ``user`` (data connectors of their structures, plugin connectors whose
    right reaches them), optionally only those of ``kinds``. ``access``: the person's :class:`Access` for all
    their roles, when the caller already has it."""
    wanted = set(kinds) if kinds is not None else None
    chosen = list(roles) if roles is not None else None
    launches = _data_launches(session, user, chosen, wanted)
    for connector in _plugin_connectors(session, registry, user, chosen, access):
        if wanted is None or connector.kind in wanted:
            launch = _plugin_launch(session, registry, user, connector)
            if launch is not None:
                launches.append(launch)
    return launches


def find_launch(session: Session, registry: Any, user: User, key: str,
                roles: Iterable[Role] | None = None, *, access: Access | None = None) -> Launch | None:
    """The launch named ``key`` if it reaches ``user``, looking only where that key can be (``access``: as for
    :func:`reachable_launches`)."""
    kind, _sep, name = key.partition(":")
    chosen = list(roles) if roles is not None else None
    if kind == "connector":
        return next(iter(_data_launches(session, user, chosen, None, {name})), None)
    if kind == "plugin":
        connectors = _plugin_connectors(session, registry, user, chosen, access)
        connector = next((c for c in connectors if c.id == name), None)
        return _plugin_launch(session, registry, user, connector) if connector is not None else None
    return None


def plugin_tile_url(session: Session, registry: Any, user: User, connector: Connector) -> str | None:
    """Where a plugin connector's tile points (its launch page), or None when it cannot open yet."""
    if _plugin_launch(session, registry, user, connector) is None:
        return None
    return url_for("sso.launch", key=f"plugin:{connector.id}")


def released_values(user: User, released: Iterable[str], profile: str | None = None) -> dict[str, str]:
    """The person's simple attributes a connector releases, by the kernel's names (``login``, ``display_name``,
    ``first_name``, ``last_name``, ``email``, ``profile``, ``external_id``), empty ones left out. Each protocol
    names them its own way (CAS attributes, ``lis_person_*``, OpenID claims).

    :param released: the names the connector releases (:attr:`Launch.attributes`).
    :param profile: the profile to release as ``profile``, if any."""
    values = {"login": user.login, "display_name": user.display_name, "first_name": user.first_name,
              "last_name": user.last_name, "email": user.email, "profile": profile,
              "external_id": user.external_id}
    return {name: str(values[name]) for name in set(released) & set(values) if values[name]}


def record_launch(session: Session, launch: Launch) -> None:
    session.add(ConnectorLaunch(user_id=launch.user.id, structure_id=launch.structure_id, key=launch.key,
                                kind=launch.kind, profile=launch.role.profile, at=utcnow()))
    statistics.record_connector_launch(session, launch.role.structure_id, launch.role.profile, launch.key)


FRESH_GRANT_SECONDS = 60  # a launch granted less than this ago is checked again cheaply (see fresh_launch)


def fresh_launch(session: Session, user: User, key: str, *, kind: str, role_id: int, structure_id: int,
                 connector_id: int | None, name: str, age: float) -> Launch | None:
    """A data connector's launch granted a moment ago, checked again cheaply, as CAS does for its remembered
    grants: the connector still enabled for the role's profile, the role still held. ``None`` for anything else
    (an older grant, one through a group or a class, a plugin connector): the caller takes the full check."""
    if age > FRESH_GRANT_SECONDS or not connector_id:
        return None
    role = next((r for r in user.roles if r.id == role_id), None)
    row = session.execute(select(StructureConnector.catalogue_id, StructureConnector.enabled,
                                 StructureConnector.profiles, StructureConnector.attributes,
                                 StructureConnector.structure_id)
                          .where(StructureConnector.id == connector_id)).first()
    if (role is None or row is None or not row.enabled or row.structure_id != structure_id
            or key != f"connector:{row.catalogue_id}" or role.profile not in (row.profiles or ())):
        return None
    entry = catalogue().get(row.catalogue_id)
    if entry is None or entry.kind != kind:
        return None
    return Launch(key, kind, name, "", "", user, role, row.structure_id, {}, {},
                  tuple(row.attributes or ("login",)), connector_id)


def released_attributes(session: Session, registry: Any, key: str, structure_id: int) -> tuple[str, ...]:
    """What the connector named ``key`` releases in a structure: the configuration of the nearest structure up
    the tree for a data connector, the plugin's declaration for a plugin connector; ``("login",)`` otherwise."""
    kind, _sep, name = key.partition(":")
    if kind == "connector":
        distances = ancestor_distances(session, structure_id)
        rows = session.scalars(select(StructureConnector).where(
            StructureConnector.catalogue_id == name, StructureConnector.structure_id.in_(distances))).all()
        row = min(rows, key=lambda r: distances[r.structure_id], default=None)
        return tuple(row.attributes or ("login",)) if row else ("login",)
    for record in registry.active() if kind == "plugin" else ():
        for connector in record.connectors:
            if connector.id == name:
                return tuple(connector.attributes)
    return ("login",)


def connector_choices(registry: Any, kind: str) -> list[tuple[str, str]]:
    """The ``(key, name)`` of every connector of ``kind`` an administrator may configure: catalogue entries
    (``"connector:<id>"``) and the connectors of active plugins (``"plugin:<id>"``)."""
    choices = [(f"connector:{entry.id}", entry.name) for entry in catalogue().values() if entry.kind == kind]
    for record in registry.active():
        choices.extend((f"plugin:{c.id}", c.name) for c in record.connectors if c.kind == kind)
    return choices
