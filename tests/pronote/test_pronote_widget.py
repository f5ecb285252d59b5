"""The Pronote block: the selected child's grades and events for a parent, one's own for a student, an empty
state otherwise; never another family's child, whatever the session says."""

from __future__ import annotations

import re

import pytest

from preau.testing import build_school
from preau_plugins.pronote.adapters import DemoAdapter

WIDGET = "/portal/widgets/pronote.block?size=apercu"


def block(html: str) -> str:
    found = re.search(r'<div class="pronote" data-student="(\d+)">.*?</div>', html, re.S)
    assert found, "no Pronote block on the page"
    return found.group(0)


def shown_student(html: str) -> int:
    return int(re.search(r'class="pronote" data-student="(\d+)"', block(html)).group(1))


def expected_grades(student, limit):
    return DemoAdapter().latest_grades(student, limit)


def test_the_demo_adapter_is_stable_and_differs_between_students(pronote_school, second_child):
    adapter = DemoAdapter()
    emma, adam = pronote_school.student, second_child
    assert adapter.latest_grades(emma, 8) == DemoAdapter().latest_grades(emma, 8)
    assert adapter.latest_grades(emma, 8) != adapter.latest_grades(adam, 8)
    assert len(adapter.latest_grades(emma, 3)) == 3 and adapter.latest_grades(emma, 0) == []
    events = adapter.school_life(emma, 5)
    assert 1 <= len(events) <= 3 and {e.kind for e in events} <= {"absence", "retard", "punition"}


def test_a_parent_of_two_children_sees_the_block_of_the_selected_child(pronote_school, second_child, login_as):
    client = login_as(pronote_school.parent)
    assert 'data-widget="pronote.block"' in client.get("/").get_data(as_text=True)  # on the dashboard
    html = client.get(WIDGET).get_data(as_text=True)  # its content, fetched by the dashboard
    assert shown_student(html) == second_child.id  # the first child by first name
    assert "Notes et vie scolaire de Adam" in html
    first = expected_grades(second_child, 3)[0]
    assert f"{first.subject} : <strong>{first.value}/20</strong>" in block(html)

    client.post_form("/child", {"child_id": str(pronote_school.student.id)})
    html = client.get(WIDGET).get_data(as_text=True)
    assert shown_student(html) == pronote_school.student.id
    assert "Notes et vie scolaire de Emma" in html
    emma_first = expected_grades(pronote_school.student, 3)[0]
    assert f"{emma_first.subject} : <strong>{emma_first.value}/20</strong>" in block(html)


def test_a_student_sees_their_own_block(pronote_school, login_as):
    html = login_as(pronote_school.student).get(WIDGET).get_data(as_text=True)
    assert shown_student(html) == pronote_school.student.id


def test_a_forged_child_selection_never_shows_another_familys_child(pronote_school, second_child, login_as, db,
                                                                     enable_plugin):
    other = build_school(db, "École Voltaire", "0750002B", "Autre ville")
    enable_plugin("pronote", other.structure)
    client = login_as(pronote_school.parent)
    assert client.post_form("/child", {"child_id": str(other.student.id)}).status_code == 400
    with client.session_transaction() as session:
        session["child_id"] = other.student.id  # forged straight into the session
    html = client.get(WIDGET).get_data(as_text=True)
    assert shown_student(html) == second_child.id
    assert f'data-student="{other.student.id}"' not in html


def test_the_block_is_absent_where_pronote_is_not_enabled(school, login_as):
    client = login_as(school.parent)
    assert 'data-widget="pronote.block"' not in client.get("/").get_data(as_text=True)
    assert client.get(WIDGET).status_code == 404


@pytest.mark.parametrize("size, grades, events", [("miniature", 1, 0), ("apercu", 3, 2), ("large", 8, 5)])
def test_each_size_shows_its_number_of_grades(app, pronote_school, size, grades, events):
    from flask_login import login_user

    from preau_plugins.pronote.widget import render_pronote

    student = pronote_school.student
    with app.test_request_context("/"):
        login_user(student)
        html = render_pronote(student, size)
    assert html.count("<li>") == grades
    expected_events = len(DemoAdapter().school_life(student, events)) if events else 0
    assert html.count('class="pronote__event ') == expected_events


def test_someone_without_a_child_or_a_class_gets_the_empty_state(app, pronote_school):
    from flask_login import login_user

    from preau_plugins.pronote.widget import render_pronote

    with app.test_request_context("/"):
        login_user(pronote_school.teacher)
        assert "Aucun élève à afficher." in render_pronote(pronote_school.teacher, "apercu")


def test_an_unknown_adapter_setting_is_an_error_not_the_demo_data(app, db, pronote_school, login_as):
    from preau.settings import set_setting

    set_setting(db, app.extensions["preau.plugins"], "pronote", "adapter", "nimporte",
                structure_id=pronote_school.structure.id)
    db.flush()
    response = login_as(pronote_school.student).get(WIDGET)
    assert response.status_code == 500  # the dashboard's error box instead of invented grades
    assert 'class="pronote"' not in response.get_data(as_text=True)


def test_without_an_adapter_the_block_says_pronote_is_not_connected(school, enable_plugin, login_as):
    enable_plugin("pronote", school.structure)  # no "adapter" setting: never invented grades for real pupils
    response = login_as(school.student).get(WIDGET)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Les notes de Pronote ne sont pas encore reliées à l’ENT." in html
    assert "pronote__grades" not in html
