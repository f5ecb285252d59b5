"""The lesson page of staff: change one lesson (room, teacher's name, times → « Modifié »), cancel it, delete its
series; bad input refused with a reason and nothing changed; families never reach it. The week page's pickers
(class, teacher, room) and the day view."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from preau_plugins.timetable.models import Lesson

MONDAY = date.today() - timedelta(days=date.today().weekday())


@pytest.fixture
def tt(db, school, enable_plugin):
    enable_plugin("timetable", school.structure)
    return school


def _series(db, school, weeks=3, subject="Physique"):
    days = [MONDAY + timedelta(weeks=w) for w in range(weeks)]
    lessons = [Lesson(structure_id=school.structure.id, starts_at=datetime.combine(day, time(9)),
                      ends_at=datetime.combine(day, time(10)), subject=subject,
                      class_id=school.school_class.id, teacher_id=school.teacher.id,
                      teacher_name=school.teacher.display_name, room="B12", series_id="s-test")
               for day in days]
    db.add_all(lessons)
    db.flush()
    return lessons


def _snapshot(db):
    return db.execute(select(Lesson.id, Lesson.room, Lesson.teacher_name, Lesson.starts_at, Lesson.ends_at,
                             Lesson.status).order_by(Lesson.id)).all()


def test_staff_changes_room_teacher_and_times_and_the_week_says_modifie(db, tt, client, login_as):
    first = _series(db, tt)[0]
    login_as(tt.staff)
    page = client.get(f"/apps/timetable/cours/{first.id}").get_data(as_text=True)
    assert "Changer ce cours" in page and "Supprimer la série" in page
    response = client.post_form(f"/apps/timetable/cours/{first.id}", {
        "action": "modifier", "salle": "C07", "enseignant_nom": "Mme Remplaçante", "debut": "10:00", "fin": "11:00"})
    assert response.status_code == 303
    db.refresh(first)
    assert (first.room, first.teacher_name, first.teacher_id) == ("C07", "Mme Remplaçante", None)
    assert first.starts_at.time() == time(10) and first.status == "changed"
    week = client.get(f"/apps/timetable/?classe={tt.school_class.id}").get_data(as_text=True)
    assert "Modifié : salle C07, Mme Remplaçante, 10:00–11:00" in week


def test_staff_deletes_a_whole_series_from_the_lesson_page(db, tt, client, login_as):
    lessons = _series(db, tt)
    other = _series(db, tt, weeks=1, subject="Autre")[0]
    other.series_id = "s-other"
    db.flush()
    login_as(tt.staff)
    assert client.post_form(f"/apps/timetable/cours/{lessons[1].id}", {"action": "supprimer_serie"}).status_code == 303
    assert db.scalars(select(Lesson.subject)).all() == ["Autre"]


@pytest.mark.parametrize("form,reason", [
    ({"action": "modifier", "debut": "11:00", "fin": "10:00"}, "heure de fin doit être après"),
    ({"action": "modifier", "salle": "x" * 61}, "salle est trop long"),
    ({"action": "modifier", "debut": "25:99"}, "HH:MM"),
    ({"action": "modifier", "note": "n" * 201}, "200 caractères"),
    ({"action": "inventee"}, "Action inconnue"),
])
def test_a_bad_change_is_refused_with_its_reason_and_changes_nothing(db, tt, client, login_as, form, reason):
    first = _series(db, tt)[0]
    login_as(tt.staff)
    before = _snapshot(db)
    response = client.post_form(f"/apps/timetable/cours/{first.id}", form)
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    db.expire_all()
    assert _snapshot(db) == before


def test_families_and_teachers_cannot_open_or_post_the_lesson_page(db, tt, client, login_as):
    first = _series(db, tt)[0]
    before = _snapshot(db)
    for user in (tt.parent, tt.student, tt.teacher):
        client.get("/auth/logout")
        login_as(user)
        assert client.get(f"/apps/timetable/cours/{first.id}").status_code == 403
        assert client.post_form(f"/apps/timetable/cours/{first.id}", {"action": "supprimer_serie"}).status_code == 403
    db.expire_all()
    assert _snapshot(db) == before


def test_the_week_page_offers_teacher_and_room_pickers_to_staff_not_to_families(db, tt, client, login_as):
    _series(db, tt, weeks=1)
    staff_page = login_as(tt.staff).get("/apps/timetable/").get_data(as_text=True)
    assert 'id="tt-ens"' in staff_page and 'id="tt-salle"' in staff_page
    by_room = client.get(f"/apps/timetable/?salle_etab={tt.structure.id}:B12").get_data(as_text=True)
    assert "Physique" in by_room and "— B12" in by_room
    by_teacher = client.get(f"/apps/timetable/?enseignant={tt.teacher.id}").get_data(as_text=True)
    assert "Physique" in by_teacher
    client.get("/auth/logout")
    family_page = login_as(tt.parent).get("/apps/timetable/").get_data(as_text=True)
    assert 'id="tt-ens"' not in family_page and 'id="tt-salle"' not in family_page


def test_the_day_view_shows_only_that_day(db, tt, client, login_as):
    _series(db, tt, weeks=1)
    tuesday = MONDAY + timedelta(days=1)
    login_as(tt.student)
    monday_page = client.get(f"/apps/timetable/?vue=jour&date={MONDAY.isoformat()}").get_data(as_text=True)
    tuesday_page = client.get(f"/apps/timetable/?vue=jour&date={tuesday.isoformat()}").get_data(as_text=True)
    assert "Physique" in monday_page and "Jour suivant" in monday_page
    assert "Physique" not in tuesday_page and "Aucun cours sur cette période." in tuesday_page
    assert db.scalar(select(func.count()).select_from(Lesson)) == 1
