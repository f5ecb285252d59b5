"""Dashboard layouts (per user, and defaults per structure and profile) and favourites in "Mes Applis"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Model
from ._time import utcnow


class DashboardLayout(Model):
    """A user's own arrangement: ``items`` is a list of ``{"id": widget id, "size": size}`` in display order."""

    __tablename__ = "dashboard_layouts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DashboardDefault(Model):
    """The layout an administrator gives a profile in a structure (inherited by child structures)."""

    __tablename__ = "dashboard_defaults"

    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True)
    profile: Mapped[str] = mapped_column(String(20), primary_key=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AppFavourite(Model):
    """A tile of "Mes Applis" a user marked as favourite (``item_key`` like ``app:messaging``)."""

    __tablename__ = "app_favourites"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # the user's order


class AppsMenuGroup(Model):
    """A group of the "Mes Applis" menu an administrator arranged for a structure. A structure with groups has
    its own menu; one without takes the nearest ancestor's (a city's menu applies to its schools)."""

    __tablename__ = "apps_menu_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)


class AppsMenuTile(Model):
    """Where a tile (``tile_key`` like ``app:messaging``, ``link:12``, ``connector:pronote``) sits in a
    structure's menu, the profiles it is hidden from, and the icon an administrator chose for it (a name of the
    bundled set, or an uploaded PNG/JPEG: ``image``)."""

    __tablename__ = "apps_menu_tiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))  # the group's
    group_id: Mapped[int] = mapped_column(ForeignKey("apps_menu_groups.id", ondelete="CASCADE"), index=True)
    tile_key: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    hidden_profiles: Mapped[list[str]] = mapped_column(JSON, default=list)
    icon: Mapped[str | None] = mapped_column(String(40))
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_mime: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (UniqueConstraint("structure_id", "tile_key"),)  # a tile sits in one group of a menu


class WidgetPolicy(Model):
    """What an administrator decided for a widget and a profile in a structure (inherited by child structures):
    ``allowed`` (users may place it), ``hidden`` (it reaches nobody of that profile) or ``mandatory``."""

    __tablename__ = "widget_policies"

    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True)
    widget_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    profile: Mapped[str] = mapped_column(String(20), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
