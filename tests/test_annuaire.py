"""The "Annuaire" app and ``/api/v1/directory``: people and groups inside the communication rules only,
whatever the query string, the filters or the ids in the URL."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from preau.auth import tokens
from preau.communication.engine import filter_reachable
from preau.directory.classes import create_class
from preau.directory.users import add_role, attach_to_class, create_user, link_relative
from preau.models import User
from preau.testing import build_school
from preau.types import Profile


@pytest.fixture
def world(db, school, enable_plugin):
    """The school (CM2 A) with a second class and another parent, and a neighbouring school; the app is
    enabled in both cities."""
    s = school
    ce1 = create_class(db, s.structure, "CE1")
    other_child = create_user(db, first_name="Oscar", last_name="Autre", login="oscar.autre")
    add_role(db, other_child, s.structure, Profile.STUDENT)
    attach_to_class(db, other_child, ce1, Profile.STUDENT)
    other_parent = create_user(db, first_name="Olga", last_name="Autre", login="olga.autre",
                               email="olga@example.org")
    add_role(db, other_parent, s.structure, Profile.RELATIVE)
    link_relative(db, other_parent, other_child)
    s.teacher.email = "prof@example.org"
    neighbour = build_school(db, "École Voisine", "0750002B", city_name="Ville Bis")
    for city in (s.city, neighbour.city):
        enable_plugin("annuaire", city)
    db.flush()
    return {"s": s, "ce1": ce1, "other_child": other_child, "other_parent": other_parent, "n": neighbour}


@pytest.fixture
def bearer(db):
    def make(user):
        plaintext, _ = tokens.create_token(db, user, "Test", ("read",))
        db.flush()
        return {"Authorization": f"Bearer {plaintext}"}

    return make


def everyone(db) -> set[int]:
    return set(db.scalars(User.__table__.select().with_only_columns(User.id)))


def allowed(db, viewer) -> set[int]:
    return filter_reachable(db, viewer, everyone(db))


def card_ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'/apps/annuaire/users/(\d+)"', page)}


# -- the app -------------------------------------------------------------------------------------------------


def test_the_app_declares_its_right_for_every_profile(app):
    record = app.extensions["preau.plugins"].records["annuaire"]
    assert record.active and record.manifest.theme == "Communication"
    [right] = record.rights
    assert right.id == "annuaire.access" and set(right.default_profiles) == set(Profile)


def test_the_app_answers_404_where_it_is_not_enabled(client, login_as, school):
    login_as(school.parent)
    assert client.get("/apps/annuaire/").status_code == 403


def test_a_parent_finds_their_childs_teacher_and_child_but_no_other_parent(client, login_as, world, db):
    s = world["s"]
    login_as(s.parent)
    page = client.get("/apps/annuaire/").get_data(as_text=True)
    assert card_ids(page) == {s.teacher.id, s.student.id} == allowed(db, s.parent)
    assert "profile-teacher" in page and "profile-student" in page  # the profile colours
    assert "Olga" not in page and "olga.autre" not in page
    page = client.get("/apps/annuaire/?q=olg").get_data(as_text=True)
    assert card_ids(page) == set() and "Personne ne correspond" in page


def test_staff_filter_by_profile_and_by_any_class_of_their_school(client, login_as, world, db):
    s, ce1 = world["s"], world["ce1"]
    login_as(s.staff)
    page = client.get("/apps/annuaire/").get_data(as_text=True)
    assert f'<option value="{s.school_class.id}"' in page and f'<option value="{ce1.id}"' in page
    assert f'<option value="{world["n"].school_class.id}"' not in page
    teachers = client.get("/apps/annuaire/?profile=teacher").get_data(as_text=True)
    assert card_ids(teachers) == {s.teacher.id}
    in_ce1 = client.get(f"/apps/annuaire/?class_id={ce1.id}").get_data(as_text=True)
    assert card_ids(in_ce1) == {world["other_child"].id, world["other_parent"].id}  # the class's parents too


def test_a_parent_may_filter_only_by_their_childrens_classes(client, login_as, world):
    s = world["s"]
    login_as(s.parent)
    page = client.get("/apps/annuaire/").get_data(as_text=True)
    assert f'<option value="{s.school_class.id}"' in page and f'<option value="{world["ce1"].id}"' not in page
    for forged in (world["ce1"].id, world["n"].school_class.id, 999_999, "abc", "-1", "1 OR 1=1"):
        response = client.get(f"/apps/annuaire/?class_id={forged}")
        assert response.status_code == 404, forged
        assert card_ids(response.get_data(as_text=True)) == set()


@pytest.mark.parametrize("query", ["", "%", "_", "%%", "\\", "*", "' OR 1=1 --", "o", "E", "prof", "a" * 500])
@pytest.mark.parametrize("who", ["parent", "student", "guest", "teacher"])
def test_nothing_outside_the_rules_whatever_the_query(client, login_as, world, db, query, who):
    viewer = getattr(world["s"], who)
    login_as(viewer)
    permitted = allowed(db, viewer)
    for profile in ("", "teacher", "relative", "nope"):
        page = client.get("/apps/annuaire/", query_string={"q": query, "profile": profile}).get_data(as_text=True)
        assert card_ids(page) <= permitted
        assert "olga@example.org" not in page and "prof@example.org" not in page
    if query in ("%", "_", "%%", "*"):  # wildcards are plain characters: no name starts with them
        assert card_ids(client.get("/apps/annuaire/", query_string={"q": query}).get_data(as_text=True)) == set()


def test_the_pages_follow_each_other(client, login_as, world, db):
    s = world["s"]
    for i in range(25):
        person = create_user(db, first_name=f"Prénom{i:02d}", last_name=f"Zeta{i:02d}", login=f"zeta.{i}")
        add_role(db, person, s.structure, Profile.GUEST)
    login_as(s.staff)
    first = client.get("/apps/annuaire/?q=zeta").get_data(as_text=True)
    second = client.get("/apps/annuaire/?q=zeta&page=2").get_data(as_text=True)
    assert len(card_ids(first)) == 20 and len(card_ids(second)) == 5
    assert not card_ids(first) & card_ids(second)
    assert "Page suivante" in first and "Page suivante" not in second
    assert card_ids(client.get("/apps/annuaire/?q=zeta&page=99999999").get_data(as_text=True)) == set()


def test_a_card_shows_names_roles_and_classes_never_a_login_or_an_email(client, login_as, world):
    s = world["s"]
    login_as(s.parent)
    page = client.get(f"/apps/annuaire/users/{s.teacher.id}").get_data(as_text=True)
    assert s.teacher.display_name in page and "CM2 A" in page and "École Jean-Jaurès" in page
    assert "profile-teacher" in page
    assert s.teacher.login not in page and "prof@example.org" not in page


def test_the_card_of_someone_outside_the_rules_is_404_like_an_unknown_id(client, login_as, world):
    s, n = world["s"], world["n"]
    login_as(s.parent)
    for hidden in (world["other_parent"].id, world["other_child"].id, s.staff.id, n.teacher.id, 999_999):
        response = client.get(f"/apps/annuaire/users/{hidden}")
        assert response.status_code == 404
        assert "Olga" not in response.get_data(as_text=True)


def test_groups_are_those_the_user_may_address(client, login_as, world):
    s = world["s"]
    login_as(s.parent)
    page = client.get("/apps/annuaire/groups").get_data(as_text=True)
    assert "Enseignants — CM2 A" in page
    assert "Parents —" not in page and "Tous —" not in page and "CE1" not in page
    login_as(s.staff)
    page = client.get("/apps/annuaire/groups?q=ce1").get_data(as_text=True)
    assert "Élèves — CE1" in page and "CM2 A" not in page


# -- the API ------------------------------------------------------------------------------------------------


def api_ids(response) -> set[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.get_json()["items"]}


def test_the_api_lists_people_inside_the_rules_with_a_bearer_token(client, world, db, bearer):
    s = world["s"]
    headers = bearer(s.parent)
    response = client.get("/api/v1/directory/users", headers=headers)
    assert api_ids(response) == allowed(db, s.parent) == {s.teacher.id, s.student.id}
    item = response.get_json()["items"][0]
    assert set(item) == {"id", "first_name", "last_name", "display_name", "profiles"}  # no login, no e-mail
    body = response.get_data(as_text=True)
    assert "example.org" not in body and s.teacher.login not in body


@pytest.mark.parametrize("params", [
    {"q": "%"}, {"q": "_"}, {"q": "%a%"}, {"q": "' OR 1=1 --"}, {"profile": "relative"}, {"profile": "teacher"},
    {"page": 2}, {"page": 10_000}, {"page_size": 50}, {"q": "o", "page_size": 1},
])
def test_api_parameters_never_widen_the_rules(client, world, db, bearer, params):
    s = world["s"]
    for viewer in (s.parent, s.student, s.guest):
        ids = api_ids(client.get("/api/v1/directory/users", query_string=params, headers=bearer(viewer)))
        assert ids <= allowed(db, viewer)
        if params.get("q") in ("%", "_", "%a%"):
            assert ids == set()


@pytest.mark.parametrize(("params", "status", "reason"), [
    ({"page_size": 100_000}, 422, None), ({"page_size": 0}, 422, None), ({"page": 0}, 422, None),
    ({"profile": "admin"}, 422, None), ({"class_id": "abc"}, 422, None), ({"q": "x" * 101}, 422, None),
    ({"class_id": 999_999}, 404, "unknown_class"),
])
def test_bad_api_parameters_get_a_clear_refusal(client, world, bearer, params, status, reason):
    response = client.get("/api/v1/directory/users", query_string=params, headers=bearer(world["s"].parent))
    assert response.status_code == status
    body = response.get_json()
    assert body["message"] and "items" not in body
    if reason:
        assert body["reason"] == reason


def test_api_class_filter_accepts_only_visible_classes(client, world, bearer):
    s, n = world["s"], world["n"]
    headers = bearer(s.parent)
    classes = client.get("/api/v1/directory/classes", headers=headers).get_json()
    assert [c["id"] for c in classes] == [s.school_class.id]
    assert api_ids(client.get(f"/api/v1/directory/users?class_id={s.school_class.id}", headers=headers)) == {
        s.teacher.id, s.student.id}
    for forged in (world["ce1"].id, n.school_class.id):
        response = client.get(f"/api/v1/directory/users?class_id={forged}", headers=headers)
        assert response.status_code == 404 and response.get_json()["reason"] == "unknown_class"


def test_api_cards_and_groups(client, world, bearer):
    s = world["s"]
    headers = bearer(s.parent)
    card = client.get(f"/api/v1/directory/users/{s.teacher.id}", headers=headers).get_json()
    assert card["display_name"] == s.teacher.display_name
    assert [c["name"] for c in card["classes"]] == ["CM2 A"]
    assert card["roles"] == [{"profile": "teacher", "structure_id": s.structure.id,
                              "structure_name": "École Jean-Jaurès"}]
    assert "login" not in card and "email" not in card
    for hidden in (world["other_parent"].id, world["n"].teacher.id, 999_999):
        response = client.get(f"/api/v1/directory/users/{hidden}", headers=headers)
        assert response.status_code == 404 and "Olga" not in response.get_data(as_text=True)
    names = [g["name"] for g in client.get("/api/v1/directory/groups", headers=headers).get_json()]
    assert names == ["Enseignants — CM2 A"]


def test_the_api_needs_authentication(client, world):
    assert client.get("/api/v1/directory/users").status_code == 401
    assert client.get("/api/v1/directory/groups").status_code == 401


def test_the_directory_endpoints_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    for path in ("/api/v1/directory/users", "/api/v1/directory/users/{user_id}", "/api/v1/directory/groups",
                 "/api/v1/directory/classes"):
        assert path in spec["paths"], path
    parameters = {p["name"] for p in spec["paths"]["/api/v1/directory/users"]["get"]["parameters"]}
    assert {"q", "profile", "class_id", "page", "page_size"} <= parameters


@pytest.fixture
def two_roles(db, world, enable_plugin):
    """Issue 16, point 5: the CM2 A teacher is also a parent — of Oscar in CE1 of the same school, and of the
    neighbouring school's pupil (like prof.bernard in the demo)."""
    s, n = world["s"], world["n"]
    add_role(db, s.teacher, s.structure, Profile.RELATIVE)
    link_relative(db, s.teacher, world["other_child"])
    add_role(db, s.teacher, n.structure, Profile.RELATIVE)
    link_relative(db, s.teacher, n.student)
    db.flush()
    db.expire(s.teacher)
    return world


def test_a_parent_sees_only_the_teacher_role_of_a_teacher_who_is_also_a_parent(client, two_roles, bearer,
                                                                              login_as):
    s = two_roles["s"]
    headers = bearer(s.parent)
    card = client.get(f"/api/v1/directory/users/{s.teacher.id}", headers=headers).get_json()
    assert card["roles"] == [{"profile": "teacher", "structure_id": s.structure.id,
                              "structure_name": "École Jean-Jaurès"}]
    assert [c["id"] for c in card["classes"]] == [s.school_class.id]  # not CE1, his own child's class
    listed = client.get("/api/v1/directory/users", query_string={"q": "prof"}, headers=headers).get_json()
    assert [(p["id"], p["profiles"]) for p in listed["items"]] == [(s.teacher.id, ["teacher"])]
    as_parent = client.get("/api/v1/directory/users", query_string={"profile": "relative"}, headers=headers)
    assert s.teacher.id not in api_ids(as_parent)
    browser = login_as(s.parent)
    page = browser.get(f"/apps/annuaire/users/{s.teacher.id}").get_data(as_text=True)
    shown = page[page.index('<section class="card person'):page.index("</section>")]
    assert "CM2 A" in shown and "CE1" not in shown and "Parent" not in shown and "profile-relative" not in shown
    listing = browser.get("/apps/annuaire/?q=prof").get_data(as_text=True)
    listed_person = listing[listing.index('<li class="person'):]
    listed_person = listed_person[:listed_person.index("</li>")]
    assert s.teacher.display_name in listed_person and "relative" not in listed_person


def test_staff_and_the_person_themself_still_see_every_role(client, two_roles, bearer):
    s = two_roles["s"]
    staff_card = client.get(f"/api/v1/directory/users/{s.teacher.id}", headers=bearer(s.staff)).get_json()
    assert {r["profile"] for r in staff_card["roles"]} == {"teacher", "relative"}  # staff reach every profile
    assert {c["name"] for c in staff_card["classes"]} == {"CM2 A", "CE1"}
    own = client.get(f"/api/v1/directory/users/{s.teacher.id}", headers=bearer(s.teacher)).get_json()
    assert {(r["profile"], r["structure_id"]) for r in own["roles"]} == {
        ("teacher", s.structure.id), ("relative", s.structure.id), ("relative", two_roles["n"].structure.id)}


def test_visible_roles_is_public_and_hides_roles_held_out_of_reach(db, two_roles):
    import preau

    s, n = two_roles["s"], two_roles["n"]
    shown = preau.visible_roles(db, s.parent, [s.teacher, s.student, two_roles["other_parent"], s.parent])
    assert [(r.profile, r.structure_id) for r in shown[s.teacher.id]] == [("teacher", s.structure.id)]
    assert [r.profile for r in shown[s.student.id]] == ["student"]  # his own child
    assert shown[two_roles["other_parent"].id] == []  # out of reach: nothing
    assert [r.profile for r in shown[s.parent.id]] == ["relative"]  # oneself: everything
    from_neighbour = preau.visible_roles(db, n.parent, [s.teacher])  # a parent of his other child
    assert from_neighbour[s.teacher.id] == []  # parents do not reach parents
