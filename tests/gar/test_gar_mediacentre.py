"""Resource assignment by the responsable d'affectation, the Médiacentre page and block, and the launch of a
resource through the GAR without a new sign-in."""

from __future__ import annotations

from html import unescape

from sqlalchemy import func, select

from preau.models import ConnectorLaunch
from preau_plugins.gar.models import Assignment
from preau_plugins.gar.widget import render_mediacentre

DICO = "ark:/99999/DEMO.DICO"
MATHS = "ark:/99999/DEMO.MATHS6"


def _assign(client, school, resource, target, value=""):
    data = {"resource": resource, "target": target}
    if value:
        data[f"value_{target}"] = value
    return client.post_form(f"/apps/gar/affectation/{school.structure.id}", data)


def _count(db):
    return db.scalar(select(func.count()).select_from(Assignment))


def test_the_responsable_sees_the_structures_resources_and_assigns_one_to_a_class(db, client, login_as, college):
    page = login_as(college.staff).get(f"/apps/gar/affectation/{college.structure.id}")
    assert page.status_code == 200
    assert "Manuel numérique Mathématiques 6e" in page.text and "6e B" in page.text
    response = _assign(client, college, MATHS, "class", str(college.school_class.id))
    assert response.status_code == 303
    row = db.scalar(select(Assignment))
    assert (row.resource_id, row.target, row.class_id) == (MATHS, "class", college.school_class.id)
    assert "Manuel numérique Mathématiques 6e" in unescape(client.get(response.location).text)


def test_a_student_of_the_class_finds_it_and_launches_it_without_signing_in_again(db, client, login_as, college):
    login_as(college.staff)
    _assign(client, college, MATHS, "class", str(college.school_class.id))
    client.get("/auth/logout")
    login_as(college.student)
    page = client.get("/apps/gar/")
    assert page.status_code == 200 and "Manuel numérique Mathématiques 6e" in page.text
    assert "Dictionnaire junior" not in page.text  # not assigned
    launch = client.get(f"/apps/gar/ouvrir/{MATHS}")
    assert launch.status_code == 302
    assert launch.location == "https://ressources.gar.example/DEMO.MATHS6/acces"
    recorded = db.scalars(select(ConnectorLaunch).where(ConnectorLaunch.user_id == college.student.id)).all()
    assert [(r.key, r.kind, r.profile, r.structure_id) for r in recorded] == [
        (f"gar:{MATHS}", "saml", "student", college.structure.id)]


def test_an_unassigned_resource_is_a_404_and_records_nothing(db, client, login_as, college):
    login_as(college.student)
    assert client.get(f"/apps/gar/ouvrir/{DICO}").status_code == 404
    assert client.get("/apps/gar/ouvrir/ark:/99999/FORGED").status_code == 404
    assert db.scalar(select(func.count()).select_from(ConnectorLaunch)) == 0


def test_assignments_to_the_structure_a_profile_and_a_group_reach_the_right_people(db, client, login_as, college):
    login_as(college.staff)
    _assign(client, college, DICO, "structure")
    _assign(client, college, MATHS, "profile", "teacher")
    _assign(client, college, "ark:/99999/DEMO.ANGLAIS", "group", str(college.ulis.id))
    client.get("/auth/logout")
    login_as(college.teacher)
    teacher_page = client.get("/apps/gar/").text
    assert all(name in teacher_page for name in ("Dictionnaire junior", "Mathématiques 6e", "English Stories"))
    client.get("/auth/logout")
    login_as(college.student)
    student_page = client.get("/apps/gar/").text
    assert "Dictionnaire junior" in student_page and "English Stories" in student_page
    assert "Mathématiques 6e" not in student_page


def test_the_empty_state_explains_who_assigns_resources(client, login_as, college):
    page = login_as(college.student).get("/apps/gar/")
    assert "Aucune ressource ne vous est attribuée" in page.text
    assert "responsable d'affectation" in unescape(page.text)


def test_a_teacher_cannot_assign_nor_see_the_assignment_page(db, client, login_as, college):
    login_as(college.teacher)
    assert client.get(f"/apps/gar/affectation/{college.structure.id}").status_code == 403
    assert client.get("/apps/gar/affectation/").status_code == 403
    assert _assign(client, college, DICO, "structure").status_code == 403
    assert _count(db) == 0


def test_the_responsable_of_another_school_cannot_assign_here(db, client, login_as, college, ecole):
    login_as(ecole.staff)
    assert _assign(client, college, DICO, "structure").status_code == 403
    assert _count(db) == 0
    # and cannot aim their own page at a class of the other school
    response = _assign(client, ecole, DICO, "class", str(college.school_class.id))
    assert response.status_code == 400 and _count(db) == 0
    assert "Cette classe n'appartient pas à l'établissement." in unescape(response.text)


def test_a_resource_the_school_does_not_hold_or_a_duplicate_is_refused(db, client, login_as, college):
    login_as(college.staff)
    refused = _assign(client, college, "ark:/99999/UNKNOWN", "structure")
    assert refused.status_code == 400
    assert "Cette ressource n'est pas disponible" in unescape(refused.text)
    _assign(client, college, DICO, "profile", "student")
    again = _assign(client, college, DICO, "profile", "student")
    assert again.status_code == 400 and "déjà attribuée" in unescape(again.text)
    parents = _assign(client, college, DICO, "profile", "relative")  # the GAR serves pupils and staff only
    assert parents.status_code == 400 and "Ce profil ne peut pas recevoir" in unescape(parents.text)
    assert _count(db) == 1


def test_the_responsable_removes_an_assignment(db, client, login_as, college):
    login_as(college.staff)
    _assign(client, college, DICO, "structure")
    row = db.scalar(select(Assignment))
    response = client.post_form(f"/apps/gar/affectation/{college.structure.id}/{row.id}/retirer")
    assert response.status_code == 303 and _count(db) == 0


def test_the_mediacentre_block_lists_the_persons_resources(db, app, client, login_as, college):
    login_as(college.staff)
    _assign(client, college, DICO, "structure")
    with app.test_request_context():
        html = render_mediacentre(college.student, "apercu")
    assert "Dictionnaire junior en ligne" in html and "/apps/gar/ouvrir/ark:/99999/DEMO.DICO" in html
    with app.test_request_context():
        assert "Aucune ressource" in render_mediacentre(college.parent, "apercu")


def test_without_an_adapter_the_page_says_no_resource_is_available(db, app, client, login_as, college):
    from preau.settings import set_setting

    set_setting(db, app.extensions["preau.plugins"], "gar", "adapter", "", structure_id=college.structure.id)
    page = login_as(college.staff).get(f"/apps/gar/affectation/{college.structure.id}")
    assert "Aucune ressource du GAR n'est disponible" in unescape(page.text)


def test_the_responsable_finds_the_assignment_page_from_the_mediacentre(client, login_as, college):
    page = login_as(college.staff).get("/apps/gar/")
    assert "/apps/gar/affectation/" in page.text
    assert client.get("/apps/gar/affectation/").location.endswith(f"/apps/gar/affectation/{college.structure.id}")
    client.get("/auth/logout")
    assert "/apps/gar/affectation/" not in login_as(college.student).get("/apps/gar/").text
