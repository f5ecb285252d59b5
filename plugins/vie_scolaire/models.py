"""The tables of the 'csv' adapter: grades, competences and school-life events imported by a school's staff.

Rows belong to a structure and a student; ``school_year`` ("2026-2027") and ``period`` ("Trimestre 1") place
them, and a re-import of a period replaces that period's current rows. The year transition only sets
``archived`` (nothing is deleted): archived rows stay readable under their past year.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from preau import Model

PERIOD_MAX, SUBJECT_MAX, VALUE_MAX, TEXT_MAX, LEVEL_MAX = 60, 100, 16, 500, 40


class ImportedGrade(Model):
    __tablename__ = "vie_scolaire_grades"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    school_year: Mapped[str] = mapped_column(String(9))
    period: Mapped[str] = mapped_column(String(PERIOD_MAX))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    value: Mapped[str] = mapped_column(String(VALUE_MAX))  # "15", "12,5", "Abs", "Disp"
    out_of: Mapped[float] = mapped_column(Float, default=20)
    coefficient: Mapped[float] = mapped_column(Float, default=1)
    day: Mapped[date] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text, default="")
    class_average: Mapped[float | None] = mapped_column(Float)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_vie_scolaire_grades_student_day", "student_id", "day"),
                      Index("ix_vie_scolaire_grades_structure_period", "structure_id", "period"))


class ImportedEvent(Model):
    """An absence (``start``–``end``), a lateness (``start``, ``minutes``) or a punishment (``start``,
    ``nature``, ``given_by``)."""

    __tablename__ = "vie_scolaire_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    school_year: Mapped[str] = mapped_column(String(9))
    period: Mapped[str] = mapped_column(String(PERIOD_MAX))
    kind: Mapped[str] = mapped_column(String(16))  # absence, retard, punition
    start: Mapped[datetime] = mapped_column(DateTime)
    end: Mapped[datetime | None] = mapped_column(DateTime)
    minutes: Mapped[int | None] = mapped_column(Integer)
    justified: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(TEXT_MAX), default="")
    nature: Mapped[str] = mapped_column(String(SUBJECT_MAX), default="")
    given_by: Mapped[str] = mapped_column(String(SUBJECT_MAX), default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_vie_scolaire_events_student_start", "student_id", "start"),
                      Index("ix_vie_scolaire_events_structure_period", "structure_id", "period"))


class ImportedSkill(Model):
    """A competence assessed for a student (an école's "livret"): the subject, the domain of the socle commun, the
    competence and its level of mastery, one of ``adapters.SKILL_LEVELS`` (stored in French, translated where
    shown)."""

    __tablename__ = "vie_scolaire_skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    school_year: Mapped[str] = mapped_column(String(9))
    period: Mapped[str] = mapped_column(String(PERIOD_MAX))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    domain: Mapped[str] = mapped_column(String(TEXT_MAX), default="")
    label: Mapped[str] = mapped_column(String(TEXT_MAX))
    level: Mapped[str] = mapped_column(String(LEVEL_MAX))
    day: Mapped[date] = mapped_column(Date)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_vie_scolaire_skills_student_day", "student_id", "day"),
                      Index("ix_vie_scolaire_skills_structure_period", "structure_id", "period"))
