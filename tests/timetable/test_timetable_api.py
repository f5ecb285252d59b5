"""``/api/v1/timetable``: the caller's week (a parent: the selected child or ``eleve``), a class they may see,
the refusals with a JSON reason, and its place in the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from preau.testing import build_school
from preau_plugins.timetable.models import Lesson

MONDAY = date.today() - timedelta(days=date.today().weekday())


@pytest.fixture
def tt(db, school, enable_plugin):
    enable_plugin("timetable", school.structure)
    return school


def _lesson(db, school, subject, **kw):
    lesson = Lesson(structure_id=school.structure.id, starts_at=datetime.combine(MONDAY, time(9)),
                    ends_at=datetime.combine(MONDAY, time(10)), subject=subject, class_id=school.school_class.id,
                    room="B12", **kw)
    db.add(lesson)
    db.flush()
    return lesson


def test_a_parent_reads_the_selected_childs_week_with_its_shape(db, tt, client, login_as):
    _lesson(db, tt, "Histoire", status="changed", change_note="salle B14")
    body = login_as(tt.parent).get("/api/v1/timetable").get_json()
    assert body["student_id"] == tt.student.id and body["start"] == MONDAY.isoformat()
    [lesson] = body["lessons"]
    assert lesson["subject"] == "Histoire" and lesson["status"] == "changed"
    assert lesson["change_note"] == "salle B14" and lesson["starts_at"].startswith(f"{MONDAY.isoformat()}T09:00")
    by_id = client.get(f"/api/v1/timetable?eleve={tt.student.id}").get_json()
    assert [x["subject"] for x in by_id["lessons"]] == ["Histoire"]


def test_another_familys_child_is_refused_with_a_json_reason(db, tt, client, login_as, enable_plugin):
    other = build_school(db, name="École Voisine", uai="0750002B", city_name="Autre Ville")
    enable_plugin("timetable", other.structure)
    _lesson(db, other, "Secret voisin")
    login_as(tt.parent)
    forged = client.get(f"/api/v1/timetable?eleve={other.student.id}")
    assert forged.status_code == 403 and forged.get_json()["reason"] == "forbidden"
    assert "enfants" in forged.get_json()["message"]
    other_class = client.get(f"/api/v1/timetable?classe={other.school_class.id}")
    assert other_class.status_code == 404 and "Secret voisin" not in other_class.get_data(as_text=True)


def test_a_teacher_reads_a_class_of_the_school_and_their_own_week(db, tt, client, login_as):
    _lesson(db, tt, "Sciences", teacher_id=tt.teacher.id)
    login_as(tt.teacher)
    by_class = client.get(f"/api/v1/timetable?classe={tt.school_class.id}").get_json()
    own = client.get("/api/v1/timetable").get_json()
    assert [x["subject"] for x in by_class["lessons"]] == ["Sciences"] == [x["subject"] for x in own["lessons"]]
    next_week = client.get(f"/api/v1/timetable?date={(MONDAY + timedelta(days=7)).isoformat()}").get_json()
    assert next_week["lessons"] == []


def test_bad_query_values_get_a_json_4xx_and_change_nothing(db, tt, client, login_as):
    login_as(tt.student)
    before = db.scalar(select(func.count()).select_from(Lesson))
    assert client.get("/api/v1/timetable?date=pas-une-date").status_code == 422
    assert client.get("/api/v1/timetable?date=1890-01-01").status_code == 400
    assert client.get("/api/v1/timetable?salle=B12").status_code == 400
    assert db.scalar(select(func.count()).select_from(Lesson)) == before


def test_the_api_is_closed_to_whom_the_app_is_not_granted(db, school, client, login_as):
    assert login_as(school.student).get("/api/v1/timetable").status_code == 404


def test_the_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/timetable" in paths


def test_a_students_week_includes_their_teaching_groups_but_not_other_groups(db, tt, client, login_as):
    from preau.directory.classes import create_group
    from preau.models import GroupKind, GroupMember

    mine = create_group(db, tt.structure, "Latin", kind=GroupKind.TEACHING)
    other = create_group(db, tt.structure, "Grec", kind=GroupKind.TEACHING)
    db.add(GroupMember(group_id=mine.id, user_id=tt.student.id))
    for group, subject in ((mine, "Latin"), (other, "Grec")):
        db.add(Lesson(structure_id=tt.structure.id, starts_at=datetime.combine(MONDAY, time(11)),
                      ends_at=datetime.combine(MONDAY, time(12)), subject=subject, group_id=group.id))
    db.flush()
    body = login_as(tt.student).get("/api/v1/timetable").get_json()
    assert [x["subject"] for x in body["lessons"]] == ["Latin"]
