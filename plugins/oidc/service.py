"""Rules of the OAuth 2.0 / OpenID Connect provider: clients, scopes mapped to apps, consents, signing keys,
claims. Functions take a Session and never read the request; those that list the installed apps need an app
context (a request, a command)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from joserfc.jwk import RSAKey
from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.orm import Session

from preau import PreauError, User, access_for, installed_apps, record_audit

from .models import OAuthClient, OAuthCode, OAuthConsent, OAuthSigningKey, OAuthToken, utcnow

BASE_SCOPES = {
    "openid": _l("vous identifier (un identifiant propre à cette application)"),
    "profile": _l("connaître vos nom, prénom, identifiant et profils (élève, enseignant…)"),
    "email": _l("connaître votre adresse électronique"),
    "offline_access": _l("rester connecté sans vous le redemander"),
}
APP_SCOPE_PREFIX = "preau."
MAX_ACCESS_SECONDS = 3600  # access tokens never live longer (see .provider.ACCESS_LIFETIME)
_hasher = PasswordHasher()  # client secrets: Argon2, as the kernel's passwords


class OidcError(PreauError, ValueError):
    """A refused client registration; the message is French and shown as is."""


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def secret_matches(secret_hash: str | None, secret: str) -> bool:
    if not secret_hash:
        return False
    try:
        return _hasher.verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def _affected(result: Result[Any]) -> int:
    return cast("CursorResult[Any]", result).rowcount  # update()/delete() give a CursorResult


# -- clients ---------------------------------------------------------------------------------------------


def _checked_redirect_uri(uri: str) -> str:
    parts = urlsplit(uri)
    loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    native = parts.scheme and "." in parts.scheme  # a mobile app's private scheme (com.editeur.app:/cb)
    if parts.fragment or not (parts.scheme == "https" or (parts.scheme == "http" and loopback) or native):
        raise OidcError(str(_l("Adresse de retour refusée : %(uri)s (https, ou http sur la machine locale, "
                               "sans fragment).", uri=uri)))
    return uri


def register_client(session: Session, *, name: str, redirect_uris: list[str], confidential: bool,
                    scopes: list[str], actor: User | None = None) -> tuple[OAuthClient, str | None]:
    """Register a client; returns it and its secret (confidential clients), shown once and stored hashed."""
    name = name.strip()
    if not name or len(name) > 120:
        raise OidcError(str(_l("Donnez un nom à l'application (120 caractères au plus).")))
    uris = [_checked_redirect_uri(u.strip()) for u in redirect_uris if u.strip()]
    if not uris:
        raise OidcError(str(_l("Indiquez au moins une adresse de retour.")))
    unknown = [s for s in scopes if s not in known_scopes()]
    if unknown:
        raise OidcError(str(_l("Portées inconnues : %(scopes)s.", scopes=", ".join(unknown))))
    secret = secrets.token_urlsafe(32) if confidential else None
    client = OAuthClient(client_id=secrets.token_urlsafe(16), name=name, confidential=confidential,
                         secret_hash=_hasher.hash(secret) if secret else None, redirect_uris=uris,
                         scopes=sorted(set(scopes) | {"openid"}), enabled=True)
    session.add(client)
    session.flush()
    record_audit(session, "oidc.client_registered", actor=actor, target=client, name=name,
                 confidential=confidential, redirect_uris=uris, scopes=client.scopes)
    return client, secret


def remove_client(session: Session, client: OAuthClient, *, actor: User | None = None) -> None:
    record_audit(session, "oidc.client_removed", actor=actor, target=client, name=client.name)
    session.delete(client)
    session.flush()


# -- scopes and rights -----------------------------------------------------------------------------------


def known_scopes() -> dict[str, Any]:
    """Every scope a client may be allowed: the OpenID ones and ``preau.<app>`` for each installed app (in a
    request or an app context: the apps' names are translated)."""
    scopes: dict[str, Any] = dict(BASE_SCOPES)
    for manifest in installed_apps():
        scopes[APP_SCOPE_PREFIX + manifest.id] = _l("utiliser l'application « %(app)s » en votre nom",
                                                    app=gettext(manifest.name))  # a msgid of its plugin
    return scopes


def scopes_for_user(session: Session, user: User, wanted: list[str]) -> list[str]:
    """``wanted`` minus the ``preau.<app>`` scopes of apps the person does not hold."""
    apps = access_for(user, session=session).apps
    return [s for s in wanted if not s.startswith(APP_SCOPE_PREFIX) or s[len(APP_SCOPE_PREFIX):] in apps]


@dataclass(frozen=True)
class ScopeLine:
    scope: str
    label: str


def describe_scopes(scopes: list[str]) -> list[ScopeLine]:
    labels = known_scopes()
    return [ScopeLine(s, str(labels.get(s, s))) for s in scopes]


# -- consents --------------------------------------------------------------------------------------------


def consent_covers(session: Session, user: User, client: OAuthClient, scopes: list[str]) -> bool:
    consent = session.scalar(select(OAuthConsent).where(OAuthConsent.user_id == user.id,
                                                        OAuthConsent.client_id == client.id))
    return consent is not None and set(scopes) <= set(consent.scopes)


def remember_consent(session: Session, user: User, client: OAuthClient, scopes: list[str]) -> None:
    consent = session.scalar(select(OAuthConsent).where(OAuthConsent.user_id == user.id,
                                                        OAuthConsent.client_id == client.id))
    if consent is None:
        consent = OAuthConsent(user_id=user.id, client_id=client.id, scopes=[])
        session.add(consent)
    consent.scopes, consent.granted_at = sorted(set(consent.scopes) | set(scopes)), utcnow()
    session.flush()
    record_audit(session, "oidc.consent_given", actor=user, target=client, scopes=consent.scopes)


def consents_of(session: Session, user: User) -> list[tuple[OAuthConsent, OAuthClient]]:
    return list(session.execute(select(OAuthConsent, OAuthClient).join(
        OAuthClient, OAuthClient.id == OAuthConsent.client_id).where(OAuthConsent.user_id == user.id)
        .order_by(OAuthClient.name)).tuples())


def revoke_consent(session: Session, user: User, client_id: int) -> OAuthClient | None:
    """Forget the consent and revoke every token of that client for the person."""
    client = session.get(OAuthClient, client_id)
    found = _affected(session.execute(delete(OAuthConsent).where(OAuthConsent.user_id == user.id,
                                                                     OAuthConsent.client_id == client_id)))
    if client is None or not found:
        return None
    session.execute(update(OAuthToken).where(OAuthToken.user_id == user.id, OAuthToken.client_id == client_id,
                                             OAuthToken.revoked_at.is_(None)).values(revoked_at=utcnow()))
    record_audit(session, "oidc.consent_revoked", actor=user, target=client)
    return client


# -- keys and claims -------------------------------------------------------------------------------------


def signing_key(session: Session) -> OAuthSigningKey:
    """The newest RSA key; the first call creates one (2048 bits)."""
    key = session.scalar(select(OAuthSigningKey).order_by(OAuthSigningKey.id.desc()).limit(1))
    if key is None:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
        key = OAuthSigningKey(kid=secrets.token_urlsafe(12), private_pem=pem)
        session.add(key)
        session.flush()
    return key


def public_jwks(session: Session) -> dict[str, Any]:
    keys = session.scalars(select(OAuthSigningKey).order_by(OAuthSigningKey.id)).all()
    return {"keys": [{**RSAKey.import_key(k.private_pem).as_dict(private=False), "kid": k.kid, "use": "sig",
                      "alg": "RS256"} for k in keys]}


def subject(secret_key: str, client_id: str, user_id: int) -> str:
    """A pairwise subject: stable for one client, unrelated between clients, not the database id."""
    return hmac.new(secret_key.encode(), f"oidc|{client_id}|{user_id}".encode(), hashlib.sha256).hexdigest()


def user_claims(session: Session, user: User, scopes: list[str], sub: str) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": sub}
    if "profile" in scopes:
        claims.update(name=user.display_name, given_name=user.first_name, family_name=user.last_name,
                      preferred_username=user.login, locale=user.locale or "fr",
                      preau_profiles=sorted(user.profiles))
    if "email" in scopes and user.email:
        claims.update(email=user.email, email_verified=False)
    apps = [s[len(APP_SCOPE_PREFIX):] for s in scopes_for_user(session, user, scopes)
            if s.startswith(APP_SCOPE_PREFIX)]
    if apps:
        claims["preau_apps"] = apps
    return claims


def purge(session: Session, now: datetime | None = None) -> int:
    """Forget expired codes and tokens that can no longer be used or refreshed (kept a day for replay checks)."""
    limit = (now or utcnow()) - timedelta(days=1)
    codes = _affected(session.execute(delete(OAuthCode).where(OAuthCode.expires_at < limit)))
    dead = (OAuthToken.refresh_expires_at < limit) | (
        OAuthToken.refresh_expires_at.is_(None)
        & (OAuthToken.issued_at < limit - timedelta(seconds=MAX_ACCESS_SECONDS)))
    tokens = _affected(session.execute(delete(OAuthToken).where(dead)))
    return codes + tokens
