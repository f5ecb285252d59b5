"""/api/v1/messages: the same rules as the pages, bearer tokens, JSON errors with a French reason."""

from __future__ import annotations

from sqlalchemy import func, select

from preau.auth.tokens import create_token
from preau_plugins.messaging.models import Message
from preau_plugins.messaging.services.compose import send


def bearer(db, user, scopes=("read", "write")) -> dict[str, str]:
    raw, _token = create_token(db, user, "tests", sorted(scopes))
    return {"Authorization": f"Bearer {raw}"}


def test_send_list_and_read_with_a_bearer_token(client, db, world):
    s = world.s
    headers = bearer(db, s.parent)
    sent = client.post("/api/v1/messages", headers=headers,
                       json={"subject": "API", "body": "<p>Bonjour<script>x()</script></p>",
                             "to": [f"u:{s.teacher.id}"]})
    assert sent.status_code == 201, sent.get_json()
    message_id = sent.get_json()["id"]
    teacher = bearer(db, s.teacher)
    inbox = client.get("/api/v1/messages?box=inbox", headers=teacher).get_json()
    assert [m["subject"] for m in inbox["items"]] == ["API"]
    assert inbox["unread"]["inbox"] == 1 and inbox["items"][0]["unread"] is True
    one = client.get(f"/api/v1/messages/{message_id}", headers=teacher).get_json()
    assert one["body_html"] == "<p>Bonjour</p>"
    assert one["to"] == [{"field": "to", "kind": "user", "id": s.teacher.id, "label": s.teacher.display_name}]
    assert client.get("/api/v1/messages", headers=teacher).get_json()["unread"]["inbox"] == 1  # a GET never writes
    marked = client.patch(f"/api/v1/messages/{message_id}", headers=teacher, json={"read": True})
    assert marked.status_code == 200 and marked.get_json()["unread"] is False
    assert client.get("/api/v1/messages", headers=teacher).get_json()["unread"]["inbox"] == 0
    client.patch(f"/api/v1/messages/{message_id}", headers=teacher, json={"read": False})
    assert client.get("/api/v1/messages", headers=teacher).get_json()["unread"]["inbox"] == 1


def test_a_read_token_reads_a_message_without_marking_it_read_and_cannot_mark_it(client, db, world):
    s = world.s
    message = send(db, s.parent, subject="Lu ?", body_html="x", fields={"to": [f"u:{s.teacher.id}"]})
    db.commit()
    read_only = bearer(db, s.teacher, scopes=("read",))
    assert client.get(f"/api/v1/messages/{message.id}", headers=read_only).status_code == 200
    assert client.get("/api/v1/messages", headers=read_only).get_json()["unread"]["inbox"] == 1
    refused = client.patch(f"/api/v1/messages/{message.id}", headers=read_only, json={"read": True})
    assert refused.status_code == 403 and refused.get_json()["reason"] == "insufficient_scope"
    assert client.get("/api/v1/messages", headers=read_only).get_json()["unread"]["inbox"] == 1


def test_api_refuses_another_parent_with_403_and_stores_nothing(client, db, world):
    s = world.s
    before = db.scalar(select(func.count()).select_from(Message))
    refused = client.post("/api/v1/messages", headers=bearer(db, s.parent),
                          json={"subject": "x", "body": "x", "to": [f"u:{world.parent2.id}"]})
    assert refused.status_code == 403
    body = refused.get_json()
    assert body["reason"] == "recipient_refused" and "Envoi refusé" in body["message"]
    assert db.scalar(select(func.count()).select_from(Message)) == before
    forged = client.post("/api/v1/messages", headers=bearer(db, s.parent),
                         json={"subject": "x", "to": ["g:abc"]})
    assert forged.status_code == 422


def test_api_another_users_message_is_404_and_read_scope_cannot_send(client, db, world):
    s = world.s
    message = send(db, s.teacher, subject="Privé", body_html="x", fields={"to": [f"u:{s.parent.id}"]})
    assert client.get(f"/api/v1/messages/{message.id}", headers=bearer(db, world.parent2)).status_code == 404
    read_only = bearer(db, s.parent, scopes=("read",))
    refused = client.post("/api/v1/messages", headers=read_only, json={"to": [f"u:{s.teacher.id}"]})
    assert refused.status_code == 403 and refused.get_json()["reason"] == "insufficient_scope"


def test_api_folders_crud_and_cycles(client, db, world):
    headers = bearer(db, world.s.teacher)
    parent = client.post("/api/v1/messages/folders", headers=headers, json={"name": "Classe"}).get_json()
    child = client.post("/api/v1/messages/folders", headers=headers,
                        json={"name": "Sorties", "parent_id": parent["id"]}).get_json()
    cycle = client.patch(f"/api/v1/messages/folders/{parent['id']}", headers=headers,
                         json={"parent_id": child["id"]})
    assert cycle.status_code == 400 and cycle.get_json()["reason"] == "folder_cycle"
    renamed = client.patch(f"/api/v1/messages/folders/{child['id']}", headers=headers, json={"name": "Voyages"})
    assert renamed.get_json()["name"] == "Voyages"
    listed = client.get("/api/v1/messages/folders", headers=headers).get_json()
    assert {f["name"] for f in listed} == {"Classe", "Voyages"}
    assert client.delete(f"/api/v1/messages/folders/{parent['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/messages/folders", headers=headers).get_json() == []
    other = bearer(db, world.s.parent)
    assert client.delete(f"/api/v1/messages/folders/{child['id']}", headers=other).status_code == 404


def test_the_openapi_document_describes_the_messages_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/messages", "/api/v1/messages/{message_id}", "/api/v1/messages/folders"} <= set(spec["paths"])
    assert "post" in spec["paths"]["/api/v1/messages"]
