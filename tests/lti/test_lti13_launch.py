"""LTI 1.3 launches from Préau to a real pylti1p3 tool: login initiation, /lti13/auth, id_token validated by the
tool against Préau's JWKS; then the tool's services (NRPS roster, AGS score) and Deep Linking."""

from __future__ import annotations

from .lti13_tool import complete_launch, lti_setup, lti_tool  # noqa: F401 - fixtures

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def test_teacher_launch_is_validated_by_the_pylti1p3_tool(lti_setup):  # noqa: F811
    browser = lti_setup.browser(lti_setup.school.teacher)
    response = complete_launch(browser, lti_setup.launch_url())
    assert response.status_code == 200, response.text
    assert response.json()["launched"] is True
    data = lti_setup.tool.launches[-1].get_launch_data()
    assert data[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert data[LTI + "version"] == "1.3.0"
    assert "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor" in data[LTI + "roles"]
    assert data[LTI + "context"]["label"] == "CM2 A"
    assert data["given_name"] == "Paul" and data["family_name"] == "Prof"
    assert data[LTI + "resource_link"]["id"]
    assert str(lti_setup.school.teacher.id) != data["sub"]  # an opaque id, not the database id


def test_student_launch_carries_learner_role_and_no_released_email_without_one(lti_setup):  # noqa: F811
    response = complete_launch(lti_setup.browser(lti_setup.school.student), lti_setup.launch_url())
    assert response.status_code == 200, response.text
    data = lti_setup.tool.launches[-1].get_launch_data()
    assert data[LTI + "roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
                                   "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"]
    assert "email" not in data  # the test student has no address
    assert data[LTI + "deployment_id"] == lti_setup.tool.config[lti_setup.preau]["deployment_ids"][0]


def test_names_not_released_unless_the_connector_allows_them(lti_setup):  # noqa: F811
    lti_setup.connector.attributes = ["login"]
    lti_setup.db.commit()
    complete_launch(lti_setup.browser(lti_setup.school.teacher), lti_setup.launch_url())
    data = lti_setup.tool.launches[-1].get_launch_data()
    assert not {"name", "given_name", "family_name", "email"} & set(data)


def test_launch_is_recorded_as_a_connector_launch(lti_setup):  # noqa: F811
    from sqlalchemy import select

    from preau.models import ConnectorLaunch

    complete_launch(lti_setup.browser(lti_setup.school.teacher), lti_setup.launch_url())
    keys = lti_setup.db.scalars(select(ConnectorLaunch.key).where(
        ConnectorLaunch.user_id == lti_setup.school.teacher.id)).all()
    assert keys == ["connector:elea"]


def test_tool_reads_the_class_roster_through_nrps(lti_setup):  # noqa: F811
    complete_launch(lti_setup.browser(lti_setup.school.teacher), lti_setup.launch_url())
    members = lti_setup.tool.launches[-1].get_nrps().get_members()
    by_role = {tuple(m["roles"]): m for m in members}
    learner = by_role[("http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",)]
    assert learner["given_name"] == "Emma" and learner["status"] == "Active"
    assert ("http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",) in by_role
    assert len(members) == 3  # teacher, student and the student's parent (mentor)


def test_tool_posts_a_score_through_ags_and_the_teacher_sees_it(lti_setup):  # noqa: F811
    from pylti1p3.grade import Grade
    from pylti1p3.lineitem import LineItem

    teacher = lti_setup.browser(lti_setup.school.teacher)
    complete_launch(teacher, lti_setup.launch_url())
    launch = lti_setup.tool.launches[-1]
    learner = next(m for m in launch.get_nrps().get_members()
                   if m["roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"])
    grade = (Grade().set_score_given(17).set_score_maximum(20).set_user_id(learner["user_id"])
             .set_timestamp("2026-11-23T10:00:00+00:00").set_activity_progress("Completed")
             .set_grading_progress("FullyGraded").set_comment("Très bien"))
    line_item = LineItem().set_tag("quiz-fractions").set_score_maximum(20).set_label("Quiz fractions")
    launch.get_ags().put_grade(grade, line_item)
    items = launch.get_ags().get_lineitems()
    assert [item["label"] for item in items] == ["Quiz fractions"]
    page = teacher.get(f"{lti_setup.preau}/lti13/classes/{lti_setup.school.school_class.id}", timeout=10)
    assert page.status_code == 200
    assert "Quiz fractions" in page.text and "17.0 / 20.0" in page.text and "Très bien" in page.text
    # a student of the class sees the class page without the grades of others
    student_page = lti_setup.browser(lti_setup.school.student).get(
        f"{lti_setup.preau}/lti13/classes/{lti_setup.school.school_class.id}", timeout=10)
    assert student_page.status_code == 200 and "Quiz fractions" not in student_page.text


def test_tool_reads_results_back(lti_setup):  # noqa: F811
    from pylti1p3.grade import Grade
    from pylti1p3.lineitem import LineItem

    complete_launch(lti_setup.browser(lti_setup.school.teacher), lti_setup.launch_url())
    launch = lti_setup.tool.launches[-1]
    learner = next(m for m in launch.get_nrps().get_members() if m.get("given_name") == "Emma")
    ags = launch.get_ags()
    item = ags.find_or_create_lineitem(LineItem().set_tag("t").set_score_maximum(10).set_label("Exercice"))
    ags.put_grade(Grade().set_score_given(4).set_score_maximum(10).set_user_id(learner["user_id"])
                  .set_timestamp("2026-11-23T10:00:00Z").set_activity_progress("Completed")
                  .set_grading_progress("FullyGraded"), item)
    results = ags.get_grades(item)
    assert [(r["userId"], r["resultScore"]) for r in results] == [(learner["user_id"], 4.0)]


def test_teacher_deep_links_a_resource_that_the_student_then_launches(lti_setup):  # noqa: F811
    from pylti1p3.deep_link_resource import DeepLinkResource

    from .lti13_tool import form_of

    tool, class_id = lti_setup.tool, lti_setup.school.school_class.id
    tool.deep_link_items = [DeepLinkResource().set_url(f"{tool.url}/launch").set_title("Fractions")
                            .set_custom_params({"activity": "fractions"})]
    teacher = lti_setup.browser(lti_setup.school.teacher)
    page = teacher.get(f"{lti_setup.preau}/lti13/classes/{class_id}", timeout=10)
    assert f"/lti13/classes/{class_id}/deep-link/{lti_setup.registration.id}" in page.text
    response = complete_launch(teacher, f"{lti_setup.preau}/lti13/classes/{class_id}/deep-link/"
                                        f"{lti_setup.registration.id}")
    assert tool.launches[-1].is_deep_link_launch()
    action, fields = form_of(response.text)
    assert action == f"{lti_setup.preau}/lti13/deep-link/return"
    back = teacher.post(action, data=fields, timeout=10)
    assert back.status_code == 200 and "Fractions" in back.text
    student = lti_setup.browser(lti_setup.school.student)
    page = student.get(f"{lti_setup.preau}/lti13/classes/{class_id}", timeout=10)
    link_path = next(part for part in page.text.split('"') if part.startswith("/lti13/links/"))
    launched = complete_launch(student, f"{lti_setup.preau}{link_path}")
    assert launched.status_code == 200, launched.text
    data = tool.launches[-1].get_launch_data()
    assert data[LTI + "custom"] == {"activity": "fractions"}
    assert data[LTI + "resource_link"]["title"] == "Fractions"


def test_parent_launches_as_mentor_of_their_child(lti_setup):  # noqa: F811
    lti_setup.connector.profiles = ["teacher", "student", "relative"]
    lti_setup.db.commit()
    complete_launch(lti_setup.browser(lti_setup.school.student), lti_setup.launch_url())
    child_sub = lti_setup.tool.launches[-1].get_launch_data()["sub"]
    response = complete_launch(lti_setup.browser(lti_setup.school.parent), lti_setup.launch_url())
    assert response.status_code == 200, response.text
    data = lti_setup.tool.launches[-1].get_launch_data()
    assert data[LTI + "roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]
    assert data[LTI + "role_scope_mentor"] == [child_sub]


def test_mes_applis_leads_to_the_online_activities_of_ones_classes(lti_setup):  # noqa: F811
    teacher = lti_setup.browser(lti_setup.school.teacher)
    apps = teacher.get(f"{lti_setup.preau}/apps", timeout=10).text
    assert 'href="/lti13/classes/"' in apps
    index = teacher.get(f"{lti_setup.preau}/lti13/classes/", timeout=10)
    assert index.status_code == 200
    assert f'href="/lti13/classes/{lti_setup.school.school_class.id}"' in index.text
    guest_apps = lti_setup.browser(lti_setup.school.guest).get(f"{lti_setup.preau}/apps", timeout=10).text
    assert 'href="/lti13/classes/"' not in guest_apps  # the lti app's right reaches class members only
