"""Apps.Education: the nuage drive, with the person's e-mail (URL-encoded) as login hint when they have one."""

from __future__ import annotations

import pytest

KEY = "plugin:appseducation.nuage"


def test_the_e_mail_is_the_login_hint_url_encoded(school, enable_plugin, login_as, db):
    enable_plugin("appseducation", school.structure)
    school.teacher.email = "paul.prof+ent@ac-paris.fr"
    db.flush()
    response = login_as(school.teacher).get(f"/launch/{KEY}")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://nuage.apps.education.fr/login?user=paul.prof%2Bent%40ac-paris.fr"


def test_a_person_without_e_mail_gets_the_login_page_without_hint(school, enable_plugin, login_as, db):
    enable_plugin("appseducation", school.structure)
    school.staff.email = None
    db.flush()
    response = login_as(school.staff).get(f"/launch/{KEY}")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://nuage.apps.education.fr/login"


def test_an_e_mail_cannot_inject_other_parameters(school, enable_plugin, login_as, db):
    enable_plugin("appseducation", school.structure)
    school.teacher.email = "a&redirect_url=https://evil.example/#x@ac-paris.fr"
    db.flush()
    location = login_as(school.teacher).get(f"/launch/{KEY}").headers["Location"]
    assert location == ("https://nuage.apps.education.fr/login?user="
                        "a%26redirect_url%3Dhttps%3A%2F%2Fevil.example%2F%23x%40ac-paris.fr")


@pytest.mark.parametrize("who", ["student", "parent", "guest"])
def test_only_staff_get_the_tile(school, enable_plugin, login_as, who):
    enable_plugin("appseducation", school.structure)
    client = login_as(getattr(school, who))
    assert f"/launch/{KEY}" not in client.get("/apps").get_data(as_text=True)
    assert client.get(f"/launch/{KEY}").status_code == 404


def test_the_tile_appears_for_teachers_once_enabled(school, enable_plugin, login_as):
    client = login_as(school.teacher)
    assert f"/launch/{KEY}" not in client.get("/apps").get_data(as_text=True)
    enable_plugin("appseducation", school.structure)
    assert f"/launch/{KEY}" in client.get("/apps").get_data(as_text=True)
