"""The messaging pages: compose and send through the form, 403 with the reason, boxes, the bar and the widget."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from preau_plugins.messaging.models import Delivery, Message
from preau_plugins.messaging.services.compose import send


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_compose_page_sends_to_a_reachable_teacher(db, world, login_as):
    s = world.s
    client = login_as(s.parent)
    page = client.get("/apps/messaging/compose")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text and 'role="combobox"' in page.text
    response = client.post_form("/apps/messaging/compose", {
        "action": "send", "subject": "Absence", "body": "<p>Léa sera absente.</p>", "body_format": "html",
        "to": f"u:{s.teacher.id}"})
    assert response.status_code == 302
    row = db.scalar(select(Message).where(Message.subject == "Absence"))
    assert row is not None and row.state == "sent"
    inbox = login_as(s.teacher).get("/apps/messaging/")
    assert "Absence" in inbox.text


def test_sending_to_another_parent_through_the_form_is_403_with_a_french_reason(db, world, login_as):
    s = world.s
    client = login_as(s.parent)
    before = (count(db, Message), count(db, Delivery))
    response = client.post_form("/apps/messaging/compose", {
        "action": "send", "subject": "Hello", "body": "x", "to": [f"u:{s.teacher.id}", f"u:{world.parent2.id}"]})
    assert response.status_code == 403
    assert "Envoi refusé" in response.text and "Rien n&#39;a été envoyé" in response.text
    assert (count(db, Message), count(db, Delivery)) == before


def test_the_form_needs_its_csrf_token(db, world, login_as):
    s = world.s
    client = login_as(s.parent)
    response = client.post("/apps/messaging/compose", data={"action": "send", "to": f"u:{s.teacher.id}"})
    assert response.status_code == 400
    assert count(db, Message) == 0


def test_autocomplete_offers_the_teacher_but_never_another_parent(db, world, login_as):
    s = world.s
    client = login_as(s.parent)
    everyone = client.get("/apps/messaging/recipients?q=").get_json()
    tokens = {p["token"] for p in everyone["people"]}
    assert f"u:{s.teacher.id}" in tokens and f"u:{s.student.id}" in tokens
    assert f"u:{world.parent2.id}" not in tokens
    by_name = client.get("/apps/messaging/recipients?q=Autre").get_json()
    assert by_name["people"] == []
    assert all(g["token"] != f"g:{world.parents_group.id}" for g in everyone["groups"])
    assistant = client.get(f"/apps/messaging/recipients?profile=relative&class_id={s.school_class.id}").get_json()
    assert assistant["people"] == []
    assert client.get("/apps/messaging/recipients?profile=pirate").status_code == 400


def test_autosave_creates_then_updates_one_draft(db, world, login_as):
    s = world.s
    client = login_as(s.parent)
    token = client.csrf_token()
    first = client.post("/apps/messaging/drafts/autosave", headers={"X-CSRFToken": token},
                        data={"subject": "Début", "body": "<p>a</p>", "body_format": "html"})
    assert first.status_code == 200
    draft_id = first.get_json()["id"]
    again = client.post("/apps/messaging/drafts/autosave", headers={"X-CSRFToken": token},
                        data={"draft_id": draft_id, "subject": "Suite", "body": "<p>b</p>", "body_format": "html",
                              "to": f"u:{s.teacher.id}"})
    assert again.get_json()["id"] == draft_id
    assert db.get(Message, draft_id).subject == "Suite"
    assert "Suite" in client.get("/apps/messaging/box/drafts").text
    other = login_as(s.teacher)
    stolen = other.post("/apps/messaging/drafts/autosave", headers={"X-CSRFToken": other.csrf_token()},
                        data={"draft_id": draft_id, "subject": "pwned"})
    assert stolen.status_code == 404 and stolen.get_json()["reason"] == "not_found"
    assert db.get(Message, draft_id).subject == "Suite"


def test_another_users_message_id_in_the_url_is_404(db, world, login_as):
    s = world.s
    message = send(db, s.teacher, subject="Privé", body_html="secret", fields={"to": [f"u:{s.parent.id}"]})
    client = login_as(world.other.parent)
    response = client.get(f"/apps/messaging/message/{message.id}")
    assert response.status_code == 404
    assert "secret" not in response.text
    moved = client.post_form("/apps/messaging/actions", {"action": "trash", "ids": str(message.id)})
    assert moved.status_code == 404
    assert db.scalar(select(Delivery.trashed_at).where(Delivery.user_id == s.parent.id)) is None


def test_reading_marks_read_and_updates_the_bar_count(db, world, login_as):
    s = world.s
    message = send(db, s.teacher, subject="Info", body_html="<p>x</p>", fields={"to": [f"u:{s.parent.id}"]})
    client = login_as(s.parent)
    home = client.get("/")
    bar = re.search(r'<nav class="bar__nav".*?</nav>', home.text, re.S).group(0)
    assert "/apps/messaging/" in bar and "1 non lu" in bar
    assert "Messages non lus" in home.text  # the dashboard widget
    assert client.get(f"/apps/messaging/message/{message.id}").status_code == 200
    bar = re.search(r'<nav class="bar__nav".*?</nav>', client.get("/").text, re.S).group(0)
    assert "non lu" not in bar


def test_trash_restore_and_empty(db, world, login_as):
    s = world.s
    message = send(db, s.teacher, subject="À jeter", body_html="x", fields={"to": [f"u:{s.parent.id}"]})
    client = login_as(s.parent)
    client.post_form("/apps/messaging/actions", {"action": "trash", "ids": str(message.id)})
    assert "À jeter" not in client.get("/apps/messaging/").text
    assert "À jeter" in client.get("/apps/messaging/box/trash").text
    client.post_form("/apps/messaging/actions", {"action": "restore", "ids": str(message.id)})
    assert "À jeter" in client.get("/apps/messaging/").text
    client.post_form("/apps/messaging/actions", {"action": "trash", "ids": str(message.id)})
    assert client.post_form("/apps/messaging/trash/empty").status_code == 302
    assert "À jeter" not in client.get("/apps/messaging/box/trash").text
    assert client.get(f"/apps/messaging/message/{message.id}").status_code == 404
    assert "À jeter" in login_as(s.teacher).get("/apps/messaging/box/sent").text  # the sender keeps it


def test_empty_states_and_signature(db, world, login_as):
    s = world.s
    client = login_as(s.guest)
    assert "Aucun message reçu" in client.get("/apps/messaging/").text
    assert "La corbeille est vide" in client.get("/apps/messaging/box/trash").text
    assert client.get("/apps/messaging/box/pirate").status_code == 404
    client.post_form("/apps/messaging/settings", {"signature": "Igor\nInvité"})
    assert "Igor<br>Invité" in client.get("/apps/messaging/compose").text.replace("&lt;br&gt;", "<br>")


def test_messaging_is_404_where_it_is_not_enabled(db, school, login_as):
    client = login_as(school.parent)
    assert client.get("/apps/messaging/").status_code == 403
    assert client.get("/api/v1/messages").status_code == 404


def test_dates_are_shown_in_the_schools_time_zone(db, world, login_as):
    from datetime import datetime

    s = world.s
    message = send(db, s.parent, subject="Heure", body_html="<p>x</p>", fields={"to": [f"u:{s.teacher.id}"]})
    message.sent_at = datetime(2026, 11, 23, 10, 5)  # stored in UTC; Paris is UTC+1 in November
    db.flush()
    page = login_as(s.teacher).get("/apps/messaging/").get_data(as_text=True)
    assert "23/11/2026 11:05" in page and "23/11/2026 10:05" not in page
