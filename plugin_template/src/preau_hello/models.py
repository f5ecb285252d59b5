"""The plugin's one table. Its name starts with the app id, as Préau requires of every plugin table."""

from __future__ import annotations

from datetime import UTC, datetime

from preau import Model
from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

NOTE_MAX_LENGTH = 280


def utcnow() -> datetime:
    # Naive UTC, like every time Préau stores (SQLite keeps no time zone).
    return datetime.now(UTC).replace(tzinfo=None)


class HelloNote(Model):
    """A short personal note; only its author sees it."""

    __tablename__ = "hello_notes"
    __table_args__ = (Index("ix_hello_notes_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(NOTE_MAX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
