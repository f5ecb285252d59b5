"""State-changing requests must come from the site itself (issue 16, point 7): the CSRF token is not enough, the
``Origin`` (or, without it, the ``Referer``) must be the site's. Each test forges the request a foreign page would
send — with a valid CSRF token, as if it had leaked — and checks the 403, its French reason, the audit and that
nothing changed; same-origin requests, header-less clients and bearer-token API calls still work."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from preau.auth import tokens
from preau.models import ApiToken, AuditEvent
from preau.origin import origin_of
from preau.testing import TEST_PASSWORD

EVIL = "https://evil.example"


def _token_count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(ApiToken))


def _rejections(db) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == "security.origin_rejected")))


def _create_token(client, **headers):
    data = {"csrf_token": client.csrf_token(), "name": "Volé", "scopes": ["read", "write"],
            "expires_in_days": "90"}
    return client.post("/account/tokens", data=data, headers=headers)


@pytest.mark.parametrize("headers", [
    {"Origin": EVIL},
    {"Origin": "null"},
    {"Origin": "http://localhost.evil.example"},
    {"Origin": "https://localhost"},  # another scheme is another origin
    {"Origin": "http://localhost:8080"},
    {"Referer": f"{EVIL}/piege.html"},
    {"Referer": "not a url"},
])
def test_a_cross_site_form_post_with_a_valid_csrf_token_is_refused(client, db, school, login_as, headers):
    login_as(school.teacher)
    before = _token_count(db)
    response = _create_token(client, **headers)
    assert response.status_code == 403
    assert "ne vient pas de ce site" in response.get_data(as_text=True)
    assert _token_count(db) == before
    [event] = _rejections(db)
    header = next(iter(headers))
    assert (event.actor_id, event.detail["header"], event.detail["value"]) == (school.teacher.id, header,
                                                                              headers[header])


def test_same_origin_and_header_less_posts_are_accepted(client, db, school, login_as):
    login_as(school.teacher)
    before = _token_count(db)
    assert _create_token(client, Origin="http://localhost").status_code == 201
    assert _create_token(client, Origin="HTTP://LOCALHOST:80").status_code == 201
    assert _create_token(client, Referer="http://localhost/account/tokens").status_code == 201
    assert _create_token(client).status_code == 201  # no Origin, no Referer: a script; the CSRF token decides
    assert _token_count(db) == before + 4
    assert _rejections(db) == []


def test_the_login_form_is_covered_against_login_csrf(client, db, school):
    """A foreign page logging the victim's browser into the attacker's account: refused, no session opened."""
    data = {"csrf_token": client.csrf_token(), "login": school.teacher.login, "password": TEST_PASSWORD}
    response = client.post("/auth/login", data=data, headers={"Origin": EVIL})
    assert response.status_code == 403 and "ne vient pas de ce site" in response.get_data(as_text=True)
    assert client.get("/account/tokens").status_code == 302  # still anonymous: sent to the login page
    data["csrf_token"] = client.csrf_token()
    same_site = client.post("/auth/login", data=data, headers={"Origin": "http://localhost"})
    assert same_site.status_code == 302, same_site.get_data(as_text=True)


def test_a_cookie_authenticated_api_call_from_another_site_is_refused_in_json(client, db, school, login_as):
    login_as(school.teacher)
    response = client.post("/api/v1/me/favourites", json={}, headers={"X-CSRFToken": client.csrf_token(),
                                                                       "Origin": EVIL})
    assert response.status_code == 403
    assert response.get_json()["reason"] == "origin_rejected"
    assert "ne vient pas de ce site" in response.get_json()["message"]


def test_a_bearer_token_api_call_needs_no_origin(client, db, school):
    plaintext, _token = tokens.create_token(db, school.admin, "Script", ["read", "write", "admin"])
    db.commit()
    headers = {"Authorization": f"Bearer {plaintext}"}
    api_posts = [rule for rule in client.application.url_map.iter_rules()
                 if rule.rule.startswith("/api/v1/") and "POST" in rule.methods and not rule.arguments]
    assert api_posts, "no argument-less API POST to try"
    for rule in api_posts:
        for extra in ({}, {"Origin": EVIL}):  # no ambient authority: the token is the proof
            response = client.post(rule.rule, json={}, headers={**headers, **extra})
            assert response.status_code != 403 or response.get_json()["reason"] != "origin_rejected", rule.rule
    assert _rejections(db) == []


def test_the_public_url_is_the_site_when_configured(client, db, school, login_as, monkeypatch):
    login_as(school.teacher)
    monkeypatch.setitem(client.application.config, "PUBLIC_URL", "https://ent.example.fr")
    assert _create_token(client, Origin="https://ent.example.fr").status_code == 201
    assert _create_token(client, Origin="http://localhost").status_code == 403


def test_origin_of_normalises_and_rejects_what_is_not_http():
    assert origin_of("https://Ent.Example.fr/x?y") == "https://ent.example.fr:443"
    assert origin_of("http://localhost:5000") == "http://localhost:5000"
    for bad in ("null", "", None, "file:///etc/passwd", "javascript:alert(1)", "https://", "http://h:99999"):
        assert origin_of(bad) is None, bad
