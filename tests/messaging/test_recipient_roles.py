"""Issue 16, point 5: the recipient assistant shows a person only through the roles the rules let the user
reach. The CM2 A teacher is also the parent of a CM1 B pupil: the CM2 A parents find him as a teacher, never as
a parent, and never in his child's class."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from preau.directory.users import add_role, attach_to_class, link_relative
from preau.models import SchoolClass
from preau.types import Profile

from .conftest import person


@pytest.fixture
def teacher_and_parent(db, world):
    s = world.s
    cm1 = db.scalar(select(SchoolClass).where(SchoolClass.name == "CM1 B"))
    child = person(db, s.structure, "Tom", "Prof", Profile.STUDENT, birth_date=date(2016, 3, 3))
    attach_to_class(db, child, cm1, Profile.STUDENT)
    add_role(db, s.teacher, s.structure, Profile.RELATIVE)
    link_relative(db, s.teacher, child)
    db.flush()
    db.expire(s.teacher)
    world.cm1 = cm1
    return world


def test_the_assistant_never_tells_a_parent_that_the_teacher_is_a_parent_too(db, teacher_and_parent, login_as):
    s, cm1 = teacher_and_parent.s, teacher_and_parent.cm1
    client = login_as(s.parent)
    found = client.get("/apps/messaging/recipients?q=Prof").get_json()["people"]
    teacher = next(p for p in found if p["token"] == f"u:{s.teacher.id}")
    assert teacher["profiles"] == ["teacher"]
    as_parent = client.get("/apps/messaging/recipients?profile=relative").get_json()["people"]
    assert f"u:{s.teacher.id}" not in {p["token"] for p in as_parent}
    in_his_childs_class = client.get(f"/apps/messaging/recipients?class_id={cm1.id}").get_json()["people"]
    assert f"u:{s.teacher.id}" not in {p["token"] for p in in_his_childs_class}
    in_the_class_he_teaches = client.get(f"/apps/messaging/recipients?class_id={s.school_class.id}").get_json()
    assert f"u:{s.teacher.id}" in {p["token"] for p in in_the_class_he_teaches["people"]}


def test_staff_who_reach_every_profile_see_both_roles(db, teacher_and_parent, login_as):
    s = teacher_and_parent.s
    found = login_as(s.staff).get("/apps/messaging/recipients?q=Prof").get_json()["people"]
    teacher = next(p for p in found if p["token"] == f"u:{s.teacher.id}")
    assert teacher["profiles"] == ["relative", "teacher"]
