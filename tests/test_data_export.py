"""« Mes données »: a background job builds a zip of the kernel's and each plugin's data and files, which
only its owner downloads; a pre-deleted account can do nothing else."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from preau.account.data_export import purge_expired
from preau.directory.lifecycle import transition
from preau.filestore import default_storage
from preau.models import AccountState, AuditEvent, DataExport
from preau.models._time import utcnow
from preau.testing import run_jobs
from preau_plugins.messaging.services.attachments import Limits, check_files, store_files
from preau_plugins.messaging.services.compose import send

PDF = b"%PDF-1.4\n" + b"1" * 200


def _message_with_attachment(db, school):
    message = send(db, school.parent, subject="Certificat médical", body_html="<p>ci-joint</p>",
                   fields={"to": [f"u:{school.teacher.id}"]})
    store_files(db, default_storage(), message, check_files(db, message, [("certificat.pdf", PDF)], Limits()))
    return message


def _export_zip(client, app) -> zipfile.ZipFile:
    assert client.post_form("/account/data", {}).status_code == 303
    page = client.get("/account/data").get_data(as_text=True)
    assert "En préparation" in page and 'http-equiv="refresh"' in page
    ended = run_jobs(app)
    assert [job.last_error for job in ended] == [None]
    page = client.get("/account/data").get_data(as_text=True)
    assert "Télécharger" in page and 'http-equiv="refresh"' not in page
    export = client.application.extensions["preau.sessionmaker"]().scalars(
        select(DataExport).order_by(DataExport.id.desc())).first()
    response = client.get(f"/account/data/{export.id}/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_my_export_holds_my_account_my_messages_and_their_files(app, db, school, client, login_as, enable_plugin):
    enable_plugin("messaging", school.structure)
    enable_plugin("recorder", school.structure)  # the export asks the apps enabled for the person only
    _message_with_attachment(db, school)
    db.commit()
    login_as(school.teacher)
    archive = _export_zip(client, app)
    names = set(archive.namelist())
    assert {"preau.json", "messaging.json", "messaging/certificat.pdf", "LISEZMOI.txt"} <= names
    kernel = json.loads(archive.read("preau.json"))
    assert kernel["account"]["login"] == school.teacher.login
    assert {"structure": school.structure.name, "uai": school.structure.uai, "profile": "teacher"} in kernel["roles"]
    assert "password_hash" not in json.dumps(kernel)
    messaging = json.loads(archive.read("messaging.json"))
    assert [m["subject"] for m in messaging["messages"]] == ["Certificat médical"]
    assert messaging["files"] == ["messaging/certificat.pdf"]
    assert archive.read("messaging/certificat.pdf") == PDF
    assert "recorder.json" not in names and "recorder" in archive.read("LISEZMOI.txt").decode()  # it failed


def test_asking_twice_while_it_is_built_queues_one_export(app, db, school, client, login_as):
    login_as(school.student)
    client.post_form("/account/data", {})
    client.post_form("/account/data", {})
    assert db.scalar(select(func.count()).select_from(DataExport)
                     .where(DataExport.user_id == school.student.id)) == 1


def test_nobody_else_downloads_my_export(app, db, school, client, login_as):
    login_as(school.teacher)
    client.post_form("/account/data", {})
    run_jobs(app)
    export_id = db.scalar(select(DataExport.id).where(DataExport.user_id == school.teacher.id))
    assert client.get(f"/account/data/{export_id}/download").status_code == 200
    client.post_form("/auth/logout", {})
    login_as(school.admin)
    assert client.get(f"/account/data/{export_id}/download").status_code == 404


def test_a_request_without_csrf_token_is_refused(app, db, school, client, login_as):
    login_as(school.teacher)
    assert client.post("/account/data", data={}).status_code == 400
    assert db.scalar(select(func.count()).select_from(DataExport)) == 0


def test_expired_exports_are_erased_with_their_file(app, db, school, client, login_as):
    login_as(school.teacher)
    client.post_form("/account/data", {})
    run_jobs(app)
    export = db.scalars(select(DataExport)).one()
    key = export.storage_key
    export.expires_at = utcnow()
    db.flush()
    assert client.get(f"/account/data/{export.id}/download").status_code == 404
    assert purge_expired(db) == 1
    assert db.scalar(select(func.count()).select_from(DataExport)) == 0
    assert not (default_storage().root / key).exists()


def test_a_pre_deleted_account_can_only_export_its_data(app, db, school, client, login_as, enable_plugin):
    enable_plugin("recorder", school.structure)
    login_as(school.staff)
    transition(db, school.staff, AccountState.PENDING_DELETION)
    transition(db, school.staff, AccountState.PRE_DELETED)
    db.commit()
    home = client.get("/")
    assert home.status_code == 303 and home.headers["Location"].endswith("/account/data")
    assert client.get("/apps").status_code == 303
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.get_json()["reason"] == "pre_deleted"
    page = client.get("/account/data").get_data(as_text=True)
    assert "sera supprimé le" in page
    archive = _export_zip(client, app)
    assert json.loads(archive.read("preau.json"))["account"]["state"] == "pre_deleted"
    assert json.loads(archive.read("recorder.json")) == {"seen": school.staff.login}
    assert db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "account.export_downloaded")) == 1
