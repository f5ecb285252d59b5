"""The timetable: week view per role, who may see which class, manual entry by staff with validation,
changes and cancellations shown as text, iCalendar import (dry run, apply, idempotent, bad input) and the
private iCalendar feed (regenerate kills the old URL)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from preau.testing import build_school
from preau_plugins.timetable.models import FeedToken, Lesson

MONDAY = date.today() - timedelta(days=date.today().weekday())


@pytest.fixture
def tt(db, school, enable_plugin):
    enable_plugin("timetable", school.structure)
    return school


def _lesson(db, school, day=MONDAY, subject="Mathématiques", **kw):
    lesson = Lesson(structure_id=school.structure.id, starts_at=datetime.combine(day, time(9)),
                    ends_at=datetime.combine(day, time(10)), subject=subject, class_id=school.school_class.id,
                    teacher_id=school.teacher.id, teacher_name=school.teacher.display_name, room="B12", **kw)
    db.add(lesson)
    db.flush()
    return lesson


def _count(db):
    return db.scalar(select(func.count()).select_from(Lesson))


def test_student_parent_and_teacher_see_the_class_lessons_of_the_week(db, tt, client, login_as):
    _lesson(db, tt, subject="Géométrie du lundi")
    for user in (tt.student, tt.parent, tt.teacher):
        client.get("/auth/logout")
        body = login_as(user).get("/apps/timetable/").get_data(as_text=True)
        assert "Géométrie du lundi" in body, user.login


def test_changes_and_cancellations_are_written_out_not_only_coloured(db, tt, client, login_as):
    _lesson(db, tt, subject="Sciences", status="changed", change_note="salle B14")
    _lesson(db, tt, day=MONDAY + timedelta(days=1), subject="Anglais", status="cancelled")
    body = login_as(tt.student).get("/apps/timetable/").get_data(as_text=True)
    assert "Modifié : salle B14" in body and "Annulé" in body


def test_empty_week_shows_an_empty_state(db, tt, client, login_as):
    body = login_as(tt.student).get("/apps/timetable/").get_data(as_text=True)
    assert "Aucun cours sur cette période." in body


def test_a_parent_cannot_open_another_familys_class(db, tt, client, login_as, enable_plugin):
    other = build_school(db, name="École Voisine", uai="0750002B", city_name="Autre Ville")
    enable_plugin("timetable", other.structure)
    _lesson(db, other, subject="Secret voisin")
    response = login_as(tt.parent).get(f"/apps/timetable/?classe={other.school_class.id}")
    assert response.status_code == 404 and "Secret voisin" not in response.get_data(as_text=True)


def test_staff_adds_a_weekly_series_one_row_per_wednesday(db, tt, client, login_as):
    login_as(tt.staff)
    start = MONDAY
    response = client.post_form("/apps/timetable/saisie", {
        "classe": f"c{tt.school_class.id}", "matiere": "Musique", "salle": "Salle 3", "jour": "2",
        "debut": "14:00", "fin": "15:00", "du": start.isoformat(), "au": (start + timedelta(weeks=3)).isoformat()})
    assert response.status_code == 303
    rows = db.scalars(select(Lesson).where(Lesson.subject == "Musique")).all()
    assert len(rows) == 3 and len({r.series_id for r in rows}) == 1
    assert all(r.starts_at.weekday() == 2 for r in rows)


@pytest.mark.parametrize("field,value,reason", [
    ("fin", "13:00", "heure de fin doit être après"),
    ("du", "1890-01-01", "dates valides"),
    ("matiere", "", "Indiquez la matière"),
])
def test_bad_manual_entry_is_refused_with_a_reason_and_changes_nothing(db, tt, client, login_as, field, value,
                                                                       reason):
    login_as(tt.staff)
    form = {"classe": f"c{tt.school_class.id}", "matiere": "Musique", "jour": "2", "debut": "14:00",
            "fin": "15:00", "du": MONDAY.isoformat(), "au": (MONDAY + timedelta(weeks=1)).isoformat()}
    form[field] = value
    before = _count(db)
    response = client.post_form("/apps/timetable/saisie", form)
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert _count(db) == before


def test_a_student_or_teacher_cannot_enter_lessons(db, tt, client, login_as):
    for user in (tt.student, tt.teacher):
        client.get("/auth/logout")
        login_as(user)
        before = _count(db)
        response = client.post_form("/apps/timetable/saisie", {"classe": f"c{tt.school_class.id}",
                                                               "matiere": "X", "debut": "08:00", "fin": "09:00",
                                                               "du": MONDAY.isoformat()})
        assert response.status_code in (403, 404) and _count(db) == before


def test_staff_cannot_enter_lessons_for_another_structure(db, tt, client, login_as, enable_plugin):
    other = build_school(db, name="École Voisine", uai="0750002B", city_name="Autre Ville")
    login_as(tt.staff)
    before = _count(db)
    response = client.post_form("/apps/timetable/saisie", {
        "classe": f"c{other.school_class.id}", "matiere": "X", "jour": "0", "debut": "08:00", "fin": "09:00",
        "du": MONDAY.isoformat()})
    assert response.status_code == 403 and _count(db) == before


def test_cancel_and_change_one_occurrence_are_audited_and_shown(db, tt, client, login_as):
    first, second = _lesson(db, tt, subject="Histoire"), _lesson(db, tt, subject="Physique")
    login_as(tt.staff)
    assert client.post_form(f"/apps/timetable/cours/{first.id}", {"action": "annuler"}).status_code == 303
    assert client.post_form(f"/apps/timetable/cours/{second.id}",
                            {"action": "modifier", "salle": "C07"}).status_code == 303
    db.expire_all()
    assert db.get(Lesson, first.id).status == "cancelled"
    changed = db.get(Lesson, second.id)
    assert changed.status == "changed" and changed.room == "C07" and "salle C07" in changed.change_note
    from preau.models import AuditEvent
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("timetable.%"))))
    assert {"timetable.lesson_cancelled", "timetable.lesson_changed"} <= actions


def _ics(events: list[tuple[str, str | None, str | None]]) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//FR"]
    for uid, start, end in events:
        lines += ["BEGIN:VEVENT", f"UID:{uid}", "SUMMARY:Cours importé"]
        lines += [f"DTSTART:{start}"] if start else []
        lines += [f"DTEND:{end}"] if end else []
        lines += ["LOCATION:A1", "END:VEVENT"]
    return ("\r\n".join(lines + ["END:VCALENDAR"]) + "\r\n").encode()


def _upload(client, tt, data: bytes, apply: bool):
    form = {"classe": f"c{tt.school_class.id}", "fichier": (io.BytesIO(data), "edt.ics")}
    if apply:
        form["appliquer"] = "1"
    return client.post_form("/apps/timetable/import", form)


def test_ical_import_dry_run_then_apply_is_idempotent(db, tt, client, login_as):
    data = _ics([("u1", "20261207T080000", "20261207T090000"), ("u2", "20261208T080000", "20261208T090000")])
    login_as(tt.staff)
    dry = _upload(client, tt, data, apply=False)
    assert dry.status_code == 200 and "2 cours lus." in dry.get_data(as_text=True) and _count(db) == 0
    assert _upload(client, tt, data, apply=True).status_code == 303
    assert _upload(client, tt, data, apply=True).status_code == 303
    assert db.scalar(select(func.count()).select_from(Lesson).where(Lesson.source == "ical")) == 2


@pytest.mark.parametrize("events,status,reason", [
    ([("sans-debut", None, "20261207T090000")], 400, "sans-debut"),
    ([("a-lenvers", "20261207T090000", "20261207T080000")], 400, "a-lenvers"),
    ([(f"e{i}", "20261207T080000", "20261207T090000") for i in range(5001)], 413, "5000"),
])
def test_bad_ical_files_are_refused_and_change_nothing(db, tt, client, login_as, events, status, reason):
    _lesson(db, tt)
    login_as(tt.staff)
    before = _count(db)
    response = _upload(client, tt, _ics(events), apply=True)
    assert response.status_code == status and reason in response.get_data(as_text=True)
    assert _count(db) == before


def test_recurring_ical_events_are_refused_clearly(db, tt, client, login_as):
    data = _ics([("rec", "20261207T080000", "20261207T090000")]).replace(
        b"LOCATION:A1", b"RRULE:FREQ=WEEKLY;COUNT=3\r\nLOCATION:A1")
    login_as(tt.staff)
    response = _upload(client, tt, data, apply=True)
    assert response.status_code == 400 and "RRULE" in response.get_data(as_text=True) and _count(db) == 0


def test_ical_feed_is_valid_and_regenerating_kills_the_old_url(db, tt, client, login_as):
    _lesson(db, tt, subject="Lecture")
    _lesson(db, tt, day=MONDAY + timedelta(days=1), subject="Chant", status="cancelled")
    login_as(tt.parent)
    page = client.post_form("/apps/timetable/agenda", {}).get_data(as_text=True)
    url = re.search(r'id="feed-url"[^>]* value="([^"]+)"', page).group(1)
    path = url.split("localhost", 1)[-1]
    client.get("/auth/logout")
    feed = client.get(path)
    assert feed.status_code == 200 and b"\r\n" in feed.data
    calendar = icalendar.Calendar.from_ical(feed.data)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    first = tt.student.first_name
    assert f"{first} : Lecture" in events and str(events[f"{first} : Chant"]["STATUS"]) == "CANCELLED"
    assert db.scalar(select(FeedToken.token_hash)) not in url  # only a hash is stored
    login_as(tt.parent)
    client.post_form("/apps/timetable/agenda", {})
    client.get("/auth/logout")
    assert client.get(path).status_code == 404


def test_widget_shows_todays_lessons_or_its_empty_state(db, tt, app):
    from preau_plugins.timetable.widget import render_today

    with app.test_request_context("/"):
        assert "Pas de cours aujourd" in render_today(tt.teacher, "apercu")
        _lesson(db, tt, day=date.today(), subject="Natation")
        assert "Natation" in render_today(tt.teacher, "apercu")


def test_year_transition_archives_without_deleting(db, tt):
    from preau_plugins.timetable.services import archive_year

    lesson = _lesson(db, tt, day=MONDAY - timedelta(weeks=1))
    assert archive_year(db, tt.structure.id, datetime.combine(MONDAY, time())) == 1
    db.expire_all()
    assert db.get(Lesson, lesson.id).archived is True and _count(db) == 1
