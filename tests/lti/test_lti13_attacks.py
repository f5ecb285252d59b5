"""Attacks on the LTI 1.3 platform: each one is refused, with nothing signed nor stored."""

from __future__ import annotations

import base64
import json
import time
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
import requests
from pylti1p3.registration import Registration
from sqlalchemy import func, select

from preau.testing import build_school
from preau_plugins.lti.models import LtiDeployment, LtiResourceLink

from .lti13_tool import complete_launch, form_of, lti_setup, lti_tool, rsa_pair  # noqa: F401 - fixtures

TOKEN_SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def initiation(setup, browser: requests.Session) -> dict[str, str]:
    """The login initiation parameters Préau sends the tool (the redirect is not followed)."""
    response = browser.get(setup.launch_url(), allow_redirects=False, timeout=10)
    assert response.status_code == 303, response.text[:300]
    assert response.headers["Location"].startswith(setup.tool.url + "/login?")
    return dict(parse_qsl(urlsplit(response.headers["Location"]).query))


def auth_params(setup, init: dict[str, str], **overrides: str) -> dict[str, str]:
    params = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
              "client_id": init["client_id"], "redirect_uri": f"{setup.tool.url}/launch",
              "login_hint": init["login_hint"], "lti_message_hint": init["lti_message_hint"],
              "state": "state-" + uuid.uuid4().hex, "nonce": uuid.uuid4().hex}
    params.update(overrides)
    return params


def authorize(setup, browser, params) -> requests.Response:
    return browser.get(f"{setup.preau}/lti13/auth?{urlencode(params)}", allow_redirects=False, timeout=10)


def test_auth_answers_a_well_formed_request_with_an_id_token(lti_setup):  # noqa: F811 - the control case
    browser = lti_setup.browser(lti_setup.school.teacher)
    page = authorize(lti_setup, browser, auth_params(lti_setup, initiation(lti_setup, browser)))
    assert page.status_code == 200 and "id_token" in form_of(page.text)[1]


def test_unregistered_redirect_uri_gets_no_token_and_no_redirect(lti_setup):  # noqa: F811
    browser = lti_setup.browser(lti_setup.school.teacher)
    init = initiation(lti_setup, browser)
    for evil in ("https://evil.example/steal", f"{lti_setup.tool.url}/launch/../evil", f"{lti_setup.tool.url}/Launch"):
        page = authorize(lti_setup, browser, auth_params(lti_setup, init, redirect_uri=evil))
        assert page.status_code == 400 and "Location" not in page.headers
        assert 'name="id_token"' not in page.text and "evil" not in page.text.split("<main", 1)[-1].split("</main>")[0]


def test_nonce_replay_is_refused(lti_setup):  # noqa: F811
    browser = lti_setup.browser(lti_setup.school.teacher)
    params = auth_params(lti_setup, initiation(lti_setup, browser))
    assert authorize(lti_setup, browser, params).status_code == 200
    again = authorize(lti_setup, browser, params)
    assert again.status_code == 400 and 'name="id_token"' not in again.text and "rejoué" in again.text


def test_missing_nonce_and_wrong_response_type_are_refused(lti_setup):  # noqa: F811
    browser = lti_setup.browser(lti_setup.school.teacher)
    init = initiation(lti_setup, browser)
    for bad in ({"nonce": ""}, {"response_type": "code"}, {"response_mode": "query"}, {"scope": "profile"}):
        page = authorize(lti_setup, browser, auth_params(lti_setup, init, **bad))
        assert page.status_code == 400 and 'name="id_token"' not in page.text, bad


def test_state_mismatch_is_rejected_by_the_tool(lti_setup):  # noqa: F811
    browser = lti_setup.browser(lti_setup.school.teacher)
    page = browser.get(lti_setup.launch_url(), timeout=10)
    action, fields = form_of(page.text)
    fields["state"] = "state-forged"
    response = browser.post(action, data=fields, timeout=10)
    assert response.status_code == 400 and lti_setup.tool.errors == ["State not found"]
    assert lti_setup.tool.launches == []


def _segments(token: str) -> list[str]:
    return token.split(".")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_tampered_or_unsigned_id_token_is_rejected_by_the_tool(lti_setup):  # noqa: F811
    for forge in ("tampered", "unsigned"):
        browser = lti_setup.browser(lti_setup.school.student)
        action, fields = form_of(browser.get(lti_setup.launch_url(), timeout=10).text)
        header, payload, signature = _segments(fields["id_token"])
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["https://purl.imsglobal.org/spec/lti/claim/roles"] = [
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
        if forge == "tampered":
            fields["id_token"] = ".".join((header, _b64(claims), signature))
        else:
            kid = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
            fields["id_token"] = ".".join((_b64({"alg": "none", "typ": "JWT", "kid": kid}), _b64(claims), ""))
        response = browser.post(action, data=fields, timeout=10)
        assert response.status_code == 400, forge
    assert lti_setup.tool.launches == [] and len(lti_setup.tool.errors) == 2


def test_unknown_client_id_is_refused(lti_setup):  # noqa: F811
    browser = lti_setup.browser(lti_setup.school.teacher)
    page = authorize(lti_setup, browser, auth_params(lti_setup, initiation(lti_setup, browser),
                                                     client_id="not-a-client"))
    assert page.status_code == 400 and 'name="id_token"' not in page.text


def test_unknown_deployment_is_rejected_by_the_tool(lti_setup):  # noqa: F811
    lti_setup.tool.config[lti_setup.preau]["deployment_ids"] = ["another-deployment"]
    response = complete_launch(lti_setup.browser(lti_setup.school.teacher), lti_setup.launch_url())
    assert response.status_code == 400 and lti_setup.tool.errors == ["Unable to find deployment"]


def test_no_deployment_for_the_school_means_no_launch(lti_setup):  # noqa: F811
    for row in lti_setup.db.scalars(select(LtiDeployment)):
        lti_setup.db.delete(row)
    lti_setup.db.commit()
    page = lti_setup.browser(lti_setup.school.teacher).get(lti_setup.launch_url(), allow_redirects=False,
                                                           timeout=10)
    assert page.status_code == 404 and "Location" not in page.headers


def test_person_without_the_grant_cannot_launch(lti_setup):  # noqa: F811
    guest = lti_setup.browser(lti_setup.school.guest)  # the connector targets teachers and students only
    assert guest.get(lti_setup.launch_url(), allow_redirects=False, timeout=10).status_code == 404


def test_grant_removed_after_the_initiation_gets_no_token(lti_setup):  # noqa: F811
    browser = lti_setup.browser(lti_setup.school.teacher)
    params = auth_params(lti_setup, initiation(lti_setup, browser))
    lti_setup.connector.profiles = ["student"]
    lti_setup.db.commit()
    page = authorize(lti_setup, browser, params)
    assert page.status_code == 403 and 'name="id_token"' not in page.text


def test_connector_disabled_after_the_initiation_gets_no_token(lti_setup):  # noqa: F811
    browser = lti_setup.browser(lti_setup.school.teacher)
    params = auth_params(lti_setup, initiation(lti_setup, browser))
    lti_setup.connector.enabled = False
    lti_setup.db.commit()
    page = authorize(lti_setup, browser, params)
    assert page.status_code == 403 and 'name="id_token"' not in page.text


def test_an_older_initiation_gets_the_full_check(lti_setup, monkeypatch):  # noqa: F811
    """Past FRESH_GRANT_SECONDS the cheap check is not used: the whole reach is computed again."""
    from preau.portal import launches

    monkeypatch.setattr(launches, "FRESH_GRANT_SECONDS", -1)
    browser = lti_setup.browser(lti_setup.school.teacher)
    page = authorize(lti_setup, browser, auth_params(lti_setup, initiation(lti_setup, browser)))
    assert page.status_code == 200 and "id_token" in form_of(page.text)[1]
    params = auth_params(lti_setup, initiation(lti_setup, browser))
    lti_setup.connector.profiles = ["student"]
    lti_setup.db.commit()
    assert authorize(lti_setup, browser, params).status_code == 403


def test_initiation_of_someone_else_gets_no_token(lti_setup):  # noqa: F811
    params = auth_params(lti_setup, initiation(lti_setup, lti_setup.browser(lti_setup.school.teacher)))
    page = authorize(lti_setup, lti_setup.browser(lti_setup.school.student), params)
    assert page.status_code == 403 and 'name="id_token"' not in page.text


def test_forged_message_hint_gets_no_token(lti_setup):  # noqa: F811
    browser = lti_setup.browser(lti_setup.school.teacher)
    init = initiation(lti_setup, browser)
    page = authorize(lti_setup, browser, auth_params(lti_setup, init, lti_message_hint=init["lti_message_hint"][:-2]
                                                     + "xx"))
    assert page.status_code == 400 and 'name="id_token"' not in page.text


def _deep_link_settings(setup) -> dict:
    from pylti1p3.deep_link_resource import DeepLinkResource

    setup.tool.deep_link_items = [DeepLinkResource().set_url(f"{setup.tool.url}/launch").set_title("Vrai")]
    browser = setup.browser(setup.school.teacher)
    class_id = setup.school.school_class.id
    complete_launch(browser, f"{setup.preau}/lti13/classes/{class_id}/deep-link/{setup.registration.id}")
    return browser, setup.tool.launches[-1]


def test_deep_linking_response_signed_with_a_wrong_key_is_refused(lti_setup):  # noqa: F811
    browser, launch = _deep_link_settings(lti_setup)
    deep_link = launch.get_deep_link()
    message = deep_link.get_message_jwt([])
    message["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"] = [
        {"type": "ltiResourceLink", "title": "Piège", "url": "https://evil.example/"}]
    wrong_private, _public = rsa_pair()
    kid = Registration.get_jwk(lti_setup.tool.public_pem)["kid"]
    forged = jwt.encode(message, wrong_private, algorithm="RS256", headers={"kid": kid})
    page = browser.post(f"{lti_setup.preau}/lti13/deep-link/return", data={"JWT": forged}, timeout=10)
    assert page.status_code == 400
    assert lti_setup.db.scalar(select(func.count()).select_from(LtiResourceLink)) == 0
    # the genuine response of the same launch is accepted, once
    genuine = deep_link.get_response_jwt(lti_setup.tool.deep_link_items)
    assert browser.post(f"{lti_setup.preau}/lti13/deep-link/return", data={"JWT": genuine},
                        timeout=10).status_code == 200
    replay = browser.post(f"{lti_setup.preau}/lti13/deep-link/return", data={"JWT": genuine}, timeout=10)
    assert replay.status_code == 400
    assert lti_setup.db.scalar(select(func.count()).select_from(LtiResourceLink)) == 1


def _assertion(setup, private_pem: str | None = None, **claims) -> str:
    client_id = setup.registration.client_id
    body = {"iss": client_id, "sub": client_id, "aud": f"{setup.preau}/lti13/token", "iat": int(time.time()),
            "exp": int(time.time()) + 60, "jti": uuid.uuid4().hex, **claims}
    kid = Registration.get_jwk(setup.tool.public_pem)["kid"]
    return jwt.encode(body, private_pem or setup.tool.private_pem, algorithm="RS256", headers={"kid": kid})


def _token_request(setup, assertion: str, scope: str = TOKEN_SCOPE_NRPS) -> requests.Response:
    return requests.post(f"{setup.preau}/lti13/token", data={
        "grant_type": "client_credentials", "scope": scope, "client_assertion": assertion,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, timeout=10)


def test_token_request_with_a_bad_client_assertion_is_refused(lti_setup):  # noqa: F811
    wrong_private, _public = rsa_pair()
    assert _token_request(lti_setup, _assertion(lti_setup, wrong_private)).status_code == 401
    assert _token_request(lti_setup, _assertion(lti_setup, aud="https://elsewhere/token")).status_code == 401
    assert _token_request(lti_setup, _assertion(lti_setup, exp=int(time.time()) - 120)).status_code == 401
    assert _token_request(lti_setup, _assertion(lti_setup, sub="someone-else")).status_code == 401
    good = _assertion(lti_setup)
    first = _token_request(lti_setup, good)
    assert first.status_code == 200 and first.json()["token_type"] == "Bearer"
    assert _token_request(lti_setup, good).status_code == 401  # jti replay


def test_nrps_for_a_class_of_another_school_is_refused(lti_setup):  # noqa: F811
    other = build_school(lti_setup.db, "Autre école", uai="0750002B", city_name="Autre ville")
    lti_setup.db.commit()
    token = _token_request(lti_setup, _assertion(lti_setup)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    own = requests.get(f"{lti_setup.preau}/lti13/nrps/{lti_setup.school.school_class.id}", headers=headers,
                       timeout=10)
    assert own.status_code == 200 and len(own.json()["members"]) == 3
    foreign = requests.get(f"{lti_setup.preau}/lti13/nrps/{other.school_class.id}", headers=headers, timeout=10)
    assert foreign.status_code == 403 and "members" not in foreign.text


def test_services_need_a_token_with_the_right_scope(lti_setup):  # noqa: F811
    class_id = lti_setup.school.school_class.id
    assert requests.get(f"{lti_setup.preau}/lti13/nrps/{class_id}", timeout=10).status_code == 401
    assert requests.get(f"{lti_setup.preau}/lti13/nrps/{class_id}", headers={"Authorization": "Bearer forged"},
                        timeout=10).status_code == 401
    token = _token_request(lti_setup, _assertion(lti_setup),
                           scope="https://purl.imsglobal.org/spec/lti-ags/scope/score").json()["access_token"]
    response = requests.get(f"{lti_setup.preau}/lti13/nrps/{class_id}",
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 403


def test_score_for_someone_outside_the_class_is_refused(lti_setup):  # noqa: F811
    class_id = lti_setup.school.school_class.id
    scopes = ("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem "
              "https://purl.imsglobal.org/spec/lti-ags/scope/score")
    token = _token_request(lti_setup, _assertion(lti_setup), scope=scopes).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    item = requests.post(f"{lti_setup.preau}/lti13/ags/{class_id}/lineitems", headers=headers,
                         json={"label": "Test", "scoreMaximum": 10}, timeout=10)
    assert item.status_code == 201
    score = requests.post(item.json()["id"] + "/scores", headers=headers, timeout=10, json={
        "userId": "someone", "scoreGiven": 5, "scoreMaximum": 10, "activityProgress": "Completed",
        "gradingProgress": "FullyGraded", "timestamp": "2026-11-23T10:00:00Z"})
    assert score.status_code == 400
