"""The cahier's API, widget, year transition, « Mes données » and account merge."""

from __future__ import annotations

from datetime import date, timedelta

from flask_login import login_user
from sqlalchemy import event, select

from preau.directory import year_transition as transition
from preau_plugins.cahier import preau_export_user_data, preau_user_merged
from preau_plugins.cahier.models import Homework, HomeworkDone
from preau_plugins.cahier.services import ItemInput, Target, save_homework, set_done
from preau_plugins.cahier.widget import render_todo

from .conftest import counts

TODAY = date.today()


def _target(school) -> Target:
    return Target("class", school.school_class.id, school.school_class.name, school.structure.id)


def _homework(db, school, subject="Sciences", due=None, given=TODAY) -> Homework:
    return save_homework(db, school.teacher, _target(school), ItemInput(subject, "<p>Lire</p>"), given,
                         due or TODAY + timedelta(days=1), 15)


def test_the_api_lists_the_homework_of_the_student_and_marks_it_done(client, db, ecole, login_as):
    homework = _homework(db, ecole)
    db.commit()
    login_as(ecole.student)
    listed = client.get("/api/v1/homework").get_json()
    assert listed["student_id"] == ecole.student.id
    assert [(i["id"], i["done"]) for i in listed["items"]] == [(homework.id, False)]
    marked = client.put(f"/api/v1/homework/{homework.id}/done", json={"done": True},
                        headers={"X-CSRFToken": client.csrf_token()})
    assert marked.status_code == 200 and marked.get_json() == {"id": homework.id, "done": True}
    assert client.get("/api/v1/homework").get_json()["items"][0]["done"] is True


def test_the_api_refuses_another_familys_child_and_a_parents_done_mark(client, db, ecole, other_family, login_as):
    homework = _homework(db, ecole)
    db.commit()
    login_as(ecole.parent)
    mine = client.get("/api/v1/homework").get_json()
    assert mine["student_id"] == ecole.student.id and len(mine["items"]) == 1
    client.get("/auth/logout")
    login_as(other_family.parent)
    before = counts(db)
    forged = client.get(f"/api/v1/homework?student_id={ecole.student.id}")
    assert forged.status_code == 403 and forged.get_json()["reason"] == "not_your_child"
    refused = client.put(f"/api/v1/homework/{homework.id}/done", json={"done": True},
                         headers={"X-CSRFToken": client.csrf_token()})
    assert refused.status_code == 403 and refused.get_json()["reason"] == "student_only"
    assert counts(db) == before


def test_the_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/homework" in paths and "/api/v1/homework/{homework_id}/done" in paths


def _widget_statements(app, db, user) -> tuple[str, int]:
    engine, statements = db.get_bind(), []

    def listener(*args, **kwargs):
        statements.append(1)

    with app.test_request_context("/"):
        login_user(user)
        db.flush()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            html = render_todo(user, "apercu")
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    return html, len(statements)


def test_the_widget_shows_the_childs_week_with_done_marks_in_two_queries(app, db, ecole):
    empty, _ = _widget_statements(app, db, ecole.parent)
    assert "Aucun devoir pour les 7 prochains jours." in empty
    done = _homework(db, ecole, "Sciences")
    _homework(db, ecole, "Géographie", due=TODAY + timedelta(days=3))
    _homework(db, ecole, "Lointain", due=TODAY + timedelta(days=20))
    for i in range(30):
        _homework(db, ecole, f"Passé {i}", given=TODAY - timedelta(days=40), due=TODAY - timedelta(days=30))
    set_done(db, ecole.student, done.id, True)
    html, statements = _widget_statements(app, db, ecole.parent)
    assert "Sciences" in html and "Géographie" in html and "Lointain" not in html and "Passé" not in html
    assert html.count("Fait") == 1
    assert statements <= 3


def test_the_year_transition_archives_without_deleting(client, db, ecole, login_as):
    homework = _homework(db, ecole)
    transition.apply_transition(db, ecole.city, actor=ecole.admin)
    db.commit()
    db.expire_all()
    assert db.get(Homework, homework.id).archived_at is not None
    login_as(ecole.teacher)
    page = client.get(f"/apps/cahier/cahier/c{ecole.school_class.id}").get_data(as_text=True)
    assert "Lire" in page
    refused = client.post_form(f"/apps/cahier/devoir/{homework.id}/supprimer")
    assert refused.status_code == 409
    assert db.get(Homework, homework.id) is not None


def test_my_data_holds_a_teachers_homework_and_a_students_done_marks(db, ecole):
    homework = _homework(db, ecole)
    set_done(db, ecole.student, homework.id, True)
    teacher = preau_export_user_data(ecole.teacher)
    assert [h["matiere"] for h in teacher["devoirs_donnes"]] == ["Sciences"]
    student = preau_export_user_data(ecole.student)
    assert [d["devoir"] for d in student["devoirs_faits"]] == [homework.id]
    assert preau_export_user_data(ecole.guest) is None


def test_a_merge_moves_the_done_marks_without_duplicates(db, ecole):
    first, second = _homework(db, ecole, "Un"), _homework(db, ecole, "Deux")
    db.add_all([HomeworkDone(homework_id=first.id, student_id=ecole.guest.id),
                HomeworkDone(homework_id=second.id, student_id=ecole.guest.id),
                HomeworkDone(homework_id=first.id, student_id=ecole.student.id)])
    db.flush()
    preau_user_merged(ecole.student, ecole.guest.id)
    db.flush()
    rows = db.execute(select(HomeworkDone.homework_id, HomeworkDone.student_id)).all()
    assert sorted(rows) == sorted([(first.id, ecole.student.id), (second.id, ecole.student.id)])


def test_the_sessions_of_a_cahier_are_paged_newest_first(client, db, ecole, login_as):
    from preau_plugins.cahier.services import save_session

    for i in range(25):
        save_session(db, ecole.teacher, _target(ecole), ItemInput(f"Séance n°{i:02d}", "<p>x</p>"),
                     TODAY - timedelta(days=i))
    db.commit()
    login_as(ecole.student)
    first = client.get(f"/apps/cahier/cahier/c{ecole.school_class.id}").get_data(as_text=True)
    assert "Séance n°00" in first and "Séance n°19" in first and "Séance n°20" not in first
    assert first.index("Séance n°00") < first.index("Séance n°01") and "Page 1 sur 2" in first
    second = client.get(f"/apps/cahier/cahier/c{ecole.school_class.id}?page=2").get_data(as_text=True)
    assert "Séance n°24" in second and "Séance n°00" not in second


def test_a_final_deletion_removes_the_done_marks_of_the_account(db, ecole):
    from preau_plugins.cahier import preau_user_deleted

    homework = _homework(db, ecole)
    set_done(db, ecole.student, homework.id, True)
    db.flush()
    preau_user_deleted(ecole.student.id)
    db.flush()
    assert db.scalar(select(HomeworkDone)) is None and db.get(Homework, homework.id) is not None


def test_a_visa_cannot_cover_the_future_and_nothing_is_recorded(client, db, ecole, login_as):
    login_as(ecole.head)
    response = client.post_form(f"/apps/cahier/cahier/c{ecole.school_class.id}/viser",
                                {"frozen_until": (TODAY + timedelta(days=3)).isoformat()})
    assert response.status_code == 422 and "date future" in response.get_data(as_text=True)
    assert counts(db).cahier_visas == 0
