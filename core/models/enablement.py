"""Enablement is data: apps enabled per structure (inherited downward), rights granted to groups or classes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Model
from ._time import utcnow


class AppEnablement(Model):
    """An explicit decision for an app in a structure; the nearest decision up the graph wins."""

    __tablename__ = "app_enablements"

    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True)
    app_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class RightGrant(Model):
    """A right granted to a group (a profile group reaches that profile in the structure's descendants too)
    or to every member of a class."""

    __tablename__ = "right_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    right_id: Mapped[str] = mapped_column(String(100), index=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))

    __table_args__ = (
        UniqueConstraint("right_id", "group_id", "class_id"),
        CheckConstraint("(group_id IS NULL) <> (class_id IS NULL)", name="one_target"),
    )


class Setting(Model):
    """A plugin setting value at platform (no structure), structure, or structure + profile level."""

    __tablename__ = "settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(64))
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    profile: Mapped[str | None] = mapped_column(String(16))
    value: Mapped[Any] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("app_id", "key", "structure_id", "profile"),)


class RightExclusion(Model):
    """A structure's "not for this profile" decision: a right granted above (a city's grant to its teachers) no
    longer reaches the ``profile`` in this structure and below. Grants made in the structure itself or below
    still count; see :func:`preau.rights.access_for`."""

    __tablename__ = "right_exclusions"

    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True)
    right_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    profile: Mapped[str] = mapped_column(String(16), primary_key=True)


class AccessVersion(Model):
    """One change set saved from the "Applications et connecteurs" matrix of a structure.

    ``changes`` is a list of cells ``{"row", "right", "column", "before", "after"}`` (cell states, see
    :mod:`preau.appmatrix`); rolling a version back applies each cell's ``before`` as a new version."""

    __tablename__ = "access_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rollback_of: Mapped[int | None] = mapped_column(Integer)  # the number of the version it undid
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("structure_id", "number"),)
