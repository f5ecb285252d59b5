"""Personal access tokens: created once in plaintext, stored hashed, checked as bearer tokens, revocable."""

import hashlib
import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from preau.auth import tokens
from preau.db import Model
from preau.models import AccountState, ApiToken, AuditEvent
from preau.models._time import utcnow

TOKEN_IN_PAGE = re.compile(r'value="(preau_[A-Za-z0-9_-]{43})"')


def _bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


def _refusals(db):
    return db.scalars(select(AuditEvent).where(AuditEvent.action == "api.token_refused")
                      .order_by(AuditEvent.id)).all()


def _row_counts(db):
    return {table.name: db.scalar(select(func.count()).select_from(table)) for table in Model.metadata.sorted_tables
            if table.name != "audit_events"}


def _database_contains(db, text):
    """Whether any column of any row of any table holds ``text``."""
    for table in Model.metadata.sorted_tables:
        for row in db.execute(select(table)):
            if any(text in (json.dumps(value) if isinstance(value, dict | list) else str(value)) for value in row):
                return True
    return False


# -- the service ------------------------------------------------------------------------------------


def test_created_token_is_random_and_only_its_hash_is_stored(school, db):
    plaintext, token = tokens.create_token(db, school.teacher, "Export", ["read"])
    other, _ = tokens.create_token(db, school.teacher, "Autre", ["read"])
    assert re.fullmatch(r"preau_[A-Za-z0-9_-]{43}", plaintext) and plaintext != other
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert token.prefix == plaintext[:12] and token.scopes == "read"
    db.flush()
    assert not _database_contains(db, plaintext)


def test_scopes_and_expiry_are_validated(school, db):
    with pytest.raises(tokens.TokenError):
        tokens.create_token(db, school.teacher, "Sans portée", [])
    with pytest.raises(tokens.TokenError):
        tokens.create_token(db, school.teacher, "Portée inventée", ["read", "root"])
    with pytest.raises(tokens.TokenError, match="Portée non autorisée"):
        tokens.create_token(db, school.teacher, "Pas admin", ["admin"])
    with pytest.raises(tokens.TokenError):
        tokens.create_token(db, school.teacher, "Trop long", ["read"], expires_in_days=10_000)
    with pytest.raises(tokens.TokenError):
        tokens.create_token(db, school.teacher, "   ", ["read"])
    _, token = tokens.create_token(db, school.admin, "Admin", ["admin", "read"], expires_in_days=30)
    assert token.scopes == "read admin"
    assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)


def test_revoking_another_users_token_is_refused(school, db):
    _, token = tokens.create_token(db, school.teacher, "À moi", ["read"])
    with pytest.raises(tokens.TokenError):
        tokens.revoke_token(db, school.parent, token.id)
    assert token.revoked_at is None
    tokens.revoke_token(db, school.teacher, token.id)
    assert tokens.token_state(token) == "revoked"


# -- bearer authentication ----------------------------------------------------------------------------


def test_bearer_token_authenticates_me_and_records_last_use(school, db, client):
    plaintext, token = tokens.create_token(db, school.teacher, "Script", ["read"])
    db.flush()
    response = client.get("/api/v1/me", headers=_bearer(plaintext))
    assert response.status_code == 200
    assert response.get_json()["login"] == school.teacher.login
    db.refresh(token)
    assert token.last_used_at is not None
    assert "Set-Cookie" not in response.headers  # a token never turns into a session


def test_bearer_token_wins_over_the_session_cookie(school, db, client, login_as):
    plaintext, _ = tokens.create_token(db, school.admin, "Admin", ["read"])
    db.flush()
    login_as(school.teacher)
    assert client.get("/api/v1/me").get_json()["login"] == school.teacher.login
    assert client.get("/api/v1/me", headers=_bearer(plaintext)).get_json()["login"] == school.admin.login


def test_bearer_token_is_ignored_outside_the_api(school, db, client):
    plaintext, _ = tokens.create_token(db, school.teacher, "Script", ["read"])
    db.flush()
    response = client.get("/account/tokens", headers=_bearer(plaintext))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("header", [
    "Bearer abc",
    "Bearer preau_" + "x" * 42,
    "Bearer preau_" + "x" * 42 + "!",
    "Bearer",
    "Basic dXNlcjpwYXNzd29yZA==",
    "preau_" + "x" * 43,
])
def test_malformed_token_gets_401_json_and_is_audited(school, db, client, header):
    before = _row_counts(db)
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    body = response.get_json()
    assert body["reason"] == "malformed" and body["error"] == "unauthorized"
    assert "mal formé" in body["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    [event] = _refusals(db)
    assert event.detail["reason"] == "malformed" and event.detail["path"] == "/api/v1/me"
    raw = header.partition(" ")[2] or header
    assert raw not in json.dumps(event.detail)
    assert _row_counts(db) == before


def _refused(client, db, raw, reason):
    response = client.get("/api/v1/structures", headers=_bearer(raw))
    assert response.status_code == 401, response.get_data(as_text=True)
    body = response.get_json()
    assert body["reason"] == reason and body["message"]
    events = _refusals(db)
    assert [e.detail["reason"] for e in events] == [reason]
    assert raw not in json.dumps(events[0].detail)
    return events[0]


def test_unknown_token_gets_401_and_is_audited(school, db, client):
    before = _row_counts(db)
    event = _refused(client, db, "preau_" + "A" * 43, "unknown")
    assert event.actor_id is None and event.target_id is None
    assert _row_counts(db) == before


def test_revoked_token_gets_401_and_is_audited(school, db, client):
    plaintext, token = tokens.create_token(db, school.teacher, "Ancien", ["read"])
    tokens.revoke_token(db, school.teacher, token.id)
    db.flush()
    event = _refused(client, db, plaintext, "revoked")
    assert event.actor_id == school.teacher.id and event.target_id == str(token.id)
    db.refresh(token)
    assert token.last_used_at is None


def test_expired_token_gets_401_and_is_audited(school, db, client):
    plaintext, token = tokens.create_token(db, school.teacher, "Périmé", ["read"], expires_in_days=1)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    _refused(client, db, plaintext, "expired")


def test_token_of_a_blocked_account_gets_401(school, db, client):
    plaintext, _ = tokens.create_token(db, school.teacher, "Script", ["read"])
    school.teacher.state = AccountState.BLOCKED
    db.flush()
    _refused(client, db, plaintext, "inactive_account")


# -- the page "Mes jetons d'accès API" --------------------------------------------------------------------


def test_tokens_page_shows_an_empty_state(school, login_as):
    page = login_as(school.teacher).get("/account/tokens").get_data(as_text=True)
    assert "Vous n'avez encore créé aucun jeton." in page
    assert 'value="admin"' not in page  # the admin scope is offered to administrators only
    assert 'type="checkbox" value="read"' in page and 'required type="checkbox"' not in page


def test_created_token_is_shown_once_and_stored_hashed(school, db, login_as):
    client = login_as(school.admin)
    response = client.post_form("/account/tokens", {"name": "Export nocturne", "scopes": ["read", "admin"],
                                                    "expires_in_days": "30"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    plaintext = TOKEN_IN_PAGE.search(page).group(1)
    assert 'value="Export nocturne"' not in page  # the form is blank again
    [token] = db.scalars(select(ApiToken).where(ApiToken.user_id == school.admin.id)).all()
    assert token.name == "Export nocturne" and token.scopes == "read admin" and token.expires_at is not None
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert not _database_contains(db, plaintext)
    again = client.get("/account/tokens").get_data(as_text=True)
    assert plaintext not in again and token.prefix in again and "Export nocturne" in again
    assert client.get("/api/v1/users", headers=_bearer(plaintext)).status_code == 200


@pytest.mark.parametrize("data", [
    {"name": "", "scopes": ["read"], "expires_in_days": "30"},
    {"name": "Sans portée", "expires_in_days": "30"},
    {"name": "Admin volé", "scopes": ["admin"], "expires_in_days": "30"},
    {"name": "Éternel", "scopes": ["read"], "expires_in_days": "99999"},
    {"name": "x" * 101, "scopes": ["read"], "expires_in_days": ""},
])
def test_bad_token_form_is_refused_and_creates_nothing(school, db, login_as, data):
    response = login_as(school.teacher).post_form("/account/tokens", data)
    assert response.status_code == 400
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_revoking_from_the_page_works_and_the_token_stops(school, db, login_as):
    plaintext, token = tokens.create_token(db, school.teacher, "Script", ["read"])
    db.flush()
    client = login_as(school.teacher)
    response = client.post_form(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 303
    db.refresh(token)
    assert token.revoked_at is not None
    assert "Révoqué" in client.get("/account/tokens").get_data(as_text=True)
    assert client.get("/api/v1/me", headers=_bearer(plaintext)).get_json()["reason"] == "revoked"


def test_revoking_needs_a_genuine_csrf_token(school, db, login_as):
    _, token = tokens.create_token(db, school.teacher, "Script", ["read"])
    db.flush()
    client = login_as(school.teacher)
    response = client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400
    db.refresh(token)
    assert token.revoked_at is None


def test_revoking_someone_elses_token_changes_nothing(school, db, login_as):
    _, token = tokens.create_token(db, school.admin, "Admin", ["read"])
    db.flush()
    client = login_as(school.teacher)
    response = client.post_form(f"/account/tokens/{token.id}/revoke", follow_redirects=True)
    assert "Ce jeton n'existe pas." in html.unescape(response.get_data(as_text=True))
    db.refresh(token)
    assert token.revoked_at is None
