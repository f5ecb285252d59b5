"""Attachments: up to 10 of 5 MB, MIME sniffed, names without paths, downloads for sender and recipients only."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from preau_plugins.messaging.models import Attachment, Message
from tests.upload_attacks import PDF, attacks, post_raw, small_png

PNG = small_png()
MB = 1024 * 1024


def post_with_files(client, world, files, subject="Pièces"):
    data = {"csrf_token": client.csrf_token(), "action": "send", "subject": subject, "body": "x",
            "to": f"u:{world.s.teacher.id}",
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/apps/messaging/compose", data=data, content_type="multipart/form-data")


def stored(db) -> tuple[int, int]:
    return (db.scalar(select(func.count()).select_from(Message)),
            db.scalar(select(func.count()).select_from(Attachment)))


def storage_files(app) -> list:
    from preau.filestore import storage_dir

    root = storage_dir(app.config)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_attachments_are_sent_and_downloaded_by_sender_and_recipient_only(app, db, world, login_as):
    client = login_as(world.s.parent)
    response = post_with_files(client, world, [("bulletin.pdf", PDF), ("photo.png", PNG)])
    assert response.status_code == 302
    attachments = db.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [(a.filename, a.mime, a.size) for a in attachments] == [
        ("bulletin.pdf", "application/pdf", len(PDF)), ("photo.png", "image/png", len(PNG))]
    download = client.get(f"/apps/messaging/attachments/{attachments[0].id}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert login_as(world.s.teacher).get(f"/apps/messaging/attachments/{attachments[0].id}").data == PDF
    assert login_as(world.parent2).get(f"/apps/messaging/attachments/{attachments[0].id}").status_code == 404


def test_a_file_over_5_mb_is_413_and_nothing_is_stored(app, db, world, login_as):
    client = login_as(world.s.parent)
    before, files_before = stored(db), storage_files(app)
    response = post_with_files(client, world, [("gros.pdf", b"%PDF-" + b"0" * (5 * MB + 1))])
    assert response.status_code == 413
    assert "5 Mo" in response.text
    assert stored(db) == before and storage_files(app) == files_before


def test_an_eleventh_attachment_is_refused(app, db, world, login_as):
    client = login_as(world.s.parent)
    before = stored(db)
    response = post_with_files(client, world, [(f"f{i}.pdf", PDF) for i in range(11)])
    assert response.status_code == 400
    assert "10 pièces jointes au plus" in response.text
    assert stored(db) == before


def test_path_traversal_names_executables_and_mismatched_types_are_refused(app, db, world, login_as):
    """The names reach the app unchanged (a hand-built multipart body), whatever Werkzeug does with them."""
    client = login_as(world.s.parent)
    before, files_before = stored(db), storage_files(app)
    cases = [("../../etc/passwd.pdf", PDF, 400, "Nom de fichier refusé"),
             ("..\\..\\boot.ini.pdf", PDF, 400, "Nom de fichier refusé"),
             ("C:\\Windows\\win.ini.txt", b"[fonts]", 400, "Nom de fichier refusé"),
             ("virus.pdf", b"MZ\x90\x00" + b"0" * 50, 415, "programme"),
             ("script.exe", b"hello", 415, "programme"),
             ("notes.xyz", b"hello", 415, "type de fichier"),
             ("faux.png", PDF, 400, "ne correspond pas")]
    for name, content, status, reason in cases:
        response = post_raw(client, "/apps/messaging/compose", _compose_fields(world), [("files", name, content)])
        assert response.status_code == status, name
        assert reason in response.text, name
    assert stored(db) == before and storage_files(app) == files_before


def _compose_fields(world) -> dict[str, str]:
    return {"action": "send", "subject": "Pièces", "body": "x", "to": f"u:{world.s.teacher.id}"}


def test_every_upload_attack_of_issue_16_is_refused_and_nothing_is_stored(app, db, world, login_as):
    client = login_as(world.s.parent)
    before, files_before = stored(db), storage_files(app)
    for name, content, status, reason in attacks():
        response = post_raw(client, "/apps/messaging/compose", _compose_fields(world), [("files", name, content)])
        assert (response.status_code, reason in response.text) == (status, True), name
    assert stored(db) == before and storage_files(app) == files_before


def test_a_refused_file_name_is_shown_escaped(db, world, login_as):
    client = login_as(world.s.parent)
    response = post_with_files(client, world, [("<img src=x onerror=alert(1)>.exe", b"hello")])
    assert response.status_code == 415
    assert "<img src=x" not in response.text and "&lt;img src=x" in response.text


def test_the_request_size_limit_answers_413_in_french(app, db, world, login_as):
    client = login_as(world.s.parent)
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = post_with_files(client, world, [("enorme.pdf", b"%PDF-" + b"0" * limit)])
    assert response.status_code == 413
    assert "trop volumineux" in response.text
