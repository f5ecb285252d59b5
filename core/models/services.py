"""Services a structure offers besides apps: web links and connectors taken from the catalogue.

Both are data, inherited by the structure's descendants, and reach users by profile (``profiles``) or through
explicit targets (a class or a group of the same structure, :class:`ServiceTarget`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..crypto import EncryptedJSON
from ..db import Model
from ._time import utcnow


class ServiceLink(Model):
    """A web link shown in "Mes Applis" to the populations it targets."""

    __tablename__ = "service_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(2000))
    theme: Mapped[str] = mapped_column(String(40))
    icon: Mapped[str] = mapped_column(String(40), default="link")
    profiles: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class StructureConnector(Model):
    """A catalogue connector added to a structure, with its per-structure values.

    ``values`` fill the URL placeholders and public keys; ``secrets`` (shared secrets, private keys) are
    write-only for administrators: never rendered back."""

    __tablename__ = "structure_connectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), index=True)
    catalogue_id: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secrets: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)  # encrypted at rest
    profiles: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Attributes released to the service (CAS attributes, LTI / OpenID claims); empty: the login only.
    attributes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("structure_id", "catalogue_id"),)


class ServiceTarget(Model):
    """One class or group of the service's structure that a link or a connector reaches."""

    __tablename__ = "service_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("service_links.id", ondelete="CASCADE"), index=True)
    connector_id: Mapped[int | None] = mapped_column(
        ForeignKey("structure_connectors.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))

    __table_args__ = (
        CheckConstraint("(link_id IS NULL) <> (connector_id IS NULL)", name="one_service"),
        CheckConstraint("(group_id IS NULL) <> (class_id IS NULL)", name="one_target"),
    )
