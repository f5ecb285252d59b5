"""The plugin's administration and banner as the kernel shows them: the link on a structure's page (the slot
``preau_structure_admin_links``) only where the app is enabled, the pages for a super administrator without any
role and for a local administrator in scope, refused outside the scope or where the app is off; and the banner,
which asks the plugin nothing for a person it does not reach."""

from __future__ import annotations

from sqlalchemy import func, select

from preau.accounts import activate_with_password
from preau.directory.users import create_user, grant_function
from preau.models import Function
from preau.rights import set_enabled
from preau.testing import _password_hash, build_school
from preau_plugins.flash import services
from preau_plugins.flash.models import FlashMessage


def _super_admin(db):
    sam = create_user(db, first_name="Sam", last_name="Super", login="sam.super")
    activate_with_password(db, sam, _password_hash())
    grant_function(db, sam, Function.SUPER_ADMIN)
    db.flush()
    return sam


def _message(db, school):
    today = services.local_today()
    message = services.create_message(db, school.structure, services.FlashInput(
        "Cantine fermée", "<p>Repas tiré du sac.</p>", today, today, ["relative"]), actor=school.admin, today=today)
    db.flush()
    return message


def test_the_structure_page_links_to_the_messages_where_the_app_is_enabled(db, school, login_as):
    page = login_as(school.admin).get(f"/admin/structures/{school.structure.id}").get_data(as_text=True)
    assert f'href="/apps/flash/admin/structures/{school.structure.id}"' in page
    assert "messages flash</a>" in page
    set_enabled(db, school.structure, "flash", False)
    db.flush()
    page = login_as(school.admin).get(f"/admin/structures/{school.structure.id}").get_data(as_text=True)
    assert "/apps/flash/admin/" not in page


def test_a_super_administrator_without_role_publishes(client, db, school, login_as):
    login_as(_super_admin(db))
    base = f"/apps/flash/admin/structures/{school.structure.id}"
    assert client.get(base).status_code == 200
    today = services.local_today().isoformat()
    response = client.post_form(f"{base}/new", {"title": "Grève", "body": "<p>Pas de car.</p>", "starts_on": today,
                                                 "ends_on": today, "profiles": ["relative"], "colour": "danger",
                                                 "action": "save"})
    assert response.status_code == 302 and response.location.endswith(base)
    assert db.scalar(select(FlashMessage.title)) == "Grève"


def test_the_local_administrator_edits_in_scope_and_is_refused_where_the_app_is_off(client, db, school, login_as):
    message = _message(db, school)
    login_as(school.admin)
    assert "Cantine fermée" in client.get(f"/apps/flash/admin/{message.id}/edit").get_data(as_text=True)
    set_enabled(db, school.structure, "flash", False)
    db.flush()
    assert client.get(f"/apps/flash/admin/structures/{school.structure.id}").status_code == 404
    assert client.post_form(f"/apps/flash/admin/{message.id}/delete").status_code == 404
    assert db.scalar(select(func.count()).select_from(FlashMessage)) == 1


def test_a_teacher_and_a_visitor_are_refused_the_administration(client, db, school, login_as):
    base = f"/apps/flash/admin/structures/{school.structure.id}"
    assert client.get(base).status_code == 302  # to the login page
    assert login_as(school.teacher).get(base).status_code == 403


def test_the_banner_asks_nothing_of_the_plugin_for_a_person_it_does_not_reach(client, db, school, login_as,
                                                                             monkeypatch):
    other = build_school(db, name="École Victor-Hugo", uai="0750002B", city_name="Autre Ville")  # flash is off
    asked = []
    real = services.board_for
    monkeypatch.setattr(services, "board_for", lambda *a, **k: asked.append(a[1].id) or real(*a, **k))
    _message(db, school)
    assert "Cantine fermée" in login_as(school.parent).get("/").get_data(as_text=True)
    client.post_form("/auth/logout")
    assert "flash-board" not in login_as(other.parent).get("/").get_data(as_text=True)
    assert asked == [school.parent.id]  # once for the page, and never for the parent of the other school


def test_a_person_the_read_right_does_not_reach_sees_no_banner_and_no_page(client, db, school, login_as):
    set_enabled(db, school.structure, "flash", False)
    db.flush()
    _message(db, school)
    login_as(school.parent)
    assert "Cantine fermée" not in client.get("/").get_data(as_text=True)
    assert client.get("/apps/flash/").status_code == 403
