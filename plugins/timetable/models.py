"""The timetable's tables: lessons stored as concrete occurrences (one row per lesson on a date, a weekly series
entered once shares a ``series_id``) and the private iCalendar feed tokens. ``archived`` is set by the year
transition: the lesson stays readable, it is no longer editable."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from preau import Model

SUBJECT_MAX = 120
ROOM_MAX = 60
NOTE_MAX = 200


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Lesson(Model):
    __tablename__ = "timetable_lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    teacher_name: Mapped[str] = mapped_column(String(200), default="")
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    room: Mapped[str] = mapped_column(String(ROOM_MAX), default="")
    week_kind: Mapped[str] = mapped_column(String(1), default="")  # "", "A" or "B"
    status: Mapped[str] = mapped_column(String(10), default="normal")  # normal, changed, cancelled
    change_note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    series_id: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(10), default="manual")  # manual, ical, pronote
    external_uid: Mapped[str | None] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_timetable_lessons_structure_starts", "structure_id", "starts_at"),
        Index("ix_timetable_lessons_class_starts", "class_id", "starts_at"),
        Index("ix_timetable_lessons_group_starts", "group_id", "starts_at"),
        Index("ix_timetable_lessons_teacher_starts", "teacher_id", "starts_at"),
        Index("ix_timetable_lessons_room_starts", "structure_id", "room", "starts_at"),
        Index("ix_timetable_lessons_series", "series_id"),
    )


class FeedToken(Model):
    """The private iCalendar feed of one user: only the SHA-256 of the random token is stored."""

    __tablename__ = "timetable_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
