"""The school's public page (no login), the dashboard block, the JSON API and the lifecycle hooks."""

from __future__ import annotations

import json

from flask_login import login_user
from sqlalchemy import event, select

from preau_plugins.actualites import services
from preau_plugins.actualites.models import Comment, Grant, Item, State, Thread
from preau_plugins.actualites.widget import render_latest

from .conftest import counts, publish_news


def test_the_public_page_shows_only_public_published_news_without_login(db, ecole, client):
    ecole.teacher.email = "paul.prof@example.org"
    publish_news(db, ecole.thread, ecole.teacher, "Portes ouvertes", is_public=True)
    private = publish_news(db, ecole.thread, ecole.admin, "Réservée aux familles")
    draft = publish_news(db, ecole.thread, ecole.admin, "Brouillon public", is_public=True, state="draft")
    response = client.get("/apps/actualites/public/0750001A")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "École Jean-Jaurès" in page and "Portes ouvertes" in page
    assert "Réservée aux familles" not in page and "Brouillon public" not in page
    assert "paul.prof@example.org" not in page and "Paul Prof" not in page
    assert client.get(f"/apps/actualites/public/0750001A/{private.id}").status_code == 404
    assert client.get(f"/apps/actualites/public/0750001A/{draft.id}").status_code == 404
    assert client.get("/apps/actualites/public/0999999Z").status_code == 404
    assert client.get("/apps/actualites/").status_code == 302  # the rest of the app still asks for a login


def test_the_public_page_is_404_where_the_app_is_not_enabled(db, school, client):
    assert client.get(f"/apps/actualites/public/{school.structure.uai}").status_code == 404


def test_an_image_of_a_public_news_item_is_served_without_login(db, ecole, client, login_as):
    from .test_actualites_content import png_bytes

    image = services.save_image(db, ecole.admin, ecole.thread.id, png_bytes(), "affiche.png")
    publish_news(db, ecole.thread, ecole.admin, "Affiche", is_public=True,
                 body=f'<p><img src="{services.image_url(image.id)}" alt="affiche"></p>')
    assert client.get(f"/apps/actualites/images/{image.id}").status_code == 200


def _widget(app, db, user) -> tuple[str, int]:
    engine, statements = db.get_bind(), []

    def listener(*args, **kwargs):
        statements.append(1)

    with app.test_request_context("/"):
        login_user(user)
        db.flush()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            html = render_latest(user, "apercu")
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    return html, len(statements)


def test_the_widget_lists_the_latest_news_in_at_most_three_queries(app, db, ecole):
    empty, _ = _widget(app, db, ecole.parent)
    assert "Aucune actualité publiée pour le moment." in empty
    for i in range(12):
        publish_news(db, ecole.thread if i % 2 else ecole.class_thread, ecole.admin, f"Nouvelle {i:02d} <b>")
    html, queries = _widget(app, db, ecole.parent)
    assert queries <= 3
    assert html.count("<li>") == 5
    assert "Nouvelle 11 &lt;b&gt;" in html and "Actualités de l&#39;établissement" in html
    assert "Nouvelle 00" not in html


def _api(client, method: str, url: str, body=None):
    headers = {"X-CSRFToken": client.csrf_token()}
    return client.open(url, method=method, json=body, headers=headers)


def test_the_api_lists_reads_and_writes_with_the_same_role_checks(db, ecole, other, login_as):
    item = publish_news(db, ecole.thread, ecole.admin, "Via l'API")
    client = login_as(ecole.parent)
    listed = client.get("/api/v1/news").get_json()
    assert [n["title"] for n in listed] == ["Via l'API"]
    assert client.get(f"/api/v1/news/{item.id}").get_json()["body_html"] == "<p>Texte</p>"
    before = counts(db)
    refused = _api(client, "POST", "/api/v1/news", {"thread_id": ecole.thread.id, "title": "Non"})
    assert refused.status_code == 403 and refused.get_json()["reason"] == "forbidden"
    assert counts(db) == before
    staff = login_as(ecole.staff)
    refused = _api(staff, "POST", "/api/v1/news", {"thread_id": ecole.thread.id, "title": "Non", "action": "publish"})
    assert refused.status_code == 403
    assert counts(db) == before
    created = _api(staff, "POST", "/api/v1/news", {"thread_id": ecole.thread.id, "title": "Soumise",
                                                   "body": "<script>x</script><p>ok</p>", "action": "submit"})
    assert created.status_code == 201
    assert created.get_json()["state"] == "submitted" and created.get_json()["body_html"] == "<p>ok</p>"
    bad_date = _api(staff, "POST", "/api/v1/news", {"thread_id": ecole.thread.id, "title": "X",
                                                    "publish_at": "2026-13-45T99:00"})
    assert bad_date.status_code == 400 and bad_date.get_json()["reason"] == "invalid_date"
    assert _api(staff, "POST", f"/api/v1/news/{created.get_json()['id']}/publish").status_code == 403
    published = _api(login_as(ecole.admin), "POST", f"/api/v1/news/{created.get_json()['id']}/publish")
    assert published.status_code == 200 and published.get_json()["state"] == "published"
    outsider = login_as(other.parent)
    assert outsider.get(f"/api/v1/news/{item.id}").status_code == 404
    assert outsider.get("/api/v1/news").get_json() == []


def test_the_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/news", "/api/v1/news/{item_id}", "/api/v1/news/{item_id}/publish"} <= set(paths)


def test_mes_donnees_holds_the_persons_news_and_comments(db, ecole):
    item = publish_news(db, ecole.class_thread, ecole.teacher, "Ma nouvelle")
    db.add(Comment(item_id=item.id, author_id=ecole.teacher.id, author_name="Paul", body="Mon commentaire"))
    db.flush()
    data = services.export_of(db, ecole.teacher)
    assert [i["title"] for i in data["items"]] == ["Ma nouvelle"]
    assert [c["body"] for c in data["comments"]] == ["Mon commentaire"]
    json.dumps(data)
    assert services.export_of(db, ecole.parent) == {"items": [], "comments": [], "files": []}


def test_the_year_transition_archives_class_threads_and_deletes_nothing(app, db, ecole):
    from preau.directory.year_transition import apply_transition

    item = publish_news(db, ecole.class_thread, ecole.teacher, "Juin")
    before = counts(db)
    apply_transition(db, ecole.structure)
    db.flush()
    assert counts(db) == before
    db.refresh(ecole.class_thread)
    db.refresh(ecole.thread)
    assert ecole.class_thread.archived_at is not None and ecole.thread.archived_at is None
    assert db.get(Item, item.id).state == State.PUBLISHED


def test_a_merged_account_brings_its_news_and_roles(db, ecole, other):
    item = publish_news(db, ecole.thread, other.staff, "Écrite par le doublon")
    db.add(Grant(thread_id=ecole.thread.id, role=4, user_id=other.staff.id))
    db.flush()
    services.merge_user(db, ecole.staff.id, other.staff.id)
    db.flush()
    db.refresh(item)
    assert item.author_id == ecole.staff.id
    assert services.role_on(db, ecole.staff, ecole.thread) == 4


def test_a_deleted_account_leaves_its_news_unsigned(db, ecole):
    item = publish_news(db, ecole.thread, ecole.staff, "Reste")
    db.add(Grant(thread_id=ecole.thread.id, role=4, user_id=ecole.staff.id))
    db.flush()
    services.forget_user(db, ecole.staff.id)
    db.flush()
    db.refresh(item)
    assert item.author_id is None and item.title == "Reste"
    assert db.scalar(select(Grant).where(Grant.user_id == ecole.staff.id)) is None
    assert db.scalar(select(Thread).where(Thread.id == ecole.thread.id)) is not None

