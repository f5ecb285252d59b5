"""Pronote as a CAS client of Préau: the launch page per profile, and a real CAS round-trip (python-cas against
the live server) with the service URL shape Pronote uses."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from cas import CASClientV2, CASClientV3

from preau.settings import set_setting
from tests.sso.cas_helpers import Browser, ticket_of

from .conftest import PRONOTE_URL

# What Pronote sends as ``service`` when its CAS delegation is on (the ENT login of a student space).
PRONOTE_SERVICE = PRONOTE_URL + "eleve.html?fd=1&bydlg=A6ABB224-12DD-4E31-AD3E-8A39A1C2C335"


def launch_target(client) -> str:
    """Where /launch/plugin:pronote.cas sends the person: the CAS login, whose ``service`` is Pronote's page."""
    response = client.get("/launch/plugin:pronote.cas")
    assert response.status_code == 303, response.status_code
    location = urlsplit(response.headers["Location"])
    assert location.path == "/cas/login"
    return parse_qs(location.query)["service"][0]


@pytest.mark.parametrize("who, page", [("student", "eleve.html"), ("parent", "parent.html"),
                                       ("teacher", "professeur.html")])
def test_each_profile_opens_its_own_pronote_page_through_the_cas_login(pronote_school, login_as, who, page):
    client = login_as(getattr(pronote_school, who))
    assert launch_target(client) == PRONOTE_URL + page


def test_pronote_reaches_nobody_until_its_url_is_set(school, enable_plugin, login_as):
    enable_plugin("pronote", school.structure)
    client = login_as(school.student)
    assert client.get("/launch/plugin:pronote.cas").status_code == 404
    assert "plugin:pronote.cas" not in client.get("/apps").get_data(as_text=True)


def test_a_url_setting_that_is_not_http_opens_nothing(app, db, school, enable_plugin, login_as):
    enable_plugin("pronote", school.structure)
    set_setting(db, app.extensions["preau.plugins"], "pronote", "url", "javascript:alert(1)//",
                structure_id=school.structure.id)
    db.flush()
    assert login_as(school.student).get("/launch/plugin:pronote.cas").status_code == 404


def test_the_tile_shows_only_where_pronote_is_enabled_and_granted(pronote_school, login_as, db):
    from preau.rights import set_enabled

    client = login_as(pronote_school.student)
    assert "/launch/plugin:pronote.cas" in client.get("/apps").get_data(as_text=True)
    guest = login_as(pronote_school.guest)  # enabled for the school, but not granted to guests
    assert "/launch/plugin:pronote.cas" not in guest.get("/apps").get_data(as_text=True)
    set_enabled(db, pronote_school.structure, "pronote", False)
    db.flush()
    client = login_as(pronote_school.student)
    assert "/launch/plugin:pronote.cas" not in client.get("/apps").get_data(as_text=True)


def test_cas_round_trip_with_the_pronote_service_url(pronote_school, live_server, db):
    db.commit()
    browser = Browser(live_server.url)
    student = pronote_school.student
    ticket = ticket_of(browser.cas_login(student.login, pronote_school.password, PRONOTE_SERVICE))
    client = CASClientV3(service_url=PRONOTE_SERVICE, server_url=live_server.url + "/cas/")
    user, attributes, _pgtiou = client.verify_ticket(ticket)
    assert user == student.login
    assert attributes["profile"] == "student" and attributes["uai"] == "0750001A"
    assert attributes["first_name"] == "Emma" and attributes["last_name"] == "Eleve"
    # single use: Pronote cannot replay it
    assert client.verify_ticket(ticket)[0] is None


def test_a_parent_already_logged_in_gets_a_ticket_for_pronote_without_typing_a_password(pronote_school,
                                                                                           live_server, db):
    db.commit()
    browser = Browser(live_server.url)
    parent = pronote_school.parent
    ticket_of(browser.cas_login(parent.login, pronote_school.password, PRONOTE_SERVICE))  # a first login
    launch = browser.get("/launch/plugin:pronote.cas")
    assert launch.status_code == 303
    service = PRONOTE_URL + "parent.html"
    redirected = browser.http.get(live_server.url + launch.headers["Location"], allow_redirects=False, timeout=10)
    ticket = ticket_of(redirected)
    assert redirected.headers["Location"].startswith(service + "?ticket=")
    user, attributes, _ = CASClientV2(service_url=service, server_url=live_server.url + "/cas/").verify_ticket(ticket)
    assert user == parent.login


def test_another_schools_pronote_gets_no_ticket(pronote_school, live_server, db):
    db.commit()
    browser = Browser(live_server.url)
    foreign = "https://0750002b.index-education.net/pronote/eleve.html"
    assert browser.get("/cas/login", service=foreign).status_code == 200  # the login form
    csrf = browser.csrf()
    posted = browser.http.post(live_server.url + "/cas/login", params={"service": foreign}, allow_redirects=False,
                               data={"login": pronote_school.student.login, "password": pronote_school.password,
                                     "csrf_token": csrf}, timeout=10)
    answer = browser.http.get(live_server.url + posted.headers["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 403 and "ticket=" not in answer.headers.get("Location", "")
