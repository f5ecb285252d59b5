"""Communication rules: links between groups, per-structure switches, and the history of rule changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Model
from ._time import utcnow


class CommLink(Model):
    """Members of ``from_group`` may write to members of ``to_group``.

    A link belongs to the structure of its ``to_group``: the people reached decide who reaches them."""

    __tablename__ = "comm_links"

    from_group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    to_group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True)


class CommSettings(Model):
    """Per-structure switches of the rules (absent row: the defaults)."""

    __tablename__ = "comm_settings"

    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True)
    tous_enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class CommVersion(Model):
    """One change of a structure's rules, with who made it and how to undo it.

    ``changes`` is ``{"add": [[from, to]…], "remove": [[from, to]…], "members": {group_id: [old, new]},
    "tous": [old, new]}``; rolling back applies the inverse of the later versions, newest first."""

    __tablename__ = "comm_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(String(500))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("structure_id", "number"),)
