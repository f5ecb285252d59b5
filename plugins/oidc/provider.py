"""OAuth 2.0 / OpenID Connect provider on Authlib, for third-party editors and mobile apps.

Authorization code flow with PKCE (S256; required for public clients), rotating refresh tokens, a French consent
screen remembered per client and scopes, discovery, JWKS, userinfo and token revocation (RFC 7009). Codes and
tokens live in the database, hashed; the rules are in :mod:`.service`.

The blueprint is mounted at the site's root (``preau.at_site_root``): the clients registered their addresses.
Every view is a ``public_endpoint``: the provider serves every person of the platform whatever their school's
apps, so the pages a person uses (authorization, "Applications autorisées") require the login themselves.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector, current_token
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.errors import ConsentRequiredError
from authlib.oidc.core.grants import OpenIDCode
from flask import Blueprint, Flask, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import login_required
from joserfc.jwk import RSAKey
from sqlalchemy import select, update

from preau import User, at_site_root, before_charter, csrf_exempt, current_user, db_session, public_endpoint

from . import service
from .models import OAuthClient, OAuthCode, OAuthToken, utcnow

# The addresses registered with the clients, and the administration page the kernel served before the move.
ROOT_PATHS = ("/oauth", "/.well-known/openid-configuration", "/account/applications", "/admin/oauth-clients")
bp = at_site_root(Blueprint("oidc", __name__, template_folder="templates"), *ROOT_PATHS)
CODE_LIFETIME = timedelta(minutes=5)
ACCESS_LIFETIME = 3600
REFRESH_LIFETIME = timedelta(days=30)


# -- Authlib adapters: the models seen through Authlib's mixin interfaces ---------------------------------


class Client:
    def __init__(self, row: OAuthClient) -> None:
        self.row = row
        self.client_id = row.client_id

    def get_client_id(self):
        return self.row.client_id

    def get_default_redirect_uri(self):
        return None  # redirect_uri is required: never guessed

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in self.row.scopes)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.row.redirect_uris  # exact match only

    def check_client_secret(self, client_secret):
        return service.secret_matches(self.row.secret_hash, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        if self.row.confidential:
            return method in {"client_secret_basic", "client_secret_post"}
        return method == "none"

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in {"authorization_code", "refresh_token"}


class Code:
    def __init__(self, row: OAuthCode) -> None:
        self.row = row

    def get_redirect_uri(self):
        return self.row.redirect_uri

    def get_scope(self):
        return self.row.scope

    def get_nonce(self):
        return self.row.nonce

    def get_auth_time(self):
        return self.row.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class Token:
    def __init__(self, row: OAuthToken, client: OAuthClient) -> None:
        self.row, self.client = row, client

    def check_client(self, client):
        return client.get_client_id() == self.client.client_id

    def get_scope(self):
        return self.row.scope

    def get_expires_in(self):
        return self.row.expires_in

    def is_expired(self):
        return utcnow() >= self.row.issued_at + timedelta(seconds=self.row.expires_in)

    def is_revoked(self):
        # A blocked or deleted account loses its applications' access at once.
        user = db_session().get(User, self.row.user_id)
        return self.row.revoked_at is not None or user is None or not user.is_active

    def get_user(self):
        return db_session().get(User, self.row.user_id)

    def get_client(self):
        return Client(self.client)


def _client_row(client_id: str | None) -> OAuthClient | None:
    if not client_id:
        return None
    return db_session().scalar(select(OAuthClient).where(OAuthClient.client_id == client_id,
                                                         OAuthClient.enabled.is_(True)))


def query_client(client_id):
    row = _client_row(client_id)
    return Client(row) if row else None


def save_token(token: dict, oauth_request) -> None:
    session = db_session()
    client = _client_row(oauth_request.client.get_client_id())
    assert client is not None  # the token endpoint authenticated this enabled client just before
    if oauth_request.authorization_code is not None:
        family = oauth_request.authorization_code.row.code_hash
    else:
        family = oauth_request.refresh_token.row.family
    refresh = token.get("refresh_token")
    session.add(OAuthToken(client_id=client.id, user_id=oauth_request.user.id, family=family,
                           access_token_hash=service.digest(token["access_token"]),
                           refresh_token_hash=service.digest(refresh) if refresh else None,
                           scope=token.get("scope", ""), issued_at=utcnow(), expires_in=token["expires_in"],
                           refresh_expires_at=utcnow() + REFRESH_LIFETIME if refresh else None))
    session.flush()


def _revoke_family(family: str) -> None:
    db_session().execute(update(OAuthToken).where(OAuthToken.family == family, OAuthToken.revoked_at.is_(None))
                         .values(revoked_at=utcnow()))


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def save_authorization_code(self, code, oauth_request):
        payload = oauth_request.payload
        client = _client_row(oauth_request.client.get_client_id())
        session = db_session()
        session.add(OAuthCode(
            code_hash=service.digest(code), client_id=client.id, user_id=oauth_request.user.id,
            redirect_uri=payload.redirect_uri, scope=oauth_request.granted_scope, nonce=payload.data.get("nonce"),
            code_challenge=payload.data.get("code_challenge"),
            code_challenge_method=payload.data.get("code_challenge_method"),
            auth_time=int(utcnow().timestamp()), expires_at=utcnow() + CODE_LIFETIME))
        session.flush()

    def query_authorization_code(self, code, client):
        session = db_session()
        row = session.scalar(select(OAuthCode).where(OAuthCode.code_hash == service.digest(code)))
        owner = _client_row(client.get_client_id())
        if row is None or owner is None or row.client_id != owner.id:
            return None
        if row.used_at is not None:
            # A replayed code: refuse it and revoke what it gave (RFC 6749 §4.1.2).
            _revoke_family(row.code_hash)
            session.commit()
            return None
        if row.expires_at <= utcnow():
            return None
        return Code(row)

    def delete_authorization_code(self, authorization_code):
        authorization_code.row.used_at = utcnow()
        db_session().flush()

    def authenticate_user(self, authorization_code):
        return db_session().get(User, authorization_code.row.user_id)


class RefreshTokenGrant(grants.RefreshTokenGrant):
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation: each refresh token works once
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def authenticate_refresh_token(self, refresh_token):
        session = db_session()
        row = session.scalar(select(OAuthToken).where(OAuthToken.refresh_token_hash == service.digest(refresh_token)))
        if row is None:
            return None
        if row.refresh_used_at is not None:
            _revoke_family(row.family)  # a used refresh token came back: someone copied it
            session.commit()
            return None
        if row.revoked_at is not None or (row.refresh_expires_at and row.refresh_expires_at <= utcnow()):
            return None
        return Token(row, session.get(OAuthClient, row.client_id))

    def authenticate_user(self, refresh_token):
        return refresh_token.get_user()

    def revoke_old_credential(self, refresh_token):
        refresh_token.row.refresh_used_at = refresh_token.row.revoked_at = utcnow()
        db_session().flush()


class PreauCodeChallenge(CodeChallenge):
    """PKCE with S256 only; public clients must use it."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if data.get("code_challenge") and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256")
        if not data.get("code_challenge") and not grant.request.client.row.confidential:
            raise InvalidRequestError("PKCE (code_challenge, S256) is required for public clients")
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code):
        return authorization_code.row.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code):
        return authorization_code.row.code_challenge_method


class PreauOpenIDCode(OpenIDCode):
    def resolve_client_private_key(self, client):
        key = service.signing_key(db_session())
        return RSAKey.import_key(key.private_pem, parameters={"kid": key.kid})

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": service.signing_key(db_session()).kid}

    def get_client_algorithm(self, client):
        return "RS256"

    def get_client_claims(self, client):
        return {"iss": issuer(), "aud": [client.get_client_id()]}

    def exists_nonce(self, nonce, oauth_request):
        client = _client_row(oauth_request.payload.client_id)
        return bool(client and db_session().scalar(select(OAuthCode.id).where(
            OAuthCode.client_id == client.id, OAuthCode.nonce == nonce).limit(1)))

    def generate_user_info(self, user, scope):
        return service.user_claims(db_session(), user, scope.split(), _subject(g.oidc_client, user))

    def process_token(self, grant, response):
        g.oidc_client = grant.request.client.get_client_id()  # generate_user_info is not told the client
        return super().process_token(grant, response)


class PreauRevocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string, token_type_hint):
        session, hashed = db_session(), service.digest(token_string)
        row = session.scalar(select(OAuthToken).where(
            (OAuthToken.access_token_hash == hashed) | (OAuthToken.refresh_token_hash == hashed)))
        return Token(row, session.get(OAuthClient, row.client_id)) if row else None

    def revoke_token(self, token, oauth_request):
        token.row.revoked_at = token.row.revoked_at or utcnow()
        db_session().commit()


class PreauBearerValidator(BearerTokenValidator):
    def authenticate_token(self, token_string):
        session = db_session()
        row = session.scalar(select(OAuthToken).where(OAuthToken.access_token_hash == service.digest(token_string)))
        return Token(row, session.get(OAuthClient, row.client_id)) if row else None


require_oauth = ResourceProtector()
require_oauth.register_token_validator(PreauBearerValidator())


def _subject(client_id: str, user: User) -> str:
    return service.subject(str(current_app.config["SECRET_KEY"]), client_id, user.id)


def issuer() -> str:
    return current_app.config.get("OIDC_ISSUER") or request.host_url.rstrip("/")


def _server() -> AuthorizationServer:
    return current_app.extensions["preau.oidc"]


# -- pages and endpoints ---------------------------------------------------------------------------------


def _error_page(error: OAuth2Error):
    """A clear page, never a redirect: the redirect_uri may be the attacker's."""
    return render_template("oidc/error.html", error=error.error,
                           description=error.description or ""), 400


@bp.route("/oauth/authorize", methods=["GET", "POST"])
@public_endpoint
@login_required
def authorize():
    server, session = _server(), db_session()
    user = current_user._get_current_object()
    try:
        grant = server.get_consent_grant(end_user=user)
        grant.validate_authorization_request()
    except OAuth2Error as error:
        return _error_page(error)
    client = grant.client.row
    wanted = grant.client.get_allowed_scope(grant.request.payload.scope).split()
    scopes = service.scopes_for_user(session, user, wanted)
    if "openid" not in scopes:
        return _error_page(InvalidRequestError("scope must include openid"))
    grant.request.granted_scope = " ".join(scopes)
    prompt = grant.request.payload.data.get("prompt", "")
    if request.method == "POST":
        if request.form.get("decision") != "accept":
            return server.create_authorization_response(grant=grant, grant_user=None)
        service.remember_consent(session, user, client, scopes)
    elif not service.consent_covers(session, user, client, scopes) and "none" in prompt.split():
        # prompt=none: the application wants an answer without any page, so "consent required" it is.
        refusal = ConsentRequiredError(redirect_uri=grant.request.payload.redirect_uri)
        refusal.state = grant.request.payload.state
        return server.handle_error_response(grant.request, refusal)
    elif "consent" in prompt.split() or not service.consent_covers(session, user, client, scopes):
        return render_template("oidc/consent.html", client=client, scopes=service.describe_scopes(scopes))
    response = server.create_authorization_response(grant=grant, grant_user=user)
    session.commit()
    return response


@bp.route("/oauth/token", methods=["POST"])
@public_endpoint
@before_charter
@csrf_exempt
def token():
    response = _server().create_token_response()
    db_session().commit()
    return response


@bp.route("/oauth/revoke", methods=["POST"])
@public_endpoint
@before_charter
@csrf_exempt
def revoke():
    return _server().create_endpoint_response(PreauRevocation.ENDPOINT_NAME)


@bp.route("/oauth/userinfo", methods=["GET", "POST"])
@public_endpoint
@before_charter
@csrf_exempt
@require_oauth("openid")
def userinfo():
    token = current_token
    user = token.get_user()
    claims = service.user_claims(db_session(), user, token.get_scope().split(),
                                 _subject(token.client.client_id, user))
    return jsonify(claims)


@bp.route("/.well-known/openid-configuration")
@public_endpoint
@before_charter
def discovery():
    base = issuer()
    return jsonify({
        "issuer": base,
        "authorization_endpoint": base + url_for("oidc.authorize"),
        "token_endpoint": base + url_for("oidc.token"),
        "userinfo_endpoint": base + url_for("oidc.userinfo"),
        "revocation_endpoint": base + url_for("oidc.revoke"),
        "jwks_uri": base + url_for("oidc.jwks"),
        "scopes_supported": sorted(service.known_scopes()),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "given_name",
                             "family_name", "preferred_username", "locale", "email", "email_verified",
                             "preau_profiles", "preau_apps"],
        "ui_locales_supported": ["fr", "en"],
    })


@bp.route("/oauth/jwks.json")
@public_endpoint
@before_charter
def jwks():
    session = db_session()
    service.signing_key(session)
    keys = service.public_jwks(session)
    session.commit()
    return jsonify(keys)


@bp.route("/account/applications")
@public_endpoint
@login_required
def consents():
    rows = service.consents_of(db_session(), current_user._get_current_object())
    return render_template("oidc/consents.html", rows=rows, describe=service.describe_scopes)


@bp.route("/account/applications/<int:client_id>/revoke", methods=["POST"])
@public_endpoint
@login_required
def revoke_consent(client_id: int):
    session = db_session()
    client = service.revoke_consent(session, current_user._get_current_object(), client_id)
    session.commit()
    if client is not None:
        flash(_("« %(name)s » n'a plus accès à votre compte.", name=client.name), "success")
    return redirect(url_for("oidc.consents"), 303)


def _init_server(app: Flask) -> None:
    app.config.setdefault("OAUTH2_REFRESH_TOKEN_GENERATOR", True)
    app.config.setdefault("OAUTH2_TOKEN_EXPIRES_IN", {"authorization_code": ACCESS_LIFETIME,
                                                      "refresh_token": ACCESS_LIFETIME})
    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_grant(AuthorizationCodeGrant, [PreauCodeChallenge(required=True), PreauOpenIDCode()])
    server.register_grant(RefreshTokenGrant)
    server.register_endpoint(PreauRevocation)
    app.extensions["preau.oidc"] = server


@bp.record_once
def _on_first_mount(state: BlueprintSetupState) -> None:
    """Each application that mounts the blueprint gets its own authorization server (the blueprint is shared)."""
    _init_server(cast("Flask", state.app))


__all__ = ["bp", "issuer", "require_oauth"]
