"""The read-only pages: a parent sees the selected child, a student themself; a forged id, a teacher or an
unconfigured source get a clear refusal and nothing of anyone."""

from __future__ import annotations

from types import SimpleNamespace

from preau_plugins.vie_scolaire.adapters import DemoAdapter

from .conftest import use_adapter


def test_a_parent_sees_the_grades_of_the_selected_child_then_of_the_other(viesco, second_child, login_as):
    client = login_as(viesco.parent)
    html = client.get("/apps/vie_scolaire/notes?periode=T1").get_data(as_text=True)
    assert "Notes — Adam Eleve" in html  # the first child by first name
    adam_grades = DemoAdapter().grades(second_child, "T1")
    assert f"<strong>{adam_grades[0].value}</strong>/" in html
    assert "Moyenne de la classe" in html and "Trimestre 1" in html
    client.post_form("/child", {"child_id": str(viesco.student.id)})
    html = client.get("/apps/vie_scolaire/notes?periode=T1").get_data(as_text=True)
    assert "Notes — Emma Eleve" in html and "Adam" not in html.split("<main", 1)[-1].split("</main>")[0]


def test_the_period_selector_chooses_the_period_and_an_unknown_period_is_404(viesco, login_as):
    client = login_as(viesco.student)
    html = client.get("/apps/vie_scolaire/notes?periode=T2").get_data(as_text=True)
    assert "Aucune note pour cette période." in html
    assert client.get("/apps/vie_scolaire/notes?periode=T9").status_code == 404


def test_every_page_shows_the_students_own_data(viesco, login_as):
    client = login_as(viesco.student)
    life = DemoAdapter().school_life(SimpleNamespace(id=viesco.student.id))
    skills = client.get("/apps/vie_scolaire/competences").get_data(as_text=True)
    assert DemoAdapter().skills(viesco.student)[0].label in skills
    absences = client.get("/apps/vie_scolaire/absences").get_data(as_text=True)
    assert life.absences[0].start.strftime("%d/%m/%Y %H:%M") in absences
    punishments = client.get("/apps/vie_scolaire/punitions").get_data(as_text=True)
    assert (life.punishments[0].nature in punishments) if life.punishments else "Aucune punition." in punishments


def test_a_forged_student_id_is_refused_and_shows_nothing(viesco, other_school, login_as):
    client = login_as(viesco.parent)
    for url in ("/apps/vie_scolaire/notes", "/apps/vie_scolaire/absences", "/apps/vie_scolaire/competences"):
        response = client.get(f"{url}?eleve={other_school.student.id}")
        assert response.status_code == 403
        assert other_school.student.last_name not in response.get_data(as_text=True)
    assert client.get("/apps/vie_scolaire/notes?eleve=abc").status_code == 403
    own = client.get(f"/apps/vie_scolaire/notes?eleve={viesco.student.id}")
    assert own.status_code == 200 and "Emma Eleve" in own.get_data(as_text=True)


def test_a_student_cannot_look_at_a_classmate(viesco, second_child, login_as):
    client = login_as(viesco.student)
    assert client.get(f"/apps/vie_scolaire/notes?eleve={second_child.id}").status_code == 403


def test_teachers_do_not_reach_the_app_and_staff_land_on_the_import(viesco, login_as):
    assert login_as(viesco.teacher).get("/apps/vie_scolaire/notes").status_code == 403
    client = login_as(viesco.staff)
    assert client.get("/apps/vie_scolaire/notes").status_code == 404  # no grades to read for staff
    response = client.get("/apps/vie_scolaire/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/apps/vie_scolaire/import")


def test_an_empty_csv_source_shows_empty_states(csv_school, login_as):
    client = login_as(csv_school.student)
    assert "Aucune note pour cette période." in client.get("/apps/vie_scolaire/notes").get_data(as_text=True)
    html = client.get("/apps/vie_scolaire/absences").get_data(as_text=True)
    assert "Aucune absence." in html and "Aucun retard." in html
    assert "Aucune compétence évaluée" in client.get("/apps/vie_scolaire/competences").get_data(as_text=True)
    assert "Aucune punition." in client.get("/apps/vie_scolaire/punitions").get_data(as_text=True)


def test_an_unknown_adapter_setting_is_reported_never_replaced_by_invented_data(app, db, viesco, login_as):
    use_adapter(app, db, viesco.structure, "pronotte")
    response = login_as(viesco.student).get("/apps/vie_scolaire/notes")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "pas configurée correctement" in html and "Moyenne de la classe" not in html
