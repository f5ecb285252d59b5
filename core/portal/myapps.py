"""« Mes Applis »: the tiles that reach a user (apps, links, connectors), grouped by theme, searchable, with
favourites kept per user. Only what a grant reaches the user is ever listed, favourites included."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db import session_memo
from ..errors import PreauError
from ..models import AppFavourite, User
from ..rights import Access
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


def _connector_tiles(session: Session, registry: Any, user: User, access: Access,
                     roles: list[Any] | None) -> list[Tile]:
    """Plugin connectors, then the links and connectors configured by administrators: all open Préau's launch
    page (``/launch/<key>``), which records the access and signs the person in."""
    tiles = []
    for connector in access.connectors:
        url = plugin_tile_url(session, registry, user, connector)
        if url is not None:
            tiles.append(Tile(f"plugin:{connector.id}", connector.name, _("Services externes"), url, external=True,
                              protocol=connector.kind))
    tiles += [Tile(t["key"], t["name"], t["theme"], t["url"], external=True, protocol=t["protocol"])
              for t in user_tiles(session, user, access, roles=roles)]
    return tiles


def tiles_for(session: Session, registry: Any, user: User, access: Access,
              roles: list[Any] | None = None) -> list[Tile]:
    """Every tile that reaches the user (for ``roles``, default all of them), names and themes translated."""
    tiles = [Tile(f"app:{r.app_id}", _(r.manifest.name), _(r.manifest.theme), url_for(r.manifest.entry_endpoint))
             for r in registry.active() if r.app_id in access.apps and r.manifest.entry_endpoint]
    tiles += [Tile(f"link:{m.id}", _(m.label), _(m.theme), m.url, external=not m.url.startswith("/"))
              for m in access.menu_items if m.placement == "apps"]
    tiles += _connector_tiles(session, registry, user, access, roles)
    return tiles


def fold(text: str) -> str:
    """Lower case without accents: « Éléa » matches « elea »."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def search(tiles: list[Tile], query: str) -> list[Tile]:
    words = fold(query).split()
    return [t for t in tiles if all(w in fold(f"{t.name} {t.theme}") for w in words)]


def by_theme(tiles: list[Tile]) -> list[tuple[str, list[Tile]]]:
    ordered = sorted(tiles, key=lambda t: (fold(t.theme), fold(t.name)))
    return [(theme, list(group)) for theme, group in groupby(ordered, key=lambda t: t.theme)]


def favourite_keys(session: Session, user: User) -> list[str]:
    """The page and the bar's menu both ask: read once until the session writes."""
    return list(session_memo(session, ("favourites", user.id), lambda: session.scalars(
        select(AppFavourite.item_key).where(AppFavourite.user_id == user.id)
        .order_by(AppFavourite.created_at, AppFavourite.item_key)).all()))


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
        session.add(AppFavourite(user_id=user.id, item_key=key))
    elif not on:
        session.execute(delete(AppFavourite).where(AppFavourite.user_id == user.id, AppFavourite.item_key == key))
