"""Widget visibility per profile set by administrators: hidden widgets reach nobody of that profile, mandatory
ones are always on the dashboard and cannot be removed; decisions are inherited by child structures, scoped to
the administrator's structures and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from preau.models import AuditEvent, WidgetPolicy
from preau.testing import build_school

from .test_dashboard_layout import order_on_page, put


@pytest.fixture
def widgets_on(school, enable_plugin):
    for app_id in ("welcome", "failing", "messaging"):
        enable_plugin(app_id, school.city)


def policies_url(structure) -> str:
    return f"/admin/structures/{structure.id}/dashboard/policies"


def set_policies(admin, structure, **choices):
    """``choices`` like ``student__welcome_hello="hidden"`` → field ``policy-student-welcome.hello``."""
    form = {}
    for key, mode in choices.items():
        profile, widget = key.split("__")
        form[f"policy-{profile}-{widget.replace('_', '.', 1)}"] = mode
    return admin.post_form(policies_url(structure), form)


def test_a_widget_hidden_for_students_disappears_for_them_only(school, widgets_on, login_as, db):
    admin = login_as(school.admin)
    response = set_policies(admin, school.structure, student__welcome_hello="hidden")
    assert response.status_code == 303
    assert db.get(WidgetPolicy, (school.structure.id, "welcome.hello", "student")).mode == "hidden"
    admin.post_form("/auth/logout")
    student = login_as(school.student)
    assert "welcome.hello" not in order_on_page(student)
    assert student.get("/portal/widgets/welcome.hello").status_code == 404
    available = {w["id"] for w in student.get("/api/v1/dashboard/layout").get_json()["available"]}
    assert "welcome.hello" not in available
    refused = put(student, [{"id": "welcome.hello"}])
    assert refused.status_code == 422 and refused.get_json()["reason"] == "forbidden_widget"
    student.post_form("/auth/logout")
    assert "welcome.hello" in order_on_page(login_as(school.teacher))


def test_a_mandatory_widget_is_added_to_saved_layouts_and_cannot_be_removed(school, widgets_on, login_as, db):
    teacher = login_as(school.teacher)
    assert put(teacher, [{"id": "messaging.unread"}]).status_code == 200
    assert order_on_page(teacher) == ["messaging.unread"]
    teacher.post_form("/auth/logout")
    set_policies(login_as(school.admin), school.structure, teacher__welcome_hello="mandatory")
    login_as(school.admin).post_form("/auth/logout")
    teacher = login_as(school.teacher)
    assert order_on_page(teacher) == ["welcome.hello", "messaging.unread"]  # mandatory widgets lead
    refused = put(teacher, [{"id": "messaging.unread"}])
    assert refused.status_code == 422 and refused.get_json()["reason"] == "mandatory_widget"
    layout = teacher.get("/api/v1/dashboard/layout").get_json()
    assert {w["id"]: w["mandatory"] for w in layout["available"]}["welcome.hello"] is True



def test_a_forged_move_of_a_mandatory_widget_is_refused_and_changes_nothing(school, widgets_on, login_as, db):
    """Mandatory widgets lead the dashboard: a PUT that moves one (even keeping it) is refused, nothing saved."""
    from preau.models import DashboardLayout

    response = set_policies(login_as(school.admin), school.structure, teacher__welcome_hello="mandatory")
    assert response.status_code == 303
    login_as(school.admin).post_form("/auth/logout")
    teacher = login_as(school.teacher)
    assert order_on_page(teacher)[0] == "welcome.hello"
    assert put(teacher, [{"id": "welcome.hello"}, {"id": "messaging.unread", "size": "large"}]).status_code == 200
    saved = db.get(DashboardLayout, school.teacher.id).items
    forged = put(teacher, [{"id": "messaging.unread"}, {"id": "welcome.hello"}])
    assert forged.status_code == 422
    assert forged.get_json()["reason"] == "mandatory_widget_moved"
    assert "ne peut pas être déplacé" in forged.get_json()["message"]
    db.expire_all()
    assert db.get(DashboardLayout, school.teacher.id).items == saved
    assert order_on_page(teacher) == ["welcome.hello", "messaging.unread"]
    # Its size stays the user's choice.
    assert put(teacher, [{"id": "welcome.hello", "size": "miniature"}, {"id": "messaging.unread"}]).status_code == 200


def test_a_city_decision_is_inherited_and_a_school_can_override_it(app, school, widgets_on, login_as, db):
    from preau.portal.dashboard import installed_widgets, set_widget_policies

    installed = installed_widgets(app.extensions["preau.plugins"])
    set_widget_policies(db, school.city, {("welcome.hello", "student"): "hidden"}, installed)
    db.flush()
    assert "welcome.hello" not in order_on_page(login_as(school.student))
    login_as(school.student).post_form("/auth/logout")
    set_widget_policies(db, school.structure, {("welcome.hello", "student"): "allowed"}, installed)
    db.flush()
    assert "welcome.hello" in order_on_page(login_as(school.student))
    page = login_as(school.admin).get(f"/admin/structures/{school.structure.id}/dashboard").get_data(as_text=True)
    assert '<option value="allowed" selected>Proposé' in page  # the school's own decision
    assert '<option value="inherit">Hérité (Masqué)' in page  # and what it would inherit from the city
    set_widget_policies(db, school.structure, {("welcome.hello", "student"): "inherit"}, installed)
    db.flush()
    page = login_as(school.admin).get(f"/admin/structures/{school.structure.id}/dashboard").get_data(as_text=True)
    assert '<option value="inherit" selected>Hérité (Masqué)' in page


def test_an_unknown_widget_or_mode_is_refused_and_nothing_changes(school, widgets_on, login_as, db):
    admin = login_as(school.admin)
    for choices in ({"student__nope_widget": "hidden"}, {"student__welcome_hello": "invisible"},
                    {"wizard__welcome_hello": "hidden"}):
        mixed = {"teacher__welcome_hello": "hidden", **choices}
        response = set_policies(admin, school.structure, **mixed)
        assert response.status_code == 400, choices
    assert db.scalar(select(func.count()).select_from(WidgetPolicy)) == 0


def test_an_adml_cannot_change_the_widgets_of_another_school(school, widgets_on, login_as, db):
    other = build_school(db, "École Voltaire", "0750002B", "Autre ville")
    response = set_policies(login_as(school.admin), other.structure, student__welcome_hello="hidden")
    assert response.status_code == 403
    assert db.scalar(select(func.count()).select_from(WidgetPolicy)) == 0


def test_each_change_is_audited_with_what_changed(school, widgets_on, login_as, db):
    admin = login_as(school.admin)
    set_policies(admin, school.structure, student__welcome_hello="hidden", teacher__welcome_hello="inherit")
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "dashboard.widget_policies"))
    assert event.detail["changes"] == [{"widget": "welcome.hello", "profile": "student", "mode": "hidden"}]
