"""TOTP second factor: set up in one's account, asked after every password check, each code used once,
wrong codes end the session, and a platform setting makes it mandatory for administrators."""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import func, select, text

from preau.auth import totp
from preau.models import AuditEvent, TotpCredential


def _enrol(client, db, user) -> str:
    assert client.post_form("/account/totp/setup", {}).status_code == 303
    page = client.get("/account/totp").get_data(as_text=True)
    assert "<svg" in page
    secret = db.get(TotpCredential, user.id).secret
    assert secret in page
    response = client.post_form("/account/totp/setup", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 303
    assert totp.is_enabled(db, user.id)
    return secret


def _code_for_next_step(secret: str) -> str:
    """A code the server has not seen yet (the setup consumed the current step)."""
    return pyotp.TOTP(secret).at(time.time() + totp.STEP_SECONDS)


def test_after_setup_the_password_alone_opens_nothing(db, school, client, login_as):
    login_as(school.teacher)
    secret = _enrol(client, db, school.teacher)
    client.post_form("/auth/logout")
    response = client.post_form("/auth/login", {"login": school.teacher.login, "password": school.password})
    assert response.status_code == 302
    for path in ("/", "/apps", "/account/tokens"):
        gated = client.get(path)
        assert gated.status_code == 303 and "/auth/totp" in gated.headers["Location"]
    assert client.get("/api/v1/me").status_code == 401
    wrong = client.post_form("/auth/totp", {"code": "000000", "next": "/apps"})
    assert wrong.status_code == 400 and "/auth/totp" in client.get("/").headers["Location"]
    right = client.post_form("/auth/totp", {"code": _code_for_next_step(secret), "next": "/apps"})
    assert right.status_code == 303 and right.headers["Location"] == "/apps"
    assert client.get("/").status_code == 200


def test_a_code_is_accepted_once(db, school, client, login_as):
    login_as(school.teacher)
    secret = _enrol(client, db, school.teacher)
    code = _code_for_next_step(secret)
    client.post_form("/auth/logout")
    client.post_form("/auth/login", {"login": school.teacher.login, "password": school.password})
    assert client.post_form("/auth/totp", {"code": code}).status_code == 303
    client.post_form("/auth/logout")
    client.post_form("/auth/login", {"login": school.teacher.login, "password": school.password})
    assert client.post_form("/auth/totp", {"code": code}).status_code == 400  # replayed


def test_five_wrong_codes_end_the_session(db, school, client, login_as):
    login_as(school.teacher)
    _enrol(client, db, school.teacher)
    client.post_form("/auth/logout")
    client.post_form("/auth/login", {"login": school.teacher.login, "password": school.password})
    for _attempt in range(totp.MAX_FAILURES - 1):
        assert client.post_form("/auth/totp", {"code": "123456"}).status_code == 400
    last = client.post_form("/auth/totp", {"code": "123456"})
    assert last.status_code == 303 and last.headers["Location"].endswith("/auth/login")
    assert "/auth/login" in client.get("/").headers["Location"]
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "auth.totp_failed")) == totp.MAX_FAILURES


def test_a_forged_setup_without_csrf_is_refused(db, school, client, login_as):
    login_as(school.teacher)
    assert client.post("/account/totp/setup", data={}).status_code == 400
    assert db.get(TotpCredential, school.teacher.id) is None


def test_turning_it_off_takes_a_current_code(db, school, client, login_as):
    login_as(school.teacher)
    secret = _enrol(client, db, school.teacher)
    assert client.post_form("/account/totp/disable", {"code": "000000"}).status_code == 400
    assert totp.is_enabled(db, school.teacher.id)
    assert client.post_form("/account/totp/disable", {"code": _code_for_next_step(secret)}).status_code == 303
    assert not totp.is_enabled(db, school.teacher.id)


@pytest.fixture
def totp_required(app):
    app.config["ADMIN_TOTP_REQUIRED"] = True
    yield
    app.config["ADMIN_TOTP_REQUIRED"] = False


def test_the_platform_can_require_it_of_administrators(db, school, client, login_as, totp_required):
    login_as(school.admin)
    refused = client.get(f"/admin/structures/{school.structure.id}")
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/account/totp")
    assert client.get("/").status_code == 200  # the rest of the ENT stays open
    secret = _enrol(client, db, school.admin)
    assert client.get(f"/admin/structures/{school.structure.id}").status_code == 200
    assert client.post_form("/account/totp/disable", {"code": _code_for_next_step(secret)}).status_code == 403
    assert totp.is_enabled(db, school.admin.id)


def test_the_secret_is_encrypted_at_rest(db, school, client, login_as):
    login_as(school.teacher)
    secret = _enrol(client, db, school.teacher)
    raw = db.execute(text("SELECT secret FROM totp_credentials WHERE user_id = :id"),
                     {"id": school.teacher.id}).scalar()
    assert secret not in raw and raw.startswith("fernet:")


def test_an_administrator_removes_a_lost_second_factor_only_in_their_scope(db, school, client, login_as):
    from preau.directory.structures import create_structure
    from preau.directory.users import add_role, create_user
    from preau.models import StructureKind
    from preau.types import Profile

    login_as(school.teacher)
    _enrol(client, db, school.teacher)
    client.post_form("/auth/logout")
    other = create_structure(db, "École voisine", StructureKind.ECOLE, uai="0750999Z")
    stranger = create_user(db, first_name="Sam", last_name="Ailleurs")
    add_role(db, stranger, other, Profile.TEACHER)
    db.add(TotpCredential(user_id=stranger.id, secret=pyotp.random_base32(), last_step=0))
    db.commit()
    login_as(school.admin)
    assert client.post_form(f"/admin/users/{stranger.id}/totp/reset", {}).status_code == 403
    assert db.get(TotpCredential, stranger.id) is not None
    version = school.teacher.session_version
    card = client.get(f"/admin/users/{school.teacher.id}").get_data(as_text=True)
    assert "Retirer la double authentification" in card
    assert client.post_form(f"/admin/users/{school.teacher.id}/totp/reset", {}).status_code == 303
    db.expire_all()
    assert db.get(TotpCredential, school.teacher.id) is None
    assert db.get(type(school.teacher), school.teacher.id).session_version == version + 1
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "auth.totp_reset")) == 1


# -- issue 16, point 1: the second factor cannot be brute-forced -------------------------------------------------


def _password_then_pending(client, user, password):
    response = client.post_form("/auth/login", {"login": user.login, "password": password})
    assert response.status_code == 302
    assert "/auth/totp" in client.get("/").headers["Location"]


def test_replaying_the_cookie_from_before_the_first_wrong_code_gives_no_fresh_guesses(db, school, client, login_as):
    """The attack of the issue: with the password, keep the session cookie issued before the first guess and send
    it with every wrong code. The count lives on the server: after the limit the session is over, and the right
    code sent with that same cookie opens nothing."""
    login_as(school.teacher)
    secret = _enrol(client, db, school.teacher)
    client.post_form("/auth/logout")
    _password_then_pending(client, school.teacher, school.password)
    token = client.csrf_token()
    before_first_guess = client.get_cookie("session").value
    statuses = []
    for _attempt in range(12):
        client.set_cookie("session", before_first_guess)
        statuses.append(client.post("/auth/totp", data={"csrf_token": token, "code": "000000"}).status_code)
    assert statuses[:totp.MAX_FAILURES - 1] == [400] * (totp.MAX_FAILURES - 1)
    assert statuses[totp.MAX_FAILURES - 1] == 303  # the session is ended: back to the password
    assert all(status != 400 for status in statuses[totp.MAX_FAILURES:])  # no more codes are even checked
    client.set_cookie("session", before_first_guess)
    right = client.post("/auth/totp", data={"csrf_token": token, "code": _code_for_next_step(secret)})
    assert right.status_code in (302, 303) and "/auth/login" in right.headers["Location"]
    client.set_cookie("session", before_first_guess)
    assert "/auth/login" in client.get("/").headers["Location"]
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "auth.totp_failed")) == totp.MAX_FAILURES


def test_logging_in_again_with_the_password_gives_no_fresh_budget(db, school, client, app, login_as):
    from tests.auth_helpers import age_attempts, attempts, new_client

    login_as(school.teacher)
    secret = _enrol(client, db, school.teacher)
    client.post_form("/auth/logout")
    attacker = new_client(app)
    _password_then_pending(attacker, school.teacher, school.password)
    for _attempt in range(totp.MAX_FAILURES - 1):
        assert attacker.post_form("/auth/totp", {"code": "000000"}).status_code == 400
    again = new_client(app)  # a new login session: the password is right again
    _password_then_pending(again, school.teacher, school.password)
    assert attempts(db, login=school.teacher.login, kind="totp", success=False) == totp.MAX_FAILURES - 1
    assert again.post_form("/auth/totp", {"code": "000000"}).status_code == 400  # the account's 5th
    refused = again.post_form("/auth/totp", {"code": _code_for_next_step(secret)})
    assert refused.status_code == 429 and 50 <= int(refused.headers["Retry-After"]) <= 61
    assert "/auth/totp" in again.get("/").headers["Location"]  # the right code was not even checked
    age_attempts(db, 61)
    assert again.post_form("/auth/totp", {"code": _code_for_next_step(secret)}).status_code == 303
    assert again.get("/").status_code == 200


def test_the_device_cookie_is_given_only_once_the_second_factor_is_passed(db, school, client, app, login_as):
    from tests.auth_helpers import new_client

    login_as(school.teacher)
    secret = _enrol(client, db, school.teacher)
    browser = new_client(app)
    _password_then_pending(browser, school.teacher, school.password)
    assert browser.get_cookie("preau_device") is None  # the password alone makes no browser "known"
    assert browser.post_form("/auth/totp", {"code": _code_for_next_step(secret)}).status_code == 303
    assert browser.get_cookie("preau_device") is not None
