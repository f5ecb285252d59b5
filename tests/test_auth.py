"""Logging in and out, redirect targets, CSRF, injection attempts, cookies and hashing.

Every refusal is checked for its French message, its HTTP status, its audit event (action and reason, no
secret) and for leaving every account as it was.
"""

import pytest
from sqlalchemy import select

from preau.auth import service
from preau.auth.passwords import verify_password
from preau.config import ConfigError
from preau.directory.lifecycle import transition
from preau.models import AccountState, AuditEvent
from tests.auth_helpers import (
    accounts,
    assert_logged_out,
    assert_no_secret_logged,
    attempts,
    events,
    flashes,
    log_in,
    new_client,
    page,
    reasons,
)

BAD_CREDENTIALS = "Identifiant ou mot de passe incorrect."
CSRF_MESSAGE = "Le formulaire a expiré ou n'est pas authentique (jeton CSRF invalide)."


# -- logging in ----------------------------------------------------------------------------------------


def test_login_redirects_to_dashboard_and_is_audited(school, client, db):
    response = log_in(client, school.parent, school.password)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    [event] = events(db, "auth.login")
    assert event.actor_id == school.parent.id and event.ip == "127.0.0.1"
    assert_no_secret_logged(db, school.password)


def test_login_page_has_login_password_and_csrf_fields(client, db):
    response = client.get("/auth/login?next=/apps")
    text = page(response)
    assert response.status_code == 200
    assert 'name="login"' in text and 'name="password"' in text and 'name="csrf_token"' in text
    assert 'name="next" type="hidden" value="/apps"' in text


def test_argon2id_hashes_passwords(school):
    assert school.parent.password_hash.startswith("$argon2id$")
    assert verify_password(school.parent.password_hash, school.password)
    assert not verify_password(school.parent.password_hash, school.password + "x")


def test_wrong_password_gets_a_french_message_and_is_audited(school, client, db):
    before = accounts(db)
    response = log_in(client, school.parent, "nope-nope-1")
    assert response.status_code == 401
    assert BAD_CREDENTIALS in page(response)
    [event] = events(db, "auth.login_failed")
    assert event.detail == {"login": school.parent.login, "reason": "bad_password"}
    assert event.target_id == str(school.parent.id)
    assert_no_secret_logged(db, "nope-nope-1")
    assert accounts(db) == before
    assert_logged_out(client)


def test_unknown_login_gets_the_same_answer_as_a_wrong_password(school, client, db):
    wrong = client.post_form("/auth/login", {"login": school.parent.login, "password": "nope-nope-1"})
    unknown = client.post_form("/auth/login", {"login": "personne.inconnue", "password": "nope-nope-1"})
    assert wrong.status_code == unknown.status_code == 401
    assert BAD_CREDENTIALS in page(unknown)
    assert reasons(db, "auth.login_failed") == ["bad_password", "unknown_login"]
    assert events(db, "auth.login_failed")[1].target_id is None
    assert_logged_out(client)


def test_a_blocked_account_is_told_so_once_the_password_is_right(school, client, db):
    transition(db, school.parent, AccountState.BLOCKED, reason="test")
    before = accounts(db)
    response = log_in(client, school.parent, school.password)
    assert response.status_code == 403
    assert "Ce compte est bloqué. Adressez-vous à l'administrateur de votre établissement." in page(response)
    assert reasons(db, "auth.login_failed") == ["blocked"]
    assert accounts(db) == before
    assert_logged_out(client)


def test_a_blocked_account_with_a_wrong_password_reveals_nothing(school, client, db):
    transition(db, school.parent, AccountState.BLOCKED, reason="test")
    response = log_in(client, school.parent, "pas-le-bon-1")
    assert response.status_code == 401 and BAD_CREDENTIALS in page(response)
    assert "bloqué" not in page(response)
    assert reasons(db, "auth.login_failed") == ["bad_password"]


def test_an_inactive_account_without_password_answers_like_an_unknown_login(school, client, app, db):
    """Issue 16 point 6: a wrong password never tells whether an account exists or is still to activate."""
    from preau.directory.users import create_user

    newcomer = create_user(db, first_name="Nina", last_name="Nouvelle", login="nina.nouvelle")
    before = accounts(db)
    answers = []
    for login in ("personne.inconnue", school.parent.login, newcomer.login):
        response = new_client(app).post_form("/auth/login", {"login": login, "password": "quelconque-1"})
        answers.append((response.status_code, flashes(response)))
    assert answers[0] == answers[1] == answers[2]
    status, told = answers[0]
    assert status == 401 and any(BAD_CREDENTIALS in text for text in told)
    assert any("Si votre compte n'est pas encore activé" in text for text in told)  # the same hint for all
    assert "Ce compte n'est pas encore activé" not in " ".join(told)
    assert reasons(db, "auth.login_failed") == ["unknown_login", "bad_password", "inactive"]  # only the audit knows
    assert accounts(db) == before


def test_an_inactive_account_is_sent_to_activation_only_with_its_right_password(school, client, db):
    from preau.auth.service import set_password
    from preau.directory.users import create_user

    newcomer = create_user(db, first_name="Nina", last_name="Nouvelle", login="nina.nouvelle")
    set_password(db, newcomer, school.password)  # e.g. an account sent back to activation by an administrator
    db.flush()
    wrong = log_in(client, newcomer, "quelconque-1")
    assert wrong.status_code == 401 and "Ce compte n'est pas encore activé" not in page(wrong)
    right = log_in(client, newcomer, school.password)
    assert right.status_code == 401 and "Ce compte n'est pas encore activé" in page(right)


def test_a_deleted_account_is_treated_as_unknown(school, client, db):
    for state in (AccountState.PENDING_DELETION, AccountState.PRE_DELETED, AccountState.DELETED):
        transition(db, school.parent, state, reason="test")
    response = log_in(client, school.parent, school.password)
    assert response.status_code == 401 and BAD_CREDENTIALS in page(response)
    assert reasons(db, "auth.login_failed") == ["deleted"]
    assert_logged_out(client)


@pytest.mark.parametrize("state", [AccountState.PENDING_DELETION, AccountState.PRE_DELETED])
def test_accounts_on_their_way_out_may_still_log_in_to_export_their_data(school, client, db, state):
    transition(db, school.parent, AccountState.PENDING_DELETION, reason="no longer in the feed")
    if state == AccountState.PRE_DELETED:
        transition(db, school.parent, AccountState.PRE_DELETED, reason="test")
    assert log_in(client, school.parent, school.password).status_code == 302


def test_an_empty_form_gets_french_field_messages(client, db):
    response = client.post_form("/auth/login", {"login": "", "password": ""})
    assert response.status_code == 400
    assert "Saisissez votre identifiant." in page(response)
    assert "Saisissez votre mot de passe." in page(response)
    assert reasons(db, "auth.login_failed") == ["invalid_input"]


# -- where to go after logging in ----------------------------------------------------------------------


def test_a_local_next_is_honoured(school, client, db):
    response = client.post_form("/auth/login", {"login": school.parent.login, "password": school.password,
                                                "next": "/apps"})
    assert response.status_code == 302 and response.headers["Location"] == "/apps"
    assert events(db, "security.redirect_rejected") == []


def test_the_next_of_the_login_url_survives_the_form(school, client, db):
    response = client.get("/apps")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert "next=%2Fapps" in login_url
    assert 'value="/apps"' in page(client.get(login_url))


FOREIGN_TARGETS = ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)",
                   "http:/evil", "%2F%2Fevil.example", "/%2F%2Fevil.example", "/%252F%252Fevil.example",
                   "/%5Cevil.example", " //evil.example", "/\t/evil.example", "https:evil.example"]


@pytest.mark.parametrize("target", FOREIGN_TARGETS)
def test_a_foreign_next_is_refused_audited_and_explained(school, client, db, target):
    response = client.post_form("/auth/login", {"login": school.parent.login, "password": school.password,
                                                "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    [event] = events(db, "security.redirect_rejected")
    assert event.actor_id == school.parent.id and event.detail["reason"] == "foreign_next"
    assert event.detail["next_url"] == service.loggable(target, 200)
    assert "L'adresse de retour demandée mène hors de Préau" in page(client.get("/"))


def test_a_logged_in_visitor_of_the_login_page_is_not_sent_away(school, login_as, db):
    client = login_as(school.parent)
    response = client.get("/auth/login?next=//evil.example")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert len(events(db, "security.redirect_rejected")) == 1
    assert client.get("/auth/login?next=/apps").headers["Location"] == "/apps"


# -- CSRF ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "forged-token", "IjAxMjM0NTY3ODkwMTIzNDU2Nzg5Ig.Zz.abc"])
def test_a_login_without_a_genuine_csrf_token_is_refused(school, client, db, token):
    client.get("/auth/login")  # the session exists and has its own token
    data = {"login": school.parent.login, "password": school.password}
    if token:
        data["csrf_token"] = token
    before = accounts(db)
    response = client.post("/auth/login", data=data)
    assert response.status_code == 400
    assert CSRF_MESSAGE in page(response)
    [event] = events(db, "security.csrf_rejected")
    assert event.detail["path"] == "/auth/login" and "CSRF" in event.detail["reason"]
    assert events(db, "auth.login") == [] and attempts(db) == 0
    assert accounts(db) == before
    assert_no_secret_logged(db, school.password)
    assert_logged_out(client)


def test_a_csrf_token_of_another_session_is_refused(school, client, app, db):
    other_token = new_client(app).csrf_token()
    client.get("/auth/login")
    response = client.post("/auth/login", data={"login": school.parent.login, "password": school.password,
                                                 "csrf_token": other_token})
    assert response.status_code == 400 and CSRF_MESSAGE in page(response)
    assert len(events(db, "security.csrf_rejected")) == 1
    assert_logged_out(client)


# -- logging out ---------------------------------------------------------------------------------------


def test_logout_by_get_only_asks_for_confirmation(school, login_as, db):
    client = login_as(school.parent)
    response = client.get("/auth/logout")
    assert response.status_code == 200
    assert "Se déconnecter" in page(response) and 'method="post"' in page(response)
    assert client.get("/").status_code == 200  # still logged in
    assert events(db, "auth.logout") == []


def test_logout_without_csrf_token_is_refused(school, login_as, db):
    client = login_as(school.parent)
    response = client.post("/auth/logout")
    assert response.status_code == 400 and CSRF_MESSAGE in page(response)
    assert client.get("/").status_code == 200
    assert events(db, "auth.logout") == [] and len(events(db, "security.csrf_rejected")) == 1


def test_logout_ends_the_session_and_is_audited(school, login_as, db):
    client = login_as(school.parent)
    response = client.post_form("/auth/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert "Vous êtes déconnecté." in page(client.get("/auth/login"))
    [event] = events(db, "auth.logout")
    assert event.actor_id == school.parent.id
    assert_logged_out(client)


# -- injection and garbage -----------------------------------------------------------------------------


@pytest.mark.parametrize("login", ["' OR 1=1 --", "admin' --", "\" OR \"\"=\"", "<script>alert(1)</script>",
                                   "parent.0001'; DROP TABLE users; --"])
def test_injection_in_the_login_is_just_an_unknown_login(school, client, db, login):
    before = accounts(db)
    response = client.post_form("/auth/login", {"login": login, "password": "' OR 1=1 --"})
    assert response.status_code == 401 and BAD_CREDENTIALS in page(response)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert reasons(db, "auth.login_failed") == ["unknown_login"]
    assert accounts(db) == before
    assert_logged_out(client)


def test_html_in_the_login_is_escaped_in_the_page(client, db):
    response = client.post_form("/auth/login", {"login": "<script>alert(1)</script>", "password": "x-y-z-1"})
    raw = response.get_data(as_text=True)
    assert "<script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw


@pytest.mark.parametrize(("field", "value", "message"), [
    ("login", "a" * 10_000, "Ce champ ne doit pas dépasser 64 caractères."),
    ("password", "p" * 10_000, "Ce champ ne doit pas dépasser 256 caractères."),
    ("login", "parent\x00.0001", "Ce champ contient des caractères non autorisés."),
    ("password", "Mot2passe\x00-test", "Ce champ contient des caractères non autorisés."),
    ("login", "parent\r\n.0001", "Ce champ contient des caractères non autorisés."),
])
def test_oversized_or_control_character_input_is_refused_in_french(school, client, db, field, value, message):
    before = accounts(db)
    data = {"login": school.parent.login, "password": school.password, field: value}
    response = client.post_form("/auth/login", data)
    assert response.status_code == 400
    assert message in page(response)
    [event] = events(db, "auth.login_failed")
    assert event.detail["reason"] == "invalid_input" and event.detail["fields"] == [field]
    assert len(event.detail["login"]) <= 64 and "\x00" not in event.detail["login"]
    assert_no_secret_logged(db, school.password, "Mot2passe")
    assert accounts(db) == before
    assert_logged_out(client)


@pytest.mark.parametrize(("login", "password"), [("a\x00b", "x"), ("a" * 500, "x"), ("parent", "p\x00w")])
def test_the_service_refuses_garbage_before_querying(school, db, login, password):
    # Called directly (a plugin, the API), the service must not hand a NUL byte to PostgreSQL.
    with pytest.raises(service.AuthError) as refused:
        service.authenticate(db, login, password, service.Context(ip="10.1.1.1"))
    assert refused.value.reason == "invalid_input"
    assert refused.value.message == service.MSG_INVALID_INPUT
    assert reasons(db, "auth.login_failed") == ["invalid_input"]


# -- cookies and configuration -------------------------------------------------------------------------


def test_production_session_cookie_is_secure_httponly_and_lax(preau_database_url, monkeypatch, tmp_path):
    from preau.app import create_app

    monkeypatch.setenv("PREAU_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("PREAU_COOKIE_SECURE", raising=False)
    production = create_app({"PRODUCTION": True, "SECRET_KEY": "s" * 48, "DATABASE_URL": preau_database_url})
    try:
        response = production.test_client().get("/auth/csrf-token")
        [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
        attributes = {part.strip().split("=")[0] for part in cookie.split(";")}
        assert {"Secure", "HttpOnly"} <= attributes and "SameSite=Lax" in cookie
        assert response.headers["X-Frame-Options"] == "DENY"
    finally:
        production.extensions["preau.engine"].dispose()


def test_development_cookie_is_httponly_and_lax_too(client, db):
    cookie = client.get("/auth/csrf-token").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_without_secret_key_refuses_to_start(preau_database_url, monkeypatch, tmp_path):
    from preau.app import create_app

    monkeypatch.setenv("PREAU_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("PREAU_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="PREAU_SECRET_KEY"):
        create_app({"PRODUCTION": True, "DATABASE_URL": preau_database_url})


def test_the_session_starts_afresh_at_login(school, client, db):
    client.get("/auth/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    log_in(client, school.parent, school.password)
    with client.session_transaction() as session:
        assert "planted" not in session
    assert db.scalar(select(AuditEvent.id).where(AuditEvent.action == "auth.login")) is not None


def test_a_cookie_copied_before_logout_is_worthless_after_it(school, app, client, db):
    from preau.models import AuthSession

    client.post_form("/auth/login", {"login": school.parent.login, "password": school.password})
    stolen = client.get_cookie("session").value
    assert client.get("/").status_code == 200
    client.post_form("/auth/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="localhost")
    response = thief.get("/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    rows = db.scalars(select(AuthSession).where(AuthSession.user_id == school.parent.id)).all()
    assert len(rows) == 1 and rows[0].ended_at is not None
