"""Manual account creation: per profile, with its rules; bad input names the field and creates nothing."""

import pytest
from sqlalchemy import func, select

from preau.directory.users import children_of, classes_of
from preau.models import AccountState, User
from preau.types import Profile
from tests.auth_helpers import events, page


def _users(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(User))


def _create(adml, school, **data):
    return adml.post_form(f"/admin/structures/{school.structure.id}/users/new", data)


def test_a_student_is_created_inactive_in_a_class_with_a_code_shown_once(school, adml, db):
    response = _create(adml, school, profile="student", first_name="Léa", last_name="Nouvelle",
                       birth_date="2015-02-03", class_id=str(school.school_class.id))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    user = db.scalar(select(User).where(User.login == "lea.nouvelle"))
    assert user.state == AccountState.INACTIVE and user.source == "manual" and str(user.birth_date) == "2015-02-03"
    assert user.profiles == {Profile.STUDENT} and [c.id for c in classes_of(db, user)] == [school.school_class.id]
    assert user.activation_code in page(response) and "lea.nouvelle" in page(response)
    [event] = events(db, "account.created")
    assert event.actor_id == school.admin.id and user.activation_code not in str(event.detail)


def test_homonyms_get_distinct_logins(school, adml, db):
    for _ in range(2):
        _create(adml, school, profile="teacher", first_name="Jean", last_name="Martin")
    assert set(db.scalars(select(User.login).where(User.last_name == "Martin"))) == {"jean.martin", "jean.martin2"}


def test_a_parent_is_linked_to_the_chosen_children(school, adml, db):
    response = _create(adml, school, profile="relative", first_name="Rose", last_name="Eleve",
                       children=[str(school.student.id)])
    assert response.status_code == 200
    parent = db.scalar(select(User).where(User.login == "rose.eleve"))
    assert [c.id for c in children_of(db, parent)] == [school.student.id]
    assert school.school_class.id in {c.id for c in classes_of(db, parent, Profile.RELATIVE)}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"profile": "student", "first_name": "A", "last_name": "B", "class_id": "CLASS"}, "birth_date",
     "Date de naissance : obligatoire pour un élève."),
    ({"profile": "student", "first_name": "A", "last_name": "B", "birth_date": "2015-13-01", "class_id": "CLASS"},
     "birth_date", "Date de naissance : date invalide"),
    ({"profile": "student", "first_name": "A", "last_name": "B", "birth_date": "2015-01-01"}, "class_id",
     "Classe : obligatoire pour un élève."),
    ({"profile": "student", "first_name": "A", "last_name": "B", "birth_date": "2015-01-01", "class_id": "OTHER"},
     "class_id", "Classe : cette classe n'est pas dans l'établissement."),
    ({"profile": "relative", "first_name": "A", "last_name": "B"}, "children", "Enfants : choisissez au moins"),
    ({"profile": "relative", "first_name": "A", "last_name": "B", "children": "OTHER_STUDENT"}, "children",
     "n'est pas élève de l'établissement"),
    ({"profile": "relative", "first_name": "A", "last_name": "B", "children": "TEACHER"}, "children",
     "n'est pas élève de l'établissement"),
    ({"profile": "teacher", "first_name": " ", "last_name": "B"}, "first_name", "Prénom : obligatoire."),
    ({"profile": "teacher", "first_name": "A", "last_name": ""}, "last_name", "Nom : obligatoire."),
    ({"profile": "teacher", "first_name": "A", "last_name": "B", "email": "pas-une-adresse"}, "email",
     "Courriel : adresse invalide."),
    ({"profile": "wizard", "first_name": "A", "last_name": "B"}, "profile", "Profil : valeur inconnue."),
])
def test_bad_input_names_the_field_and_creates_nothing(school, other_school, adml, db, data, field, message):
    values = {"CLASS": str(school.school_class.id), "OTHER": str(other_school.school_class.id),
              "OTHER_STUDENT": str(other_school.student.id), "TEACHER": str(school.teacher.id)}
    data = {k: values.get(v, v) for k, v in data.items()}
    before = _users(db)
    response = _create(adml, school, **data)
    assert response.status_code == 400
    assert message in page(response) and f'data-field="{field}"' in page(response)
    assert _users(db) == before and events(db, "account.created") == []


def test_creation_in_another_school_is_refused(school, other_school, adml, db):
    before = _users(db)
    response = adml.post_form(f"/admin/structures/{other_school.structure.id}/users/new",
                              {"profile": "teacher", "first_name": "A", "last_name": "B"})
    assert response.status_code == 403 and _users(db) == before


def test_creation_without_csrf_is_refused(school, adml, db):
    before = _users(db)
    response = adml.post(f"/admin/structures/{school.structure.id}/users/new",
                         data={"profile": "teacher", "first_name": "A", "last_name": "B"})
    assert response.status_code == 400 and _users(db) == before


def test_the_form_offers_the_schools_students_to_a_parent(school, other_school, adml):
    text = page(adml.get(f"/admin/structures/{school.structure.id}/users/new?profile=relative"))
    assert school.student.login in text and other_school.student.login not in text
