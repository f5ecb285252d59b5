"""Administration of LTI 1.3 tools: scope-checked, validated, audited."""

from __future__ import annotations

from sqlalchemy import func, select

from preau.directory.users import grant_function
from preau.models import AuditEvent, Function
from preau.testing import build_school
from preau_plugins.lti.models import LtiDeployment, LtiTool

from .lti13_tool import rsa_pair

FORM = {"name": "Éléa", "launch_key": "connector:elea", "login_url": "https://elea.example/login",
        "target_link_uri": "https://elea.example/launch",
        "redirect_uris": "https://elea.example/launch\nhttps://elea.example/launch2",
        "jwks_url": "https://elea.example/jwks.json", "services": ["nrps", "ags"]}


def _tools(db) -> int:
    return db.scalar(select(func.count()).select_from(LtiTool))


def test_admin_registers_a_tool_and_gets_client_and_deployment_ids(client, db, school, login_as):
    login_as(school.admin)
    response = client.post_form(f"/apps/lti/structures/{school.structure.id}/tools", FORM)
    assert response.status_code == 303
    tool = db.scalar(select(LtiTool))
    assert tool.redirect_uris == ["https://elea.example/launch", "https://elea.example/launch2"]
    assert tool.services == ["ags", "nrps"] and len(tool.client_id) >= 20
    deployment = db.scalar(select(LtiDeployment).where(LtiDeployment.tool_id == tool.id))
    assert deployment.structure_id == school.structure.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert tool.client_id in page and deployment.deployment_id in page and "/lti13/jwks.json" in page
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "lti13.tool_registered"))


def test_registration_accepts_a_public_key_instead_of_a_jwks_url(client, db, school, login_as):
    login_as(school.admin)
    _private, public = rsa_pair()
    form = {**FORM, "jwks_url": "", "public_key_pem": public}
    assert client.post_form(f"/apps/lti/structures/{school.structure.id}/tools", form).status_code == 303
    assert db.scalar(select(LtiTool.public_key_pem)) == public.strip()


def test_invalid_registrations_are_refused_and_store_nothing(client, db, school, login_as):
    login_as(school.admin)
    for bad in ({"login_url": "http://elea.example/login"}, {"redirect_uris": ""},
                {"redirect_uris": "javascript:alert(1)"}, {"jwks_url": ""},
                {"public_key_pem": "not a key", "jwks_url": ""}, {"launch_key": "evil"}):
        response = client.post_form(f"/apps/lti/structures/{school.structure.id}/tools", {**FORM, **bad})
        assert response.status_code == 400, bad
    assert _tools(db) == 0


def test_admin_of_another_school_cannot_see_nor_register(client, db, school, login_as):
    other = build_school(db, "Autre école", uai="0750002B", city_name="Autre ville")
    login_as(other.admin)
    assert client.get(f"/apps/lti/structures/{school.structure.id}/tools").status_code == 403
    assert client.post_form(f"/apps/lti/structures/{school.structure.id}/tools", FORM).status_code == 403
    assert _tools(db) == 0


def test_admin_edits_then_deletes_a_tool(client, db, school, login_as):
    login_as(school.admin)
    client.post_form(f"/apps/lti/structures/{school.structure.id}/tools", FORM)
    tool = db.scalar(select(LtiTool))
    url = f"/apps/lti/structures/{school.structure.id}/tools/{tool.id}"
    assert client.post_form(url, {**FORM, "name": "Éléa bassin"}).status_code == 303
    db.refresh(tool)
    assert tool.name == "Éléa bassin"
    assert client.post_form(url + "/delete", {}).status_code == 303
    assert _tools(db) == 0


def test_structure_page_links_to_the_lti_tools_where_the_app_is_enabled(client, school, login_as, enable_plugin):
    login_as(school.admin)
    link = f"/apps/lti/structures/{school.structure.id}/tools"
    assert link not in client.get(f"/admin/structures/{school.structure.id}").get_data(as_text=True)
    enable_plugin("lti", school.structure)
    assert link in client.get(f"/admin/structures/{school.structure.id}").get_data(as_text=True)


def test_a_super_administrator_reaches_the_tools_of_any_structure(client, db, school, login_as):
    other = build_school(db, "Autre école", uai="0750002B", city_name="Autre ville")
    grant_function(db, other.admin, Function.SUPER_ADMIN)  # an administrator of no structure of the school
    db.flush()
    login_as(other.admin)
    assert client.get(f"/apps/lti/structures/{school.structure.id}/tools").status_code == 200


def test_a_deployment_outside_the_administrators_scope_is_refused(client, db, school, login_as):
    other = build_school(db, "Autre école", uai="0750002B", city_name="Autre ville")
    login_as(school.admin)
    client.post_form(f"/apps/lti/structures/{school.structure.id}/tools", FORM)
    tool = db.scalar(select(LtiTool))
    url = f"/apps/lti/structures/{school.structure.id}/tools/{tool.id}/deployments"
    assert client.post_form(url, {"structure_id": str(other.structure.id)}).status_code == 403
    assert db.scalar(select(func.count()).select_from(LtiDeployment)) == 1
