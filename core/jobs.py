"""Background jobs: a queue in the database, run by a worker thread (dev, demo) or ``preau jobs run``.

* :func:`enqueue` adds a row in the caller's transaction: a rolled-back request runs nothing.
* Handlers are found by name: the kernel's (``@job_handler("mail.send")``) and the plugins'
  (``preau_job_handlers``, names prefixed with the plugin's app id). A handler is ``handler(session, job)``.
* :func:`run_pending` claims due jobs safely across processes and runs each in its own transaction: a
  compare-and-set ``UPDATE … WHERE state = 'queued'`` claim everywhere, ``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL so that concurrent workers do not even queue for the same row. A claim is a lease, renewed by
  each progress report (the heartbeat): a job whose worker died is claimed again once the lease has run out,
  or failed with :data:`DEAD_WORKER_ERROR` when it has used its attempts (never attempt 2 of 1).
* :func:`cancel_job` cancels a queued or running job; a running handler notices at its next progress report
  (:class:`JobCancelled` is raised there) and its transaction is rolled back.
* A failure is retried with exponential backoff up to ``max_attempts``, then the job is ``failed`` with its
  error (passwords in URLs masked). :class:`PermanentJobError` fails at once, without retry.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import and_, delete, event, or_, select, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from . import audit
from .config import secret_values
from .db import affected_rows
from .errors import PreauError
from .models import Job, JobState
from .models._time import utcnow
from .plugins import KERNEL_WIDE
from .types import N_

log = logging.getLogger(__name__)

Handler = Callable[[Session, Job], None]

_KERNEL_HANDLERS: dict[str, Handler] = {}
_WAKE_KEY = "preau.jobs.wake"
_ERROR_LIMIT = 2000


# Stored as the job's error in French (msgids: the pages translate them when they show them).
DEAD_WORKER_ERROR = N_("Le processus qui exécutait cette tâche s'est arrêté avant la fin ; rien n'a été enregistré.")
CANCELLED_ERROR = N_("Tâche annulée.")
ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


class PermanentJobError(PreauError):
    """Raised by a handler when retrying cannot help (bad payload, service not configured)."""

    status = 500


class JobCancelled(PreauError):
    """Raised in a running handler (by :func:`report_progress`) when its job was cancelled: the work stops."""

    status = 409
    reason = "cancelled"


# -- enqueueing ----------------------------------------------------------------------------------------


def enqueue(session: Session, kind: str, payload: dict[str, Any], *, structure_id: int | None = None,
            run_after: datetime | None = None, max_attempts: int | None = None) -> Job:
    """Queue a job in the caller's transaction; the worker is woken once that transaction commits."""
    if max_attempts is None:
        max_attempts = current_app.config.get("JOBS_MAX_ATTEMPTS", 3) if has_app_context() else 3
    job = Job(kind=kind, payload=dict(payload), structure_id=structure_id, state=JobState.QUEUED,
              attempts=0, max_attempts=max_attempts, run_after=run_after or utcnow(), progress=0)
    session.add(job)
    session.flush()
    worker = current_app.extensions.get("preau.jobs.worker") if has_app_context() else None
    if worker is not None:
        session.info[_WAKE_KEY] = worker.wake
    return job


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    wake = session.info.pop(_WAKE_KEY, None)
    if wake is not None:
        wake()


@event.listens_for(Session, "after_rollback")
def _forget_wake_after_rollback(session: Session) -> None:
    session.info.pop(_WAKE_KEY, None)


# -- handlers ------------------------------------------------------------------------------------------


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register a kernel handler: ``@job_handler("mail.send") def send(session, job): …``."""

    def register(function: Handler) -> Handler:
        _KERNEL_HANDLERS[kind] = function
        return function

    return register


def plugin_handlers(app: Flask) -> dict[str, Handler]:
    """The handlers the active plugins declare (asked once per application)."""
    cached = app.extensions.get("preau.jobs.handlers")
    if cached is not None:
        return cached
    handlers: dict[str, Handler] = {}
    registry = app.extensions["preau.plugins"]
    for record, result in registry.call_each("preau_job_handlers", apps=KERNEL_WIDE):
        if not isinstance(result, dict):
            continue  # None, or a failure the registry already noted
        for kind, function in result.items():
            if not (isinstance(kind, str) and kind.startswith(f"{record.app_id}.") and callable(function)):
                log.warning("plugin %s: job handler %r ignored (its name must start with %r)",
                            record.name, kind, f"{record.app_id}.")
                continue
            handlers[kind] = function
    app.extensions["preau.jobs.handlers"] = handlers
    return handlers


def find_handler(app: Flask, kind: str) -> Handler | None:
    return _KERNEL_HANDLERS.get(kind) or plugin_handlers(app).get(kind)  # kernel names cannot be taken over


# -- progress ------------------------------------------------------------------------------------------


def report_progress(job: Job, percent: int, message: str | None = None, *, lease_seconds: int | None = None) -> None:
    """Record how far a long job is (0–100) and renew its lease (the heartbeat that tells a live worker).

    This commits the job's session: the work done so far is kept with its progress, so a long handler
    should work in idempotent chunks (on a retry it may read ``job.progress`` to resume). Raises
    :class:`JobCancelled`, without committing, when the job was cancelled meanwhile. ``lease_seconds``
    stretches the lease when the next report is known to be far away."""
    session = object_session(job)
    if session is None:
        raise ValueError("report_progress needs a job attached to its running session")
    lease = _lease(current_app.config if has_app_context() else {})
    if lease_seconds is not None:
        lease = max(lease, timedelta(seconds=lease_seconds))
    progress, text = max(0, min(100, int(percent))), (message or "")[:200] or None
    # Compare-and-set: a cancelled job, or one another worker took over (attempts moved on), is not renewed.
    renewed = session.execute(
        update(Job).where(Job.id == job.id, Job.state == JobState.RUNNING, Job.attempts == job.attempts)
        .values(progress=progress, progress_message=text, locked_until=utcnow() + lease)
        .execution_options(synchronize_session=False))
    if affected_rows(renewed) != 1:
        raise JobCancelled(f"job {job.id}")
    set_committed_value(job, "progress", progress)
    set_committed_value(job, "progress_message", text)
    session.commit()


def mark_done(session: Session, job: Job, *, payload: dict[str, Any] | None = None,
              message: str | None = None) -> None:
    """Mark ``job`` done inside ``session``'s transaction (another session than the job's), so that a handler's
    work and the job's end commit together: a cancellation either came first (:class:`JobCancelled` is raised
    and the caller rolls its work back) or finds the job already done."""
    values: dict[str, Any] = {"state": JobState.DONE, "progress": 100, "finished_at": utcnow(),
                              "locked_until": None, "last_error": None}
    if payload is not None:
        values["payload"] = payload
    if message is not None:
        values["progress_message"] = message[:200]
    done = session.execute(update(Job).where(Job.id == job.id, Job.state == JobState.RUNNING,
                                             Job.attempts == job.attempts).values(**values)
                           .execution_options(synchronize_session=False))
    if affected_rows(done) != 1:
        raise JobCancelled(f"job {job.id}")


def cancel_job(session: Session, job: Job, *, actor: Any = None) -> bool:
    """Cancel a queued or running job (in the caller's transaction); ``False`` when it had already ended."""
    now = utcnow()
    cancelled = session.execute(
        update(Job).where(Job.id == job.id, Job.state.in_(ACTIVE_STATES))
        .values(state=JobState.CANCELLED, finished_at=now, locked_until=None, last_error=CANCELLED_ERROR)
        .execution_options(synchronize_session=False))
    session.refresh(job)
    if affected_rows(cancelled) == 1:
        audit.record(session, "job.cancel", actor=actor, structure_id=job.structure_id, job_id=job.id,
                     kind=job.kind)
    return affected_rows(cancelled) == 1


def is_interrupted(job: Job, now: datetime | None = None) -> bool:
    """A job still marked running whose worker stopped renewing its lease (died, or was killed)."""
    return job.state == JobState.RUNNING and job.locked_until is not None and job.locked_until < (now or utcnow())


# -- running -------------------------------------------------------------------------------------------


def _lease(config: Any) -> timedelta:
    return timedelta(seconds=config.get("JOBS_LEASE_SECONDS", 120))


def _due(now: datetime):
    return or_((Job.state == JobState.QUEUED) & (Job.run_after <= now),
               (Job.state == JobState.RUNNING) & (Job.locked_until < now))


def _claim(session: Session, now: datetime, lease: timedelta) -> Job | None:
    """Take one due job for this worker; ``None`` when there is none (or another worker won the race).

    A job whose worker died after its last allowed attempt is not run again: it is returned ``failed`` with
    :data:`DEAD_WORKER_ERROR`. The transaction ends here, so the handler holds no lock while it waits on the
    network (SQLite has one write lock for the whole database): its own transaction begins when it first
    touches the database."""
    candidate = session.scalar(select(Job.id).where(_due(now)).order_by(Job.run_after, Job.id).limit(1)
                               .with_for_update(skip_locked=True))  # SQLite ignores it; BEGIN IMMEDIATE queues
    job = None
    if candidate is not None:
        exhausted = session.execute(
            update(Job).where(Job.id == candidate, Job.state == JobState.RUNNING, Job.locked_until < now,
                              Job.attempts >= Job.max_attempts)
            .values(state=JobState.FAILED, finished_at=now, locked_until=None, last_error=DEAD_WORKER_ERROR)
            .execution_options(synchronize_session=False))
        if affected_rows(exhausted) == 1:
            log.warning("job %s: its worker died during its last attempt; failed", candidate)
        else:
            exhausted = session.execute(
                update(Job).where(Job.id == candidate, _due(now))
                .values(state=JobState.RUNNING, attempts=Job.attempts + 1, started_at=now,
                        locked_until=now + lease)
                .execution_options(synchronize_session=False))
        job = session.get(Job, candidate) if affected_rows(exhausted) == 1 else None
    session.commit()
    return job


_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


def describe_error(exc: BaseException, secrets: tuple[str, ...] = ()) -> str:
    """A one-line error for the job row and the log: URL passwords and given secrets masked."""
    text = f"{type(exc).__name__}: {exc}"
    text = _URL_PASSWORD.sub(r"\1***@", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text[:_ERROR_LIMIT]


def _backoff(config: Any, attempts: int) -> timedelta:
    base = config.get("JOBS_RETRY_SECONDS", 30)
    return timedelta(seconds=base * 2 ** max(0, attempts - 1))


def run_one(app: Flask, *, now: datetime | None = None) -> Job | None:
    """Claim and run one due job; returns it as it ended, or ``None`` when nothing was due."""
    now = now or utcnow()
    session: Session = app.extensions["preau.sessionmaker"]()
    try:
        job = _claim(session, now, _lease(app.config))
        if job is None or job.state != JobState.RUNNING:
            return job  # nothing due, or a dead job failed by the claim
        with app.app_context():
            g._preau_session = session  # services that call db_session() work in the job's transaction
            _run_claimed(app, session, job)
        return job
    finally:
        session.close()


def _run_claimed(app: Flask, session: Session, job: Job) -> None:
    handler = find_handler(app, job.kind)
    try:
        if handler is None:
            raise PermanentJobError(f"aucun gestionnaire pour « {job.kind} »")
        handler(session, job)
        _finish(session, job)
    except JobCancelled:
        session.rollback()  # the handler's uncommitted work goes; the row says who cancelled
        session.refresh(job)
        log.info("job %s (%s) stopped: cancelled", job.id, job.kind)
    except Exception as exc:  # noqa: BLE001 - a failing job is recorded, never propagated to the worker
        session.rollback()
        _record_failure(app, session, job.id, exc)


def _finish(session: Session, job: Job) -> None:
    """Mark the job done with the handler's work, unless it was cancelled meanwhile (then nothing is kept)."""
    now = utcnow()
    done = session.execute(
        update(Job).where(Job.id == job.id, Job.state == JobState.RUNNING, Job.attempts == job.attempts)
        .values(state=JobState.DONE, progress=100, finished_at=now, locked_until=None, last_error=None)
        .execution_options(synchronize_session=False))
    if affected_rows(done) != 1:
        session.refresh(job)
        if job.state == JobState.DONE:  # the handler ended it with its work (mark_done)
            session.commit()
            return
        raise JobCancelled(f"job {job.id}")
    for name, value in (("state", JobState.DONE), ("progress", 100), ("finished_at", now),
                        ("locked_until", None), ("last_error", None)):
        set_committed_value(job, name, value)
    session.commit()


def _record_failure(app: Flask, session: Session, job_id: int, exc: BaseException) -> None:
    job = session.get(Job, job_id)
    if job is None or job.state != JobState.RUNNING:  # cancelled while it ran: the cancellation stands
        session.commit()
        return
    job.last_error = describe_error(exc, secret_values(app.config))
    job.locked_until = None
    if isinstance(exc, PermanentJobError) or job.attempts >= job.max_attempts:
        job.state, job.finished_at = JobState.FAILED, utcnow()
        log.warning("job %s (%s) failed after %s attempt(s): %s", job.id, job.kind, job.attempts, job.last_error)
    else:
        job.state, job.run_after = JobState.QUEUED, utcnow() + _backoff(app.config, job.attempts)
        log.info("job %s (%s) will be retried: %s", job.id, job.kind, job.last_error)
    session.commit()


def run_pending(app: Flask, *, limit: int | None = None, now: datetime | None = None) -> list[Job]:
    """Run due jobs one after the other until none is due (or ``limit`` ran); returns them as they ended."""
    ran: list[Job] = []
    while limit is None or len(ran) < limit:
        job = run_one(app, now=now)
        if job is None:
            break
        ran.append(job)
    return ran


def purge_finished(session: Session, *, done_days: int = 30, failed_days: int = 90,
                   now: datetime | None = None) -> int:
    """Forget finished jobs: done ones after ``done_days``, failed ones (kept longer, for the administrators to
    read their error) after ``failed_days``. Returns how many rows went."""
    now = now or utcnow()
    result = session.execute(delete(Job).where(or_(
        and_(Job.state == JobState.DONE, Job.finished_at < now - timedelta(days=done_days)),
        and_(Job.state == JobState.FAILED, Job.finished_at < now - timedelta(days=failed_days)))))
    return affected_rows(result)


def list_jobs(session: Session, *, state: str | None = None, limit: int = 50) -> list[Job]:
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if state:
        query = query.where(Job.state == state)
    return list(session.scalars(query))


# -- the inline worker ---------------------------------------------------------------------------------


class InlineWorker:
    """A daemon thread in the web process that runs jobs as soon as a transaction that queued one commits,
    and every ``JOBS_POLL_SECONDS`` (retries, jobs queued by other processes). Started on the first request
    (or wake) of each process, so CLI commands and forked servers do not inherit a dead thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.poll_seconds = float(app.config.get("JOBS_POLL_SECONDS", 5))
        self._event = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def ensure_started(self) -> None:
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._stopping.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._loop, name="preau-jobs", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self.ensure_started()
        self._event.set()

    def stop(self, timeout: float = 5) -> None:
        self._stopping.set()
        self._event.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._event.clear()
            try:
                run_pending(self.app)
            except Exception:  # noqa: BLE001 - the database may be away for a moment; try again later
                log.exception("job worker: run failed")
            self._event.wait(self.poll_seconds)


def install_worker(app: Flask) -> None:
    """Give ``app`` an inline worker when ``JOBS_INLINE_WORKER`` is set (create_app calls this)."""
    if not app.config.get("JOBS_INLINE_WORKER"):
        return
    worker = InlineWorker(app)
    app.extensions["preau.jobs.worker"] = worker
    app.before_request(worker.ensure_started)
