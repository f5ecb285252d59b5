"""Connector launches: one row each time a person opens an external service from Préau (for statistics)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Model
from ._time import utcnow


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
