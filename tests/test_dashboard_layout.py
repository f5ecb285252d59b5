"""Dashboard layouts: per-user order and sizes through the API, rules (unknown, forbidden, mandatory widgets),
defaults per profile set by an administrator of the structure, widget contents loaded as fragments."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from preau.models import AuditEvent, DashboardDefault, DashboardLayout
from preau.testing import build_school

LAYOUT = "/api/v1/dashboard/layout"


@pytest.fixture
def widgets_on(school, enable_plugin):
    enable_plugin("welcome", school.city)
    enable_plugin("failing", school.city)
    enable_plugin("messaging", school.city)


def put(client, items):
    return client.put(LAYOUT, json={"items": items}, headers={"X-CSRFToken": client.csrf_token()})


def order_on_page(client) -> list[str]:
    html = client.get("/").get_data(as_text=True)
    ids = ("welcome.hello", "failing.boom", "messaging.unread")
    return sorted((i for i in ids if f'data-widget="{i}"' in html), key=lambda i: html.index(f'data-widget="{i}"'))


def test_a_user_saves_order_and_sizes_and_the_page_follows(school, widgets_on, login_as, db):
    client = login_as(school.teacher)
    before = client.get(LAYOUT).get_json()
    assert before["customised"] is False
    assert {i["id"] for i in before["items"]} == {"welcome.hello", "failing.boom", "messaging.unread"}
    response = put(client, [{"id": "messaging.unread", "size": "large"}, {"id": "welcome.hello", "size": "miniature"}])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["items"] == [{"id": "messaging.unread", "size": "large"},
                                            {"id": "welcome.hello", "size": "miniature"}]
    assert order_on_page(client) == ["messaging.unread", "welcome.hello"]  # failing.boom removed by the user
    html = client.get("/").get_data(as_text=True)
    assert 'class="widget widget--large" data-widget="messaging.unread"' in html
    assert "/portal/widgets/welcome.hello?size=miniature" in html


def test_unknown_widget_is_refused_with_a_reason_and_nothing_saved(school, widgets_on, login_as, db):
    client = login_as(school.teacher)
    response = put(client, [{"id": "welcome.hello"}, {"id": "nope.widget"}])
    assert response.status_code == 422
    body = response.get_json()
    assert body["reason"] == "unknown_widget" and "Widget inconnu" in body["message"]
    assert db.get(DashboardLayout, school.teacher.id) is None


def test_a_widget_that_does_not_reach_the_user_is_forbidden(school, enable_plugin, login_as, db):
    enable_plugin("welcome", school.city)  # failing is installed but not enabled: its widget reaches no one
    client = login_as(school.teacher)
    response = put(client, [{"id": "failing.boom"}])
    assert response.status_code == 422 and response.get_json()["reason"] == "forbidden_widget"
    assert db.get(DashboardLayout, school.teacher.id) is None


@pytest.mark.parametrize(("items", "reason"), [
    ([{"id": "welcome.hello", "size": "immense"}], "invalid_size"),
    ([{"id": "welcome.hello"}, {"id": "welcome.hello"}], "duplicate_widget"),
    ([{"size": "large"}], "invalid_layout"),
])
def test_malformed_layouts_are_refused(school, widgets_on, login_as, db, items, reason):
    client = login_as(school.teacher)
    response = put(client, items)
    assert response.status_code == 422 and response.get_json()["reason"] == reason
    assert db.get(DashboardLayout, school.teacher.id) is None


def test_a_mandatory_widget_cannot_be_removed_and_a_non_placeable_one_cannot_be_added(
        app, school, widgets_on, login_as, db):
    from dataclasses import replace

    registry = app.extensions["preau.plugins"]
    welcome, failing = registry.records["welcome"], registry.records["failing_widget"]
    saved = (welcome.widgets, failing.widgets)
    welcome.widgets = [replace(w, mandatory=True) for w in welcome.widgets]
    failing.widgets = [replace(w, placeable=False) for w in failing.widgets]
    try:
        client = login_as(school.teacher)
        removed = put(client, [{"id": "messaging.unread"}])
        assert removed.status_code == 422 and removed.get_json()["reason"] == "mandatory_widget"
        added = put(client, [{"id": "welcome.hello"}, {"id": "failing.boom"}])
        assert added.status_code == 422 and added.get_json()["reason"] == "forbidden_widget"
        assert db.get(DashboardLayout, school.teacher.id) is None
        html = client.get("/").get_data(as_text=True)
        assert 'data-widget="welcome.hello"' in html and 'data-widget="failing.boom"' not in html
        assert 'aria-label="Retirer : Bienvenue"' not in html  # no remove button on a mandatory widget
    finally:
        welcome.widgets, failing.widgets = saved


def test_a_withdrawn_grant_hides_the_saved_widget(school, widgets_on, login_as, db, app):
    from preau.rights import set_enabled

    client = login_as(school.teacher)
    assert put(client, [{"id": "failing.boom"}, {"id": "welcome.hello"}]).status_code == 200
    set_enabled(db, school.structure, "failing", False)
    db.flush()
    assert order_on_page(client) == ["welcome.hello"]
    assert client.get("/portal/widgets/failing.boom").status_code == 404


def test_reset_brings_the_default_back(school, widgets_on, login_as, db):
    client = login_as(school.teacher)
    put(client, [{"id": "welcome.hello"}])
    response = client.delete(LAYOUT, headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 200 and response.get_json()["customised"] is False
    assert len(order_on_page(client)) == 3


def test_a_layout_change_without_csrf_token_is_refused(school, widgets_on, login_as, db):
    client = login_as(school.teacher)
    assert client.put(LAYOUT, json={"items": []}).status_code in (400, 403)
    assert db.get(DashboardLayout, school.teacher.id) is None


def test_the_layout_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "put", "delete"} <= set(paths["/api/v1/dashboard/layout"])


def test_widget_fragment_of_a_widget_that_does_not_reach_the_user_is_404(school, enable_plugin, login_as):
    enable_plugin("welcome", school.city)
    client = login_as(school.teacher)
    assert client.get("/portal/widgets/failing.boom").status_code == 404
    assert client.get("/portal/widgets/welcome.hello?size=large").status_code == 200


# -- defaults per profile, set by an administrator ---------------------------------------------------


def default_form(widgets: dict[str, tuple[int, str]]) -> dict[str, str]:
    form = {}
    for widget_id, (position, size) in widgets.items():
        form[f"include-{widget_id}"] = "1"
        form[f"order-{widget_id}"] = str(position)
        form[f"size-{widget_id}"] = size
    return form


def test_an_administrator_sets_the_default_layout_of_a_profile(school, widgets_on, login_as, db, client):
    admin = login_as(school.admin)
    page = admin.get(f"/admin/structures/{school.structure.id}/dashboard")
    assert page.status_code == 200 and "Disposition par défaut" in page.get_data(as_text=True)
    response = admin.post_form(f"/admin/structures/{school.structure.id}/dashboard/teacher",
                               default_form({"messaging.unread": (1, "large"), "welcome.hello": (2, "apercu")}))
    assert response.status_code == 303
    row = db.get(DashboardDefault, (school.structure.id, "teacher"))
    assert row.items == [{"id": "messaging.unread", "size": "large"}, {"id": "welcome.hello", "size": "apercu"}]
    assert db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "dashboard.default_layout")) == 1
    admin.post_form("/auth/logout")
    teacher = login_as(school.teacher)
    assert order_on_page(teacher) == ["messaging.unread", "welcome.hello"]
    assert "/portal/widgets/messaging.unread?size=large" in teacher.get("/").get_data(as_text=True)
    teacher.post_form("/auth/logout")
    assert len(order_on_page(login_as(school.student))) == 3  # other profiles keep the plugins' default


def test_a_city_default_is_inherited_by_its_schools(app, school, widgets_on, db, login_as):
    from preau.portal.dashboard import installed_widgets, set_default_layout

    set_default_layout(db, school.city, "student", [{"id": "welcome.hello"}],
                       installed_widgets(app.extensions["preau.plugins"]))
    db.flush()
    assert order_on_page(login_as(school.student)) == ["welcome.hello"]


def test_an_adml_cannot_set_the_defaults_of_another_school(school, widgets_on, login_as, db):
    other = build_school(db, "École Voltaire", "0750002B", "Autre ville")
    admin = login_as(school.admin)
    assert admin.get(f"/admin/structures/{other.structure.id}/dashboard").status_code == 403
    response = admin.post_form(f"/admin/structures/{other.structure.id}/dashboard/teacher",
                               default_form({"welcome.hello": (1, "apercu")}))
    assert response.status_code == 403
    assert db.get(DashboardDefault, (other.structure.id, "teacher")) is None
    assert db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "security.scope_denied")) >= 1


def test_an_unknown_widget_in_a_default_layout_is_refused(school, widgets_on, login_as, db):
    admin = login_as(school.admin)
    response = admin.post_form(f"/admin/structures/{school.structure.id}/dashboard/teacher",
                               default_form({"nope.widget": (1, "apercu")}))
    assert response.status_code == 400 and "Widget inconnu" in response.get_data(as_text=True)
    assert db.get(DashboardDefault, (school.structure.id, "teacher")) is None


def test_the_empty_unread_messages_widget_is_html_not_escaped_text(school, widgets_on, login_as):
    html = login_as(school.teacher).get("/portal/widgets/messaging.unread?size=apercu").get_data(as_text=True)
    assert "<p>Aucun message non lu.</p>" in html and "&lt;p&gt;" not in html
