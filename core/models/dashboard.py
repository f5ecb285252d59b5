"""Dashboard layouts (per user, and defaults per structure and profile) and favourites in "Mes Applis"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String
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


class WidgetPolicy(Model):
    """What an administrator decided for a widget and a profile in a structure (inherited by child structures):
    ``allowed`` (users may place it), ``hidden`` (it reaches nobody of that profile) or ``mandatory``."""

    __tablename__ = "widget_policies"

    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True)
    widget_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    profile: Mapped[str] = mapped_column(String(20), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
