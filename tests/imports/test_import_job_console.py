"""The import job page shows the real state of a job (interrupted, cancelled) and cancels one (issue 16, point 10)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from preau.models import Job, JobState, User
from preau.models._time import utcnow
from preau.testing import build_school, run_jobs

from .aaf_files import small_set
from .test_imports_admin import super_admin, upload


def _job(db, job_url: str) -> Job:
    return db.get(Job, int(job_url.rstrip("/").rsplit("/", 1)[-1]))


def test_a_queued_import_is_cancelled_from_its_page_and_never_runs(app, db, client, school, login_as, tmp_path):
    login_as(super_admin(db, school))
    job_url = upload(client, school.structure.id, small_set(tmp_path)).headers["Location"]
    waiting = client.get(job_url)
    assert "Annuler" in waiting.text and "/cancel" in waiting.text
    assert client.post(job_url + "/cancel").status_code == 400  # no CSRF token: refused
    assert _job(db, job_url).state == JobState.QUEUED
    response = client.post_form(job_url + "/cancel")
    assert response.status_code == 302
    job = _job(db, job_url)
    db.refresh(job)
    assert job.state == JobState.CANCELLED
    assert run_jobs(app) == []
    page = client.get(job_url)
    assert "Import annulé" in page.text and 'http-equiv="refresh"' not in page.text and "/cancel" not in page.text
    assert client.get(job_url + ".json").get_json()["state"] == "cancelled"
    assert db.scalar(select(func.count()).select_from(User).where(User.source == "aaf")) == 0
    again = client.post_form(job_url + "/cancel")
    assert again.status_code == 302 and "déjà terminé" in client.get(job_url).text


def test_an_import_whose_worker_died_shows_interrupted_then_failed_with_a_clear_reason(app, db, client, school,
                                                                                       login_as, tmp_path):
    login_as(super_admin(db, school))
    job_url = upload(client, school.structure.id, small_set(tmp_path)).headers["Location"]
    job = _job(db, job_url)
    job.state, job.attempts, job.locked_until = JobState.RUNNING, 1, utcnow() - timedelta(minutes=1)
    db.commit()
    page = client.get(job_url)
    assert 'data-job-state="interrupted"' in page.text and "ne répond plus" in page.text
    assert client.get(job_url + ".json").get_json()["interrupted"] is True
    run_jobs(app)  # attempt 1 of 1 died: failed, not run again
    db.refresh(job)
    assert (job.state, job.attempts) == (JobState.FAILED, 1)
    page = client.get(job_url)
    assert "s&#39;est arrêté" in page.text or "s'est arrêté" in page.text
    assert db.scalar(select(func.count()).select_from(User).where(User.source == "aaf")) == 0


def test_another_structures_administrator_cannot_cancel(app, db, client, school, login_as, tmp_path):
    login_as(super_admin(db, school))
    job_url = upload(client, school.structure.id, small_set(tmp_path)).headers["Location"]
    other = build_school(db, "École Voltaire", "0750002B", "Ville Autre")
    client.post_form("/auth/logout")
    login_as(other.admin)
    assert client.post_form(job_url + "/cancel").status_code == 403
    moved = job_url.replace(f"/structures/{school.structure.id}/", f"/structures/{other.structure.id}/")
    assert client.post_form(moved + "/cancel").status_code == 404
    job = _job(db, job_url)
    db.refresh(job)
    assert job.state == JobState.QUEUED


def test_a_running_import_that_is_cancelled_is_rolled_back_and_writes_nothing(app, db, client, school, login_as,
                                                                              tmp_path, monkeypatch):
    from preau.directory import import_jobs
    from preau.jobs import cancel_job

    login_as(super_admin(db, school))
    job_url = upload(client, school.structure.id, small_set(tmp_path)).headers["Location"]
    run_jobs(app)
    applied = client.post_form(job_url + "/apply")
    apply_job = _job(db, applied.headers["Location"])
    real_fetch, seen = import_jobs._fetch_files, []

    def cancelled_once_running(files, folder):
        # The job is running (claimed, files being fetched) when the administrator clicks « Annuler ».
        seen.append(len(files))
        with app.extensions["preau.sessionmaker"]() as console:
            assert cancel_job(console, console.get(Job, apply_job.id))
            console.commit()
        return real_fetch(files, folder)

    monkeypatch.setattr(import_jobs, "_fetch_files", cancelled_once_running)
    run_jobs(app)
    db.refresh(apply_job)
    assert seen and apply_job.state == JobState.CANCELLED
    assert db.scalar(select(func.count()).select_from(User).where(User.source == "aaf")) == 0
    assert "Import annulé" in client.get(applied.headers["Location"]).text
