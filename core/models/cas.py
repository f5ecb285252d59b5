"""CAS server tickets: service (ST), proxy (PT) and proxy-granting (PGT) tickets, kept in the database so that
any gunicorn worker or machine validates them. The SSO session of CAS is Préau's own login session: tickets
carry the SHA-256 of its id (``sso_session``), which single logout uses to find the services to notify."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Model
from ._time import utcnow


class CasTicket(Model):
    __tablename__ = "cas_tickets"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)  # "ST-…", "PT-…", "PGT-…"
    kind: Mapped[str] = mapped_column(String(4))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="SET NULL"))
    profile: Mapped[str] = mapped_column(String(20), default="")
    service: Mapped[str] = mapped_column(String(2000))  # the service (ST, PT) or the proxy callback (PGT)
    sso_session: Mapped[str] = mapped_column(String(64), index=True)
    primary: Mapped[bool] = mapped_column(Boolean, default=False)  # issued right after typing the password
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    attributes: Mapped[list[str]] = mapped_column(JSON, default=list)  # released attributes, as at issue
    proxies: Mapped[list[str]] = mapped_column(JSON, default=list)  # proxy chain, nearest first
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_cas_tickets_expires_at", "expires_at"),)
