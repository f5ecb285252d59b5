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
