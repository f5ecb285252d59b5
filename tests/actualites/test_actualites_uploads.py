"""The attacks of issue 16 (point 8) on news images: the kernel's upload validation refuses each one with its
status and French reason, and nothing is stored (no row, no file). A news image is shown inline to every reader,
so SVG is refused outright and pixel dimensions are bounded (a 110 KB PNG of 30,000 × 30,000 px). Names go as a
hand-built multipart body, so they reach the app unchanged whatever Werkzeug does with them."""

from __future__ import annotations

import html

from sqlalchemy import select

from preau_plugins.actualites.models import Image, Item
from tests.upload_attacks import PDF, attacks, post_raw, small_png

from .conftest import counts, publish_news


def _fields(thread_id: int, **extra: str) -> dict[str, str]:
    return {"thread_id": str(thread_id), "title": "Avec image", "body": "<p>Texte</p>", "action": "publish", **extra}


def _storage_files(app) -> list:
    from preau.filestore import storage_dir

    root = storage_dir(app.config)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


IMAGE_ONLY = [("cours.pdf", PDF, 415, "images PNG, JPEG, GIF, WebP"), ("faux.png", PDF, 400, "ne correspond pas")]


def test_every_upload_attack_is_refused_on_writing_and_editing_and_nothing_is_stored(app, db, ecole, login_as):
    client = login_as(ecole.teacher)
    news = publish_news(db, ecole.class_thread, ecole.teacher, title="Déjà là")
    db.commit()
    before, files_before = counts(db), _storage_files(app)
    for name, content, status, reason in attacks() + IMAGE_ONLY:
        for url, fields in (("/apps/actualites/ecrire", _fields(ecole.class_thread.id)),
                            (f"/apps/actualites/actualites/{news.id}/modifier", _fields(ecole.class_thread.id,
                                                                                         action="keep"))):
            response = post_raw(client, url, fields, [("image", name, content)])
            assert response.status_code == status, (url, name)
            assert reason in html.unescape(response.get_data(as_text=True)), (url, name)
    assert counts(db) == before and _storage_files(app) == files_before
    db.expire_all()
    assert "<img" not in db.get(Item, news.id).body


def test_a_normal_image_is_stored_with_its_sniffed_type(db, ecole, login_as):
    client = login_as(ecole.teacher)
    response = post_raw(client, "/apps/actualites/ecrire", _fields(ecole.class_thread.id),
                        [("image", "affiche.png", small_png(1200, 800))])
    assert response.status_code == 302
    image = db.scalar(select(Image))
    assert (image.mime, image.size) == ("image/png", len(small_png(1200, 800)))
