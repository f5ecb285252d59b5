"""Préau's CAS server end to end: python-cas clients (protocol 1, 2, 3 and SAML 1.1) against the live server."""

from __future__ import annotations

import pytest
from cas import CASClientV1, CASClientV2, CASClientV3, CASClientWithSAMLV1

from tests.sso.cas_helpers import FOLIOS, Browser, ServiceServer, add_cas_connector, loopback_entry, ticket_of

SERVICE = FOLIOS + "accueil?page=1"
ALL_ATTRIBUTES = ("login", "display_name", "first_name", "last_name", "email", "profile", "uai", "classes",
                  "external_id")


@pytest.fixture
def cas_school(db, school):
    add_cas_connector(db, school.structure, attributes=ALL_ATTRIBUTES)
    school.student.email = "emma@example.org"
    db.commit()
    return school


def _server(live_server) -> str:
    return live_server.url + "/cas/"


def test_login_form_then_protocol_1_validates_the_ticket_once(live_server, cas_school):
    browser = Browser(live_server.url)
    ticket = ticket_of(browser.cas_login(cas_school.student.login, cas_school.password, SERVICE))
    assert ticket.startswith("ST-") and len(ticket) >= 3 + 32
    client = CASClientV1(service_url=SERVICE, server_url=_server(live_server))
    assert client.verify_ticket(ticket)[0] == cas_school.student.login
    assert client.verify_ticket(ticket)[0] is None  # single use


def test_logged_in_person_gets_a_ticket_without_typing_the_password(live_server, cas_school):
    browser = Browser(live_server.url)
    ticket_of(browser.cas_login(cas_school.student.login, cas_school.password, SERVICE))
    again = browser.get("/cas/login", service=SERVICE)
    ticket = ticket_of(again)
    assert again.headers["Location"].startswith(SERVICE + "&ticket=ST-")
    user, attributes, _pgt = CASClientV2(service_url=SERVICE, server_url=_server(live_server)).verify_ticket(ticket)
    assert (user, attributes) == (cas_school.student.login, None)  # CAS 2 carries no attributes


def test_protocol_3_releases_the_configured_attributes(live_server, cas_school):
    browser = Browser(live_server.url)
    ticket = ticket_of(browser.cas_login(cas_school.student.login, cas_school.password, SERVICE))
    user, attributes, _pgt = CASClientV3(service_url=SERVICE, server_url=_server(live_server)).verify_ticket(ticket)
    assert user == cas_school.student.login
    assert attributes == {"login": cas_school.student.login, "display_name": cas_school.student.display_name,
                          "first_name": "Emma", "last_name": "Eleve", "email": "emma@example.org",
                          "profile": "student", "uai": "0750001A", "classes": "CM2 A"}


def test_protocol_3_releases_only_the_login_when_nothing_else_is_chosen(live_server, db, school):
    add_cas_connector(db, school.structure, attributes=())
    ticket = ticket_of(Browser(live_server.url).cas_login(school.teacher.login, school.password, SERVICE))
    user, attributes, _pgt = CASClientV3(service_url=SERVICE, server_url=_server(live_server)).verify_ticket(ticket)
    assert user == school.teacher.login and attributes == {"login": school.teacher.login}


def test_protocol_3_json_format(live_server, cas_school):
    browser = Browser(live_server.url)
    ticket = ticket_of(browser.cas_login(cas_school.student.login, cas_school.password, SERVICE))
    answer = browser.http.get(live_server.url + "/cas/p3/serviceValidate",
                              params={"service": SERVICE, "ticket": ticket, "format": "JSON"}).json()
    success = answer["serviceResponse"]["authenticationSuccess"]
    assert success["user"] == cas_school.student.login and success["attributes"]["profile"] == ["student"]


def test_saml_1_1_validation_carries_the_attributes(live_server, cas_school):
    browser = Browser(live_server.url)
    ticket = ticket_of(browser.cas_login(cas_school.student.login, cas_school.password, SERVICE))
    client = CASClientWithSAMLV1(service_url=SERVICE, server_url=_server(live_server), username_attribute="login")
    user, attributes, _ = client.verify_ticket(ticket)
    assert user == cas_school.student.login
    assert attributes["email"] == "emma@example.org" and attributes["uai"] == "0750001A"
    assert client.verify_ticket(ticket)[0] is None


def test_renew_asks_for_the_password_again_and_marks_the_ticket(live_server, cas_school):
    browser = Browser(live_server.url)
    ticket_of(browser.cas_login(cas_school.student.login, cas_school.password, SERVICE))
    asked = browser.get("/cas/login", service=SERVICE, renew="true")
    assert asked.status_code == 200 and 'name="password"' in asked.text
    ticket = ticket_of(browser.cas_login(cas_school.student.login, cas_school.password, SERVICE, renew=True))
    client = CASClientV3(service_url=SERVICE, server_url=_server(live_server), renew=True)
    response = client.get_verification_response(ticket).decode()
    assert "authenticationSuccess" in response


def test_gateway_without_session_returns_to_the_service_without_ticket(live_server, cas_school):
    answer = Browser(live_server.url).get("/cas/login", service=SERVICE, gateway="true")
    assert answer.status_code == 302 and answer.headers["Location"] == SERVICE


def test_gateway_with_session_gives_a_ticket(live_server, cas_school):
    browser = Browser(live_server.url)
    ticket_of(browser.cas_login(cas_school.student.login, cas_school.password, SERVICE))
    assert ticket_of(browser.get("/cas/login", service=SERVICE, gateway="true")).startswith("ST-")


def test_proxy_granting_and_proxy_tickets(live_server, db, cas_school, monkeypatch):
    with ServiceServer() as callback_server:
        loopback_entry(monkeypatch, callback_server.url)
        add_cas_connector(db, cas_school.structure, "loopback_cas", attributes=("login", "profile"))
        browser = Browser(live_server.url)
        service = callback_server.url + "portal"
        ticket = ticket_of(browser.cas_login(cas_school.student.login, cas_school.password, service))
        pgt_url = callback_server.url + "pgt"
        client = CASClientV3(service_url=service, server_url=_server(live_server), proxy_callback=pgt_url)
        user, _attributes, pgt_iou = client.verify_ticket(ticket)
        assert user == cas_school.student.login and pgt_iou.startswith("PGTIOU-")
        method, path, fields = callback_server.wait_for(1)[0]
        assert (method, path, fields["pgtIou"]) == ("GET", "/app/pgt", [pgt_iou])
        pgt = fields["pgtId"][0]
        assert pgt.startswith("PGT-")

        target = FOLIOS + "api"
        proxied = CASClientV3(service_url=target, server_url=_server(live_server))
        proxy_ticket = proxied.get_proxy_ticket(pgt)
        assert proxy_ticket.startswith("PT-")
        assert "INVALID_TICKET_SPEC" in proxied.get_verification_response(proxy_ticket).decode()
        second = proxied.get_proxy_ticket(pgt)  # a PGT is reused until it expires
        proxied.url_suffix = "p3/proxyValidate"
        response = proxied.get_verification_response(second).decode()
        assert f"<cas:proxy>{pgt_url}</cas:proxy>" in response
        assert proxied.verify_response(response)[0] == cas_school.student.login
        refused = browser.http.get(live_server.url + "/cas/proxy", timeout=10,
                                   params={"pgt": pgt, "targetService": "https://evil.example/"}).text
        assert 'proxyFailure code="UNAUTHORIZED_SERVICE"' in refused


def test_logout_posts_a_logout_request_to_each_service_and_returns_to_a_registered_one(
        app, live_server, db, cas_school, monkeypatch):
    from preau.testing import run_jobs

    with ServiceServer() as service_server:
        loopback_entry(monkeypatch, service_server.url)
        add_cas_connector(db, cas_school.structure, "loopback_cas")
        browser = Browser(live_server.url)
        service = service_server.url + "home"
        ticket = ticket_of(browser.cas_login(cas_school.student.login, cas_school.password, service))
        client = CASClientV3(service_url=service, server_url=_server(live_server))
        assert client.verify_ticket(ticket)[0] == cas_school.student.login

        logout_url = client.get_logout_url(service)
        assert browser.http.get(logout_url, timeout=10).status_code == 200  # a confirmation page
        done = browser.http.post(live_server.url + "/cas/logout", allow_redirects=False, timeout=10,
                                 data={"service": service, "csrf_token": browser.csrf()})
        assert done.status_code == 302 and done.headers["Location"] == service
        assert browser.get("/cas/login", service=service).status_code == 200  # the password again
        run_jobs(app)
        method, path, fields = service_server.wait_for(1)[0]
        assert (method, path) == ("POST", "/app/home")
        assert CASClientV3.verify_logout_request(fields["logoutRequest"][0], ticket)
