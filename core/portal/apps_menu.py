"""The "Mes Applis" menu an administrator arranges for a structure: named groups in an order, the tiles in each
(apps, links, connectors), profiles a tile is hidden from, and the icon of a link or connector.

A structure with groups of its own has its own menu; one without follows the nearest ancestor's (a city's menu
applies to its schools until a school customises its own, and "reprendre la disposition de la structure parente"
deletes the school's). Without any menu up the graph, "Mes Applis" groups tiles by theme. Tiles that reach a
person but sit in no group of the menu (an app enabled since) come last, under "Autres applications".

Every change is audited; an id that is not of the structure's own menu is refused (:class:`MenuError`, 400) and
nothing changes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit
from ..db import session_memo
from ..directory.enablement import enabled_apps
from ..directory.structures import ancestor_distances
from ..errors import PreauError
from ..icons import is_icon, tile_colour
from ..models import AppsMenuGroup, AppsMenuTile, Group, GroupKind, RightGrant, Structure
from ..types import N_, THEMES, Profile
from .catalogue import catalogue
from .services import structure_services

GROUP_NAME_MAX = 80
MAX_GROUPS = 30
OTHERS = N_("Autres applications")
ICON_KINDS = ("link", "connector", "plugin")
IMAGE_MIMES = ("image/png", "image/jpeg")  # tiles whose icon an administrator may change


class MenuError(PreauError, ValueError):
    """A change the menu refuses (a forged id, an empty name…): 400, nothing saved."""

    status = 400


@dataclass(frozen=True)
class MenuTile:
    """A tile of a structure's menu as the editor shows it: what it is, its look, the profiles it may reach."""

    key: str
    name: str
    theme: str
    icon: str
    colour: str
    profiles: frozenset[str]  # the profiles a grant or a target reaches in the structure (the preview's filter)
    external: bool = False


@dataclass
class MenuGroup:
    id: int | None  # None: the theme groups of a structure without a menu, and "Autres applications"
    name: str
    tiles: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Placement:
    group_id: int
    position: int
    hidden_profiles: frozenset[str]
    icon: str | None
    tile_id: int
    has_image: bool


@dataclass
class Menu:
    """The menu in force for a structure: ``owner_id`` is the structure whose groups these are (itself, an
    ancestor, or None: no menu anywhere up the graph)."""

    owner_id: int | None
    groups: list[tuple[int, str]]  # (id, name) in order
    placements: dict[str, Placement]

    @property
    def exists(self) -> bool:
        return self.owner_id is not None

    def own(self, structure_id: int) -> bool:
        return self.owner_id == structure_id


def fold(text: str) -> str:
    """Lower case without accents: « Éléa » matches « elea » (the search and the sorting)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


# -- reading ---------------------------------------------------------------------------------------------


def menu_owner(session: Session, structure_id: int) -> int | None:
    """The nearest structure (itself first) that has a menu of its own."""
    up = ancestor_distances(session, structure_id)
    owners = set(session.scalars(select(AppsMenuGroup.structure_id).where(AppsMenuGroup.structure_id.in_(up))))
    return min(owners, key=lambda sid: (up[sid], sid)) if owners else None


def menu_for(session: Session, structure_id: int) -> Menu:
    """The menu in force for a structure (read once per session until it writes)."""
    return session_memo(session, ("apps_menu", structure_id), lambda: _load_menu(session, structure_id))


def _load_menu(session: Session, structure_id: int) -> Menu:
    owner = menu_owner(session, structure_id)
    if owner is None:
        return Menu(None, [], {})
    groups = session.execute(select(AppsMenuGroup.id, AppsMenuGroup.name).where(
        AppsMenuGroup.structure_id == owner).order_by(AppsMenuGroup.position, AppsMenuGroup.id)).all()
    rows = session.execute(select(AppsMenuTile.id, AppsMenuTile.group_id, AppsMenuTile.tile_key,
                                  AppsMenuTile.position, AppsMenuTile.hidden_profiles, AppsMenuTile.icon,
                                  AppsMenuTile.image_mime).where(AppsMenuTile.structure_id == owner)).all()
    placements = {r.tile_key: Placement(r.group_id, r.position, frozenset(r.hidden_profiles or ()), r.icon, r.id,
                                        r.image_mime is not None) for r in rows}
    return Menu(owner, [(g.id, g.name) for g in groups], placements)


def arrange(tiles: list[Any], menu: Menu, profiles: Iterable[str]) -> list[MenuGroup]:
    """``tiles`` (anything with ``key``, ``name`` and ``theme``) in the menu's groups and order, without those
    hidden from every one of ``profiles``; without a menu, grouped by theme. Empty groups are left out."""
    wanted = set(profiles)
    if not menu.exists:
        return by_theme(tiles)
    groups = {gid: MenuGroup(gid, name) for gid, name in menu.groups}
    others = MenuGroup(None, _(OTHERS))
    for tile in tiles:
        placed = menu.placements.get(tile.key)
        if placed is None:
            others.tiles.append(tile)
        elif not wanted or not wanted <= placed.hidden_profiles:
            groups[placed.group_id].tiles.append(tile)
    for group in groups.values():
        group.tiles.sort(key=lambda t: menu.placements[t.key].position)
    others.tiles.sort(key=lambda t: t.name.casefold())
    return [g for g in [*groups.values(), others] if g.tiles]


def by_theme(tiles: list[Any]) -> list[MenuGroup]:
    """Today's grouping when no menu is arranged: themes alphabetically, tiles alphabetically."""
    themes: dict[str, MenuGroup] = {}
    for tile in sorted(tiles, key=lambda t: (fold(t.theme), fold(t.name))):
        themes.setdefault(tile.theme, MenuGroup(None, tile.theme)).tiles.append(tile)
    return list(themes.values())


def structure_tiles(session: Session, registry: Any, structure: Structure) -> list[MenuTile]:
    """Every tile that may appear in the structure's menu: its enabled apps (and their menu entries and
    connectors), its links and enabled connectors and its ancestors'; each with the profiles it reaches there."""
    up = ancestor_distances(session, structure.id)
    reach = _profiles_by_right(session, set(up))
    apps = registry.with_requirements_met(enabled_apps(session, structure.id)) | registry.core_app_ids()
    every = set(Profile)
    tiles: list[MenuTile] = []
    for record in registry.active():
        manifest = record.manifest
        if manifest is None or not manifest.is_app or record.app_id not in apps:
            continue
        app_reach = every if manifest.core else frozenset().union(*(reach.get(r.id, set()) for r in record.rights))
        if manifest.entry_endpoint:
            tiles.append(MenuTile(f"app:{record.app_id}", _(manifest.name), _(manifest.theme), manifest.icon,
                                  tile_colour(manifest.colour, manifest.theme), frozenset(app_reach)))
        for item in record.menu_items:
            if item.placement == "apps":
                tiles.append(MenuTile(f"link:{item.id}", _(item.label), _(item.theme), item.icon,
                                      tile_colour(item.colour or manifest.colour, item.theme),
                                      frozenset(every if manifest.core else reach.get(item.right, set())),
                                      external=not item.url.startswith("/")))
        for connector in record.connectors:
            tiles.append(MenuTile(f"plugin:{connector.id}", _(connector.name), _("Services externes"),
                                  manifest.icon, tile_colour(manifest.colour, manifest.theme),
                                  frozenset(reach.get(connector.right, set())), external=True))
    links, connectors = structure_services(session, structure.id)
    for link in links:
        tiles.append(MenuTile(f"link:{link.id}", link.title, _(link.theme), link.icon if is_icon(link.icon) else "link",
                              tile_colour(None, link.theme), frozenset(link.profiles), external=True))
    seen = set()
    for connector in connectors:  # own first: the nearest wins
        entry = catalogue().get(connector.catalogue_id)
        if entry is None or not connector.enabled or connector.catalogue_id in seen:
            continue
        seen.add(connector.catalogue_id)
        tiles.append(MenuTile(f"connector:{entry.id}", entry.name, _(entry.theme), entry.icon, entry.colour,
                              frozenset(connector.profiles), external=True))
    return tiles


def _profiles_by_right(session: Session, structure_ids: set[int]) -> dict[str, set[str]]:
    """For each right, the profiles whose profile group (in the structure or above) holds it."""
    rows = session.execute(select(RightGrant.right_id, Group.profile).join(Group, Group.id == RightGrant.group_id)
                           .where(Group.kind == GroupKind.PROFILE, Group.structure_id.in_(structure_ids))).all()
    reach: dict[str, set[str]] = {}
    for right_id, profile in rows:
        if profile:
            reach.setdefault(right_id, set()).add(profile)
    return reach


def preview(tiles: list[MenuTile], menu: Menu, profile: str) -> list[MenuGroup]:
    """The menu as a person of ``profile`` sees it: the tiles that reach the profile, not hidden from it."""
    return arrange([t for t in tiles if profile in t.profiles], menu, [profile])


# -- changing (the structure's own menu only) ------------------------------------------------------------


def _own_groups(session: Session, structure: Structure) -> list[AppsMenuGroup]:
    return list(session.scalars(select(AppsMenuGroup).where(AppsMenuGroup.structure_id == structure.id)
                                .order_by(AppsMenuGroup.position, AppsMenuGroup.id)))


def _own_group(session: Session, structure: Structure, group_id: Any) -> AppsMenuGroup:
    group = session.get(AppsMenuGroup, group_id) if isinstance(group_id, int) else None
    if group is None or group.structure_id != structure.id:
        raise MenuError(_("Ce groupe n'appartient pas au menu de cette structure."))
    return group


def _group_tiles(session: Session, group_id: int) -> list[AppsMenuTile]:
    return list(session.scalars(select(AppsMenuTile).where(AppsMenuTile.group_id == group_id)
                                .order_by(AppsMenuTile.position, AppsMenuTile.id)))


def _clean_name(name: Any) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        raise MenuError(_("Donnez un nom au groupe."))
    if len(cleaned) > GROUP_NAME_MAX:
        raise MenuError(_("Le nom d'un groupe tient en %(max)d caractères.", max=GROUP_NAME_MAX))
    return cleaned


def customise(session: Session, structure: Structure, tiles: list[MenuTile], *, actor: Any = None) -> None:
    """Give the structure a menu of its own: a copy of the one it follows, else its tiles grouped by theme."""
    if _own_groups(session, structure):
        raise MenuError(_("Cette structure a déjà son propre menu."))
    inherited = menu_for(session, structure.id)
    if inherited.exists:
        source_rows = {r.tile_key: r for r in session.scalars(select(AppsMenuTile).where(
            AppsMenuTile.structure_id == inherited.owner_id))}
        for position, (group_id, name) in enumerate(inherited.groups):
            group = AppsMenuGroup(structure_id=structure.id, name=name, position=position)
            session.add(group)
            session.flush()
            for key, placed in inherited.placements.items():
                if placed.group_id == group_id:
                    source = source_rows[key]
                    session.add(AppsMenuTile(structure_id=structure.id, group_id=group.id, tile_key=key,
                                             position=placed.position, hidden_profiles=list(source.hidden_profiles),
                                             icon=source.icon, image=source.image, image_mime=source.image_mime))
    else:
        themed = sorted(by_theme(tiles), key=lambda g: THEMES.index(g.name) if g.name in THEMES else 99)
        for position, theme_group in enumerate(themed or [MenuGroup(None, _("Mes applications"))]):
            group = AppsMenuGroup(structure_id=structure.id, name=theme_group.name, position=position)
            session.add(group)
            session.flush()
            for index, tile in enumerate(theme_group.tiles):
                session.add(AppsMenuTile(structure_id=structure.id, group_id=group.id, tile_key=tile.key,
                                         position=index, hidden_profiles=[]))
    session.flush()
    audit.record(session, "apps_menu.customised", actor=actor, target=structure, structure_id=structure.id,
                 copied_from=inherited.owner_id)


def follow_parent(session: Session, structure: Structure, *, actor: Any = None) -> None:
    """Drop the structure's own menu: it follows the nearest ancestor's again (or the theme grouping)."""
    if not _own_groups(session, structure):
        raise MenuError(_("Cette structure suit déjà la disposition de la structure parente."))
    session.execute(delete(AppsMenuTile).where(AppsMenuTile.structure_id == structure.id))
    session.execute(delete(AppsMenuGroup).where(AppsMenuGroup.structure_id == structure.id))
    session.flush()
    audit.record(session, "apps_menu.followed_parent", actor=actor, target=structure, structure_id=structure.id)


def add_group(session: Session, structure: Structure, name: Any, *, actor: Any = None) -> AppsMenuGroup:
    groups = _own_groups(session, structure)
    if not groups:
        raise MenuError(_("Personnalisez d'abord le menu de cette structure."))
    if len(groups) >= MAX_GROUPS:
        raise MenuError(_("Un menu compte au plus %(max)d groupes.", max=MAX_GROUPS))
    group = AppsMenuGroup(structure_id=structure.id, name=_clean_name(name), position=len(groups))
    session.add(group)
    session.flush()
    audit.record(session, "apps_menu.group_added", actor=actor, target=structure, structure_id=structure.id,
                 group_id=group.id, name=group.name)
    return group


def rename_group(session: Session, structure: Structure, group_id: Any, name: Any, *, actor: Any = None) -> None:
    group = _own_group(session, structure, group_id)
    before, group.name = group.name, _clean_name(name)
    session.flush()
    audit.record(session, "apps_menu.group_renamed", actor=actor, target=structure, structure_id=structure.id,
                 group_id=group.id, before=before, after=group.name)


def delete_group(session: Session, structure: Structure, group_id: Any, *, actor: Any = None) -> None:
    group = _own_group(session, structure, group_id)
    if _group_tiles(session, group.id):
        raise MenuError(_("Le groupe « %(name)s » contient des tuiles : déplacez-les avant de le supprimer.",
                          name=group.name))
    if len(_own_groups(session, structure)) == 1:
        raise MenuError(_("Le menu garde au moins un groupe ; pour suivre la structure parente, reprenez sa "
                          "disposition."))
    session.delete(group)
    session.flush()
    _renumber(_own_groups(session, structure))
    audit.record(session, "apps_menu.group_deleted", actor=actor, target=structure, structure_id=structure.id,
                 group_id=group_id, name=group.name)


def move_group(session: Session, structure: Structure, group_id: Any, position: Any, *, actor: Any = None) -> None:
    group = _own_group(session, structure, group_id)
    groups = [g for g in _own_groups(session, structure) if g.id != group.id]
    groups.insert(_position(position, len(groups)), group)
    _renumber(groups)
    session.flush()
    audit.record(session, "apps_menu.group_moved", actor=actor, target=structure, structure_id=structure.id,
                 group_id=group.id, position=groups.index(group))


def _position(position: Any, size: int) -> int:
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise MenuError(_("La position demandée n'existe pas."))
    return min(position, size)


def _renumber(rows: list[Any]) -> None:
    for index, row in enumerate(rows):
        row.position = index


def move_tile(session: Session, structure: Structure, tiles: list[MenuTile], key: Any, group_id: Any,
              position: Any, *, actor: Any = None) -> int:
    """Put the tile ``key`` at ``position`` (0: the top) of the group ``group_id``; returns where it landed."""
    if key not in {t.key for t in tiles}:
        raise MenuError(_("Cette tuile n'existe pas dans cette structure."))
    target = _own_group(session, structure, group_id)
    row = session.scalar(select(AppsMenuTile).where(AppsMenuTile.structure_id == structure.id,
                                                    AppsMenuTile.tile_key == key))
    source = row.group_id if row is not None else None
    if row is None:
        row = AppsMenuTile(structure_id=structure.id, group_id=target.id, tile_key=key, hidden_profiles=[])
        session.add(row)
    others = [t for t in _group_tiles(session, target.id) if t.tile_key != key]
    landed = _position(position, len(others))
    others.insert(landed, row)
    row.group_id = target.id
    _renumber(others)
    if source is not None and source != target.id:
        _renumber(_group_tiles(session, source))
    session.flush()
    audit.record(session, "apps_menu.tile_moved", actor=actor, target=structure, structure_id=structure.id,
                 tile=key, group_id=target.id, position=landed)
    return landed


def _own_tile(session: Session, structure: Structure, key: Any) -> AppsMenuTile:
    row = session.scalar(select(AppsMenuTile).where(AppsMenuTile.structure_id == structure.id,
                                                    AppsMenuTile.tile_key == str(key)))
    if row is None:
        raise MenuError(_("Cette tuile n'est pas dans le menu de cette structure."))
    return row


def set_hidden(session: Session, structure: Structure, key: Any, profiles: Iterable[str], *,
               actor: Any = None) -> None:
    chosen = sorted(set(profiles))
    if not set(chosen) <= {p.value for p in Profile}:
        raise MenuError(_("Profil inconnu."))
    row = _own_tile(session, structure, key)
    before, row.hidden_profiles = list(row.hidden_profiles or []), chosen
    session.flush()
    audit.record(session, "apps_menu.tile_hidden", actor=actor, target=structure, structure_id=structure.id,
                 tile=row.tile_key, before=before, after=chosen)


def _icon_tile(session: Session, structure: Structure, key: Any) -> AppsMenuTile:
    if str(key).split(":", 1)[0] not in ICON_KINDS:
        raise MenuError(_("L'icône d'une application est celle de son éditeur."))
    return _own_tile(session, structure, key)


def set_icon(session: Session, structure: Structure, key: Any, icon: Any, *, actor: Any = None) -> None:
    """The tile takes an icon of the bundled set (an uploaded image is dropped); empty: its default icon."""
    if icon and not is_icon(icon):
        raise MenuError(_("Cette icône ne fait pas partie de la collection."))
    row = _icon_tile(session, structure, key)
    row.icon, row.image, row.image_mime = (icon or None), None, None
    session.flush()
    audit.record(session, "apps_menu.tile_icon", actor=actor, target=structure, structure_id=structure.id,
                 tile=row.tile_key, icon=row.icon)


def set_image(session: Session, structure: Structure, key: Any, data: bytes, mime: str, *,
              actor: Any = None) -> None:
    """The tile takes an uploaded image (already checked by :func:`preau.check_upload`): PNG or JPEG."""
    if mime not in IMAGE_MIMES:
        raise MenuError(_("L'image d'une tuile est un fichier PNG ou JPEG."))
    row = _icon_tile(session, structure, key)
    row.icon, row.image, row.image_mime = None, data, mime
    session.flush()
    audit.record(session, "apps_menu.tile_image", actor=actor, target=structure, structure_id=structure.id,
                 tile=row.tile_key, bytes=len(data), mime=mime)


def tile_image(session: Session, tile_id: int) -> tuple[bytes, str] | None:
    row = session.execute(select(AppsMenuTile.image, AppsMenuTile.image_mime).where(
        AppsMenuTile.id == tile_id)).one_or_none()
    if row is None or row.image is None or row.image_mime is None:
        return None
    return row.image, row.image_mime
