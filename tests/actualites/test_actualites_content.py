"""Rich text, images, scheduling, comments and the bad inputs of the issue: a clear French message, a 4xx, the
database unchanged."""

from __future__ import annotations

import io
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from PIL import Image as PILImage
from sqlalchemy import select

from preau_plugins.actualites import services
from preau_plugins.actualites.models import Comment, Grant, Image, Item, State

from .conftest import counts, publish_news

HOSTILE = ('<p onclick="steal()">Bonjour<script>alert(1)</script></p>'
           '<a href="javascript:alert(2)">lien</a>'
           '<p style="width: expression(alert(3))">style</p>'
           '<img src="x" onerror="alert(4)"><img src="javascript:alert(5)">'
           '<img src="https://example.org/ok.png" alt="ok"><iframe src="https://evil.example"></iframe>')


def png_bytes() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _write(client, thread_id: int, **fields):
    data = {"thread_id": thread_id, "title": "Titre", "body": "<p>Texte</p>", "action": "publish", **fields}
    return client.post("/apps/actualites/ecrire", data={"csrf_token": client.csrf_token(), **data},
                       content_type="multipart/form-data")


def test_html_injection_is_stripped_in_the_stored_and_the_rendered_html(db, ecole, login_as):
    client = login_as(ecole.teacher)
    assert _write(client, ecole.class_thread.id, title="Injection", body=HOSTILE).status_code == 302
    item = db.scalar(select(Item).where(Item.title == "Injection"))
    for bad in ("<script", "alert(1)", "onclick", "javascript:", "expression(", "style=", "onerror", "<iframe"):
        assert bad not in item.body
    assert '<img src="https://example.org/ok.png" alt="ok">' in item.body
    assert "<p>Bonjour</p>" in item.body
    page = login_as(ecole.parent).get(f"/apps/actualites/actualites/{item.id}").get_data(as_text=True)
    body = page[page.index('class="actualites-body"'):]
    for bad in ("<script", "onclick", "javascript:", "expression(", "onerror", "<iframe"):
        assert bad not in body


def test_an_uploaded_image_is_stored_and_served_only_to_the_threads_readers(db, ecole, other, login_as):
    client = login_as(ecole.teacher)
    response = _write(client, ecole.class_thread.id, title="Avec image", image=(io.BytesIO(png_bytes()), "a.png"),
                      image_alt="Une affiche")
    assert response.status_code == 302
    image = db.scalar(select(Image))
    item = db.scalar(select(Item).where(Item.title == "Avec image"))
    assert f'<img src="/apps/actualites/images/{image.id}" alt="Une affiche">' in item.body
    served = login_as(ecole.parent).get(f"/apps/actualites/images/{image.id}")
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == png_bytes()
    assert login_as(other.parent).get(f"/apps/actualites/images/{image.id}").status_code == 404
    client.get("/auth/logout")
    assert client.get(f"/apps/actualites/images/{image.id}").status_code == 404  # not public


def test_an_oversized_image_is_refused_with_413_and_nothing_stored(db, ecole, login_as):
    client = login_as(ecole.teacher)
    before = counts(db)
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * services.IMAGE_MAX
    response = _write(client, ecole.class_thread.id, title="Trop lourde", image=(io.BytesIO(big), "big.png"))
    assert response.status_code == 413
    assert "5 Mo" in response.get_data(as_text=True)
    assert counts(db) == before


def test_a_file_that_is_not_an_image_is_refused(db, ecole, login_as):
    client = login_as(ecole.teacher)
    before = counts(db)
    response = _write(client, ecole.class_thread.id, image=(io.BytesIO(b"<svg onload=alert(1)>"), "x.svg"))
    assert response.status_code == 415
    assert counts(db) == before


def test_a_future_publication_is_scheduled_in_the_schools_time_zone_and_shown_as_such(db, ecole, login_as):
    client = login_as(ecole.teacher)
    local = (services.to_local(services.utcnow()) + timedelta(days=3)).replace(second=0, microsecond=0)
    assert _write(client, ecole.class_thread.id, title="Plus tard",
                  publish_at=local.strftime("%Y-%m-%dT%H:%M")).status_code == 302
    item = db.scalar(select(Item).where(Item.title == "Plus tard"))
    paris = ZoneInfo("Europe/Paris")
    assert item.state == State.PUBLISHED
    assert item.publish_at == local.replace(tzinfo=paris).astimezone(UTC).replace(tzinfo=None)
    page = client.get(f"/apps/actualites/actualites/{item.id}").get_data(as_text=True)
    assert f"Programmée pour le {local.strftime('%d/%m/%Y %H:%M')}" in page
    assert "Plus tard" in client.get("/apps/actualites/mes-actualites").get_data(as_text=True)
    parent = login_as(ecole.parent)
    assert "Plus tard" not in parent.get("/apps/actualites/").get_data(as_text=True)
    assert parent.get(f"/apps/actualites/actualites/{item.id}").status_code == 404


def test_an_impossible_date_is_refused_with_400_and_nothing_stored(db, ecole, login_as):
    client = login_as(ecole.teacher)
    before = counts(db)
    for publish_at, expire_at in (("2026-02-30T08:00", ""), ("demain", ""), ("9999-01-01T00:00", ""),
                                  ("2026-12-10T08:00", "2026-12-01T08:00")):
        response = _write(client, ecole.class_thread.id, publish_at=publish_at, expire_at=expire_at)
        assert response.status_code == 400, publish_at
        assert "date" in response.get_data(as_text=True)
    assert counts(db) == before


def test_an_empty_title_is_refused_with_422(db, ecole, login_as):
    before = counts(db)
    response = _write(login_as(ecole.teacher), ecole.class_thread.id, title="   ")
    assert response.status_code == 422
    assert "Donnez un titre" in response.get_data(as_text=True)
    assert counts(db) == before


def test_a_class_news_cannot_go_on_the_public_page(db, ecole, login_as):
    before = counts(db)
    response = _write(login_as(ecole.teacher), ecole.class_thread.id, is_public="1")
    assert response.status_code == 403
    assert counts(db) == before


def test_comments_are_refused_when_the_thread_disables_them(db, ecole, login_as):
    ecole.thread.comments_enabled = False
    item = publish_news(db, ecole.thread, ecole.admin, "Sans commentaires")
    before = counts(db)
    response = login_as(ecole.parent).post_form(f"/apps/actualites/actualites/{item.id}/commentaires",
                                                 {"body": "Je commente"})
    assert response.status_code == 403
    assert "commentaires sont fermés" in response.get_data(as_text=True)
    assert counts(db) == before


def test_a_reader_comments_and_a_moderator_deletes_the_comment(db, ecole, login_as):
    item = publish_news(db, ecole.class_thread, ecole.teacher, "Avec commentaires")
    client = login_as(ecole.parent)
    assert client.post_form(f"/apps/actualites/actualites/{item.id}/commentaires",
                            {"body": "<b>Merci</b>"}).status_code == 302
    comment = db.scalar(select(Comment))
    page = client.get(f"/apps/actualites/actualites/{item.id}").get_data(as_text=True)
    assert "&lt;b&gt;Merci&lt;/b&gt;" in page  # plain text, escaped
    assert client.post_form(f"/apps/actualites/actualites/{item.id}/commentaires/{comment.id}/supprimer"
                            ).status_code == 403
    assert login_as(ecole.teacher).post_form(
        f"/apps/actualites/actualites/{item.id}/commentaires/{comment.id}/supprimer").status_code == 403
    db.add(Grant(thread_id=ecole.class_thread.id, role=4, user_id=ecole.staff.id))
    db.flush()
    assert login_as(ecole.staff).post_form(
        f"/apps/actualites/actualites/{item.id}/commentaires/{comment.id}/supprimer").status_code == 302
    db.refresh(comment)
    assert comment.deleted
    assert "Merci" not in login_as(ecole.parent).get(f"/apps/actualites/actualites/{item.id}").get_data(
        as_text=True)


def test_an_archived_class_thread_stays_readable_but_takes_no_writing(db, ecole, login_as):
    item = publish_news(db, ecole.class_thread, ecole.teacher, "Souvenir de l'an passé")
    assert services.archive_class_threads(db, ecole.structure.id) == 1
    db.flush()
    assert login_as(ecole.parent).get(f"/apps/actualites/actualites/{item.id}").status_code == 200
    before = counts(db)
    response = login_as(ecole.teacher).post_form("/apps/actualites/ecrire", {
        "thread_id": ecole.class_thread.id, "title": "Nouvelle", "action": "publish"})
    assert response.status_code == 409
    assert counts(db) == before
    assert db.get(Item, item.id) is not None


def test_a_refused_news_item_leaves_no_uploaded_file_behind(app, db, ecole, login_as):
    from preau.filestore import storage_dir

    root = storage_dir(app.config)
    files = lambda: sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []  # noqa: E731
    before_files, before = files(), counts(db)
    response = _write(login_as(ecole.teacher), ecole.class_thread.id, title=" ",
                      image=(io.BytesIO(png_bytes()), "a.png"))
    assert response.status_code == 422
    assert counts(db) == before
    assert files() == before_files
