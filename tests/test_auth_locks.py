"""Verrouillages (issue 16, point 3): administrators see the accounts whose logins are delayed and lift a
delay, a local administrator only within the structures they administer; the super administrator also sees the
busy addresses."""

from __future__ import annotations

from preau.directory.structures import create_structure
from preau.directory.users import add_role, create_user, grant_function
from preau.models import Function, LoginAttempt, StructureKind
from preau.types import Profile
from tests.auth_helpers import attempts, events, log_in, new_client, page


def _fail(app, login: str, times: int = 5, ip: str = "10.3.3.3") -> None:
    browser = new_client(app)
    for _ in range(times):
        browser.post_form("/auth/login", {"login": login, "password": "pas-le-bon-1"},
                          environ_base={"REMOTE_ADDR": ip})


def _stranger(db):
    other = create_structure(db, "École voisine", StructureKind.ECOLE, uai="0750998Y")
    stranger = create_user(db, first_name="Sam", last_name="Ailleurs", login="sam.ailleurs")
    add_role(db, stranger, other, Profile.TEACHER)
    db.flush()
    return stranger


def test_a_local_administrator_sees_and_lifts_a_delay_in_their_school(school, client, app, db, login_as):
    _fail(app, school.parent.login)
    assert log_in(new_client(app), school.parent, school.password).status_code == 429
    login_as(school.admin)
    assert "Verrouillages" in page(client.get("/admin/"))
    listing = page(client.get("/admin/locks"))
    assert school.parent.login in listing and "navigateurs inconnus" in listing
    response = client.post_form("/admin/locks/lift", {"login": school.parent.login})
    assert response.status_code == 303
    assert attempts(db, login=school.parent.login, success=False) == 0
    [event] = events(db, "auth.lock_lifted")
    assert event.actor_id == school.admin.id and event.detail["failures"] == 5
    assert log_in(new_client(app), school.parent, school.password).status_code == 302
    assert f"({school.parent.login})" not in page(client.get("/admin/locks"))  # only the flash names it


def test_a_local_administrator_neither_sees_nor_lifts_a_delay_elsewhere(school, client, app, db, login_as):
    stranger = _stranger(db)
    _fail(app, stranger.login)
    _fail(app, "personne.inconnue")
    login_as(school.admin)
    listing = page(client.get("/admin/locks"))
    assert stranger.login not in listing and "personne.inconnue" not in listing
    assert "Adresses suspectes" not in listing
    for login in (stranger.login, "personne.inconnue"):
        assert client.post_form("/admin/locks/lift", {"login": login}).status_code == 403
    assert attempts(db, login=stranger.login, success=False) == 5
    assert [e.detail["reason"] for e in events(db, "security.scope_denied")] == ["lock_out_of_scope"] * 2
    assert client.post_form("/admin/locks/address", {"address": "10.3.3.3"}).status_code == 403
    assert events(db, "auth.lock_lifted") == []


def test_lifting_takes_a_csrf_token(school, client, app, db, login_as):
    _fail(app, school.parent.login)
    login_as(school.admin)
    assert client.post("/admin/locks/lift", data={"login": school.parent.login}).status_code == 400
    assert attempts(db, login=school.parent.login, success=False) == 5


def test_the_super_administrator_sees_every_delay_and_the_busy_addresses(school, client, app, db, login_as):
    grant_function(db, school.staff, Function.SUPER_ADMIN)
    stranger = _stranger(db)
    _fail(app, stranger.login)
    for n in range(200):
        db.add(LoginAttempt(login=f"x{n}", ip="10.4.4.4", success=False))
    db.flush()
    login_as(school.staff)
    listing = page(client.get("/admin/locks"))
    assert stranger.login in listing and "10.4.4.4" in listing
    assert client.post_form("/admin/locks/address", {"address": "10.4.4.4"}).status_code == 303
    assert "10.4.4.4 :" not in page(client.get("/admin/locks"))  # only the flash names it
    assert attempts(db, login="x1", success=False) == 1  # the accounts keep their own failures
    assert len(events(db, "auth.address_lifted")) == 1
    assert client.post_form("/admin/locks/lift", {"login": stranger.login}).status_code == 303
