"""LTI 1.1 consumer: the launch form that Préau auto-submits is checked by a real tool provider (the ``lti``
package's ToolProvider over oauthlib's signature endpoint), as a Moodle would check it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from lti import ToolProvider
from oauthlib.oauth1 import RequestValidator

from preau.portal.services import add_connector, configure_connector

CONSUMER_KEY = "preau-ecole-jean-jaures"
SHARED_SECRET = "s3cret-partage-de-l-outil"
KEY = "connector:moodle_lti11"


class ToolValidator(RequestValidator):
    """What a tool provider knows: its consumers' keys and secrets, and the nonces it has already seen."""

    def __init__(self, secrets: dict[str, str]) -> None:
        super().__init__()
        self.secrets = secrets
        self.seen: set[tuple[str, str, str]] = set()

    def check_client_key(self, client_key):  # real tools accept keys of any length
        return bool(client_key)

    def check_nonce(self, nonce):
        return bool(nonce)

    @property
    def dummy_client(self):
        return "dummy-client"

    def validate_client_key(self, client_key, request):
        return client_key in self.secrets

    def get_client_secret(self, client_key, request):
        return self.secrets.get(client_key, "dummy-secret")

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None,
                                     access_token=None):
        if (client_key, timestamp, nonce) in self.seen:
            return False
        self.seen.add((client_key, timestamp, nonce))
        return True


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and "data-autosubmit" in attributes:
            self.action = attributes["action"]
        elif tag == "input" and attributes.get("type") == "hidden" and self.action:
            self.fields[attributes["name"]] = attributes.get("value") or ""


def launch_form(client) -> tuple[str, dict[str, str]]:
    response = client.get(f"/launch/{KEY}")
    assert response.status_code == 200, response.status_code
    parser = _FormParser()
    parser.feed(response.get_data(as_text=True))
    assert parser.action
    return parser.action, parser.fields


def tool_accepts(action: str, fields: dict[str, str], secrets: dict[str, str] | None = None,
                 validator: ToolValidator | None = None) -> bool:
    validator = validator or ToolValidator(secrets or {CONSUMER_KEY: SHARED_SECRET})
    provider = ToolProvider.from_unpacked_request(secret=None, params=fields, url=action,
                                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    return provider.is_valid_request(validator)


@pytest.fixture
def lti_tool(db, school):
    connector = add_connector(db, school.structure, "moodle_lti11")
    configure_connector(db, connector, values={"host": "moodle.exemple.fr", "consumer_key": CONSUMER_KEY},
                        secrets={"shared_secret": SHARED_SECRET}, profiles=["teacher", "student", "relative"],
                        enabled=True)
    db.flush()
    return connector


def test_a_student_launch_is_accepted_by_the_tool_with_learner_role_and_class_context(login_as, school, lti_tool):
    action, fields = launch_form(login_as(school.student))
    assert action == "https://moodle.exemple.fr/"
    assert tool_accepts(action, fields)
    assert fields["lti_message_type"] == "basic-lti-launch-request"
    assert fields["lti_version"] == "LTI-1p0"
    assert fields["oauth_signature_method"] == "HMAC-SHA1"
    assert fields["oauth_consumer_key"] == CONSUMER_KEY
    assert fields["roles"] == "Learner"
    assert fields["context_label"] == "CM2 A"
    assert "CM2 A" in fields["context_title"]
    assert fields["user_id"] != str(school.student.id) and len(fields["user_id"]) == 32
    assert fields["tool_consumer_instance_name"] == "Préau"
    assert fields["launch_presentation_return_url"].endswith("/apps")
    assert SHARED_SECRET not in str(fields)


def test_ids_are_stable_and_the_class_context_is_shared_by_teacher_and_student(login_as, client, school, lti_tool):
    _, student = launch_form(login_as(school.student))
    _, again = launch_form(client)
    client.post_form("/auth/logout")
    _, teacher = launch_form(login_as(school.teacher))
    assert student["user_id"] == again["user_id"] != teacher["user_id"]
    assert student["resource_link_id"] == again["resource_link_id"] == teacher["resource_link_id"]
    assert student["context_id"] == teacher["context_id"]
    assert student["oauth_nonce"] != again["oauth_nonce"]
    assert teacher["roles"] == "Instructor"


def test_a_parent_launches_as_mentor_of_their_child(login_as, client, school, lti_tool):
    _, child = launch_form(login_as(school.student))
    client.post_form("/auth/logout")
    action, fields = launch_form(login_as(school.parent))
    assert tool_accepts(action, fields)
    assert fields["roles"] == "Mentor"
    assert fields["role_scope_mentor"] == child["user_id"]


def test_an_adml_launch_carries_the_administrator_role(db, login_as, school, lti_tool):
    configure_connector(db, lti_tool, values={"host": "moodle.exemple.fr", "consumer_key": CONSUMER_KEY},
                        secrets={}, profiles=["personnel"], enabled=True)
    action, fields = launch_form(login_as(school.admin))
    assert tool_accepts(action, fields)
    assert fields["roles"].split(",") == ["urn:lti:instrole:ims/lis/Staff", "Administrator"]


def test_person_fields_are_sent_only_when_the_connector_releases_them(db, login_as, client, school, lti_tool):
    _, bare = launch_form(login_as(school.teacher))
    assert not {name for name in bare if name.startswith("lis_person_name")}
    lti_tool.attributes = ["login", "first_name", "last_name", "display_name"]
    db.flush()
    action, named = launch_form(client)
    assert tool_accepts(action, named)
    assert named["lis_person_name_given"] == "Paul" and named["lis_person_name_family"] == "Prof"
    assert named["lis_person_name_full"] == school.teacher.display_name
    assert "lis_person_contact_email_primary" not in named  # e-mail not released
    assert named["lis_person_sourcedid"] == school.teacher.login


@pytest.mark.parametrize("field, value", [("roles", "Instructor"), ("user_id", "someone-else"),
                                          ("context_id", "another-class"), ("oauth_timestamp", "1")])
def test_a_tampered_field_fails_the_tool_validation(login_as, school, lti_tool, field, value):
    action, fields = launch_form(login_as(school.student))
    assert tool_accepts(action, fields)  # the genuine form passes…
    fields[field] = value
    assert not tool_accepts(action, fields)  # …the altered one does not


def test_a_launch_signed_with_another_secret_fails(login_as, school, lti_tool):
    action, fields = launch_form(login_as(school.student))
    assert not tool_accepts(action, fields, secrets={CONSUMER_KEY: "not-the-shared-secret"})


def test_a_replayed_launch_is_refused_by_the_nonce_check(login_as, school, lti_tool):
    action, fields = launch_form(login_as(school.student))
    validator = ToolValidator({CONSUMER_KEY: SHARED_SECRET})
    assert tool_accepts(action, fields, validator=validator)
    assert not tool_accepts(action, fields, validator=validator)


def test_a_person_without_the_grant_gets_404(login_as, school, lti_tool):
    client = login_as(school.staff)  # the connector targets teachers, students and parents
    assert client.get(f"/launch/{KEY}").status_code == 404
    assert client.get("/launch/connector:no_such_tool").status_code == 404


def test_the_launch_page_lets_forms_go_to_the_tool_only(login_as, school, lti_tool):
    response = login_as(school.student).get(f"/launch/{KEY}")
    policy = response.headers["Content-Security-Policy"]
    assert "form-action 'self' https://moodle.exemple.fr;" in policy
    assert response.headers["Cache-Control"] == "no-store"
