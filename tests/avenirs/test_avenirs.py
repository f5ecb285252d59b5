"""Avenir(s): students and parents land on the ÉduConnect page, staff on the agents' page."""

from __future__ import annotations

import pytest

KEY = "plugin:avenirs.link"
BASE = "https://avenirs.onisep.fr/authentification/"


@pytest.mark.parametrize("who, page", [("student", "educonnect"), ("parent", "educonnect"),
                                       ("teacher", "hubagent"), ("staff", "hubagent")])
def test_each_profile_lands_on_its_authentication_page(school, enable_plugin, login_as, who, page):
    enable_plugin("avenirs", school.structure)
    response = login_as(getattr(school, who)).get(f"/launch/{KEY}")
    assert response.status_code == 303
    assert response.headers["Location"] == BASE + page


def test_guests_and_schools_without_the_app_get_nothing(school, enable_plugin, login_as):
    student = login_as(school.student)
    assert f"/launch/{KEY}" not in student.get("/apps").get_data(as_text=True)
    assert student.get(f"/launch/{KEY}").status_code == 404
    enable_plugin("avenirs", school.structure)
    assert f"/launch/{KEY}" in student.get("/apps").get_data(as_text=True)
    guest = login_as(school.guest)
    assert f"/launch/{KEY}" not in guest.get("/apps").get_data(as_text=True)
    assert guest.get(f"/launch/{KEY}").status_code == 404


def test_a_withdrawn_grant_removes_the_tile(school, enable_plugin, login_as, db):
    from preau.directory.structures import profile_group
    from preau.models import RightGrant

    enable_plugin("avenirs", school.structure)
    group = profile_group(db, school.structure.id, "student")
    db.query(RightGrant).filter_by(right_id="avenirs.access", group_id=group.id).delete()
    db.flush()
    client = login_as(school.student)
    assert f"/launch/{KEY}" not in client.get("/apps").get_data(as_text=True)
    assert client.get(f"/launch/{KEY}").status_code == 404
