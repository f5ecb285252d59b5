"""Connector launches: one row each time a person opens an external service from Préau (for statistics), and the
:class:`Launch` value a launcher receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Model
from ._time import utcnow
from .directory import Role, User


class ConnectorLaunch(Model):
    __tablename__ = "connector_launches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="SET NULL"))
    key: Mapped[str] = mapped_column(String(200))  # "connector:<catalogue id>" or "plugin:<connector id>"
    kind: Mapped[str] = mapped_column(String(10))
    profile: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_connector_launches_structure_at", "structure_id", "at"),
                      Index("ix_connector_launches_user_id", "user_id"))


@dataclass(frozen=True)
class Launch:
    """One external service (a connector) as it opens for one person: what a launcher receives.

    ``key`` names the service (``"connector:<catalogue id>"`` for a connector an administrator configured,
    ``"plugin:<connector id>"`` for a plugin's); ``kind`` is the connector's kind; ``url`` and ``base_url`` are
    filled for this person; ``role`` is the role through which it reaches them and ``structure_id`` the structure
    whose connector reaches them (its ``values`` and ``secrets`` come from there); ``attributes`` are the
    attributes it may release (see :func:`preau.released_values`)."""

    key: str  # "connector:<catalogue id>" (a data connector) or "plugin:<connector id>"
    kind: str  # link, cas, saml, or a kind a plugin opens
    name: str
    url: str  # the filled launch URL for this person
    base_url: str  # the filled base URL of the service
    user: User
    role: Role  # the role through which it reaches the person
    structure_id: int  # the structure whose connector reaches the person (its values live there)
    values: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    attributes: tuple[str, ...] = ("login",)
    connector_id: int | None = None
    reauthenticate: bool = False
