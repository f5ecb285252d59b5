"""Background jobs: a queue in the database, shared by every worker process (DESIGN.md §3)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Model
from ._time import utcnow


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"  # by an administrator; a running handler stops at its next progress report


class Job(Model):
    """One unit of background work: a handler name (``kind``), a JSON payload, and what became of it. Public
    fields, for handlers: ``id``, ``kind``, ``payload``, ``structure_id``, ``state``, ``attempts``,
    ``max_attempts``, ``progress`` (0–100) and ``progress_message``, ``last_error``, ``created_at``."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    run_after: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The claim is a lease: past this time a job still "running" is taken to have lost its worker.
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    progress: Mapped[int] = mapped_column(SmallInteger, default=0)
    progress_message: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)

    # The runner's query: due queued jobs, oldest first.
    __table_args__ = (Index("ix_jobs_state_run_after", "state", "run_after"),)
