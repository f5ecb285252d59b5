"""The Pronote source: a structure whose ``source`` setting is 'pronote' shows the student's week read through
pronotepy (real pronotepy ``Lesson`` objects built from Pronote's wire JSON, a client factory returning them);
an unknown source name is a clear error, never other data."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import icalendar
import pytest
from pronotepy.dataClasses import Lesson as PronoteLesson

from preau.settings import set_setting
from preau_plugins.pronote import adapters
from preau_plugins.timetable.models import Lesson
from preau_plugins.timetable.sources import lesson_from_pronotepy

MONDAY = date.today() - timedelta(days=date.today().weekday())


def lesson_json(day: date, start: str, end: str, subject: str, teacher: str, room: str, **extra):
    return {"N": f"L{day}{start}", "DateDuCours": {"V": f"{day:%d/%m/%Y} {start}:00"},
            "DateDuCoursFin": {"V": f"{day:%d/%m/%Y} {end}:00"}, "P": 1,
            "ListeContenus": {"V": [{"N": "s1", "G": 16, "L": subject}, {"G": 3, "L": teacher},
                                    {"G": 17, "L": room}]}, **extra}


def _source(app, db, school, name):
    set_setting(db, app.extensions["preau.plugins"], "timetable", "source", name,
                structure_id=school.structure.id)
    db.flush()


class _Client:
    """Stands for a logged-in pronotepy client; its lessons are pronotepy's own objects."""

    def __init__(self, lessons):
        self._lessons, self.asked = lessons, []

    def lessons(self, date_from, date_to=None):
        self.asked.append((date_from, date_to))
        return self._lessons


@pytest.fixture
def pronote(app, db, school, enable_plugin, monkeypatch):
    enable_plugin("timetable", school.structure)
    enable_plugin("pronote", school.structure)  # an optional requirement: the source reads through it
    _source(app, db, school, "pronote")
    client = _Client([
        PronoteLesson(None, lesson_json(MONDAY, "08:00", "09:00", "MATHEMATIQUES", "M. PRONOTE", "S101")),
        PronoteLesson(None, lesson_json(MONDAY, "09:00", "10:00", "ANGLAIS", "MME KEY", "S102", estAnnule=True,
                                        Statut="Prof. absent")),
        PronoteLesson(None, lesson_json(MONDAY + timedelta(days=1), "10:00", "11:00", "HISTOIRE", "M. H", "S103",
                                        Statut="Changement de salle")),
        PronoteLesson(None, lesson_json(MONDAY + timedelta(days=14), "10:00", "11:00", "HORS SEMAINE", "X", "Y"))])
    monkeypatch.setitem(adapters.PRONOTEPY_CLIENTS, "default", lambda student: client)
    return school, client


def test_a_pronotepy_lesson_keeps_times_subject_teacher_room_and_its_status():
    raw = PronoteLesson(None, lesson_json(date(2026, 11, 23), "08:00", "09:30", "FRANCAIS", "MME A", "B2",
                                          estAnnule=True, Statut="Prof. absent"))
    shown = lesson_from_pronotepy(raw)
    assert (shown.starts_at, shown.ends_at) == (datetime(2026, 11, 23, 8), datetime(2026, 11, 23, 9, 30))
    assert (shown.subject, shown.teacher_name, shown.room) == ("FRANCAIS", "MME A", "B2")
    assert shown.status == "cancelled" and shown.change_note == "Prof. absent"


def test_the_week_view_of_a_pronote_school_shows_pronote_lessons_not_preaus(db, pronote, client, login_as):
    school, fake = pronote
    db.add(Lesson(structure_id=school.structure.id, starts_at=datetime.combine(MONDAY, time(14)),
                  ends_at=datetime.combine(MONDAY, time(15)), subject="Cours Préau", class_id=school.school_class.id))
    db.flush()
    body = login_as(school.parent).get("/apps/timetable/").get_data(as_text=True)
    assert "MATHEMATIQUES" in body and "S101" in body and "Annulé" in body
    assert "Modifié : Changement de salle" in body
    assert "Cours Préau" not in body and "HORS SEMAINE" not in body
    assert fake.asked[-1][0] == MONDAY


def test_the_widget_and_the_api_and_the_feed_use_the_pronote_source(db, pronote, client, login_as):
    school, _fake = pronote
    login_as(school.student)
    api = client.get(f"/api/v1/timetable?date={MONDAY.isoformat()}").get_json()
    assert [x["subject"] for x in api["lessons"]] == ["MATHEMATIQUES", "ANGLAIS", "HISTOIRE"]
    assert api["lessons"][0]["id"] is None
    from preau_plugins.timetable.widget import render_today

    with client.application.test_request_context():
        html = render_today(school.student, "small")
    assert ("MATHEMATIQUES" in html) == (date.today() == MONDAY)
    # the page shows the feed URL once: read it back and parse the calendar
    page = client.post_form("/apps/timetable/agenda", {}).get_data(as_text=True)
    url = re.search(r'id="feed-url"[^>]* value="([^"]+)"', page).group(1)
    feed = client.get(url[url.index("/apps/"):])
    events = icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
    assert {str(e["SUMMARY"]) for e in events} >= {"MATHEMATIQUES", "ANGLAIS"}
    assert any(str(e.get("STATUS")) == "CANCELLED" for e in events)


def test_an_unknown_source_name_is_a_clear_error_not_other_data(app, db, school, enable_plugin, client, login_as):
    enable_plugin("timetable", school.structure)
    _source(app, db, school, "edt-xyz")
    db.add(Lesson(structure_id=school.structure.id, starts_at=datetime.combine(MONDAY, time(14)),
                  ends_at=datetime.combine(MONDAY, time(15)), subject="Cours Préau", class_id=school.school_class.id))
    db.flush()
    response = login_as(school.student).get("/apps/timetable/")
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and "edt-xyz" in body and "Cours Préau" not in body


def test_where_pronote_is_off_nothing_read_from_it_is_shown(app, db, pronote, client, login_as):
    from preau.rights import set_enabled

    school, fake = pronote
    set_enabled(db, school.structure, "pronote", False)
    response = login_as(school.student).get("/apps/timetable/")
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and "Pronote est désactivé pour cet établissement" in body
    assert "MATHEMATIQUES" not in body and fake.asked == []


def test_the_timetable_declares_pronote_as_an_optional_requirement_and_uses_its_public_module(app):
    manifest = app.extensions["preau.plugins"].by_app_id("timetable").manifest
    assert manifest.optional_requires == ("pronote",) and manifest.requires == ()
    from preau_plugins.pronote import api

    assert api.PRONOTEPY_CLIENTS is adapters.PRONOTEPY_CLIENTS


def test_without_a_registered_client_the_pronote_source_says_so(app, db, school, enable_plugin, client, login_as,
                                                                 monkeypatch):
    enable_plugin("timetable", school.structure)
    enable_plugin("pronote", school.structure)
    _source(app, db, school, "pronote")
    monkeypatch.delitem(adapters.PRONOTEPY_CLIENTS, "default", raising=False)
    response = login_as(school.student).get("/api/v1/timetable")
    assert response.status_code == 503 and "pronotepy" in response.get_json()["message"]
