"""The "Applications et connecteurs" matrix: one cell enables an app and grants its right; a school excludes a
city's grant for a profile; preview computes who gains or loses access without saving; versions roll back;
warnings; forged input and other schools' administrators are refused with nothing changed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from preau import appmatrix
from preau.appwarnings import app_warnings
from preau.directory.classes import create_group
from preau.directory.structures import profile_group
from preau.models import (
    AccessVersion,
    AppEnablement,
    AuditEvent,
    RightExclusion,
    RightGrant,
    Role,
    StructureConnector,
)
from preau.portal import services as connector_rules
from preau.rights import access_for, grant, set_enabled
from preau.testing import build_school
from preau.types import Profile

CAPYTALE_TEACHERS = {"row": "app:capytale", "right": "capytale.access", "column": "p:teacher", "on": True}


def url(structure, tail=""):
    return f"/admin/structures/{structure.id}/apps{tail}"


def post_json(client, address, changes):
    return client.post(address, json={"changes": changes}, headers={"X-CSRFToken": client.csrf_token()})


def has(app, db, user, right="capytale.access"):
    db.expire_all()
    return access_for(db, app.extensions["preau.plugins"], user).has(right)


def pressed(page, row, column):
    """The aria-pressed of the toggle of one cell of the matrix."""
    match = re.search(rf'aria-pressed="(true|false)" data-row="{re.escape(row)}"\s+data-right="[^"]*" '
                      rf'data-column="{re.escape(column)}"', page)
    assert match, f"no toggle for {row} × {column}"
    return match.group(1)


def counts(db):
    return (db.scalar(select(func.count()).select_from(RightGrant)),
            db.scalar(select(func.count()).select_from(AppEnablement)),
            db.scalar(select(func.count()).select_from(RightExclusion)),
            db.scalar(select(func.count()).select_from(AccessVersion)))


def test_one_cell_enables_capytale_for_teachers_only_as_a_version(app, client, login_as, school, db):
    login_as(school.admin)
    page = client.get(url(school.structure)).get_data(as_text=True)
    assert "Applications et connecteurs" in page and "Capytale pour les Enseignants" in page
    response = post_json(client, url(school.structure, "/save"), [CAPYTALE_TEACHERS])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert has(app, db, school.teacher) and not has(app, db, school.student)
    assert db.get(AppEnablement, (school.structure.id, "capytale")).enabled
    version = db.scalar(select(AccessVersion).where(AccessVersion.structure_id == school.structure.id))
    assert version.number == 1 and version.actor_id == school.admin.id
    assert [e["sentence"] for e in version.changes] == ["Capytale : ouvert à « Enseignants »"]
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "rights.matrix_saved")) is not None
    history = client.get(url(school.structure)).get_data(as_text=True)
    assert "Capytale : ouvert à « Enseignants »" in history and "Rétablir l'état d'avant la version 1" in history
    assert pressed(history, "app:capytale", "p:teacher") == "true"
    assert pressed(history, "app:capytale", "p:student") == "false"


def test_the_preview_names_who_gains_and_saves_nothing(client, login_as, school, db):
    login_as(school.admin)
    before = counts(db)
    response = post_json(client, url(school.structure, "/preview"), [CAPYTALE_TEACHERS])
    assert response.status_code == 200
    (effect,) = response.get_json()["effects"]
    assert effect["gained"] == 1 and effect["lost"] == 0
    assert effect["gained_names"] == [school.teacher.display_name]
    db.expire_all()
    assert counts(db) == before


def test_a_school_excludes_the_citys_grant_for_its_teachers_and_rolls_it_back(app, client, login_as, school, db):
    set_enabled(db, school.city, "capytale", True)
    grant(db, "capytale.access", school.city, group=profile_group(db, school.city.id, Profile.TEACHER))
    from preau.directory.users import add_role, create_user
    city_teacher = create_user(db, first_name="Cécile", last_name="Ville", login="prof.ville")
    add_role(db, city_teacher, school.city, Profile.TEACHER)
    db.commit()
    assert has(app, db, school.teacher) and has(app, db, city_teacher)

    login_as(school.admin)
    page = client.get(url(school.structure)).get_data(as_text=True)
    assert f"hérité de {school.city.name}" in page
    off = {**CAPYTALE_TEACHERS, "on": False}
    (effect,) = post_json(client, url(school.structure, "/preview"), [off]).get_json()["effects"]
    assert effect["lost"] == 1 and effect["lost_names"] == [school.teacher.display_name]
    assert post_json(client, url(school.structure, "/save"), [off]).status_code == 200
    assert db.get(RightExclusion, (school.structure.id, "capytale.access", "teacher")) is not None
    assert not has(app, db, school.teacher)  # the school's teacher loses access…
    assert has(app, db, city_teacher)  # …while the city keeps its grant
    assert db.scalar(select(func.count()).select_from(RightGrant).where(
        RightGrant.structure_id == school.city.id, RightGrant.right_id == "capytale.access")) == 1
    assert "retiré ici (hérité de" in client.get(url(school.structure)).get_data(as_text=True)

    assert client.post_form(url(school.structure, "/versions/1/rollback")).status_code == 302
    db.expire_all()
    assert db.get(RightExclusion, (school.structure.id, "capytale.access", "teacher")) is None
    assert has(app, db, school.teacher)
    latest = db.scalar(select(AccessVersion).where(AccessVersion.number == 2))
    assert latest.rollback_of == 1
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "rights.matrix_rollback")) is not None


def test_turning_off_the_last_grant_warns_that_the_app_reaches_nobody(app, client, login_as, school, db):
    login_as(school.admin)
    post_json(client, url(school.structure, "/save"), [CAPYTALE_TEACHERS])
    off = {**CAPYTALE_TEACHERS, "on": False}
    (effect,) = post_json(client, url(school.structure, "/preview"), [off]).get_json()["effects"]
    assert "ne sera plus donnée à personne" in effect["note"]
    post_json(client, url(school.structure, "/save"), [off])
    db.expire_all()
    kinds = {(w.kind, w.anchor) for w in app_warnings(db, app.extensions["preau.plugins"], school.structure)}
    assert ("granted_to_nobody", "row-app-capytale") in kinds
    page = client.get(url(school.structure)).get_data(as_text=True)
    assert "Capytale est activée mais n&#39;est ouverte à personne" in page
    overview = client.get(f"/admin/structures/{school.structure.id}").get_data(as_text=True)
    assert 'data-warning="granted_to_nobody"' in overview  # the structure page's Applications card says it too
    assert "Capytale est activée mais n&#39;est ouverte à personne" in overview


def test_warnings_for_empty_groups_and_unconfigured_connectors(app, db, school):
    registry = app.extensions["preau.plugins"]
    empty = create_group(db, school.structure, "Club échecs", kind="manual")
    set_enabled(db, school.structure, "capytale", True)
    grant(db, "capytale.access", school.structure, group=empty)
    connector_rules.add_connector(db, school.structure, "gar")
    # a profile with nobody here: the guest leaves the school
    db.delete(db.scalar(select(Role).where(Role.user_id == school.guest.id)))
    grant(db, "capytale.access", school.structure, group=profile_group(db, school.structure.id, Profile.GUEST))
    db.flush()
    warnings = app_warnings(db, registry, school.structure)
    messages = [w.message for w in warnings]
    assert any("« Club échecs », qui n'a aucun membre" in m for m in messages)
    assert any("« Invités », qui n'a aucun membre" in m for m in messages)
    assert any(w.kind == "connector_unconfigured" and w.endpoint == "admin.connector" for w in warnings)
    assert not any(w.kind == "granted_to_nobody" and "Capytale" in w.message for w in warnings)


def test_a_cell_form_without_javascript_applies_at_once(app, client, login_as, school, db):
    login_as(school.admin)
    response = client.post_form(url(school.structure, "/cell"), {"row": "app:capytale", "right": "capytale.access",
                                                                  "column": "p:student", "on": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#row-app-capytale")
    assert has(app, db, school.student) and not has(app, db, school.teacher)


def test_a_connector_cell_targets_a_profile_of_the_structures_own_connector(client, login_as, school, db):
    connector = connector_rules.add_connector(db, school.structure, "lumni")
    db.commit()
    login_as(school.admin)
    changes = [{"row": f"connector:{connector.id}", "right": "", "column": f"p:{p}", "on": p == "teacher"}
               for p in ("student", "relative", "teacher", "personnel", "guest")]
    assert post_json(client, url(school.structure, "/save"), changes).status_code == 200
    db.expire_all()
    saved = db.get(StructureConnector, connector.id)
    assert saved.profiles == ["teacher"] and saved.enabled  # nothing to configure: switched on at once
    assert [c.entry.id for c in connector_rules.reached_connectors(db, school.teacher)] == ["lumni"]
    assert connector_rules.reached_connectors(db, school.student) == []


@pytest.mark.parametrize("change", [
    {**CAPYTALE_TEACHERS, "column": "p:wizard"},
    {**CAPYTALE_TEACHERS, "right": "messaging.access"},
    {**CAPYTALE_TEACHERS, "row": "app:nope"},
    {**CAPYTALE_TEACHERS, "on": "yes"},
    {**CAPYTALE_TEACHERS, "row": "connector:999999"},
    "not a change",
])
def test_a_forged_cell_is_refused_with_400_and_nothing_changes(client, login_as, school, db, change):
    login_as(school.admin)
    before = counts(db)
    for tail in ("/preview", "/save"):
        response = post_json(client, url(school.structure, tail), [CAPYTALE_TEACHERS, change])
        assert response.status_code == 400 and response.get_json()["error"]
    db.expire_all()
    assert counts(db) == before


def test_a_group_of_another_school_or_a_bad_form_value_is_refused(client, login_as, school, db):
    other = build_school(db, "École Voisine", "0750002B", city_name="Ville Bis")
    foreign = create_group(db, other.structure, "Club voisin", kind="manual")
    db.commit()
    login_as(school.admin)
    before = counts(db)
    forged = {**CAPYTALE_TEACHERS, "column": f"g:{foreign.id}"}
    assert post_json(client, url(school.structure, "/save"), [forged]).status_code == 400
    bad = client.post_form(url(school.structure, "/cell"), {"row": "app:capytale", "right": "capytale.access",
                                                            "column": "p:teacher", "on": "2"})
    assert bad.status_code == 400 and "Valeur de case inconnue" in bad.get_data(as_text=True)
    assert client.post_form(url(school.structure, "/versions/7/rollback")).status_code == 400
    db.expire_all()
    assert counts(db) == before


def test_the_admin_of_another_school_is_refused_on_every_route(client, login_as, school, db):
    other = build_school(db, "École Voisine", "0750002B", city_name="Ville Bis")
    db.commit()
    login_as(other.admin)
    before = counts(db)
    assert client.get(url(school.structure)).status_code == 403
    assert client.get(url(school.structure, "/panel/capytale")).status_code == 403
    assert post_json(client, url(school.structure, "/preview"), [CAPYTALE_TEACHERS]).status_code == 403
    assert post_json(client, url(school.structure, "/save"), [CAPYTALE_TEACHERS]).status_code == 403
    assert client.post_form(url(school.structure, "/cell"), {"row": "app:capytale", "right": "capytale.access",
                                                             "column": "p:teacher", "on": "1"}).status_code == 403
    assert client.post_form(url(school.structure, "/versions/1/rollback")).status_code == 403
    db.expire_all()
    assert counts(db) == before


def test_the_side_panel_page_shows_finer_rights_and_technical_details(client, login_as, school):
    login_as(school.admin)
    page = client.get(url(school.structure, "/panel/timetable")).get_data(as_text=True)
    assert "Saisir et importer l'emploi du temps pour les Personnels" in page
    assert "<summary>Détails techniques</summary>" in page and "timetable.manage" in page
    assert client.get(url(school.structure, "/panel/nope")).status_code == 404


def test_extra_columns_are_added_on_demand(client, login_as, school, db):
    ulis = create_group(db, school.structure, "Regroupement ULIS", kind="teaching")
    db.commit()
    login_as(school.admin)
    assert "Capytale pour « Regroupement ULIS »" not in client.get(url(school.structure)).get_data(as_text=True)
    page = client.get(url(school.structure) + f"?cols=g:{ulis.id}").get_data(as_text=True)
    assert "Capytale pour « Regroupement ULIS »" in page
    assert appmatrix.columns_in_use(db, school.structure) == set()
