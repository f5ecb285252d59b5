"""The connector launch page: tiles of "Mes Applis" open /launch/<key>, which checks that the connector reaches
the person, records the launch (structure, profile, kind) and hands over to the launcher of its kind."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from preau.models import ConnectorLaunch
from preau.portal.services import add_connector, configure_connector
from preau.settings import set_setting


def launches(db) -> list[tuple]:
    return db.execute(select(ConnectorLaunch.key, ConnectorLaunch.structure_id, ConnectorLaunch.profile,
                             ConnectorLaunch.kind)).all()


@pytest.fixture
def lumni_for_students(db, school):
    connector = add_connector(db, school.structure, "lumni")
    configure_connector(db, connector, values={}, secrets={}, profiles=["student"], enabled=True)
    db.flush()
    return connector


def test_a_link_connector_opens_its_service_and_the_launch_is_recorded(db, school, login_as, lumni_for_students):
    client = login_as(school.student)
    assert 'href="/launch/connector:lumni"' in client.get("/apps").get_data(as_text=True)
    response = client.get("/launch/connector:lumni")
    assert response.status_code == 303 and response.headers["Location"].startswith("https://www.lumni.fr")
    assert launches(db) == [("connector:lumni", school.structure.id, "student", "link")]


def test_a_connector_that_does_not_reach_the_person_is_404_and_nothing_is_recorded(
        db, school, login_as, lumni_for_students):
    client = login_as(school.teacher)
    assert client.get("/launch/connector:lumni").status_code == 404
    assert client.get("/launch/connector:nothing").status_code == 404
    assert client.get("/launch/plugin:portalsvc.open").status_code == 404
    assert db.scalar(select(func.count()).select_from(ConnectorLaunch)) == 0


def test_the_launch_page_needs_a_signed_in_person(client, lumni_for_students):
    response = client.get("/launch/connector:lumni")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.fixture
def school_service(app, db, school, enable_plugin):
    enable_plugin("portalsvc", school.structure)
    return app.extensions["preau.plugins"]


def test_a_plugin_connector_takes_its_address_from_the_schools_setting(db, school, login_as, school_service):
    client = login_as(school.student)
    assert client.get("/launch/plugin:portalsvc.open").status_code == 404  # no address yet: no tile either
    assert "Service de l" not in client.get("/apps").get_data(as_text=True)
    set_setting(db, school_service, "portalsvc", "url", "https://ecole.exemple.fr/", structure_id=school.structure.id)
    db.flush()
    assert 'href="/launch/plugin:portalsvc.open"' in client.get("/apps").get_data(as_text=True)
    response = client.get("/launch/plugin:portalsvc.open")
    assert response.headers["Location"] == "https://ecole.exemple.fr/eleve/0750001a"
    client.post_form("/auth/logout")
    teacher = login_as(school.teacher)
    assert teacher.get("/launch/plugin:portalsvc.open").headers["Location"] == "https://ecole.exemple.fr/"
    assert {row.profile for row in db.scalars(select(ConnectorLaunch))} == {"student", "teacher"}


@pytest.mark.parametrize("address", ["javascript:alert(1)//", "//evil.example/", "data:text/html,x", "https://"])
def test_a_setting_cannot_turn_the_connector_into_another_kind_of_link(db, school, login_as, school_service,
                                                                        address):
    set_setting(db, school_service, "portalsvc", "url", address, structure_id=school.structure.id)
    db.flush()
    client = login_as(school.teacher)
    assert client.get("/launch/plugin:portalsvc.open").status_code == 404
    assert "portalsvc.open" not in client.get("/apps").get_data(as_text=True)


def test_the_autosubmit_page_lets_forms_go_to_the_tool_only(app, db):
    from preau.sso.launch import autosubmit_page

    with app.test_request_context("/launch/x"):
        response = autosubmit_page("https://outil.exemple.fr/lti", {"a": '"><script>x</script>'})
    policy = response.headers["Content-Security-Policy"]
    assert "form-action 'self' https://outil.exemple.fr;" in policy and "script-src 'self'" in policy
    html = response.get_data(as_text=True)
    assert 'action="https://outil.exemple.fr/lti"' in html and "<script>x</script>" not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_a_setting_inside_a_host_name_cannot_change_the_host(app, db, school, login_as, enable_plugin):
    from preau.portal.launches import _fits

    assert _fits("instance", "bassin-sud", ("https://{instance}.elea.apps.education.fr/",))
    for smuggled in ("evil.example/x", "evil.example#", "a@evil.example", "x?y=1", ""):
        assert not _fits("instance", smuggled, ("https://{instance}.elea.apps.education.fr/",)), smuggled
    assert _fits("url", "https://ecole.exemple.fr/pronote/", ("{url}", "{url}eleve.html"))
