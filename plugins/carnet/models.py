"""The carnet de liaison's tables: the mots, one recipient row per (mot, student) snapshotted at send time with
the signature and the student's reading, the replies and the reminders. ``archived_at`` is set by the year
transition: the mot stays readable, it can no longer be signed, answered or reminded.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from preau import Model

TITLE_MAX = 200
NAME_MAX = 200


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Mot(Model):
    __tablename__ = "carnet_mots"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    author_name: Mapped[str] = mapped_column(String(NAME_MAX))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body_html: Mapped[str] = mapped_column(Text)
    target_kind: Mapped[str] = mapped_column(String(8))  # "class", "group" or "student"
    target_id: Mapped[int] = mapped_column(Integer)
    target_name: Mapped[str] = mapped_column(String(NAME_MAX))
    requires_signature: Mapped[bool] = mapped_column(Boolean, default=False)
    replies_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)


class Recipient(Model):
    """A student whose parents received the mot; the signature of one of them and the student's reading."""

    __tablename__ = "carnet_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    mot_id: Mapped[int] = mapped_column(ForeignKey("carnet_mots.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="SET NULL"))
    class_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_by_name: Mapped[str | None] = mapped_column(String(NAME_MAX))
    student_read_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("mot_id", "student_id"),)


class Reply(Model):
    __tablename__ = "carnet_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    mot_id: Mapped[int] = mapped_column(ForeignKey("carnet_mots.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    author_name: Mapped[str] = mapped_column(String(NAME_MAX))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_carnet_replies_mot_student", "mot_id", "student_id"),)


class Reminder(Model):
    __tablename__ = "carnet_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    mot_id: Mapped[int] = mapped_column(ForeignKey("carnet_mots.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    count: Mapped[int] = mapped_column(Integer, default=0)
