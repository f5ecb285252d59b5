"""The child selector of the permanent bar: only for parents of several children, only their own children,
kept in the session, and followed by widgets through ``preau.current_child()``."""

from __future__ import annotations

from datetime import date

import pytest

from preau.directory.users import add_role, attach_to_class, create_user, link_relative
from preau.testing import build_school


@pytest.fixture
def second_child(school, db):
    from preau.accounts import activate_with_password
    from preau.testing import _password_hash

    child = create_user(db, first_name="Adam", last_name="Eleve", login="adam.eleve", birth_date=date(2017, 1, 2))
    activate_with_password(db, child, _password_hash())
    add_role(db, child, school.structure, "student")
    attach_to_class(db, child, school.school_class, "student")
    link_relative(db, school.parent, child)
    db.flush()
    return child


def test_a_parent_of_one_child_sees_no_selector(school, login_as):
    html = login_as(school.parent).get("/").get_data(as_text=True)
    assert 'id="child-selector"' not in html


def test_a_parent_of_two_children_chooses_one_and_the_choice_is_kept(school, second_child, login_as):
    client = login_as(school.parent)
    html = client.get("/").get_data(as_text=True)
    assert 'id="child-selector"' in html
    assert f'<option value="{second_child.id}" selected>Adam</option>' in html  # first by first name
    response = client.post_form("/child", {"child_id": str(school.student.id), "next": "/apps"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/apps")
    html = client.get("/").get_data(as_text=True)
    assert f'<option value="{school.student.id}" selected>Emma</option>' in html


def test_a_child_of_someone_else_is_refused(school, second_child, login_as, db):
    other = build_school(db, "École Voltaire", "0750002B", "Autre ville")
    client = login_as(school.parent)
    for forged in (str(other.student.id), "abc", "", str(school.teacher.id)):
        assert client.post_form("/child", {"child_id": forged}).status_code == 400
    html = client.get("/").get_data(as_text=True)
    assert f'<option value="{second_child.id}" selected>' in html  # unchanged


def child_seen_by_widgets(app, user, chosen=None):
    """What ``preau.current_child()`` gives a widget rendered for ``user`` with ``chosen`` in the session."""
    from flask import session
    from flask_login import login_user

    from preau import current_child

    with app.test_request_context("/"):
        login_user(user)
        if chosen is not None:
            session["child_id"] = chosen
        return current_child()


def test_widgets_follow_the_selected_child(app, school, second_child):
    assert child_seen_by_widgets(app, school.parent) == second_child  # default: first by first name
    assert child_seen_by_widgets(app, school.parent, school.student.id) == school.student


def test_a_stale_or_forged_session_choice_falls_back_to_an_own_child(app, school, second_child, db):
    other = build_school(db, "École Voltaire", "0750002B", "Autre ville")
    assert child_seen_by_widgets(app, school.parent, other.student.id) == second_child


def test_current_child_is_none_for_someone_without_children(app, school):
    assert child_seen_by_widgets(app, school.teacher) is None
