"""Capytale: a link tile for teachers and students, opened through the launch page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from preau.models import ConnectorLaunch

KEY = "plugin:capytale.link"


@pytest.mark.parametrize("who", ["teacher", "student"])
def test_teachers_and_students_are_sent_to_the_activity_list(school, enable_plugin, login_as, db, who):
    enable_plugin("capytale", school.structure)
    user = getattr(school, who)
    response = login_as(user).get(f"/launch/{KEY}")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://capytale2.ac-paris.fr/web/c-auth/list"
    launch = db.scalar(select(ConnectorLaunch).where(ConnectorLaunch.user_id == user.id))
    assert (launch.key, launch.structure_id, launch.profile) == (KEY, school.structure.id, who)


@pytest.mark.parametrize("who", ["parent", "staff", "guest"])
def test_other_profiles_get_neither_tile_nor_launch(school, enable_plugin, login_as, who):
    enable_plugin("capytale", school.structure)
    client = login_as(getattr(school, who))
    assert f"/launch/{KEY}" not in client.get("/apps").get_data(as_text=True)
    assert client.get(f"/launch/{KEY}").status_code == 404


def test_the_tile_appears_only_once_enabled(school, enable_plugin, login_as):
    client = login_as(school.student)
    assert f"/launch/{KEY}" not in client.get("/apps").get_data(as_text=True)
    assert client.get(f"/launch/{KEY}").status_code == 404
    enable_plugin("capytale", school.structure)
    assert f"/launch/{KEY}" in client.get("/apps").get_data(as_text=True)
