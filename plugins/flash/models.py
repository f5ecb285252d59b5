"""Flash messages (tableau d'affichage): a structure's news shown as a banner, and who has read each.

The tables kept their names when the messages moved out of the kernel, so a database from before keeps its data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from preau import Model


def utcnow() -> datetime:
    """Naive UTC, as every timestamp of the database."""
    return datetime.now(UTC).replace(tzinfo=None)


class FlashMessage(Model):
    """Shown from ``starts_on`` to the end of ``ends_on`` (inclusive: until midnight) to the people holding a
    role of one of ``profiles`` in the structure or below it; ``languages`` empty means every language."""

    __tablename__ = "flash_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # sanitised HTML
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    profiles: Mapped[list[str]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    colour: Mapped[str] = mapped_column(String(16))
    notify_by_mail: Mapped[bool] = mapped_column(Boolean, default=False)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FlashRead(Model):
    """``user_id`` has read ``message_id`` (opened it, or marked it read): one row per reader."""

    __tablename__ = "flash_reads"

    message_id: Mapped[int] = mapped_column(ForeignKey("flash_messages.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    read_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
