"""« Mes Applis »: the tiles that reach a user (apps, links, connectors), grouped by theme, searchable, with
favourites kept per user. Only what a grant reaches the user is ever listed, favourites included."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db import session_memo
from ..errors import PreauError
from ..icons import DEFAULT_ICON, is_icon, tile_colour
from ..models import AppFavourite, User
from ..rights import Access
from .apps_menu import ICON_KINDS, MenuGroup, Placement, arrange, by_theme, fold, menu_for
from .catalogue import catalogue

__all__ = ["FavouriteError", "Tile", "arranged", "favourite_keys", "favourites", "fold", "move_favourite", "search",
           "set_favourite", "tiles_for", "with_menu_looks"]
from .launches import plugin_tile_url
from .services import user_tiles

MAX_FAVOURITES = 50


class FavouriteError(PreauError, ValueError):
    """A favourite that names no tile of the user."""


@dataclass(frozen=True)
class Tile:
    key: str  # "app:<id>", "link:<id>", "connector:<id>"
    name: str
    theme: str
    url: str
    external: bool = False
    protocol: str = ""  # a connector's kind (lti13…), empty for apps and links
    icon: str = DEFAULT_ICON  # a name of the bundled icon set
    colour: str = ""  # the tile's colour (readable under white text)
    image_url: str | None = None  # an uploaded image replacing the icon


def _connector_tiles(session: Session, registry: Any, user: User, access: Access,
                     roles: list[Any] | None) -> list[Tile]:
    """Plugin connectors, then the links and connectors configured by administrators: all open Préau's launch
    page (``/launch/<key>``), which records the access and signs the person in."""
    tiles = []
    for connector in access.connectors:
        url = plugin_tile_url(session, registry, user, connector)
        if url is not None:
            manifest = registry.by_app_id(connector.id.split(".", 1)[0]).manifest
            tiles.append(Tile(f"plugin:{connector.id}", connector.name, _("Services externes"), url, external=True,
                              protocol=connector.kind, icon=manifest.icon,
                              colour=tile_colour(manifest.colour, manifest.theme)))
    looks = {e.id: (e.icon, e.colour) for e in catalogue().values()}
    for t in user_tiles(session, user, access, roles=roles):
        kind, _sep, name = t["key"].partition(":")
        icon, colour = looks.get(name, (t["icon"], "")) if kind == "connector" else (t["icon"], "")
        tiles.append(Tile(t["key"], t["name"], t["theme"], t["url"], external=True, protocol=t["protocol"],
                          icon=icon if is_icon(icon) else "link", colour=colour or tile_colour(None, t["raw_theme"])))
    return tiles


def tiles_for(session: Session, registry: Any, user: User, access: Access,
              roles: list[Any] | None = None) -> list[Tile]:
    """Every tile that reaches the user (for ``roles``, default all of them), names and themes translated."""
    tiles = [Tile(f"app:{r.app_id}", _(r.manifest.name), _(r.manifest.theme), url_for(r.manifest.entry_endpoint),
                  icon=r.manifest.icon, colour=tile_colour(r.manifest.colour, r.manifest.theme))
             for r in registry.active() if r.app_id in access.apps and r.manifest.entry_endpoint]
    tiles += [Tile(f"link:{m.id}", _(m.label), _(m.theme), m.url, external=not m.url.startswith("/"), icon=m.icon,
                   colour=tile_colour(m.colour, m.theme)) for m in access.menu_items if m.placement == "apps"]
    tiles += _connector_tiles(session, registry, user, access, roles)
    return tiles


def search(tiles: list[Tile], query: str) -> list[Tile]:
    words = fold(query).split()
    return [t for t in tiles if all(w in fold(f"{t.name} {t.theme}") for w in words)]


def favourite_keys(session: Session, user: User) -> list[str]:
    """The page and the bar's menu both ask: read once until the session writes."""
    return list(session_memo(session, ("favourites", user.id), lambda: session.scalars(
        select(AppFavourite.item_key).where(AppFavourite.user_id == user.id)
        .order_by(AppFavourite.position, AppFavourite.created_at, AppFavourite.item_key)).all()))


def favourites(session: Session, user: User, tiles: list[Tile]) -> list[Tile]:
    """The user's favourite tiles that still reach them (a withdrawn grant hides the favourite too)."""
    by_key = {t.key: t for t in tiles}
    return [by_key[k] for k in favourite_keys(session, user) if k in by_key]


def set_favourite(session: Session, user: User, key: str, on: bool, tiles: list[Tile]) -> None:
    """Mark or unmark a tile; a key that is not one of the user's tiles is refused (nothing saved)."""
    if key not in {t.key for t in tiles}:
        raise FavouriteError(_("Cette application ne vous est pas ouverte."))
    current = set(favourite_keys(session, user))
    if on and key not in current:
        if len(current) >= MAX_FAVOURITES:
            raise FavouriteError(_("Vous avez déjà %(max)d favoris.", max=MAX_FAVOURITES))
        session.add(AppFavourite(user_id=user.id, item_key=key, position=len(current)))
    elif not on:
        session.execute(delete(AppFavourite).where(AppFavourite.user_id == user.id, AppFavourite.item_key == key))


def move_favourite(session: Session, user: User, key: str, position: int, tiles: list[Tile]) -> int:
    """Put the favourite ``key`` at ``position`` (0: first) among the user's favourites that still reach them;
    returns where it landed. A key that is not one of them is refused (nothing saved)."""
    order = [t.key for t in favourites(session, user, tiles)]
    if key not in order:
        raise FavouriteError(_("Cette application n'est pas dans vos favoris."))
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise FavouriteError(_("La position demandée n'existe pas."))
    order.remove(key)
    landed = min(position, len(order))
    order.insert(landed, key)
    rows = {row.item_key: row for row in session.scalars(select(AppFavourite).where(AppFavourite.user_id == user.id))}
    for index, item in enumerate(order):
        rows[item].position = index
    session.flush()
    return landed


def arranged(session: Session, user: User, tiles: list[Tile], structure_id: int | None,
             profiles: set[str]) -> list[MenuGroup]:
    """The page's groups: the structure's menu (or the themes), without the favourites, listed above once."""
    chosen = set(favourite_keys(session, user))
    rest = [t for t in tiles if t.key not in chosen]
    if structure_id is None:
        return by_theme(rest)
    menu = menu_for(session, structure_id)
    looks = {key: p for key, p in menu.placements.items() if p.icon or p.has_image}
    rest = [_with_look(t, looks.get(t.key)) for t in rest]
    return arrange(rest, menu, profiles)


def with_menu_looks(session: Session, tiles: list[Tile], structure_id: int | None) -> list[Tile]:
    """The tiles with the icon or image an administrator chose for them in the structure's menu."""
    if structure_id is None:
        return tiles
    placements = menu_for(session, structure_id).placements
    return [_with_look(t, placements.get(t.key)) for t in tiles]


def _with_look(tile: Tile, placed: Placement | None) -> Tile:
    if placed is None or tile.key.split(":", 1)[0] not in ICON_KINDS:
        return tile
    if placed.has_image:
        return replace(tile, image_url=url_for("portal.menu_icon", tile_id=placed.tile_id))
    return replace(tile, icon=placed.icon) if placed.icon else tile
