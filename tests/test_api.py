"""The JSON API /api/v1: its generated OpenAPI document, authentication, scopes and administrative scope."""

import json

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from preau.auth import tokens
from preau.directory.users import grant_function
from preau.models import AuditEvent, Function, Role, User
from preau.testing import build_school

API_PATHS = ["/api/v1/me", "/api/v1/structures", "/api/v1/structures/{structure_id}", "/api/v1/users",
             "/api/v1/users/{user_id}", "/api/v1/plugins"]


@pytest.fixture
def other_school(db, school):
    return build_school(db, name="École Victor-Hugo", uai="0750002B", city_name="Ville Voisine")


@pytest.fixture
def bearer(db):
    """``bearer(user, *scopes)`` → headers carrying a fresh token of ``user``."""

    def make(user, *scopes):
        plaintext, _ = tokens.create_token(db, user, "Test", scopes or ("read",))
        db.flush()
        return {"Authorization": f"Bearer {plaintext}"}

    return make


def _ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.get_json()}


# -- the document ------------------------------------------------------------------------------------------


def test_openapi_document_is_valid_and_lists_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert set(API_PATHS) <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        **spec["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert {"bearerAuth": []} in spec["security"]
    assert spec["paths"]["/api/v1/users"]["get"]["x-required-scope"] == "admin"
    assert spec["paths"]["/api/v1/me"]["patch"]["x-required-scope"] == "write"
    error = spec["components"]["schemas"]["ApiError"]["properties"]
    assert {"error", "message", "reason"} <= set(error)


# -- authentication and scopes --------------------------------------------------------------------------


def test_me_with_a_bearer_token_lists_roles_and_functions(school, client, bearer):
    body = client.get("/api/v1/me", headers=bearer(school.admin)).get_json()
    assert body["login"] == school.admin.login and body["display_name"] == school.admin.display_name
    assert body["profiles"] == ["personnel"]
    assert body["roles"] == [{"profile": "personnel", "structure_id": school.structure.id,
                              "structure_name": school.structure.name}]
    assert body["functions"] == [{"code": "ADMIN_LOCAL", "structure_id": school.structure.id}]


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/structures", "/api/v1/users", "/api/v1/plugins"])
def test_without_authentication_the_api_answers_401_json_with_a_reason(client, path):
    response = client.get(path)
    assert response.status_code == 401
    body = response.get_json()
    assert body["reason"] == "authentication_required" and body["error"] == "unauthorized"
    assert "Authentification requise" in body["message"]


def test_unknown_api_path_answers_json_with_a_reason(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["reason"] == "not_found"


def test_session_cookie_reads_the_api(school, login_as):
    client = login_as(school.parent)
    assert client.get("/api/v1/me").get_json()["login"] == school.parent.login


def test_session_cookie_change_needs_the_csrf_token(school, db, login_as):
    client = login_as(school.parent)
    refused = client.patch("/api/v1/me", json={"locale": "en"})
    assert refused.status_code == 400 and refused.get_json()["reason"] == "csrf_failed"
    db.refresh(school.parent)
    assert school.parent.locale is None
    accepted = client.patch("/api/v1/me", json={"locale": "en"}, headers={"X-CSRFToken": client.csrf_token()})
    assert accepted.status_code == 200 and accepted.get_json()["locale"] == "en"


def test_write_token_changes_without_csrf(school, db, client, bearer):
    response = client.patch("/api/v1/me", json={"locale": "en"}, headers=bearer(school.teacher, "read", "write"))
    assert response.status_code == 200
    db.refresh(school.teacher)
    assert school.teacher.locale == "en"
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "account.locale_changed")) is not None


def test_bad_input_gets_422_json_and_changes_nothing(school, db, client, bearer):
    response = client.patch("/api/v1/me", json={"locale": "klingon"}, headers=bearer(school.teacher, "write"))
    assert response.status_code == 422
    body = response.get_json()
    assert body["reason"] == "unprocessable_entity" and "locale" in json.dumps(body["errors"])
    assert response.mimetype == "application/problem+json" and body["status"] == 422 and body["detail"]
    db.refresh(school.teacher)
    assert school.teacher.locale is None


def test_read_only_token_is_refused_on_write_and_admin_endpoints(school, db, client, bearer):
    headers = bearer(school.admin, "read")
    write = client.patch("/api/v1/me", json={"locale": "en"}, headers=headers)
    assert write.status_code == 403 and write.get_json()["reason"] == "insufficient_scope"
    assert "écriture" in write.get_json()["message"]
    db.refresh(school.admin)
    assert school.admin.locale is None
    admin = client.get("/api/v1/users", headers=headers)
    assert admin.status_code == 403 and admin.get_json()["reason"] == "insufficient_scope"


def test_admin_token_of_a_non_administrator_is_refused(school, db, client):
    # Even a token carrying the admin scope (e.g. made before the function was removed) does not make an admin.
    plaintext, token = tokens.create_token(db, school.teacher, "Test", ["read"])
    token.scopes = "read admin"
    db.flush()
    response = client.get("/api/v1/users", headers={"Authorization": f"Bearer {plaintext}"})
    assert response.status_code == 403 and response.get_json()["reason"] == "not_admin"


# -- structures ------------------------------------------------------------------------------------------


def test_structures_are_those_one_belongs_to(school, other_school, client, bearer):
    response = client.get("/api/v1/structures", headers=bearer(school.teacher))
    assert _ids(response) == {school.structure.id}
    [item] = response.get_json()
    assert item["parent_ids"] == [school.city.id] and item["child_ids"] == [] and item["uai"] == "0750001A"
    assert json.loads(response.headers["X-Pagination"])["total"] == 1


def test_city_administrator_sees_the_city_and_its_schools_paginated(school, other_school, db, client, bearer):
    mayor = school.staff
    grant_function(db, mayor, Function.ADMIN_LOCAL, school.city)
    db.flush()
    headers = bearer(mayor)
    response = client.get("/api/v1/structures", headers=headers)
    assert _ids(response) == {school.city.id, school.structure.id}
    city = next(item for item in response.get_json() if item["id"] == school.city.id)
    assert city["child_ids"] == [school.structure.id]
    first = client.get("/api/v1/structures?page=1&page_size=1", headers=headers)
    second = client.get("/api/v1/structures?page=2&page_size=1", headers=headers)
    assert len(_ids(first) | _ids(second)) == 2
    assert json.loads(first.headers["X-Pagination"])["total_pages"] == 2
    assert client.get("/api/v1/structures?page=0", headers=headers).status_code == 422


def test_structure_outside_ones_scope_is_403(school, other_school, db, client, bearer):
    headers = bearer(school.teacher)
    assert client.get(f"/api/v1/structures/{school.structure.id}", headers=headers).status_code == 200
    response = client.get(f"/api/v1/structures/{other_school.structure.id}", headers=headers)
    assert response.status_code == 403 and response.get_json()["reason"] == "out_of_scope"
    assert client.get("/api/v1/structures/999999", headers=headers).get_json()["reason"] == "not_found"


# -- users (administrators, scoped) ---------------------------------------------------------------------


def _members(db, structure):
    return set(db.scalars(select(Role.user_id).where(Role.structure_id == structure.id)))


def test_adml_lists_only_the_users_of_their_school(school, other_school, db, client, bearer):
    response = client.get("/api/v1/users?page_size=200", headers=bearer(school.admin, "admin"))
    assert _ids(response) == _members(db, school.structure)
    assert not _ids(response) & _members(db, other_school.structure)


def test_adml_filters_users_by_profile_and_name_prefix(school, other_school, client, bearer):
    headers = bearer(school.admin, "admin")
    assert _ids(client.get("/api/v1/users?profile=student", headers=headers)) == {school.student.id}
    assert _ids(client.get("/api/v1/users?q=ELEV", headers=headers)) == {school.student.id, school.parent.id}
    assert _ids(client.get("/api/v1/users?q=%25", headers=headers)) == set()  # "%" is a character, not a joker
    assert client.get("/api/v1/users?profile=pirate", headers=headers).status_code == 422


def test_adml_gets_403_on_another_schools_user_and_it_is_audited(school, other_school, db, client, bearer):
    headers = bearer(school.admin, "admin")
    own = client.get(f"/api/v1/users/{school.teacher.id}", headers=headers)
    assert own.status_code == 200 and own.get_json()["login"] == school.teacher.login
    response = client.get(f"/api/v1/users/{other_school.teacher.id}", headers=headers)
    assert response.status_code == 403
    assert response.get_json()["reason"] == "out_of_scope" and response.get_json()["message"]
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "security.scope_denied"))
    assert event.actor_id == school.admin.id and event.target_id == str(other_school.teacher.id)
    foreign = client.get(f"/api/v1/users?structure_id={other_school.structure.id}", headers=headers)
    assert foreign.status_code == 403 and foreign.get_json()["reason"] == "out_of_scope"


def test_super_admin_sees_every_school(school, other_school, db, client, bearer):
    root = school.guest
    grant_function(db, root, Function.SUPER_ADMIN)
    db.flush()
    response = client.get("/api/v1/users?page_size=200", headers=bearer(root, "admin"))
    assert _ids(response) == set(db.scalars(select(User.id)))


def test_users_endpoint_is_for_administrators_only(school, login_as):
    response = login_as(school.teacher).get("/api/v1/users")
    assert response.status_code == 403 and response.get_json()["reason"] == "not_admin"


# -- plugins --------------------------------------------------------------------------------------------


def test_plugins_list_active_and_broken_with_errors_for_admins_only(school, client, bearer):
    for_teacher = client.get("/api/v1/plugins", headers=bearer(school.teacher)).get_json()
    for_admin = client.get("/api/v1/plugins", headers=bearer(school.admin)).get_json()
    states = {item["state"] for item in for_admin}
    assert {"active", "broken"} <= states
    assert all(item["error"] for item in for_admin if item["state"] == "broken")
    assert all(item["error"] is None for item in for_teacher)
    assert {item["id"] for item in for_teacher} == {item["id"] for item in for_admin}
    welcome = next(item for item in for_admin if item["id"] == "welcome")
    assert welcome["source"] and welcome["version"] and welcome["state"] == "active"


def test_adml_sees_only_the_roles_inside_their_scope(school, other_school, db, client, bearer):
    from preau.directory.users import add_role

    add_role(db, other_school.teacher, school.structure, "relative")
    users = client.get("/api/v1/users?page_size=200", headers=bearer(school.admin, "admin")).get_json()
    listed = next(u for u in users if u["id"] == other_school.teacher.id)
    assert listed["profiles"] == ["relative"]
    assert {role["structure_id"] for role in listed["roles"]} == {school.structure.id}
    assert other_school.structure.name not in str(listed)
