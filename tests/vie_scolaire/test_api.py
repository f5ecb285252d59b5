"""``/api/v1/vie-scolaire``: the pages' rules in JSON."""

from __future__ import annotations

from preau_plugins.vie_scolaire.adapters import DemoAdapter


def test_a_parent_reads_periods_grades_and_events_of_the_selected_child(viesco, second_child, login_as):
    client = login_as(viesco.parent)
    periods = client.get("/api/v1/vie-scolaire/periods").get_json()
    assert periods["student_id"] == second_child.id and [p["id"] for p in periods["periods"]] == ["T1", "T2", "T3"]
    grades = client.get("/api/v1/vie-scolaire/grades?period=T1").get_json()
    expected = DemoAdapter().grades(second_child, "T1")
    assert [g["value"] for g in grades["grades"]] == [g.value for g in expected]
    assert len(grades["averages"]) == 7 and grades["period"]["name"] == "Trimestre 1"
    events = client.get(f"/api/v1/vie-scolaire/events?student_id={viesco.student.id}").get_json()
    assert events["student_id"] == viesco.student.id
    assert len(events["absences"]) == len(DemoAdapter().school_life(viesco.student).absences)
    assert client.get("/api/v1/vie-scolaire/skills").get_json()["skills"]


def test_a_forged_student_id_or_unknown_period_is_a_json_refusal(viesco, other_school, login_as):
    client = login_as(viesco.parent)
    response = client.get(f"/api/v1/vie-scolaire/grades?student_id={other_school.student.id}")
    assert response.status_code == 403 and response.get_json()["reason"] == "forbidden_student"
    response = client.get("/api/v1/vie-scolaire/grades?period=T9")
    assert response.status_code == 404 and response.get_json()["reason"] == "unknown_period"


def test_the_api_is_closed_to_those_the_app_does_not_reach(viesco, login_as):
    response = login_as(viesco.teacher).get("/api/v1/vie-scolaire/periods")
    assert response.status_code == 404 and "ne sont pas ouvertes" in response.get_json()["message"]


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/vie-scolaire/periods", "/api/v1/vie-scolaire/grades", "/api/v1/vie-scolaire/events",
            "/api/v1/vie-scolaire/skills"} <= set(paths)
