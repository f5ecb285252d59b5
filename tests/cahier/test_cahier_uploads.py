"""The attacks of issue 16 (point 8) on the cahier's attachments: the kernel's upload validation refuses each one
with its status and French reason, and nothing is stored (no row, no file). Names go as a hand-built multipart
body, so they reach the app unchanged whatever Werkzeug does with them."""

from __future__ import annotations

import html
from datetime import date, timedelta

from sqlalchemy import select

from preau_plugins.cahier.models import Attachment
from tests.upload_attacks import PDF, attacks, post_raw, small_png

from .conftest import counts

TODAY = date.today()


def _form(school) -> dict[str, str]:
    return {"cible": f"c{school.school_class.id}", "subject": "Mathématiques", "given_on": TODAY.isoformat(),
            "due_on": (TODAY + timedelta(days=2)).isoformat(), "html": "<p>Exercices</p>", "minutes": "20"}


def _storage_files(app) -> list:
    from preau.filestore import storage_dir

    root = storage_dir(app.config)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_every_upload_attack_is_refused_and_nothing_is_stored(app, client, db, ecole, login_as):
    login_as(ecole.teacher)
    before, files_before = counts(db), _storage_files(app)
    for name, content, status, reason in attacks():
        for url in ("/apps/cahier/devoir/nouveau", "/apps/cahier/seance/nouvelle"):
            fields = {**_form(ecole), "day": TODAY.isoformat()}
            response = post_raw(client, url, fields, [("files", name, content)])
            assert response.status_code == status, (url, name)
            assert reason in html.unescape(response.get_data(as_text=True)), (url, name)
    assert counts(db) == before and _storage_files(app) == files_before


def test_one_bad_file_among_good_ones_stores_none_of_them(app, client, db, ecole, login_as):
    login_as(ecole.teacher)
    before, files_before = counts(db), _storage_files(app)
    response = post_raw(client, "/apps/cahier/devoir/nouveau", _form(ecole),
                        [("files", "fiche.pdf", PDF), ("files", "dessin.svg", b"<svg onload=alert(1)>")])
    assert response.status_code == 415
    assert counts(db) == before and _storage_files(app) == files_before


def test_a_normal_attachment_is_stored_with_a_clean_name_and_the_sniffed_type(client, db, ecole, login_as):
    login_as(ecole.teacher)
    response = post_raw(client, "/apps/cahier/devoir/nouveau", _form(ecole),
                        [("files", "\u202e fiche.pdf", PDF), ("files", "schema.png", small_png())])
    assert response.status_code == 303
    rows = db.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [(a.filename, a.mime) for a in rows] == [("fiche.pdf", "application/pdf"), ("schema.png", "image/png")]
