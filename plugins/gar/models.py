"""The GAR plugin's table: which resource a responsable d'affectation assigned to whom in a structure.

A row targets the whole structure, one profile, one class or one group (``target``); deleting the class or the
group deletes its assignments. Every name starts with ``gar_``, as Préau requires of a plugin's tables.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from preau import Model

RESOURCE_ID_MAX = 200


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Target(enum.StrEnum):
    STRUCTURE = "structure"
    PROFILE = "profile"
    CLASS = "class"
    GROUP = "group"


class Assignment(Model):
    __tablename__ = "gar_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    resource_id: Mapped[str] = mapped_column(String(RESOURCE_ID_MAX))
    target: Mapped[str] = mapped_column(String(16))
    profile: Mapped[str | None] = mapped_column(String(16))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_gar_assignments_structure_resource", "structure_id", "resource_id"),)
