"""Directory imports: the national nomenclatures (subjects, MEF), the history of runs and feed fingerprints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Model
from ._time import utcnow


class Subject(Model):
    """A subject (matière) of a source's nomenclature; ``structure_id`` set for a school's own subject."""

    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))

    __table_args__ = (UniqueConstraint("source", "code"),)


class Mef(Model):
    """A MEF (module élémentaire de formation): the level and track of a student."""

    __tablename__ = "mefs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))

    __table_args__ = (UniqueConstraint("source", "code"),)


class ImportFingerprint(Model):
    """The digest of an imported record as last applied: an unchanged record is skipped without reading it."""

    __tablename__ = "import_fingerprints"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[str] = mapped_column(String(32))


class ImportPendingDeletion(Model):
    """An account an import put into pending deletion, with the state to give back if it comes back."""

    __tablename__ = "import_pending_deletions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    previous_state: Mapped[str] = mapped_column(String(20))
    since: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ImportRun(Model):
    """One dry run or application of a directory feed, as shown in the history of imports."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="SET NULL"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="done")  # done, failed
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
    problem_count: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(String(1000))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
