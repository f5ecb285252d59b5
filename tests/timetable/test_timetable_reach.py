"""Issue 16, point 2 (audit of the timetable): lessons carry a teacher's name and a staff member's change note.
They are shown only to the class (its students and their parents, who reach its teachers) and to the school's
staff and teachers. A parent of another class of the same school, who may not write to the CM2 A teacher, reads
neither that teacher's week nor CM2 A's, on the page or through the API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from preau import can_communicate
from preau.accounts import activate_with_password
from preau.directory.classes import create_class
from preau.directory.users import add_role, attach_to_class, create_user, link_relative
from preau.testing import _password_hash
from preau.types import Profile
from preau_plugins.timetable.models import Lesson

MONDAY = date.today() - timedelta(days=date.today().weekday())
NOTE = "Remplacé par Mme Secret, appelez le 06 11 22 33 44"


@pytest.fixture
def other_class_parent(db, school, enable_plugin):
    enable_plugin("timetable", school.structure)
    cm1 = create_class(db, school.structure, "CM1 B")
    child = create_user(db, first_name="Léo", last_name="Voisin", login="leo.voisin", birth_date=date(2015, 3, 3))
    add_role(db, child, school.structure, Profile.STUDENT)
    attach_to_class(db, child, cm1, Profile.STUDENT)
    parent = create_user(db, first_name="Odile", last_name="Voisin", login="odile.voisin")
    activate_with_password(db, parent, _password_hash())
    add_role(db, parent, school.structure, Profile.RELATIVE)
    link_relative(db, parent, child)
    db.add(Lesson(structure_id=school.structure.id, starts_at=datetime.combine(MONDAY, time(9)),
                  ends_at=datetime.combine(MONDAY, time(10)), subject="Mathématiques",
                  class_id=school.school_class.id, teacher_id=school.teacher.id,
                  teacher_name=school.teacher.display_name, room="B12", status="changed", change_note=NOTE))
    db.flush()
    return parent


def test_a_parent_who_cannot_reach_the_teacher_reads_neither_his_week_nor_the_class(db, school, other_class_parent,
                                                                                    login_as):
    assert not can_communicate(db, other_class_parent, school.teacher)
    client = login_as(other_class_parent)
    for url in (f"/apps/timetable/?classe={school.school_class.id}", f"/apps/timetable/?enseignant={school.teacher.id}",
                f"/api/v1/timetable?classe={school.school_class.id}",
                f"/api/v1/timetable?enseignant={school.teacher.id}", "/apps/timetable/", "/api/v1/timetable"):
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert "06 11 22 33 44" not in body and "Paul" not in body, url
    assert client.get(f"/apps/timetable/?classe={school.school_class.id}").status_code == 404


def test_the_class_parent_who_reaches_the_teacher_reads_the_note(db, school, other_class_parent, login_as):
    assert can_communicate(db, school.parent, school.teacher)
    body = login_as(school.parent).get("/apps/timetable/").get_data(as_text=True)
    assert "06 11 22 33 44" in body
