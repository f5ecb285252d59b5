"""The cahier de textes through its pages: a teacher writes sessions and homework for the classes and groups
they teach and sees the workload; the student ticks homework done; the parent reads the selected child's
homework; the head's visa freezes a period; bad input is refused with its reason and nothing changes."""

from __future__ import annotations

import html
import io
from datetime import date, timedelta

from sqlalchemy import select

from preau.models import AuditEvent
from preau_plugins.cahier.models import Attachment, CahierSession, Homework, HomeworkDone, Visa
from preau_plugins.cahier.services import ItemInput, Target, save_homework, save_session, sign_visa

from .conftest import counts

TODAY = date.today()


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _key(school) -> str:
    return f"c{school.school_class.id}"


def _homework_form(school, **overrides) -> dict:
    data = {"cible": _key(school), "subject": "Mathématiques", "given_on": TODAY.isoformat(),
            "due_on": (TODAY + timedelta(days=2)).isoformat(), "html": "<p>Exercices 1 à 3 page 12</p>",
            "minutes": "25", "link_url": "", "link_label": ""}
    data.update(overrides)
    return data


def _class_target(school) -> Target:
    return Target("class", school.school_class.id, school.school_class.name, school.structure.id)


def _homework(db, school, subject="Sciences", given=TODAY, due=None, minutes=20, target=None) -> Homework:
    return save_homework(db, school.teacher, target or _class_target(school), ItemInput(subject, "<p>Lire</p>"),
                         given, due or given + timedelta(days=1), minutes)


def test_a_teacher_sets_homework_for_their_class_and_the_parent_and_student_see_it(client, db, ecole, login_as):
    login_as(ecole.teacher)
    form = client.get(f"/apps/cahier/devoir/nouveau?cible={_key(ecole)}")
    page = text(form)
    for label in ("Classe", "Matière", "À faire pour le", "Travail à faire", "Durée estimée (minutes)",
                  "Enregistrer le devoir", "Charge de travail de la classe"):
        assert label in page
    response = client.post_form("/apps/cahier/devoir/nouveau", _homework_form(ecole))
    assert response.status_code == 303
    saved = db.scalars(select(Homework)).one()
    assert (saved.class_id, saved.author_id, saved.estimated_minutes) == (ecole.school_class.id, ecole.teacher.id, 25)
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "cahier.homework.create")) is not None
    client.get("/auth/logout")
    login_as(ecole.parent)
    home = text(client.get("/apps/cahier/"))
    assert "Exercices 1 à 3 page 12" in home and "Devoirs à faire de Emma" in home
    assert "Marquer comme fait" not in home  # parents read only
    client.get("/auth/logout")
    login_as(ecole.student)
    assert "Marquer comme fait" in text(client.get("/apps/cahier/"))


def test_a_teacher_records_a_session_with_links_and_reads_it_in_the_class_cahier(client, db, ecole, login_as):
    login_as(ecole.teacher)
    response = client.post_form("/apps/cahier/seance/nouvelle", {
        "cible": _key(ecole), "subject": "Histoire", "day": TODAY.isoformat(), "start": "09:00", "end": "10:00",
        "html": "<p>La <strong>Révolution</strong></p>", "link_url": "https://example.org/bastille",
        "link_label": "La Bastille"})
    assert response.status_code == 303
    page = client.get(f"/apps/cahier/cahier/{_key(ecole)}").get_data(as_text=True)
    assert "<strong>Révolution</strong>" in page and 'href="https://example.org/bastille"' in page
    assert "09:00–10:00" in page


def test_the_student_marks_homework_done_and_not_done_and_the_parent_cannot(client, db, ecole, login_as):
    homework = _homework(db, ecole)
    db.commit()
    login_as(ecole.student)
    assert client.post_form(f"/apps/cahier/devoirs/{homework.id}/fait", {"done": "1"}).status_code == 303
    assert db.get(HomeworkDone, (homework.id, ecole.student.id)) is not None
    assert client.post_form(f"/apps/cahier/devoirs/{homework.id}/fait", {"done": "0"}).status_code == 303
    assert db.get(HomeworkDone, (homework.id, ecole.student.id)) is None
    client.get("/auth/logout")
    login_as(ecole.parent)
    refused = client.post_form(f"/apps/cahier/devoirs/{homework.id}/fait", {"done": "1"})
    assert refused.status_code == 403 and "seul l'élève" in text(refused).lower()
    assert db.scalar(select(HomeworkDone)) is None


def test_a_student_cannot_tick_the_homework_of_another_class(client, db, ecole, other_family, login_as):
    other = Target("class", other_family.school_class.id, "CM2 A", other_family.structure.id)
    homework = save_homework(db, other_family.teacher, other, ItemInput("Maths", "<p>x</p>"), TODAY,
                             TODAY + timedelta(days=1))
    db.commit()
    login_as(ecole.student)
    assert client.post_form(f"/apps/cahier/devoirs/{homework.id}/fait", {"done": "1"}).status_code == 404
    assert db.scalar(select(HomeworkDone)) is None


def test_the_workload_counts_the_class_and_its_students_group_homework(client, db, ecole, login_as):
    due = TODAY + timedelta(days=3)
    _homework(db, ecole, "Sciences", due=due, minutes=20)
    _homework(db, ecole, "Anglais", due=due, minutes=15,
              target=Target("group", ecole.group.id, ecole.group.name, ecole.structure.id))
    db.commit()
    login_as(ecole.teacher)
    data = client.get(f"/apps/cahier/charge/{_key(ecole)}.json").get_json()
    assert len(data["days"]) == 14
    day = next(d for d in data["days"] if d["day"] == due.isoformat())
    assert (day["count"], day["minutes"]) == (2, 35)
    assert sum(d["count"] for d in data["days"]) == 2
    page = client.get(f"/apps/cahier/devoir/nouveau?cible={_key(ecole)}").get_data(as_text=True)
    assert "<td>2</td><td>35</td>" in page


def test_the_workload_of_a_class_one_does_not_teach_is_refused(client, ecole, login_as):
    login_as(ecole.teacher)
    response = client.get(f"/apps/cahier/charge/c{ecole.other_class.id}.json")
    assert response.status_code == 403 and response.get_json()["reason"] == "not_your_class"


def test_the_head_signs_a_visa_that_freezes_the_period_with_a_visible_mark(client, db, ecole, login_as):
    old = _homework(db, ecole, "Sciences", given=TODAY - timedelta(days=5))
    db.commit()
    login_as(ecole.head)
    response = client.post_form(f"/apps/cahier/cahier/{_key(ecole)}/viser",
                                {"frozen_until": (TODAY - timedelta(days=1)).isoformat(), "comment": "Bien tenu"})
    assert response.status_code == 303
    visa = db.scalars(select(Visa)).one()
    assert visa.signed_by == ecole.head.id
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "cahier.visa")) is not None
    client.get("/auth/logout")
    login_as(ecole.teacher)
    page = client.get(f"/apps/cahier/cahier/{_key(ecole)}").get_data(as_text=True)
    assert f"Visé le {TODAY:%d/%m/%Y} par Hélène DIRECTRICE" in page
    before = counts(db)
    edit = client.post_form(f"/apps/cahier/devoir/{old.id}/modifier",
                            _homework_form(ecole, given_on=old.given_on.isoformat(), subject="Changé"))
    assert edit.status_code == 409 and "visé jusqu'au" in text(edit)
    deleted = client.post_form(f"/apps/cahier/devoir/{old.id}/supprimer")
    assert deleted.status_code == 409
    db.expire_all()
    assert db.get(Homework, old.id).subject == "Sciences" and counts(db) == before


def test_a_teacher_cannot_sign_a_visa(client, db, ecole, login_as):
    login_as(ecole.teacher)
    response = client.post_form(f"/apps/cahier/cahier/{_key(ecole)}/viser",
                                {"frozen_until": TODAY.isoformat()})
    assert response.status_code == 403
    assert db.scalar(select(Visa)) is None


def test_a_parent_cannot_read_the_cahier_of_another_class(client, ecole, other_family, login_as):
    login_as(ecole.parent)
    assert client.get(f"/apps/cahier/cahier/{_key(ecole)}").status_code == 200
    assert client.get(f"/apps/cahier/cahier/c{other_family.school_class.id}").status_code == 403
    assert client.get(f"/apps/cahier/cahier/c{ecole.other_class.id}").status_code == 403


def test_the_app_answers_404_where_it_is_not_enabled(client, school, login_as):
    login_as(school.student)
    assert client.get("/apps/cahier/").status_code == 403
    assert client.get("/api/v1/homework").status_code == 404


def test_editing_and_deleting_a_session_of_an_open_period(client, db, ecole, login_as):
    item = save_session(db, ecole.teacher, _class_target(ecole), ItemInput("Maths", "<p>Fractions</p>"), TODAY)
    db.commit()
    login_as(ecole.teacher)
    response = client.post_form(f"/apps/cahier/seance/{item.id}/modifier", {
        "cible": _key(ecole), "subject": "Mathématiques", "day": TODAY.isoformat(), "html": "<p>Décimaux</p>"})
    assert response.status_code == 303
    db.expire_all()
    assert db.get(CahierSession, item.id).content_html == "<p>Décimaux</p>"
    assert client.post_form(f"/apps/cahier/seance/{item.id}/supprimer").status_code == 303
    assert db.get(CahierSession, item.id) is None


def test_the_empty_states_show_on_every_list(client, ecole, login_as):
    login_as(ecole.student)
    assert "Aucun devoir à faire pour le moment." in text(client.get("/apps/cahier/"))
    assert "Aucun devoir cette année." in text(client.get("/apps/cahier/devoirs"))
    page = client.get(f"/apps/cahier/cahier/{_key(ecole)}").get_data(as_text=True)
    assert "Aucune séance dans ce cahier." in page and "Aucun devoir dans ce cahier." in page


def test_an_attachment_is_stored_and_downloaded_by_a_reader_only(client, db, ecole, other_family, login_as):
    login_as(ecole.teacher)
    data = _homework_form(ecole)
    data["files"] = (io.BytesIO(b"%PDF-1.4 fiche"), "fiche.pdf")
    response = client.post("/apps/cahier/devoir/nouveau", data={**data, "csrf_token": client.csrf_token()},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    attachment = db.scalars(select(Attachment)).one()
    assert client.get(f"/apps/cahier/piece/{attachment.id}").data == b"%PDF-1.4 fiche"
    client.get("/auth/logout")
    login_as(other_family.parent)
    assert client.get(f"/apps/cahier/piece/{attachment.id}").status_code == 403


# -- bad input: a clear reason, a 4xx, nothing changed ---------------------------------------------------------


def test_homework_in_a_frozen_period_is_refused(client, db, ecole, login_as):
    sign_visa(db, ecole.head, _class_target(ecole), TODAY - timedelta(days=1))
    db.commit()
    before = counts(db)
    login_as(ecole.teacher)
    response = client.post_form("/apps/cahier/devoir/nouveau",
                                _homework_form(ecole, given_on=(TODAY - timedelta(days=3)).isoformat()))
    assert response.status_code == 409 and "visé jusqu'au" in text(response)
    assert counts(db) == before


def test_a_due_date_before_the_session_is_refused(client, db, ecole, login_as):
    lesson = save_session(db, ecole.teacher, _class_target(ecole), ItemInput("Maths", "<p>x</p>"), TODAY)
    db.commit()
    before = counts(db)
    login_as(ecole.teacher)
    response = client.post_form("/apps/cahier/devoir/nouveau", _homework_form(
        ecole, session_id=str(lesson.id), given_on="", due_on=(TODAY - timedelta(days=2)).isoformat()))
    assert response.status_code == 422 and "ne peut pas précéder la séance" in text(response)
    response = client.post_form("/apps/cahier/devoir/nouveau",
                                _homework_form(ecole, due_on=(TODAY - timedelta(days=1)).isoformat()))
    assert response.status_code == 422
    assert counts(db) == before


def test_a_class_the_author_does_not_teach_is_refused(client, db, ecole, login_as):
    before = counts(db)
    login_as(ecole.teacher)
    response = client.post_form("/apps/cahier/devoir/nouveau", _homework_form(ecole, cible=f"c{ecole.other_class.id}"))
    assert response.status_code == 403 and "Vous n'enseignez pas" in text(response)
    assert counts(db) == before


def test_a_parent_asking_for_another_familys_child_is_refused(client, db, ecole, other_family, login_as):
    _homework(db, ecole)
    db.commit()
    login_as(other_family.parent)
    response = client.get(f"/apps/cahier/devoirs?eleve={ecole.student.id}")
    assert response.status_code == 403 and "n'est pas l'un de vos enfants" in text(response)
    assert "Lire" not in text(response)


def test_an_oversized_attachment_is_refused_with_413(client, db, ecole, login_as):
    before = counts(db)
    login_as(ecole.teacher)
    data = _homework_form(ecole)
    data["files"] = (io.BytesIO(b"x" * (5 * 1024 * 1024 + 1)), "enorme.pdf")
    response = client.post("/apps/cahier/devoir/nouveau", data={**data, "csrf_token": client.csrf_token()},
                           content_type="multipart/form-data")
    assert response.status_code == 413 and "dépasse 5 Mo" in text(response)
    assert counts(db) == before


def test_more_than_ten_attachments_are_refused_with_413(client, db, ecole, login_as):
    before = counts(db)
    login_as(ecole.teacher)
    data = _homework_form(ecole)
    data["files"] = [(io.BytesIO(b"x"), f"f{i}.txt") for i in range(11)]
    response = client.post("/apps/cahier/devoir/nouveau", data={**data, "csrf_token": client.csrf_token()},
                           content_type="multipart/form-data")
    assert response.status_code == 413 and "10 au plus" in text(response)
    assert counts(db) == before


def test_a_javascript_link_is_refused(client, db, ecole, login_as):
    before = counts(db)
    login_as(ecole.teacher)
    response = client.post_form("/apps/cahier/devoir/nouveau", _homework_form(
        ecole, link_url="javascript:alert(1)", link_label="Clique"))
    assert response.status_code == 422 and "http:// ou https://" in text(response)
    assert counts(db) == before


def test_html_injection_in_content_is_sanitised(client, db, ecole, login_as):
    login_as(ecole.teacher)
    response = client.post_form("/apps/cahier/seance/nouvelle", {
        "cible": _key(ecole), "subject": "Français", "day": TODAY.isoformat(),
        "html": '<p onclick="steal()">Dictée<script>alert(1)</script> <a href="javascript:alert(2)">x</a></p>'
                '<img src=x onerror="alert(3)">'})
    assert response.status_code == 303
    stored = db.scalars(select(CahierSession)).one().content_html
    assert "Dictée" in stored
    for bad in ("<script", "onclick", "onerror", "javascript:", "alert"):
        assert bad not in stored
    page = client.get(f"/apps/cahier/cahier/{_key(ecole)}").get_data(as_text=True)
    assert "alert(" not in page
