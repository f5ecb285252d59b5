"""The imports page: upload, dry run with its diff, apply as a job, progress, history, scope."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from preau.directory.users import grant_function
from preau.models import Function, Job, User
from preau.models.imports import ImportRun
from preau.testing import run_jobs

from .aaf_files import small_set


def super_admin(db, school):
    grant_function(db, school.admin, Function.SUPER_ADMIN)
    db.flush()
    return school.admin


def upload(client, structure_id: int, folder, source: str = "aaf", **extra):
    files = [(io.BytesIO(p.read_bytes()), p.name) for p in sorted(folder.glob("*.xml"))]
    return client.post_form(f"/admin/structures/{structure_id}/imports",
                            {"source": source, "files": files, **extra}, content_type="multipart/form-data")


def aaf_users(db) -> int:
    return db.scalar(select(func.count()).select_from(User).where(User.source == "aaf"))


def test_a_dry_run_shows_the_diff_then_apply_imports_and_the_history_lists_both(app, db, client, school, login_as,
                                                                                tmp_path):
    login_as(super_admin(db, school))
    page = client.get(f"/admin/structures/{school.structure.id}")
    assert "Imports de l&#39;annuaire" in page.text or "Imports de l'annuaire" in page.text
    response = upload(client, school.structure.id, small_set(tmp_path))
    assert response.status_code == 302
    job_url = response.headers["Location"]
    waiting = client.get(job_url)
    assert 'http-equiv="refresh"' in waiting.text and "<progress" in waiting.text
    run_jobs(app)
    assert aaf_users(db) == 0  # a dry run writes nothing
    done = client.get(job_url)
    assert 'http-equiv="refresh"' not in done.text
    assert "Léa MARTIN" in done.text and "Appliquer" in done.text
    state = client.get(job_url + ".json").get_json()
    assert state["state"] == "done" and state["progress"] == 100 and state["run_id"]
    apply_url = job_url + "/apply"
    applied = client.post_form(apply_url)
    assert applied.status_code == 302
    run_jobs(app)
    assert aaf_users(db) == 6
    final = client.get(applied.headers["Location"])
    assert "Import appliqué" in final.text and "100 %" in final.text
    assert client.post_form(apply_url).status_code == 302 and len(run_jobs(app)) == 0  # not twice
    history = client.get(f"/admin/structures/{school.structure.id}/imports")
    assert "Simulation" in history.text and "Application" in history.text
    runs = db.scalars(select(ImportRun).order_by(ImportRun.id)).all()
    assert [r.dry_run for r in runs] == [True, False] and runs[1].counts["students"]["created"] == 3


def test_a_local_administrator_cannot_run_an_academy_wide_aaf_import(db, client, school, login_as, tmp_path):
    login_as(school.admin)
    page = client.get(f"/admin/structures/{school.structure.id}/imports")
    assert page.status_code == 200 and "AAF" not in page.text
    response = upload(client, school.structure.id, small_set(tmp_path))
    assert response.status_code == 400 and "Choisissez une source" in response.text
    assert db.scalar(select(func.count()).select_from(Job)) == 0


def test_another_structures_administrator_cannot_see_the_job(app, db, client, school, login_as, tmp_path):
    from preau.testing import build_school

    login_as(super_admin(db, school))
    job_url = upload(client, school.structure.id, small_set(tmp_path)).headers["Location"]
    other = build_school(db, "École Voltaire", "0750002B", "Ville Autre")
    client.post_form("/auth/logout")
    login_as(other.admin)
    assert client.get(job_url).status_code == 403
    assert client.get(job_url.replace(f"/structures/{school.structure.id}/",
                                      f"/structures/{other.structure.id}/")).status_code in (403, 404)


def test_bad_uploads_get_a_clear_message_and_leave_nothing(app, db, client, school, login_as, tmp_path):
    login_as(super_admin(db, school))
    url = f"/admin/structures/{school.structure.id}/imports"
    wrong = client.post_form(url, {"source": "aaf", "files": [(io.BytesIO(b"x"), "notes.pdf")]},
                             content_type="multipart/form-data")
    assert wrong.status_code == 400 and "Fichier refusé" in wrong.text
    empty = client.post_form(url, {"source": "aaf"}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "au moins un fichier" in empty.text
    no_csrf = client.post(url, data={"source": "aaf", "files": [(io.BytesIO(b"<a/>"), "a.xml")]},
                          content_type="multipart/form-data")
    assert no_csrf.status_code == 400
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2048
    try:
        big = client.post_form(url, {"source": "aaf", "files": [(io.BytesIO(b"x" * 10_000), "big.xml")]},
                               content_type="multipart/form-data")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert big.status_code == 413 and "trop volumineux" in big.text
    assert db.scalar(select(func.count()).select_from(Job)) == 0


def test_a_truncated_file_fails_the_job_with_the_place_and_writes_nothing(app, db, client, school, login_as,
                                                                          tmp_path):
    login_as(super_admin(db, school))
    folder = small_set(tmp_path)
    path = folder / "ENT_Complet_20250901_Eleve_0000.xml"
    path.write_bytes(path.read_bytes()[:300])
    job_url = upload(client, school.structure.id, folder).headers["Location"]
    run_jobs(app)
    page = client.get(job_url)
    assert "L&#39;import a échoué" in page.text or "L'import a échoué" in page.text
    assert "ENT_Complet_20250901_Eleve_0000.xml" in page.text and "ligne" in page.text
    assert aaf_users(db) == 0
    [run] = db.scalars(select(ImportRun)).all()
    assert run.state == "failed" and run.problems[0]["line"]
