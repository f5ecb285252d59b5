"""Attacks on Préau's CAS server: every one must leave the attacker without a ticket, an identity or a redirect."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from cas import CASClientV2
from sqlalchemy import func, select

from preau.models import CasTicket
from preau.models._time import utcnow
from tests.sso.cas_helpers import FOLIOS, Browser, add_cas_connector, ticket_of

SERVICE = FOLIOS + "accueil"


@pytest.fixture
def cas_school(db, school):
    school.connector = add_cas_connector(db, school.structure)
    return school


@pytest.fixture
def browser(live_server, cas_school):
    person = Browser(live_server.url)
    ticket_of(person.cas_login(cas_school.student.login, cas_school.password, SERVICE))
    return person


def _validate(live_server, ticket: str, service: str = SERVICE, path: str = "p3/serviceValidate", **extra) -> str:
    import requests

    return requests.get(f"{live_server.url}/cas/{path}", params={"ticket": ticket, "service": service, **extra},
                        timeout=10).text


def _code(response: str) -> str | None:
    marker = 'authenticationFailure code="'
    return response.split(marker, 1)[1].split('"', 1)[0] if marker in response else None


def _ticket_count(db) -> int:
    return db.scalar(select(func.count()).select_from(CasTicket))


@pytest.mark.parametrize("service", [
    "https://evil.example/", "https://folios.onisep.fr.evil.example/", "https://folios.onisep.fr@evil.example/",
    "http://folios.onisep.fr/", "https://folios.onisep.fr:8443/", "javascript:alert(1)", "//evil.example/",
    "https://folios.onisep.fr/../../evil",
])
def test_login_refuses_a_service_that_is_not_registered(live_server, db, browser, service):
    before = _ticket_count(db)
    answer = browser.get("/cas/login", service=service)
    assert answer.status_code in (400, 403) and "Location" not in answer.headers
    assert "Service non autorisé" in answer.text
    assert _ticket_count(db) == before


def test_gateway_does_not_redirect_to_an_unknown_service(live_server, cas_school):
    answer = Browser(live_server.url).get("/cas/login", service="https://evil.example/", gateway="true")
    assert answer.status_code == 403 and "Location" not in answer.headers


def test_logout_does_not_redirect_to_an_unknown_service(live_server, browser):
    answer = browser.http.post(live_server.url + "/cas/logout", allow_redirects=False, timeout=10,
                               data={"service": "https://evil.example/", "csrf_token": browser.csrf()})
    assert answer.status_code == 200 and "Location" not in answer.headers
    anonymous = Browser(live_server.url).get("/cas/logout", service="https://evil.example/")
    assert anonymous.status_code == 200 and "Location" not in anonymous.headers


def test_logout_without_csrf_token_logs_nobody_out(live_server, browser):
    answer = browser.http.post(live_server.url + "/cas/logout", data={"service": SERVICE}, timeout=10,
                               allow_redirects=False)
    assert answer.status_code == 400
    assert ticket_of(browser.get("/cas/login", service=SERVICE)).startswith("ST-")


def test_a_replayed_ticket_is_refused(live_server, browser):
    ticket = ticket_of(browser.get("/cas/login", service=SERVICE))
    assert _code(_validate(live_server, ticket)) is None
    assert _code(_validate(live_server, ticket)) == "INVALID_TICKET"
    assert _code(_validate(live_server, ticket, path="proxyValidate")) == "INVALID_TICKET"


def test_a_ticket_for_another_service_is_refused_and_used_up(live_server, browser):
    ticket = ticket_of(browser.get("/cas/login", service=SERVICE))
    assert _code(_validate(live_server, ticket, service=FOLIOS + "autre")) == "INVALID_SERVICE"
    assert _code(_validate(live_server, ticket)) == "INVALID_TICKET"


def test_an_expired_ticket_is_refused(live_server, browser, monkeypatch):
    import preau.sso.cas_tickets as cas_tickets

    ticket = ticket_of(browser.get("/cas/login", service=SERVICE))
    monkeypatch.setattr(cas_tickets, "utcnow", lambda: utcnow() + timedelta(seconds=11))
    assert _code(_validate(live_server, ticket)) == "INVALID_TICKET"


def test_renew_refuses_a_ticket_issued_from_the_sso_session(live_server, browser):
    ticket = ticket_of(browser.get("/cas/login", service=SERVICE))
    assert _code(_validate(live_server, ticket, renew="true")) == "INVALID_TICKET_SPEC"
    ticket = ticket_of(browser.get("/cas/login", service=SERVICE))
    assert _v1_refuses_with_renew(live_server, ticket)


def _v1_refuses_with_renew(live_server, ticket: str) -> bool:
    from cas import CASClientV1

    client = CASClientV1(service_url=SERVICE, server_url=live_server.url + "/cas/", renew=True)
    client.session.params = {"renew": "true"}  # python-cas's CAS 1 client does not send renew itself
    return client.verify_ticket(ticket)[0] is None


def test_a_person_without_the_grant_gets_no_ticket(live_server, db, cas_school):
    before = _ticket_count(db)
    parent = Browser(live_server.url)  # relatives are not among the connector's profiles
    answer = parent.cas_login(cas_school.parent.login, cas_school.password, SERVICE)
    assert answer.status_code == 403 and "Location" not in answer.headers
    assert "pas ouvert pour vous" in answer.text.replace("&#39;", "'")
    assert _ticket_count(db) == before


def test_a_disabled_connector_issues_no_ticket(live_server, db, browser, cas_school):
    cas_school.connector.enabled = False
    db.commit()
    answer = browser.get("/cas/login", service=SERVICE)
    assert answer.status_code == 403 and "Location" not in answer.headers


@pytest.mark.parametrize("forged", ["ST-" + secrets.token_urlsafe(32), "ST-1", "TGT-abc", "PGT-abc", "x" * 300],
                         ids=["ST-random", "ST-1", "TGT-abc", "PGT-abc", "x300"])  # ids alike in every xdist worker
def test_a_forged_ticket_is_refused(live_server, cas_school, forged):
    assert _code(_validate(live_server, forged)) == "INVALID_TICKET"
    assert CASClientV2(service_url=SERVICE, server_url=live_server.url + "/cas/").verify_ticket(forged)[0] is None


def test_missing_parameters_are_an_invalid_request(live_server, cas_school):
    assert _code(_validate(live_server, "", service="")) == "INVALID_REQUEST"


def test_a_proxy_ticket_is_refused_by_service_validate(live_server, cas_school):
    assert _code(_validate(live_server, "PT-" + secrets.token_urlsafe(32),
                           path="serviceValidate")) == "INVALID_TICKET_SPEC"


@pytest.mark.parametrize("pgt_url", ["http://folios.onisep.fr/pgt", "https://evil.example/pgt",
                                     "http://127.0.0.2/pgt", "ftp://folios.onisep.fr/pgt"])
def test_a_proxy_callback_on_http_or_another_host_gets_no_pgt(live_server, db, browser, pgt_url):
    ticket = ticket_of(browser.get("/cas/login", service=SERVICE))
    response = _validate(live_server, ticket, pgtUrl=pgt_url)
    assert _code(response) == "INVALID_PROXY_CALLBACK"
    assert db.scalar(select(func.count()).select_from(CasTicket).where(CasTicket.kind == "PGT")) == 0


def test_http_proxy_callbacks_on_localhost_need_testing_or_the_flag(app, monkeypatch):
    from preau.sso.cas import _callback_allowed

    with app.test_request_context():
        assert _callback_allowed("http://localhost:8000/pgt")
        monkeypatch.setattr(app, "testing", False)
        assert not _callback_allowed("http://localhost:8000/pgt")
        monkeypatch.setitem(app.config, "CAS_ALLOW_HTTP_LOCALHOST_CALLBACK", True)
        assert _callback_allowed("http://localhost:8000/pgt")
        assert not _callback_allowed("http://example.org/pgt")


def test_proxy_refuses_a_forged_pgt_and_missing_parameters(live_server, cas_school):
    import requests

    def failure(**params: str) -> str:
        text = requests.get(live_server.url + "/cas/proxy", params=params, timeout=10).text
        return text.split('proxyFailure code="', 1)[1].split('"', 1)[0]

    assert failure(pgt="PGT-" + secrets.token_urlsafe(32), targetService=SERVICE) == "INVALID_TICKET"
    assert failure(pgt="", targetService=SERVICE) == "INVALID_REQUEST"


def test_purge_forgets_expired_tickets_of_ended_sessions_only(db, cas_school):
    from preau.models import AuthSession
    from preau.sso.cas_tickets import purge, sso_session_of

    now = utcnow()
    db.add_all([AuthSession(user_id=cas_school.student.id, token_hash=sso_session_of("open")),
                AuthSession(user_id=cas_school.student.id, token_hash=sso_session_of("ended"), ended_at=now)])

    def ticket(name: str, sid: str, expires: timedelta, created: timedelta = timedelta(0)) -> CasTicket:
        return CasTicket(id=name, kind="ST", user_id=cas_school.student.id, profile="student", service=SERVICE,
                         sso_session=sso_session_of(sid), primary=False, used=True, attributes=[], proxies=[],
                         created_at=now - created, expires_at=now + expires)

    db.add_all([ticket("ST-live", "ended", timedelta(seconds=5)),
                ticket("ST-open-expired", "open", -timedelta(seconds=5)),
                ticket("ST-ended-expired", "ended", -timedelta(seconds=5)),
                ticket("ST-gone-expired", "gone", -timedelta(seconds=5)),
                ticket("ST-ancient", "open", -timedelta(days=3), created=timedelta(days=3))])
    db.flush()
    assert purge(db, timedelta(days=1)) == 3
    assert sorted(db.scalars(select(CasTicket.id))) == ["ST-live", "ST-open-expired"]


def test_preau_purge_command_forgets_expired_cas_tickets(tmp_path):
    from click.testing import CliRunner
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from preau.cli import cli
    from preau.models import User

    url = f"sqlite:///{tmp_path / 'purge.db'}"
    assert CliRunner().invoke(cli, ["db", "upgrade", "--db", url], catch_exceptions=False).exit_code == 0
    engine = create_engine(url)
    now = utcnow()
    with Session(engine) as session:
        user = User(login="eleve.purge", first_name="E", last_name="P", display_name="E P", state="active")
        session.add(user)
        session.flush()
        session.add_all([CasTicket(id=name, kind="ST", user_id=user.id, profile="student", service=SERVICE,
                                   sso_session="0" * 64, primary=False, used=False, attributes=[], proxies=[],
                                   created_at=now, expires_at=now + delta)
                         for name, delta in (("ST-old", -timedelta(seconds=1)), ("ST-new", timedelta(seconds=9)))])
        session.commit()
    result = CliRunner().invoke(cli, ["purge", "--db", url], catch_exceptions=False)
    assert result.exit_code == 0 and "1 ticket(s) CAS expiré(s) oublié(s)." in result.output
    with Session(engine) as session:
        assert session.scalars(select(CasTicket.id)).all() == ["ST-new"]


def test_a_replayed_cookie_does_not_pass_for_a_fresh_password_twice(live_server, cas_school):
    """renew=true asks for the password; the "just typed" mark travels in the signed cookie. Replaying the cookie
    set right after the password (before its first ticket) must not yield a second primary ticket."""
    person = Browser(live_server.url)
    params = {"service": SERVICE, "renew": "true"}
    assert person.get("/cas/login", **params).status_code == 200
    posted = person.http.post(live_server.url + "/cas/login", params=params, allow_redirects=False, timeout=10,
                              data={"login": cas_school.student.login, "password": cas_school.password,
                                    "csrf_token": person.csrf()})
    assert posted.status_code == 302
    fresh_cookies = person.http.cookies.copy()
    first = ticket_of(person.get("/cas/login", **params))
    assert _code(_validate(live_server, first, renew="true")) is None  # a genuine primary ticket
    person.http.cookies = fresh_cookies  # the attacker replays the cookies with the fresh mark
    replayed = person.get("/cas/login", **params)
    assert replayed.status_code == 200 and 'name="password"' in replayed.text
