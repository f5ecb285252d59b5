"""Background jobs: queued in the caller's transaction, claimed once, retried, recorded."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from flask import abort
from sqlalchemy import delete, select

from preau.jobs import (
    DEAD_WORKER_ERROR,
    PermanentJobError,
    cancel_job,
    enqueue,
    find_handler,
    is_interrupted,
    job_handler,
    report_progress,
    run_pending,
)
from preau.models import Job, JobState
from preau.models._time import utcnow
from preau.testing import run_jobs

CALLS: list[tuple[str, dict]] = []
ATTEMPTS: dict[int, int] = {}


@job_handler("test.record")
def _record(session, job):
    CALLS.append((job.kind, dict(job.payload)))


@job_handler("test.flaky")
def _flaky(session, job):
    ATTEMPTS[job.id] = ATTEMPTS.get(job.id, 0) + 1
    raise RuntimeError("relay smtp://robot:hunter2-secret@mail.example.org refused")


@job_handler("test.hopeless")
def _hopeless(session, job):
    raise PermanentJobError("payload sans destinataire")


@job_handler("test.long")
def _long(session, job):
    report_progress(job, 40, "Lignes 1 à 400 importées")
    CALLS.append(("progress-seen", {"progress": session.get(Job, job.id).progress}))
    if job.payload.get("fail"):
        raise PermanentJobError("ligne 401 illisible")


@pytest.fixture(autouse=True)
def _forget_calls():
    CALLS.clear()
    ATTEMPTS.clear()


def test_a_queued_job_runs_once_and_is_done(app, db):
    job = enqueue(db, "test.record", {"n": 1})
    db.commit()
    ran = run_jobs(app)
    assert [j.id for j in ran] == [job.id]
    assert CALLS == [("test.record", {"n": 1})]
    db.refresh(job)
    assert (job.state, job.attempts, job.progress, job.last_error) == (JobState.DONE, 1, 100, None)
    assert job.finished_at is not None
    assert run_jobs(app) == []  # nothing left: a done job is not run again
    assert len(CALLS) == 1


def test_a_job_queued_in_a_rolled_back_transaction_never_runs(app, db):
    enqueue(db, "test.record", {"n": 2})
    db.rollback()
    assert run_jobs(app) == []
    assert CALLS == []
    assert db.scalars(select(Job).where(Job.kind == "test.record")).all() == []


def test_a_job_scheduled_later_waits_for_its_time(app, db):
    job = enqueue(db, "test.record", {"n": 3}, run_after=utcnow() + timedelta(minutes=10))
    db.commit()
    assert run_jobs(app) == []
    assert [j.id for j in run_jobs(app, now=utcnow() + timedelta(minutes=11))] == [job.id]


def test_a_failing_job_is_retried_with_backoff_then_failed_with_its_error(app, db):
    job = enqueue(db, "test.flaky", {}, max_attempts=3)
    db.commit()

    first = run_jobs(app)
    assert [j.id for j in first] == [job.id]
    db.refresh(job)
    assert (job.state, job.attempts) == (JobState.QUEUED, 1)
    assert "RuntimeError: relay" in job.last_error
    retry_in = job.run_after - utcnow()
    assert timedelta(seconds=20) < retry_in <= timedelta(seconds=30)  # JOBS_RETRY_SECONDS
    assert run_jobs(app) == []  # not due yet

    run_jobs(app, now=utcnow() + timedelta(minutes=1))
    db.refresh(job)
    assert (job.state, job.attempts) == (JobState.QUEUED, 2)
    assert timedelta(seconds=50) < job.run_after - utcnow() <= timedelta(seconds=60)  # doubled

    run_jobs(app, now=utcnow() + timedelta(minutes=5))
    db.refresh(job)
    assert (job.state, job.attempts, ATTEMPTS[job.id]) == (JobState.FAILED, 3, 3)
    assert job.finished_at is not None
    assert "hunter2-secret" not in job.last_error and "robot:***@mail.example.org" in job.last_error
    assert run_jobs(app, now=utcnow() + timedelta(days=1)) == []  # failed for good


def test_a_permanent_error_fails_at_once(app, db):
    job = enqueue(db, "test.hopeless", {}, max_attempts=5)
    db.commit()
    run_jobs(app)
    db.refresh(job)
    assert (job.state, job.attempts) == (JobState.FAILED, 1)
    assert job.last_error == "PermanentJobError: payload sans destinataire"


def test_a_job_without_handler_fails_with_the_reason(app, db):
    job = enqueue(db, "nobody.handles_this", {})
    db.commit()
    run_jobs(app)
    db.refresh(job)
    assert job.state == JobState.FAILED
    assert "nobody.handles_this" in job.last_error


def test_progress_is_stored_while_the_job_runs_and_kept_when_it_fails(app, db):
    ok = enqueue(db, "test.long", {})
    failing = enqueue(db, "test.long", {"fail": True})
    db.commit()
    run_jobs(app)
    db.refresh(ok)
    db.refresh(failing)
    assert CALLS == [("progress-seen", {"progress": 40}), ("progress-seen", {"progress": 40})]
    assert (ok.state, ok.progress) == (JobState.DONE, 100)
    assert (failing.state, failing.progress, failing.progress_message) == (
        JobState.FAILED, 40, "Lignes 1 à 400 importées")


def test_a_job_whose_worker_died_is_claimed_again_after_its_lease(app, db):
    job = enqueue(db, "test.record", {"n": 4})
    db.flush()
    job.state, job.attempts, job.locked_until = JobState.RUNNING, 1, utcnow() + timedelta(minutes=10)
    db.commit()
    assert run_jobs(app) == []  # its lease runs: someone is on it
    run_jobs(app, now=utcnow() + timedelta(minutes=11))
    db.refresh(job)
    assert (job.state, job.attempts) == (JobState.DONE, 2)


def test_plugins_declare_handlers_under_their_own_name_only(app, preau_config):
    from preau.app import create_app
    from tests.fixtures_plugins import jobs_plugin

    other = create_app({**preau_config, "TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                        "SECRET_KEY": "x", "PLUGINS_EXTRA": ["tests.fixtures_plugins.jobs_plugin"]})
    try:
        assert find_handler(other, "jobsplugin.export") is jobs_plugin._export
        assert find_handler(other, "other.thing") is None  # not its name
        assert find_handler(other, "mail.send").__module__ == "preau.mail"  # the kernel's stays
    finally:
        other.extensions["preau.engine"].dispose()


def _committed_app_jobs(app, kind: str, count: int) -> list[int]:
    with app.extensions["preau.sessionmaker"]() as session:
        jobs = [enqueue(session, kind, {"n": n}) for n in range(count)]
        session.commit()
        return [job.id for job in jobs]


def _state_of(app, job_id: int) -> str:
    with app.extensions["preau.sessionmaker"]() as session:  # a short transaction: SQLite has one writer
        return session.scalar(select(Job.state).where(Job.id == job_id))


def _delete_jobs(app, ids) -> None:
    with app.extensions["preau.sessionmaker"]() as session:
        session.execute(delete(Job).where(Job.id.in_(ids)))
        session.commit()


RUNS: list[tuple[int, str]] = []


@job_handler("test.concurrent")
def _concurrent(session, job):
    RUNS.append((job.id, threading.current_thread().name))
    time.sleep(0.01)  # long enough for the other runner to try the same job


def test_two_runners_never_run_the_same_job_twice(app):
    ids = _committed_app_jobs(app, "test.concurrent", 30)
    RUNS.clear()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def runner():
        try:
            start.wait()
            run_pending(app)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=runner, name=f"runner-{n}") for n in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        ran = [job_id for job_id, _ in RUNS]
        assert sorted(ran) == sorted(ids)  # every job once, none twice
        assert {name for _, name in RUNS} == {"runner-0", "runner-1"}  # both really worked
        with app.extensions["preau.sessionmaker"]() as session:
            rows = session.execute(select(Job.state, Job.attempts).where(Job.id.in_(ids))).all()
        assert set(rows) == {(JobState.DONE, 1)}
    finally:
        _delete_jobs(app, ids)


GATE = threading.Event()


@job_handler("test.gated")
def _gated(session, job):
    CALLS.append(("gated-start", dict(job.payload)))
    GATE.wait(10)


def test_the_inline_worker_runs_a_job_right_after_the_request_commits(app, preau_config):
    from preau.app import create_app
    from preau.db import db_session

    other = create_app({**preau_config, "TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                        "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False, "JOBS_INLINE_WORKER": True,
                        "JOBS_POLL_SECONDS": 120})  # only the wake-up can explain a prompt run

    @other.post("/_test/enqueue")
    def enqueue_view():
        job = enqueue(db_session(), "test.gated", {"n": 5})
        db_session().commit()
        return {"id": job.id}

    @other.post("/_test/enqueue-then-fail")
    def enqueue_then_fail_view():
        enqueue(db_session(), "test.gated", {"n": 6})
        abort(400)

    worker = other.extensions["preau.jobs.worker"]
    GATE.clear()
    client = other.test_client()
    ids: list[int] = []
    try:
        assert client.post("/_test/enqueue-then-fail").status_code == 400
        started = time.monotonic()
        response = client.post("/_test/enqueue")
        assert response.status_code == 200  # answered while the job is still blocked on its gate
        ids.append(response.get_json()["id"])
        deadline = time.monotonic() + 10
        while not CALLS and time.monotonic() < deadline:
            time.sleep(0.01)
        assert CALLS == [("gated-start", {"n": 5})]  # the rolled-back request queued nothing
        assert time.monotonic() - started < 5
        GATE.set()
        deadline = time.monotonic() + 10
        while _state_of(other, ids[0]) != JobState.DONE and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _state_of(other, ids[0]) == JobState.DONE
        with other.extensions["preau.sessionmaker"]() as session:
            assert session.scalar(select(Job.id).where(Job.kind == "test.gated", Job.id != ids[0])) is None
    finally:
        GATE.set()
        worker.stop()
        _delete_jobs(other, ids)
        other.extensions["preau.engine"].dispose()


def test_tests_have_no_worker_thread_by_default(app):
    assert app.config["JOBS_INLINE_WORKER"] is False
    assert "preau.jobs.worker" not in app.extensions


# -- dead workers, heartbeat, cancellation (issue 16, point 10) ----------------------------------------------


def _as_killed(db, job, *, attempts: int, lease_ago: timedelta = timedelta(minutes=3)) -> None:
    """What a worker killed mid-job leaves: the row still running, its lease run out."""
    job.state, job.attempts, job.started_at = JobState.RUNNING, attempts, utcnow() - lease_ago - timedelta(minutes=1)
    job.locked_until, job.progress = utcnow() - lease_ago, 0
    db.commit()


def test_a_job_killed_during_its_last_attempt_fails_cleanly_instead_of_running_attempt_2_of_1(app, db):
    job = enqueue(db, "test.record", {"n": 7}, max_attempts=1)
    db.flush()
    _as_killed(db, job, attempts=1)
    assert is_interrupted(job)
    ran = run_jobs(app)
    assert [j.id for j in ran] == [job.id]
    db.refresh(job)
    assert (job.state, job.attempts, job.max_attempts) == (JobState.FAILED, 1, 1)
    assert job.last_error == DEAD_WORKER_ERROR and "s'est arrêté" in job.last_error
    assert job.finished_at is not None and job.locked_until is None
    assert CALLS == []  # the handler was not run a second time
    assert run_jobs(app, now=utcnow() + timedelta(days=1)) == []


def test_a_job_killed_with_attempts_left_is_resumed_within_minutes(app, db):
    assert app.config["JOBS_LEASE_SECONDS"] <= 120  # a dead worker is noticed in minutes, not 10
    job = enqueue(db, "test.record", {"n": 8}, max_attempts=3)
    db.flush()
    _as_killed(db, job, attempts=1, lease_ago=timedelta(seconds=5))
    run_jobs(app)
    db.refresh(job)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert CALLS == [("test.record", {"n": 8})]


LEASES: list[tuple] = []


@job_handler("test.heartbeat")
def _heartbeat(session, job):
    LEASES.append(("claimed", job.locked_until - job.started_at))
    report_progress(job, 50, "à mi-chemin")
    LEASES.append(("renewed", session.scalar(select(Job.locked_until).where(Job.id == job.id)) - utcnow()))


def test_progress_reports_renew_a_short_lease(app, db):
    LEASES.clear()
    enqueue(db, "test.heartbeat", {}, run_after=utcnow() - timedelta(hours=1))
    db.commit()
    run_jobs(app, now=utcnow() - timedelta(minutes=30))  # claimed "long ago": only the heartbeat renews
    [(_, claimed), (_, renewed)] = LEASES
    assert claimed == timedelta(seconds=app.config["JOBS_LEASE_SECONDS"])
    assert timedelta(seconds=app.config["JOBS_LEASE_SECONDS"] - 5) < renewed <= timedelta(
        seconds=app.config["JOBS_LEASE_SECONDS"])


def test_a_queued_job_can_be_cancelled_and_never_runs(app, db):
    job = enqueue(db, "test.record", {"n": 9})
    db.commit()
    assert cancel_job(db, job) is True
    db.commit()
    assert run_jobs(app) == []
    db.refresh(job)
    assert (job.state, job.attempts, CALLS) == (JobState.CANCELLED, 0, [])
    assert job.finished_at is not None
    assert cancel_job(db, job) is False  # already ended


@job_handler("test.cancelled_midway")
def _cancelled_midway(session, job):
    from preau import JobCancelled, audit

    report_progress(job, 10, "début")
    CALLS.append(("started", {}))
    with current_app_sessionmaker()() as admin_session:  # an administrator cancels from the console
        cancel_job(admin_session, admin_session.get(Job, job.id))
        admin_session.commit()
    audit.record(session, "test.half_written", detail="must not stay")
    try:
        report_progress(job, 50, "milieu")  # the heartbeat notices
    except JobCancelled:  # the public name a plugin's handler sees
        CALLS.append(("noticed", {}))
        raise
    CALLS.append(("went-on", {}))


def current_app_sessionmaker():
    from flask import current_app

    return current_app.extensions["preau.sessionmaker"]


def test_a_running_job_stops_at_its_next_progress_report_and_its_work_is_rolled_back(app, db):
    from preau.models import AuditEvent

    job = enqueue(db, "test.cancelled_midway", {}, max_attempts=3)
    db.commit()
    [ran] = run_jobs(app)
    db.refresh(job)
    assert CALLS == [("started", {}), ("noticed", {})]  # nothing after the report that noticed
    assert (job.state, job.attempts, job.progress) == (JobState.CANCELLED, 1, 10)
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "test.half_written")) is None
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "job.cancel")) is not None
    assert run_jobs(app, now=utcnow() + timedelta(days=1)) == []  # not retried
