"""Links and catalogue connectors of a structure: the rules of their administration, and which reach a user.

Both are inherited by the structure's descendants. They reach a role (a profile in a structure) when the role's
profile is among their ``profiles`` or when they target a class or group that the role reaches (the same reach
as right grants, :func:`preau.rights._reaches`). Services raise :class:`ServiceError` (French message) before
changing anything; every change is audited (secrets never are).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from .. import audit, urls
from ..directory.structures import DirectoryError, ancestor_distances
from ..icons import is_icon
from ..models import (
    AccountState,
    Group,
    Role,
    SchoolClass,
    ServiceLink,
    ServiceTarget,
    Structure,
    StructureConnector,
    User,
)
from ..rights import _reaches
from ..types import THEMES, Profile
from .catalogue import PLACEHOLDER_VALUE, CatalogueEntry, catalogue, placeholders_of

PROFILES = tuple(p.value for p in Profile)
MAX_VALUE = 500
# Attributes an administrator may release to a connector's service (CAS attributes, LTI / OpenID claims).
RELEASABLE_ATTRIBUTES = ("login", "display_name", "first_name", "last_name", "email", "profile", "uai",
                         "classes", "external_id")


class ServiceError(DirectoryError):
    """A link or connector change that breaks a rule (French message, nothing changed)."""


# -- validation ------------------------------------------------------------------------------------------


def checked_url(raw: str) -> str:
    """An absolute http(s) URL with a host, else :class:`ServiceError` (``javascript:``, ``data:``, relative…)."""
    try:
        return urls.checked_url(raw)
    except urls.UrlError as error:
        raise ServiceError(str(error)) from None


def _checked_profiles(profiles: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(profiles))
    unknown = [p for p in chosen if p not in PROFILES]
    if unknown:
        raise ServiceError(_("Profil inconnu : %(profile)s.", profile=unknown[0][:40]))
    return chosen


def _checked_targets(session: Session, structure: Structure, group_ids: Iterable[int],
                     class_ids: Iterable[int]) -> tuple[list[int], list[int]]:
    """Groups and classes must exist and belong to the service's own structure."""
    group_ids, class_ids = sorted(set(group_ids)), sorted(set(class_ids))
    groups = session.execute(select(Group.id, Group.structure_id).where(Group.id.in_(group_ids))).all()
    classes = session.execute(
        select(SchoolClass.id, SchoolClass.structure_id).where(SchoolClass.id.in_(class_ids))).all()
    if len(groups) != len(group_ids) or len(classes) != len(class_ids):
        raise ServiceError(_("Un groupe ou une classe choisi n'existe pas."))
    if any(row.structure_id != structure.id for row in (*groups, *classes)):
        raise ServiceError(_("Le groupe ou la classe n'appartient pas à %(structure)s.", structure=structure.name))
    return group_ids, class_ids


def _replace_targets(session: Session, *, link_id: int | None = None, connector_id: int | None = None,
                     group_ids: list[int], class_ids: list[int]) -> None:
    owner = ServiceTarget.link_id == link_id if link_id else ServiceTarget.connector_id == connector_id
    session.execute(delete(ServiceTarget).where(owner))
    rows = ([{"link_id": link_id, "connector_id": connector_id, "group_id": g, "class_id": None} for g in group_ids]
            + [{"link_id": link_id, "connector_id": connector_id, "group_id": None, "class_id": c} for c in class_ids])
    if rows:
        session.execute(insert(ServiceTarget), rows)


def targets_of(session: Session, *, link_id: int | None = None,
               connector_id: int | None = None) -> tuple[set[int], set[int]]:
    owner = ServiceTarget.link_id == link_id if link_id else ServiceTarget.connector_id == connector_id
    rows = session.execute(select(ServiceTarget.group_id, ServiceTarget.class_id).where(owner)).all()
    return {r.group_id for r in rows if r.group_id}, {r.class_id for r in rows if r.class_id}


# -- links -----------------------------------------------------------------------------------------------


def add_link(session: Session, structure: Structure, *, title: str, url: str, theme: str, icon: str = "link",
             profiles: Iterable[str] = (), group_ids: Iterable[int] = (), class_ids: Iterable[int] = (),
             actor: Any = None) -> ServiceLink:
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise ServiceError(_("Le titre du lien est obligatoire (120 caractères au plus)."))
    url = checked_url(url)
    if theme not in THEMES:
        raise ServiceError(_("Choisissez un groupe de menu dans la liste."))
    icon = (icon or "link").strip() or "link"
    if not is_icon(icon):
        raise ServiceError(_("Choisissez une icône dans la liste."))
    chosen = _checked_profiles(profiles)
    groups, classes = _checked_targets(session, structure, group_ids, class_ids)
    if not chosen and not groups and not classes:
        raise ServiceError(_("Choisissez au moins un profil, une classe ou un groupe à qui montrer le lien."))
    link = ServiceLink(structure_id=structure.id, title=title, url=url, theme=theme, icon=icon, profiles=chosen)
    session.add(link)
    session.flush()
    _replace_targets(session, link_id=link.id, group_ids=groups, class_ids=classes)
    audit.record(session, "services.link_added", actor=actor, target=link, structure_id=structure.id,
                 url=url, title=title, profiles=chosen, group_ids=groups, class_ids=classes)
    return link


def remove_link(session: Session, link: ServiceLink, *, actor: Any = None) -> None:
    audit.record(session, "services.link_removed", actor=actor, target=link, structure_id=link.structure_id,
                 url=link.url, title=link.title)
    session.delete(link)
    session.flush()


# -- connectors ------------------------------------------------------------------------------------------


def entry_of(connector: StructureConnector) -> CatalogueEntry | None:
    return catalogue().get(connector.catalogue_id)


def add_connector(session: Session, structure: Structure, catalogue_id: str, *,
                  actor: Any = None) -> StructureConnector:
    """Add a catalogue connector, disabled until configured, targeting the entry's default profiles."""
    entry = catalogue().get(catalogue_id)
    if entry is None:
        raise ServiceError(_("Ce service n'est pas dans le catalogue."))
    exists = session.scalar(select(StructureConnector.id).where(
        StructureConnector.structure_id == structure.id, StructureConnector.catalogue_id == catalogue_id))
    if exists:
        raise ServiceError(_("%(name)s est déjà ajouté à %(structure)s.", name=entry.name, structure=structure.name))
    connector = StructureConnector(structure_id=structure.id, catalogue_id=catalogue_id, enabled=False,
                                   values={}, secrets={}, profiles=list(entry.default_profiles))
    session.add(connector)
    session.flush()
    audit.record(session, "services.connector_added", actor=actor, target=connector, structure_id=structure.id,
                 catalogue_id=catalogue_id)
    return connector


def missing_values(connector: StructureConnector) -> list[str]:
    """Labels of the required fields still empty (a connector cannot be enabled before they are filled)."""
    entry = entry_of(connector)
    if entry is None:
        return []
    return [f.label for f in entry.fields if f.required
            and not (connector.secrets if f.secret else connector.values).get(f.key)]


def configure_connector(session: Session, connector: StructureConnector, *, values: dict[str, str],
                        secrets: dict[str, str], profiles: Iterable[str], group_ids: Iterable[int] = (),
                        class_ids: Iterable[int] = (), enabled: bool, attributes: Iterable[str] | None = None,
                        actor: Any = None) -> None:
    """Set per-structure values (a blank secret keeps the stored one), targets, the attributes released to the
    service (None keeps them) and the on/off switch."""
    entry = entry_of(connector)
    if entry is None:
        raise ServiceError(_("Ce service n'est plus dans le catalogue : retirez-le."))
    structure = session.get_one(Structure, connector.structure_id)
    placeholders = entry.placeholders
    new_values, new_secrets = {}, dict(connector.secrets or {})
    for field in entry.fields:
        raw = ((secrets if field.secret else values).get(field.key) or "").strip()
        if len(raw) > MAX_VALUE or any(ord(ch) < 32 for ch in raw):
            raise ServiceError(_("La valeur de « %(field)s » n'est pas valide.", field=field.label))
        if field.key in placeholders and raw and not PLACEHOLDER_VALUE.match(raw):
            raise ServiceError(_("« %(field)s » ne peut contenir que des lettres, des chiffres, des points et "
                                 "des tirets.", field=field.label))
        if field.secret:
            if raw:
                new_secrets[field.key] = raw
        elif raw:
            new_values[field.key] = raw
    chosen = _checked_profiles(profiles)
    groups, classes = _checked_targets(session, structure, group_ids, class_ids)
    released = list(connector.attributes or []) if attributes is None else list(dict.fromkeys(attributes))
    if any(name not in RELEASABLE_ATTRIBUTES for name in released):
        raise ServiceError(_("Attribut inconnu : %(name)s.", name=next(
            n for n in released if n not in RELEASABLE_ATTRIBUTES)[:40]))
    changed_secrets = sorted(k for k in new_secrets if new_secrets[k] != (connector.secrets or {}).get(k))
    connector.values, connector.secrets, connector.profiles = new_values, new_secrets, chosen
    connector.attributes = released
    if enabled and missing_values(connector):
        raise ServiceError(_("Renseignez d'abord : %(fields)s.", fields=", ".join(missing_values(connector))))
    # ``{uai}`` is filled per school at launch (a connector of a city serves each school with its own UAI).
    connector.enabled = enabled
    _replace_targets(session, connector_id=connector.id, group_ids=groups, class_ids=classes)
    session.flush()
    audit.record(session, "services.connector_configured", actor=actor, target=connector,
                 structure_id=connector.structure_id, catalogue_id=connector.catalogue_id, values=new_values,
                 secrets_changed=changed_secrets, profiles=chosen, group_ids=groups, class_ids=classes,
                 enabled=enabled, attributes=released)


def remove_connector(session: Session, connector: StructureConnector, *, actor: Any = None) -> None:
    audit.record(session, "services.connector_removed", actor=actor, target=connector,
                 structure_id=connector.structure_id, catalogue_id=connector.catalogue_id)
    session.delete(connector)
    session.flush()


def fill_template(template: str, connector: StructureConnector, uai: str | None) -> str:
    """A URL template of the catalogue filled with the structure's values and the school's UAI."""
    values = {**(connector.values or {}), "uai": (uai or "").lower()}
    return template.format(**{k: values.get(k, "") for k in placeholders_of(template)})


def launch_url(entry: CatalogueEntry, connector: StructureConnector, uai: str | None, profiles: set[str]) -> str:
    """The URL a user with ``profiles`` opens: the entry's template filled with the structure's values."""
    return fill_template(entry.template_for(profiles), connector, uai)


# -- what reaches a user ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceTile:
    """A link or connector tile of "Mes Applis"."""

    kind: str  # "link" or "connector"
    key: str  # stable id for favourites: "link:12", "connector:pronote"
    title: str
    url: str
    theme: str
    icon: str = "link"
    editor: str = ""
    help: str = ""
    reauthenticate: bool = False
    protocol: str = "link"  # the connector's kind: link, cas, lti11, lti13, saml


def _reached(profiles: list[str], targets: tuple[set[int], set[int]], role: Role, reach: Any) -> bool:
    groups, classes = targets
    return role.profile in profiles or bool(groups & reach.group_ids) or bool(classes & reach.class_ids)


@dataclass(frozen=True)
class ReachedConnector:
    """A data connector that reaches a user through ``role``, with its URLs filled for that role."""

    role: Role
    connector: StructureConnector
    entry: CatalogueEntry
    url: str
    base_url: str

    @property
    def key(self) -> str:
        return f"connector:{self.connector.catalogue_id}"


@dataclass
class _Reachable:
    links: dict[str, ServiceTile]
    connectors: dict[str, ReachedConnector]


def _reachable(session: Session, user: User, roles: Iterable[Role] | None, *, links_too: bool = True,
               catalogue_ids: Iterable[str] | None = None) -> _Reachable:
    """Links and enabled connectors reaching ``user`` through ``roles`` (default: all). A connector added at
    several levels counts once, from the structure nearest the role. ``links_too=False`` and ``catalogue_ids``
    narrow the queries when the caller looks for some connectors only (a launch, a CAS service)."""
    found = _Reachable({}, {})
    chosen = list(user.roles) if roles is None else [r for r in roles if r.user_id == user.id]
    if not chosen or user.state == AccountState.PRE_DELETED:  # a pre-deleted account only exports its data
        return found
    distances = {sid: ancestor_distances(session, sid) for sid in {r.structure_id for r in chosen}}
    every = set().union(*(set(d) for d in distances.values()))
    links = session.scalars(select(ServiceLink).where(ServiceLink.structure_id.in_(every))).all() if links_too else []
    wanted = select(StructureConnector).where(StructureConnector.structure_id.in_(every),
                                              StructureConnector.enabled.is_(True))
    if catalogue_ids is not None:
        wanted = wanted.where(StructureConnector.catalogue_id.in_(list(catalogue_ids)))
    connectors = session.scalars(wanted).all()
    if not links and not connectors:
        return found
    targets = _all_targets(session, [link.id for link in links], [c.id for c in connectors])
    reaches = _reaches(session, user, chosen, {sid: set(d) for sid, d in distances.items()})
    uais = _uais(session, chosen, connectors)
    nearest: dict[str, int] = {}
    for role in chosen:
        up, reach = distances[role.structure_id], reaches[role.id]
        for link in links:
            if link.structure_id in up and _reached(link.profiles, targets[("link", link.id)], role, reach):
                found.links[f"link:{link.id}"] = ServiceTile("link", f"link:{link.id}", link.title, link.url,
                                                             link.theme, link.icon)
        for connector in connectors:
            entry = entry_of(connector)
            key = f"connector:{connector.catalogue_id}"
            if (entry is None or connector.structure_id not in up
                    or not _reached(connector.profiles, targets[("connector", connector.id)], role, reach)
                    or nearest.get(key, 1 << 30) <= up[connector.structure_id]):
                continue
            uai = uais.get(role.structure_id) or uais.get(connector.structure_id)
            if "uai" in entry.placeholders and not uai:
                continue
            nearest[key] = up[connector.structure_id]
            found.connectors[key] = ReachedConnector(role, connector, entry,
                                                     launch_url(entry, connector, uai, {role.profile}),
                                                     fill_template(entry.url, connector, uai))
    return found


def _uais(session: Session, roles: list[Role], connectors: Sequence[StructureConnector]) -> dict[int, str | None]:
    """UAIs of the roles' structures (already loaded with the roles) and, only when one lacks it, of the
    structures of the connectors (a city's connector serving a school)."""
    uais = {role.structure_id: role.structure.uai for role in roles}
    missing = {c.structure_id for c in connectors} - set(uais) if not all(uais.values()) else set()
    if missing:
        uais.update(session.execute(select(Structure.id, Structure.uai).where(Structure.id.in_(missing))).all())
    return uais


def reached_connectors(session: Session, user: User, roles: Iterable[Role] | None = None, *,
                       kinds: Iterable[str] | None = None,
                       catalogue_ids: Iterable[str] | None = None) -> list[ReachedConnector]:
    """The enabled data connectors that reach ``user`` (the launch page and the CAS service registry use it),
    optionally only those of some ``kinds`` (cas, lti13…) or some catalogue entries."""
    if kinds is not None:
        of_kind = {entry.id for entry in catalogue().values() if entry.kind in set(kinds)}
        catalogue_ids = of_kind if catalogue_ids is None else of_kind & set(catalogue_ids)
    return list(_reachable(session, user, roles, links_too=False, catalogue_ids=catalogue_ids).connectors.values())


def services_for(session: Session, user: User, roles: Iterable[Role] | None = None) -> list[ServiceTile]:
    """The links and enabled connectors that reach ``user`` through ``roles`` (default: all), sorted by theme
    and title. A connector tile opens Préau's launch page, which records the access and signs the user in."""
    found = _reachable(session, user, roles)
    tiles = list(found.links.values())
    for key, reached in found.connectors.items():
        entry = reached.entry
        tiles.append(ServiceTile("connector", key, entry.name, url_for("sso.launch", key=key), entry.theme,
                                 "connector", entry.editor, entry.help, entry.reauthenticate, entry.kind))
    return sorted(tiles, key=lambda t: (THEMES.index(t.theme) if t.theme in THEMES else 99, t.title))


def user_tiles(session: Session, user: User, access: Any = None,
               roles: Iterable[Role] | None = None) -> list[dict[str, Any]]:
    """:func:`services_for` as the plain dicts "Mes Applis" (:mod:`preau.portal.myapps`) takes, theme translated.

    ``access`` is accepted for the caller's convenience and unused; pass ``roles=[role]`` for the role switch."""
    return [{"key": t.key, "name": t.title, "theme": _(t.theme), "raw_theme": t.theme, "url": t.url, "kind": t.kind,
             "icon": t.icon,
             "editor": t.editor, "help": t.help, "reauthenticate": t.reauthenticate, "protocol": t.protocol}
            for t in services_for(session, user, roles)]


def _all_targets(session: Session, link_ids: list[int],
                 connector_ids: list[int]) -> dict[tuple[str, int], tuple[set[int], set[int]]]:
    result: dict[tuple[str, int], tuple[set[int], set[int]]] = {
        **{("link", i): (set(), set()) for i in link_ids}, **{("connector", i): (set(), set()) for i in connector_ids}}
    if not link_ids and not connector_ids:
        return result
    rows = session.execute(select(ServiceTarget).where(
        ServiceTarget.link_id.in_(link_ids) | ServiceTarget.connector_id.in_(connector_ids))).scalars()
    for row in rows:
        owner = row.link_id or row.connector_id
        assert owner is not None  # a target belongs to a link or to a connector
        groups, classes = result[("link" if row.link_id else "connector", owner)]
        if row.group_id:
            groups.add(row.group_id)
        elif row.class_id is not None:  # a target is a group or a class
            classes.add(row.class_id)
    return result


# -- what the admin page shows ---------------------------------------------------------------------------


def structure_services(session: Session, structure_id: int) -> tuple[list[ServiceLink], list[StructureConnector]]:
    """Links and connectors defined in a structure or inherited from its ancestors (own first)."""
    up = ancestor_distances(session, structure_id)
    links = session.scalars(select(ServiceLink).where(ServiceLink.structure_id.in_(up))).all()
    connectors = session.scalars(select(StructureConnector).where(StructureConnector.structure_id.in_(up))).all()
    return (sorted(links, key=lambda x: (up[x.structure_id], x.title.lower())),
            sorted(connectors, key=lambda x: (up[x.structure_id], x.catalogue_id)))
