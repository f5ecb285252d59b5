"""OpenID Connect provider, driven over real HTTP by Authlib's OAuth2 client (``OAuth2Session``): the code flow
with PKCE through the real login form and consent screen, id_token checked against the JWKS fetched from the
server, userinfo, refresh with rotation, revocation; then the attacks."""

from __future__ import annotations

import os
import warnings
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc.errors import JoseError as JoseRfcError
from sqlalchemy import select

from preau import AccountState
from preau.testing import TEST_PASSWORD
from preau_plugins.oidc.models import OAuthCode, OAuthConsent, OAuthToken
from preau_plugins.oidc.service import digest, purge, register_client

with warnings.catch_warnings():  # authlib.jose is Authlib's client-side JWT API, deprecated in favour of joserfc
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, jwt
    from authlib.jose.errors import JoseError

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning",
                                      "ignore::authlib.deprecate.AuthlibDeprecationWarning")
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the live server speaks plain HTTP on the loopback
REDIRECT = "http://127.0.0.1:9/callback"
REFUSED = (JoseError, JoseRfcError)  # what the client library raises for a token it must not trust


class _Forms(HTMLParser):
    """The fields of every POST form of a page (hidden inputs and named buttons)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("method", "").lower() == "post":
            self.forms.append({})
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1][attributes["name"]] = attributes.get("value") or ""


def forms_of(html: str) -> list[dict[str, str]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Provider:
    """The live Préau seen by a third-party application and a person's browser."""

    def __init__(self, live_server, db, app, user, *, confidential=False, scopes=("openid", "profile", "email")):
        self.base, self.db, self.user = live_server.url, db, user
        self.client_row, self.secret = register_client(db, name="Cahier Mobile",
                                                       redirect_uris=[REDIRECT], confidential=confidential,
                                                       scopes=list(scopes))
        db.commit()
        self.config = requests.get(f"{self.base}/.well-known/openid-configuration", timeout=10).json()
        self.browser = requests.Session()

    def oauth(self, scope="openid profile email", **kwargs) -> OAuth2Session:
        auth = {"client_secret": self.secret, "token_endpoint_auth_method": "client_secret_basic"} if self.secret \
            else {"token_endpoint_auth_method": "none"}
        return OAuth2Session(self.client_row.client_id, scope=scope, redirect_uri=REDIRECT,
                             code_challenge_method="S256", **auth, **kwargs)

    def log_in(self, response: requests.Response) -> requests.Response:
        """Fill the real login form the authorization request led to."""
        assert "/auth/login" in response.url
        fields = forms_of(response.text)[0]
        fields.update(login=self.user.login, password=TEST_PASSWORD)
        return self.browser.post(response.url, data=fields, allow_redirects=False, timeout=10)

    def follow(self, response: requests.Response) -> requests.Response:
        """Follow redirects inside Préau; stop at the one towards the application's redirect URI."""
        while response.is_redirect and not response.headers["Location"].startswith(REDIRECT):
            response = self.browser.get(urljoin(response.url, response.headers["Location"]), allow_redirects=False,
                                        timeout=10)
        return response

    def authorize(self, url: str, *, accept: bool = True) -> requests.Response:
        """The browser goes to ``url``, logs in if asked, answers the consent screen; the last answer."""
        response = self.follow(self.browser.get(url, allow_redirects=False, timeout=10))
        if "/auth/login" in response.url and response.status_code == 200:
            response = self.follow(self.log_in(response))
        if response.status_code != 200 or "decision" not in response.text:
            return response
        fields = dict(forms_of(response.text)[-1])
        fields["decision"] = "accept" if accept else "refuse"
        return self.browser.post(response.url, data=fields, allow_redirects=False, timeout=10)

    def code_flow(self, scope="openid profile email", **extra):
        client, verifier, nonce = self.oauth(scope), generate_token(48), generate_token(20)
        url, state = client.create_authorization_url(self.config["authorization_endpoint"], code_verifier=verifier,
                                                     nonce=nonce, **extra)
        answer = self.authorize(url)
        return client, verifier, nonce, state, answer

    def tokens(self, scope="openid profile email"):
        client, verifier, nonce, state, answer = self.code_flow(scope)
        token = client.fetch_token(self.config["token_endpoint"], authorization_response=answer.headers["Location"],
                                   code_verifier=verifier)
        return client, token, nonce

    def id_claims(self, id_token: str, nonce: str, access_token: str | None = None):
        keys = JsonWebKey.import_key_set(requests.get(self.config["jwks_uri"], timeout=10).json())
        claims = jwt.decode(id_token, keys, claims_cls=CodeIDToken,
                            claims_options={"iss": {"essential": True, "value": self.config["issuer"]}},
                            claims_params={"nonce": nonce, "client_id": self.client_row.client_id,
                                           "access_token": access_token})
        claims.validate()
        return claims


@pytest.fixture
def provider(live_server, db, app, school):
    return Provider(live_server, db, app, school.teacher)


def test_discovery_describes_the_endpoints_and_requires_s256(provider):
    config = provider.config
    assert config["issuer"] == provider.base
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["jwks_uri"].startswith(provider.base)
    assert {"openid", "profile", "email"} <= set(config["scopes_supported"])


def test_code_flow_with_pkce_gives_a_valid_id_token_and_userinfo(provider, school):
    client, token, nonce = provider.tokens()
    assert token["token_type"].lower() == "bearer" and token["refresh_token"]
    claims = provider.id_claims(token["id_token"], nonce, token["access_token"])
    assert claims["nonce"] == nonce and claims["aud"] == [provider.client_row.client_id]
    assert claims["sub"] != str(school.teacher.id) and claims["given_name"] == "Paul"
    info = client.get(provider.config["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"]
    assert info["preferred_username"] == school.teacher.login and info["preau_profiles"] == ["teacher"]


def test_consent_is_asked_once_then_remembered(provider, db, school):
    provider.tokens()
    assert db.scalar(select(OAuthConsent.scopes).where(OAuthConsent.user_id == school.teacher.id)) == [
        "email", "openid", "profile"]
    _client, _verifier, _nonce, _state, answer = provider.code_flow()
    assert answer.status_code in (302, 303) and answer.headers["Location"].startswith(REDIRECT)


def test_the_state_comes_back_unchanged_and_a_refusal_says_access_denied(provider):
    client, verifier, nonce = provider.oauth(), generate_token(48), generate_token(20)
    url, state = client.create_authorization_url(provider.config["authorization_endpoint"], code_verifier=verifier,
                                                 nonce=nonce, state="état-à/renvoyer+1")
    answer = provider.authorize(url, accept=False)
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == ["état-à/renvoyer+1"] and query["error"] == ["access_denied"]
    assert "code" not in query


def test_refresh_rotates_the_refresh_token_and_the_old_one_stops_working(provider):
    client, token, _nonce = provider.tokens()
    fresh = client.refresh_token(provider.config["token_endpoint"], refresh_token=token["refresh_token"])
    assert fresh["access_token"] != token["access_token"] and fresh["refresh_token"] != token["refresh_token"]
    assert client.get(provider.config["userinfo_endpoint"]).status_code == 200
    replay = requests.post(provider.config["token_endpoint"], timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"],
        "client_id": provider.client_row.client_id})
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    # the reuse of a rotated refresh token revokes the whole family, the new tokens included
    headers = {"Authorization": f"Bearer {fresh['access_token']}"}
    assert requests.get(provider.config["userinfo_endpoint"], headers=headers, timeout=10).status_code == 401


def test_revocation_ends_the_access_token(provider):
    client, token, _nonce = provider.tokens()
    answer = client.revoke_token(provider.config["revocation_endpoint"], token=token["access_token"])
    assert answer.status_code == 200
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert requests.get(provider.config["userinfo_endpoint"], headers=headers, timeout=10).status_code == 401


def test_a_confidential_client_authenticates_with_its_secret(live_server, db, app, school):
    provider = Provider(live_server, db, app, school.student, confidential=True)
    assert provider.client_row.secret_hash and provider.secret not in provider.client_row.secret_hash
    _client, token, nonce = provider.tokens()
    assert provider.id_claims(token["id_token"], nonce)["nonce"] == nonce
    _c, verifier, _n, _s, answer = provider.code_flow()
    stolen = requests.post(provider.config["token_endpoint"], timeout=10, auth=(
        provider.client_row.client_id, "not-the-secret"), data={
        "grant_type": "authorization_code", "code": parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0],
        "redirect_uri": REDIRECT, "code_verifier": verifier})
    assert stolen.status_code == 401 and stolen.json()["error"] == "invalid_client"


# -- attacks -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("redirect_uri", ["http://127.0.0.1:9/callback/../evil", "https://evil.example/callback",
                                          "http://127.0.0.1:9/callback?x=1", "HTTP://127.0.0.1:9/callback"])
def test_a_redirect_uri_that_is_not_registered_exactly_gets_a_page_not_a_redirect(provider, redirect_uri):
    client = OAuth2Session(provider.client_row.client_id, scope="openid", redirect_uri=redirect_uri,
                           code_challenge_method="S256", token_endpoint_auth_method="none")
    url, _state = client.create_authorization_url(provider.config["authorization_endpoint"],
                                                  code_verifier=generate_token(48))
    response = provider.authorize(url)
    assert response.status_code == 400
    assert "Connexion impossible" in response.text
    assert all("evil" not in r.headers.get("Location", "") for r in response.history)


def test_an_unknown_client_gets_a_page_not_a_redirect(provider):
    response = provider.browser.get(provider.config["authorization_endpoint"], timeout=10, params={
        "client_id": "nobody", "response_type": "code", "redirect_uri": REDIRECT, "scope": "openid"})
    response = provider.follow(provider.log_in(response)) if "/auth/login" in response.url else response
    assert response.status_code == 400 and "Connexion impossible" in response.text


def test_a_public_client_without_pkce_is_refused(provider):
    client = OAuth2Session(provider.client_row.client_id, scope="openid", redirect_uri=REDIRECT,
                           token_endpoint_auth_method="none")
    url, _state = client.create_authorization_url(provider.config["authorization_endpoint"])
    response = provider.authorize(url)
    assert response.status_code == 400 and "PKCE" in response.text


def test_plain_pkce_is_refused(provider):
    response = provider.authorize(provider.oauth().create_authorization_url(
        provider.config["authorization_endpoint"], code_challenge="a" * 43, code_challenge_method="plain")[0])
    assert response.status_code == 400


def _code(answer) -> str:
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def _exchange(provider, code, verifier):
    return requests.post(provider.config["token_endpoint"], timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": provider.client_row.client_id, "code_verifier": verifier})


@pytest.mark.parametrize("verifier", [None, "wrong-" + "v" * 43])
def test_a_missing_or_wrong_pkce_verifier_gets_no_token(provider, verifier):
    _client, _right, _nonce, _state, answer = provider.code_flow()
    data = {"grant_type": "authorization_code", "code": _code(answer), "redirect_uri": REDIRECT,
            "client_id": provider.client_row.client_id}
    if verifier:
        data["code_verifier"] = verifier
    response = requests.post(provider.config["token_endpoint"], data=data, timeout=10)
    assert response.status_code == 400 and "access_token" not in response.json()


def test_a_replayed_code_is_refused_and_revokes_the_tokens_it_gave(provider, db):
    _client, verifier, _nonce, _state, answer = provider.code_flow()
    first = _exchange(provider, _code(answer), verifier)
    assert first.status_code == 200
    again = _exchange(provider, _code(answer), verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    headers = {"Authorization": f"Bearer {first.json()['access_token']}"}
    assert requests.get(provider.config["userinfo_endpoint"], headers=headers, timeout=10).status_code == 401


def test_a_code_sent_with_another_redirect_uri_is_refused(provider):
    _client, verifier, _nonce, _state, answer = provider.code_flow()
    response = requests.post(provider.config["token_endpoint"], timeout=10, data={
        "grant_type": "authorization_code", "code": _code(answer), "redirect_uri": "http://127.0.0.1:9/other",
        "client_id": provider.client_row.client_id, "code_verifier": verifier})
    assert response.status_code == 400


def test_the_nonce_is_in_the_id_token_and_another_nonce_fails_validation(provider):
    _client, token, nonce = provider.tokens()
    assert provider.id_claims(token["id_token"], nonce)["nonce"] == nonce
    with pytest.raises(REFUSED):
        provider.id_claims(token["id_token"], "another-nonce")


def test_a_tampered_id_token_fails_validation(provider):
    _client, token, nonce = provider.tokens()
    header, payload, signature = token["id_token"].split(".")
    claims = jwt.decode(token["id_token"], JsonWebKey.import_key_set(
        requests.get(provider.config["jwks_uri"], timeout=10).json()))
    from authlib.common.encoding import json_dumps, urlsafe_b64encode

    forged = urlsafe_b64encode(json_dumps({**claims, "sub": "someone-else"}).encode()).decode().rstrip("=")
    with pytest.raises(REFUSED):
        provider.id_claims(f"{header}.{forged}.{signature}", nonce)
    unsigned = urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=")
    with pytest.raises(REFUSED):
        provider.id_claims(f"{unsigned}.{payload}.", nonce)


def test_scopes_beyond_the_client_are_dropped(provider):
    client, token, _nonce = provider.tokens(scope="openid profile preau.messaging")
    assert token["scope"].split() == ["openid", "profile"]


def test_an_app_scope_needs_the_persons_access(live_server, db, app, school, enable_plugin):
    provider = Provider(live_server, db, app, school.teacher, scopes=("openid", "preau.messaging"))
    _client, token, _nonce = provider.tokens(scope="openid preau.messaging")
    assert token["scope"].split() == ["openid"]  # messaging is not enabled in the school yet
    enable_plugin("messaging", school.structure)
    db.commit()
    provider.browser.cookies.clear()
    provider.browser = requests.Session()
    _client, token, _nonce = provider.tokens(scope="openid preau.messaging")
    assert token["scope"].split() == ["openid", "preau.messaging"]


def test_consent_revoked_from_the_account_page_revokes_the_tokens(provider, db, school, login_as):
    client, token, _nonce = provider.tokens()
    page = login_as(school.teacher).get("/account/applications")
    assert "Cahier Mobile" in page.get_data(as_text=True)
    response = login_as(school.teacher).post_form(f"/account/applications/{provider.client_row.id}/revoke")
    assert response.status_code == 303
    assert db.scalar(select(OAuthConsent).where(OAuthConsent.user_id == school.teacher.id)) is None
    assert all(t.revoked_at for t in db.scalars(select(OAuthToken).where(OAuthToken.user_id == school.teacher.id)))
    assert client.get(provider.config["userinfo_endpoint"]).status_code == 401


def test_tokens_and_codes_are_stored_hashed(provider, db):
    _client, token, _nonce = provider.tokens()
    stored = db.scalars(select(OAuthToken)).all()
    assert stored and all(token["access_token"] not in (t.access_token_hash, t.refresh_token_hash) for t in stored)
    _c, _v, _n, _s, answer = provider.code_flow()
    codes = set(db.scalars(select(OAuthCode.code_hash)))
    assert _code(answer) not in codes and digest(_code(answer)) in codes
    assert any(t.access_token_hash == digest(token["access_token"]) for t in stored)


def test_a_blocked_account_loses_its_tokens_at_once(provider, db, school):
    client, _token, _nonce = provider.tokens()
    assert client.get(provider.config["userinfo_endpoint"]).status_code == 200
    school.teacher.state = AccountState.BLOCKED
    db.commit()
    assert client.get(provider.config["userinfo_endpoint"]).status_code == 401


def test_prompt_none_without_consent_answers_consent_required_to_the_application(provider):
    provider.tokens(scope="openid")  # logged in, consent for openid only
    url, _state = provider.oauth("openid profile").create_authorization_url(
        provider.config["authorization_endpoint"], code_verifier=generate_token(48), nonce=generate_token(20),
        prompt="none", state="s-42")
    answer = provider.authorize(url)
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["error"] == ["consent_required"] and query["state"] == ["s-42"] and "code" not in query


def test_a_nonce_already_used_with_this_client_is_refused(provider):
    _client, token, nonce = provider.tokens()
    url, _state = provider.oauth().create_authorization_url(
        provider.config["authorization_endpoint"], code_verifier=generate_token(48), nonce=nonce)
    response = provider.authorize(url)
    assert response.status_code == 400 and "Connexion impossible" in response.text


def test_purge_forgets_expired_codes_and_dead_tokens_only(provider, db):
    from datetime import timedelta

    from preau_plugins.oidc.models import utcnow

    provider.tokens()
    assert purge(db) == 0  # everything is fresh
    assert purge(db, now=utcnow() + timedelta(days=32)) == 2  # the used code and the token, refresh expired
    assert db.scalar(select(OAuthToken)) is None and db.scalar(select(OAuthCode)) is None


def test_a_callback_with_another_state_is_refused_by_the_client(provider):
    from authlib.oauth2.rfc6749.errors import MismatchingStateException

    client, verifier, _nonce, state, answer = provider.code_flow()
    forged = answer.headers["Location"].replace(f"state={state}", "state=forged-state")
    with pytest.raises(MismatchingStateException):
        client.fetch_token(provider.config["token_endpoint"], authorization_response=forged, code_verifier=verifier,
                           state=state)
