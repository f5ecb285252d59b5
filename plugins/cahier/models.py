"""The cahier de textes' tables: sessions (séances), homework, who marked homework done, the head's visas and
the files attached to a session or a homework. Every row targets a class (``class_id``) or a teaching group
(``group_id``). ``archived_at`` is set by the year transition: the row stays readable, no longer editable.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from preau import Model

SUBJECT_MAX = 100


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class CahierSession(Model):
    __tablename__ = "cahier_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    content_html: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_cahier_sessions_class_day", "class_id", "day"),
                      Index("ix_cahier_sessions_group_day", "group_id", "day"))


class Homework(Model):
    __tablename__ = "cahier_homework"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("cahier_sessions.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    given_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    estimated_minutes: Mapped[int] = mapped_column(Integer, default=0)
    instructions_html: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_cahier_homework_class_due", "class_id", "due_on"),
                      Index("ix_cahier_homework_group_due", "group_id", "due_on"))


class HomeworkDone(Model):
    __tablename__ = "cahier_homework_done"

    homework_id: Mapped[int] = mapped_column(ForeignKey("cahier_homework.id", ondelete="CASCADE"), primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)
    done_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Visa(Model):
    __tablename__ = "cahier_visas"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    frozen_until: Mapped[date] = mapped_column(Date)
    signed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signer_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(String(500), default="")


class Attachment(Model):
    __tablename__ = "cahier_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("cahier_sessions.id", ondelete="CASCADE"),
                                                   index=True)
    homework_id: Mapped[int | None] = mapped_column(ForeignKey("cahier_homework.id", ondelete="CASCADE"),
                                                    index=True)
    filename: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
