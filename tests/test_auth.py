"""Logging in and out, and every bad input on the way."""

from sqlalchemy import select

from preau.models import AuditEvent


def _events(db, action):
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_login_redirects_to_dashboard(school, client):
    response = client.post_form("/auth/login", {"login": school.parent.login, "password": school.password})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_gets_a_french_message_and_is_audited(school, client, db):
    response = client.post_form("/auth/login", {"login": school.parent.login, "password": "nope-nope-1"})
    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in response.get_data(as_text=True)
    assert [e.detail["reason"] for e in _events(db, "auth.login_failed")] == ["bad_password"]
