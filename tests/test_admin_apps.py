"""Services administration, apps: enable per structure and grant rights to profiles, classes or groups —
inside the structures one administers only, every change audited."""

from __future__ import annotations

from sqlalchemy import func, select

from preau.directory.classes import create_group
from preau.directory.structures import profile_group
from preau.models import AppEnablement, AuditEvent, RightGrant, Setting
from preau.rights import access_for
from preau.testing import build_school
from preau.types import Profile


def url(structure, tail=""):
    return f"/admin/structures/{structure.id}/apps{tail}"


def grants(db, right_id):
    return db.scalars(select(RightGrant).where(RightGrant.right_id == right_id)).all()


def test_the_page_lists_installed_apps_with_manifest_and_broken_plugins(client, login_as, school):
    login_as(school.admin)
    page = client.get(url(school.structure)).get_data(as_text=True)
    assert "Messagerie" in page and "messaging.access" in page and "Éditeur" in page
    assert "broken_import" in page  # a fixture plugin that fails to import, with its error


def _revoke_all(client, db, structure, right_id):
    for grant in grants(db, right_id):
        assert client.post_form(url(structure, f"/grants/{grant.id}/revoke")).status_code == 302


def test_enable_for_parents_only_reaches_parents_only(app, client, login_as, school, db):
    login_as(school.admin)
    assert client.post_form(url(school.structure, "/messaging/state"), {"state": "enabled"}).status_code == 302
    _revoke_all(client, db, school.structure, "messaging.access")  # "Activer" granted the defaults: keep parents
    parents = profile_group(db, school.structure.id, Profile.RELATIVE)
    response = client.post_form(url(school.structure, "/grants"),
                                {"right": "messaging.access", "target": f"g:{parents.id}"})
    assert response.status_code == 302
    registry = app.extensions["preau.plugins"]
    assert "messaging" in access_for(db, registry, school.parent).apps
    assert access_for(db, registry, school.parent).has("messaging.access")
    assert not access_for(db, registry, school.student).has("messaging.access")
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == school.admin.id)))
    assert {"rights.app_enabled", "rights.granted"} <= actions
    grant = grants(db, "messaging.access")[0]
    assert client.post_form(url(school.structure, f"/grants/{grant.id}/revoke")).status_code == 302
    assert not access_for(db, registry, school.parent).has("messaging.access")
    client.post_form(url(school.structure, "/messaging/state"), {"state": "inherit"})
    assert db.get(AppEnablement, (school.structure.id, "messaging")) is None


def _teacher_client(app, school):
    teacher = app.test_client()
    response = teacher.post_form("/auth/login", {"login": school.teacher.login, "password": school.password})
    assert response.status_code == 302
    return teacher


def test_activer_in_the_console_grants_the_defaults_and_a_teacher_then_reaches_the_app(app, client, login_as,
                                                                                         school, db):
    teacher = _teacher_client(app, school)
    assert teacher.get("/apps/welcome/").status_code == 403
    login_as(school.admin)
    page = client.get(url(school.structure)).get_data(as_text=True)
    assert 'id="state-welcome"' in page and "Activer" in page
    refused = client.post(url(school.structure, "/welcome/state"), data={"state": "enabled"})  # no CSRF token
    assert refused.status_code == 400 and db.get(AppEnablement, (school.structure.id, "welcome")) is None
    response = client.post_form(url(school.structure, "/welcome/state"), {"state": "enabled"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Droits donnés par défaut" in page
    # welcome.access goes to every profile (its default_profiles), as docs/plugins.md says
    assert {g.group_id for g in grants(db, "welcome.access")} == {
        profile_group(db, school.structure.id, p).id for p in Profile}
    assert teacher.get("/apps/welcome/").status_code == 200


def test_enabling_again_does_not_give_back_what_an_administrator_revoked(app, client, login_as, school, db):
    teacher = _teacher_client(app, school)
    login_as(school.admin)
    client.post_form(url(school.structure, "/welcome/state"), {"state": "enabled"})
    teachers = profile_group(db, school.structure.id, Profile.TEACHER)
    [teachers_grant] = [g for g in grants(db, "welcome.access") if g.group_id == teachers.id]
    client.post_form(url(school.structure, f"/grants/{teachers_grant.id}/revoke"))
    assert teacher.get("/apps/welcome/").status_code == 403
    for state in ("disabled", "inherit", "enabled"):
        assert client.post_form(url(school.structure, "/welcome/state"), {"state": state}).status_code == 302
    assert teachers.id not in {g.group_id for g in grants(db, "welcome.access")}
    assert len(grants(db, "welcome.access")) == len(Profile) - 1
    assert teacher.get("/apps/welcome/").status_code == 403


def test_a_right_granted_to_a_class_or_a_manual_group(app, client, login_as, school, db):
    login_as(school.admin)
    client.post_form(url(school.structure, "/annuaire/state"), {"state": "enabled"})
    _revoke_all(client, db, school.structure, "annuaire.access")  # "Activer" granted the defaults
    client.post_form(url(school.structure, "/grants"),
                     {"right": "annuaire.access", "target": f"c:{school.school_class.id}"})
    registry = app.extensions["preau.plugins"]
    assert access_for(db, registry, school.student).has("annuaire.access")
    assert not access_for(db, registry, school.guest).has("annuaire.access")
    club = create_group(db, school.structure, "Club")
    client.post_form(url(school.structure, "/grants"), {"right": "annuaire.access", "target": f"g:{club.id}"})
    assert {g.group_id for g in grants(db, "annuaire.access")} >= {club.id}


def test_a_grant_to_a_group_of_another_structure_is_refused_and_changes_nothing(client, login_as, school, db):
    other = build_school(db, "École Voisine", "0750002B", city_name="Ville Bis")
    login_as(school.admin)
    before = db.scalar(select(func.count()).select_from(RightGrant))
    foreign = profile_group(db, other.structure.id, Profile.RELATIVE)
    for target in (f"g:{foreign.id}", f"c:{other.school_class.id}", "g:999999", "x:1", ""):
        response = client.post_form(url(school.structure, "/grants"),
                                    {"right": "messaging.access", "target": target})
        assert response.status_code == 400, target
    response = client.post_form(url(school.structure, "/grants"), {"right": "no.such", "target": f"g:{foreign.id}"})
    assert response.status_code == 400 and "Droit inconnu" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(RightGrant)) == before


def test_an_adml_cannot_touch_the_apps_of_another_school(client, login_as, school, db):
    other = build_school(db, "École Voisine", "0750002B", city_name="Ville Bis")
    theirs = profile_group(db, other.structure.id, Profile.RELATIVE)
    login_as(school.admin)
    assert client.get(url(other.structure)).status_code == 403
    assert client.post_form(url(other.structure, "/messaging/state"), {"state": "enabled"}).status_code == 403
    assert client.post_form(url(other.structure, "/grants"),
                            {"right": "messaging.access", "target": f"g:{theirs.id}"}).status_code == 403
    assert db.get(AppEnablement, (other.structure.id, "messaging")) is None
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "security.scope_denied", AuditEvent.actor_id == school.admin.id)) == 3


def test_unknown_app_or_state_and_another_structures_grant(client, login_as, school, db):
    other = build_school(db, "École Voisine", "0750002B", city_name="Ville Bis")
    login_as(school.admin)
    assert client.post_form(url(school.structure, "/nope/state"), {"state": "enabled"}).status_code == 404
    assert client.post_form(url(school.structure, "/messaging/state"), {"state": "maybe"}).status_code == 400
    from preau.rights import grant
    foreign = grant(db, "messaging.access", other.structure,
                    group=profile_group(db, other.structure.id, Profile.TEACHER))
    db.commit()
    assert client.post_form(url(school.structure, f"/grants/{foreign.id}/revoke")).status_code == 404
    assert db.get(RightGrant, foreign.id) is not None


def test_grants_made_above_are_shown_as_inherited(client, login_as, school, db):
    from preau.rights import grant
    grant(db, "messaging.access", school.city, group=profile_group(db, school.city.id, Profile.TEACHER))
    db.flush()
    login_as(school.admin)
    page = client.get(url(school.structure)).get_data(as_text=True)
    row = page[page.index('id="row-app-messaging"'):]
    row = row[:row.index("</tr>")]
    teachers = row[row.index('data-column="p:teacher"'):]
    assert f"hérité de {school.city.name}" in teachers[:teachers.index("</td>")]
    assert "hérité de" not in row[:row.index('data-column="p:teacher"')]  # the other profiles have no grant above


# -- plugin settings per structure -------------------------------------------------------------------------


def test_an_adml_sets_a_plugin_setting_of_their_school_and_it_is_audited(app, client, login_as, school, db):
    from preau.settings import get_setting

    admin = login_as(school.admin)
    url = f"/admin/structures/{school.structure.id}/apps/recorder/settings"
    assert admin.post_form(url, {"max_items": "25"}).status_code == 302
    registry = app.extensions["preau.plugins"]
    assert get_setting(db, registry, "recorder", "max_items", structure_id=school.structure.id) == 25
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "settings.changed"))
    assert event.detail["values"] == {"max_items": 25}
    page = admin.get(f"/admin/structures/{school.structure.id}/apps").get_data(as_text=True)
    assert 'value="25"' in page
    admin.post_form(url, {"max_items": ""})  # empty: inherit again
    assert get_setting(db, registry, "recorder", "max_items", structure_id=school.structure.id) == 10


def test_a_malformed_setting_is_refused_with_its_label_and_nothing_changes(app, login_as, school, db):
    admin = login_as(school.admin)
    response = admin.post_form(f"/admin/structures/{school.structure.id}/apps/recorder/settings",
                               {"max_items": "douze"})
    assert response.status_code == 400 and "éléments affichés » attend un nombre" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Setting)) == 0


def test_a_url_setting_refuses_javascript(app, login_as, school, db):
    response = login_as(school.admin).post_form(
        f"/admin/structures/{school.structure.id}/apps/portalsvc/settings", {"url": "javascript:alert(1)"})
    assert response.status_code == 400 and "http" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Setting)) == 0


def test_an_adml_cannot_set_the_settings_of_another_school(login_as, school, db):
    other = build_school(db, "École Voltaire", "0750002B", "Autre ville")
    response = login_as(school.admin).post_form(f"/admin/structures/{other.structure.id}/apps/recorder/settings",
                                                {"max_items": "3"})
    assert response.status_code == 403
    assert db.scalar(select(func.count()).select_from(Setting)) == 0
