"""A person's TOTP second factor (RFC 6238): the shared secret, encrypted at rest, and the last step used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..crypto import EncryptedText
from ..db import Model
from ._time import utcnow


class TotpCredential(Model):
    __tablename__ = "totp_credentials"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(EncryptedText)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)  # None while being set up
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)  # a code is accepted once (no replay)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
