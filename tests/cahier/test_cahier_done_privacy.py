"""Issue 16, point 2 (audit of the cahier): sessions and homework are the class teachers' words, read by the
class; a student's « fait » mark is shown to that student and their own parents only. A classmate and a
classmate's parent, who may not write to the student, see neither the mark nor the student's name, and a forged
``eleve`` / ``student_id`` is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from preau.accounts import activate_with_password
from preau.directory.users import add_role, attach_to_class, create_user, link_relative
from preau.testing import _password_hash
from preau.types import Profile
from preau_plugins.cahier.services import ItemInput, Target, save_homework, set_done

TODAY = date.today()


@pytest.fixture
def classmates(db, ecole):
    def person(login, first, profile, **kw):
        user = create_user(db, first_name=first, last_name="Voisin", login=login, **kw)
        activate_with_password(db, user, _password_hash())
        add_role(db, user, ecole.structure, profile)
        return user

    ecole.classmate = person("leo.voisin", "Léo", Profile.STUDENT, birth_date=date(2015, 3, 3))
    attach_to_class(db, ecole.classmate, ecole.school_class, Profile.STUDENT)
    ecole.classmate_parent = person("odile.voisin", "Odile", Profile.RELATIVE)
    link_relative(db, ecole.classmate_parent, ecole.classmate)
    target = Target("class", ecole.school_class.id, ecole.school_class.name, ecole.structure.id)
    ecole.homework = save_homework(db, ecole.teacher, target, ItemInput("Sciences", "<p>Lire</p>"), TODAY,
                                   TODAY + timedelta(days=1), 15)
    set_done(db, ecole.student, ecole.homework.id, True)
    db.commit()
    return ecole


def test_a_classmate_and_their_parent_see_neither_the_done_mark_nor_the_student(client, classmates, login_as):
    s = classmates
    for reader in (s.classmate, s.classmate_parent):
        login_as(reader)
        own = client.get("/api/v1/homework").get_json()
        assert own["student_id"] == s.classmate.id and [i["done"] for i in own["items"]] == [False]
        page = client.get(f"/apps/cahier/cahier/c{s.school_class.id}").get_data(as_text=True)
        assert "Emma" not in page and "Fait" not in page
        forged_api = client.get(f"/api/v1/homework?student_id={s.student.id}")
        assert forged_api.status_code == 403 and forged_api.get_json()["reason"] == "not_your_child"
        forged_page = client.get(f"/apps/cahier/devoirs?eleve={s.student.id}")
        assert forged_page.status_code == 403 and "Emma" not in forged_page.get_data(as_text=True)
        client.get("/auth/logout")


def test_the_student_and_their_own_parent_see_the_mark(client, classmates, login_as):
    s = classmates
    for reader in (s.student, s.parent):
        login_as(reader)
        assert [i["done"] for i in client.get("/api/v1/homework").get_json()["items"]] == [True]
        client.get("/auth/logout")
