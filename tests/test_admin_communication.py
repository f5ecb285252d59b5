"""The "Qui voit qui" admin pages: the matrix, the preview before any save, each group's links, the switches,
reset, history and rollback — and an administrator acting only on the structures they administer."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import and_, func, or_, select

from preau.communication.engine import can_communicate
from preau.communication.rules import current_state, versions
from preau.directory.classes import create_group
from preau.directory.structures import profile_group
from preau.directory.users import add_role, add_to_group, create_user, grant_function
from preau.models import AuditEvent, CommVersion, Function, Group
from preau.testing import build_school
from preau.types import Profile


def gid(db, structure, profile):
    return profile_group(db, structure.id, profile).id


def url(structure, tail=""):
    return f"/admin/structures/{structure.id}/communication{tail}"


def matrix_form(db, structure, *, add=(), remove=(), tous=True, members=None):
    """The matrix form as the page sends it: every currently ticked cell, with ``add`` ticked and ``remove``
    unticked."""
    state = current_state(db, structure.id)
    groups = set(db.scalars(select(Group.id).where(Group.structure_id == structure.id, Group.kind == "profile")))
    ticked = {link for link in state.links if set(link) <= groups}
    ticked = (ticked | set(add)) - set(remove)
    switchable = set(db.scalars(select(Group.id).where(Group.structure_id == structure.id, or_(
        and_(Group.kind == "profile", Group.profile.is_not(None)), Group.kind.in_(("manual", "teaching"))))))
    members = {g for g, on in state.members.items() if on and g in switchable} if members is None else members
    data = {"form": "matrix", "link": [f"{a}-{b}" for a, b in sorted(ticked)],
            "members": [str(g) for g in sorted(members)]}
    if tous:
        data["tous"] = "1"
    return data


def version_count(db, structure=None):
    query = select(func.count()).select_from(CommVersion)
    if structure is not None:
        query = query.where(CommVersion.structure_id == structure.id)
    return db.scalar(query)


def comm_audit_count(db):
    return db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("communication.%")))


@pytest.fixture
def other(db, school):
    return build_school(db, "École Voisine", "0750002B", city_name="Ville Bis")


def test_the_structure_page_links_to_the_matrix_which_shows_the_default_rules(client, login_as, school, db):
    login_as(school.admin)
    page = client.get(f"/admin/structures/{school.structure.id}").get_data(as_text=True)
    assert url(school.structure) in page
    page = client.get(url(school.structure)).get_data(as_text=True)
    staff, teachers = gid(db, school.structure, Profile.PERSONNEL), gid(db, school.structure, Profile.TEACHER)
    parents = gid(db, school.structure, Profile.RELATIVE)
    assert re.search(rf'value="{staff}-{teachers}" checked', page)  # staff → teachers: on by default
    assert re.search(rf'value="{parents}-{staff}"\s*>', page)  # parents → staff: off
    assert re.search(rf'name="members" value="{staff}" checked', page)  # staff communicate among themselves
    assert re.search(rf'name="members" value="{parents}"\s*>', page)  # parents do not
    assert 'name="tous" value="1" checked' in page
    assert "enseignants de leur classe" in page  # the class-level defaults, explained
    # The city's staff reach the school's teachers and parents: shown as links coming from the city.
    assert "Personnels — Ville de Test (Ville de Test) →" in page


def test_a_cell_toggle_is_previewed_without_saving_then_confirmed(client, login_as, school, db):
    login_as(school.admin)
    parents, staff = gid(db, school.structure, Profile.RELATIVE), gid(db, school.structure, Profile.PERSONNEL)
    response = client.post_form(url(school.structure, "/preview"),
                                matrix_form(db, school.structure, add={(parents, staff)}))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 personne de « Parents — École Jean-Jaurès » → 2 personnes de « Personnels — École Jean-Jaurès »" in page
    assert f'name="add" value="{parents}-{staff}"' in page
    assert 'name="remove"' not in page and 'name="members"' not in page  # only what changes is carried
    assert not can_communicate(db, school.parent, school.staff)
    assert version_count(db) == 0 and comm_audit_count(db) == 0

    confirm = re.search(r'<form method="post" action="([^"]+)" class="actions">', page).group(1).replace("&amp;", "&")
    response = client.post_form(confirm, {"add": f"{parents}-{staff}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url(school.structure))
    assert can_communicate(db, school.parent, school.staff)
    [version] = versions(db, school.structure.id)
    assert (version.number, version.actor_id) == (1, school.admin.id)
    assert comm_audit_count(db) == 1
    assert "Règles enregistrées (version 1)" in client.get(url(school.structure)).get_data(as_text=True)


def test_unticking_a_cell_previews_a_loss(client, login_as, school, db):
    login_as(school.admin)
    students, staff = gid(db, school.structure, Profile.STUDENT), gid(db, school.structure, Profile.PERSONNEL)
    page = client.post_form(url(school.structure, "/preview"),
                            matrix_form(db, school.structure, remove={(students, staff)})).get_data(as_text=True)
    losses = page.split('id="losses"')[1]
    assert "« Élèves — École Jean-Jaurès »" in losses and f'name="remove" value="{students}-{staff}"' in page
    assert can_communicate(db, school.student, school.staff)


def test_switching_tous_off_through_the_matrix(client, login_as, school, db):
    login_as(school.admin)
    form = matrix_form(db, school.structure, tous=False)
    page = client.post_form(url(school.structure, "/preview"), form).get_data(as_text=True)
    assert 'name="tous" value="0"' in page and "« Tous » désactivé" in page
    assert "Tous — École Jean-Jaurès" in page.split('id="losses"')[1]
    client.post_form(url(school.structure, "/apply"), {"tous": "0"})
    assert current_state(db, school.structure.id).tous is False


def test_a_manual_groups_members_switch(client, login_as, school, db):
    club = create_group(db, school.structure, "Club échecs")
    add_to_group(db, school.parent, club)
    add_to_group(db, school.guest, club)
    login_as(school.admin)
    page = client.get(url(school.structure)).get_data(as_text=True)
    assert re.search(rf'name="members" value="{club.id}" checked', page)
    form = matrix_form(db, school.structure)
    form["members"].remove(str(club.id))
    page = client.post_form(url(school.structure, "/preview"), form).get_data(as_text=True)
    assert f'name="members" value="{club.id}:0"' in page
    assert can_communicate(db, school.parent, school.guest)
    client.post_form(url(school.structure, "/apply"), {"members": f"{club.id}:0"})
    assert not can_communicate(db, school.parent, school.guest)


def test_a_group_page_lists_links_both_ways_and_adds_one_from_the_city(client, login_as, school, db):
    login_as(school.admin)
    students = profile_group(db, school.structure.id, Profile.STUDENT)
    city_staff = gid(db, school.city, Profile.PERSONNEL)
    page = client.get(url(school.structure, f"/groups/{students.id}")).get_data(as_text=True)
    incoming, outgoing = page.split('id="outgoing-title"')
    assert "Personnels — École Jean-Jaurès" in incoming and "Enseignants — École Jean-Jaurès" in incoming
    assert "Personnels — École Jean-Jaurès" in outgoing  # students write to the school's staff
    assert f'<option value="{city_staff}">Personnels — Ville de Test</option>' in incoming

    page = client.post_form(url(school.structure, "/preview"),
                            {"add_from": city_staff, "add_to": students.id}).get_data(as_text=True)
    assert f'name="add" value="{city_staff}-{students.id}"' in page
    city_agent = create_user(db, first_name="Cécile", last_name="Mairie", login="cecile.mairie")
    add_role(db, city_agent, school.city, Profile.PERSONNEL)
    assert not can_communicate(db, city_agent, school.student)
    client.post_form(url(school.structure, "/apply"), {"add": f"{city_staff}-{students.id}"})
    assert can_communicate(db, city_agent, school.student)


def test_reset_to_defaults_is_previewed_then_applied(client, login_as, school, db):
    login_as(school.admin)
    parents, staff = gid(db, school.structure, Profile.RELATIVE), gid(db, school.structure, Profile.PERSONNEL)
    defaults = current_state(db, school.structure.id)
    client.post_form(url(school.structure, "/apply"), {"add": f"{parents}-{staff}", "tous": "0"})
    page = client.get(url(school.structure, "/reset")).get_data(as_text=True)
    assert "Parents — École Jean-Jaurès" in page.split('id="losses"')[1]
    assert version_count(db) == 1
    response = client.post_form(url(school.structure, "/reset"))
    assert response.status_code == 302
    assert current_state(db, school.structure.id) == defaults
    assert versions(db, school.structure.id)[0].action == "reset"


def test_history_lists_versions_and_rolls_back_after_a_preview(client, login_as, school, db):
    login_as(school.admin)
    parents, staff = gid(db, school.structure, Profile.RELATIVE), gid(db, school.structure, Profile.PERSONNEL)
    students = gid(db, school.structure, Profile.STUDENT)
    client.post_form(url(school.structure, "/apply"), {"add": f"{parents}-{staff}"})
    client.post_form(url(school.structure, "/apply"), {"remove": f"{students}-{staff}"})
    page = client.get(url(school.structure, "/history")).get_data(as_text=True)
    assert "Anne ADML" in page.upper() or "Anne" in page
    assert "1 lien(s) ajouté(s)" in page and "1 lien(s) retiré(s)" in page
    assert url(school.structure, "/history/1/rollback") in page

    page = client.get(url(school.structure, "/history/1/rollback")).get_data(as_text=True)
    assert "« Élèves — École Jean-Jaurès »" in page.split('id="gains"')[1]
    assert not can_communicate(db, school.student, school.staff) and version_count(db) == 2
    client.post_form(url(school.structure, "/history/1/rollback"))
    assert can_communicate(db, school.student, school.staff) and can_communicate(db, school.parent, school.staff)
    assert [v.action for v in versions(db, school.structure.id)] == ["rollback", "edit", "edit"]
    assert client.get(url(school.structure, "/history/99/rollback")).status_code == 400


@pytest.mark.parametrize(("method", "tail", "data"), [
    ("get", "", None), ("get", "/history", None), ("get", "/reset", None), ("post", "/reset", {}),
    ("post", "/preview", {"form": "matrix"}), ("post", "/apply", {"tous": "0"}),
    ("get", "/history/0/rollback", None), ("post", "/history/0/rollback", {}),
])
def test_an_adml_cannot_touch_another_schools_rules(client, login_as, school, other, db, method, tail, data):
    login_as(school.admin)
    before = current_state(db, other.structure.id)
    target = url(other.structure, tail)
    response = client.get(target) if method == "get" else client.post_form(target, data)
    assert response.status_code == 403
    assert current_state(db, other.structure.id) == before
    assert version_count(db) == 0 and comm_audit_count(db) == 0
    denied = db.scalars(select(AuditEvent).where(AuditEvent.action == "security.scope_denied")).all()
    assert [e.target_id for e in denied] == [str(other.structure.id)]


def test_an_adml_cannot_open_another_schools_group_through_their_own_school(client, login_as, school, other, db):
    login_as(school.admin)
    foreign = gid(db, other.structure, Profile.TEACHER)
    assert client.get(url(school.structure, f"/groups/{foreign}")).status_code == 404
    assert client.get(url(other.structure, f"/groups/{foreign}")).status_code == 403


def test_forged_links_to_or_from_another_school_are_refused_and_change_nothing(client, login_as, school, other, db):
    login_as(school.admin)
    mine = gid(db, school.structure, Profile.RELATIVE)
    theirs = gid(db, other.structure, Profile.TEACHER)
    before = (current_state(db, school.structure.id), current_state(db, other.structure.id))
    for data in ({"add": f"{mine}-{theirs}"}, {"add": f"{theirs}-{mine}"}, {"members": f"{theirs}:0"},
                 {"remove": f"{gid(db, other.structure, Profile.PERSONNEL)}-{theirs}"}):
        for tail in ("/preview", "/apply"):
            response = client.post_form(url(school.structure, tail), data)
            assert response.status_code == 400, (tail, data)
            assert "ne relève pas" in response.get_data(as_text=True)
    assert (current_state(db, school.structure.id), current_state(db, other.structure.id)) == before
    assert version_count(db) == 0


@pytest.mark.parametrize("data", [
    {"add": "abc"}, {"add": "1-x"}, {"members": "12:maybe"}, {"tous": "yes"}, {"add": "999999-999998"},
    {"form": "matrix", "link": "999999-999998"},
])
def test_malformed_changes_get_a_french_message(client, login_as, school, db, data):
    login_as(school.admin)
    response = client.post_form(url(school.structure, "/preview"), data)
    assert response.status_code == 400
    assert "Rien n'a été enregistré" in response.get_data(as_text=True)
    assert version_count(db) == 0


def test_a_change_without_the_csrf_token_is_refused(client, login_as, school, db):
    login_as(school.admin)
    parents, staff = gid(db, school.structure, Profile.RELATIVE), gid(db, school.structure, Profile.PERSONNEL)
    response = client.post(url(school.structure, "/apply"), data={"add": f"{parents}-{staff}"})
    assert response.status_code == 400
    assert not can_communicate(db, school.parent, school.staff) and version_count(db) == 0


def test_city_adml_and_super_admin_reach_the_citys_schools(client, login_as, school, db):
    city_adml = create_user(db, first_name="Victor", last_name="Ville", login="victor.ville")
    from preau.accounts import activate_with_password
    from preau.auth.passwords import hash_password

    activate_with_password(db, city_adml, hash_password(school.password))
    add_role(db, city_adml, school.city, Profile.PERSONNEL)
    grant_function(db, city_adml, Function.ADMIN_LOCAL, school.city)
    login_as(city_adml)
    assert client.get(url(school.structure)).status_code == 200
    client.post_form(url(school.structure, "/apply"), {"tous": "0"})
    assert current_state(db, school.structure.id).tous is False
    assert versions(db, school.structure.id)[0].actor_id == city_adml.id
    # …but a school ADML does not reach their city.
    client.post_form("/auth/logout")
    login_as(school.admin)
    assert client.get(url(school.city)).status_code == 403


def test_people_who_are_not_administrators_get_403(client, login_as, school):
    login_as(school.teacher)
    assert client.get(url(school.structure)).status_code == 403
    assert client.post_form(url(school.structure, "/apply"), {"tous": "0"}).status_code == 403


def test_a_confirmation_prepared_before_another_admins_save_is_refused(client, login_as, school, db):
    login_as(school.admin)
    parents, staff = gid(db, school.structure, Profile.RELATIVE), gid(db, school.structure, Profile.PERSONNEL)
    page = client.post_form(url(school.structure, "/preview"), {**matrix_form(db, school.structure,
                                                                               add={(parents, staff)}),
                                                                 "base_version": "0"}).get_data(as_text=True)
    assert 'name="base_version" value="0"' in page
    # Meanwhile another administrator saves a change: version 1.
    client.post_form(url(school.structure, "/apply"), {"tous": "0", "base_version": "0"})
    assert version_count(db, school.structure) == 1
    stale = client.post_form(url(school.structure, "/apply"), {"add": f"{parents}-{staff}", "base_version": "0"})
    assert stale.status_code == 409 and "ont changé depuis votre aperçu" in stale.get_data(as_text=True)
    assert version_count(db, school.structure) == 1
    assert not can_communicate(db, school.parent, school.staff)
    # So is a matrix page loaded before that save (its unticked cells would undo it).
    form = {**matrix_form(db, school.structure), "base_version": "0"}
    assert client.post_form(url(school.structure, "/preview"), form).status_code == 409
    assert client.post_form(url(school.structure, "/reset"), {"base_version": "0"}).status_code == 409
    assert client.post_form(url(school.structure, "/reset"), {"base_version": "x"}).status_code == 400
    assert client.post_form(url(school.structure, "/reset"), {"base_version": "1"}).status_code == 302
