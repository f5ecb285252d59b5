"""Personal access tokens for the JSON API: created, checked and revoked here. No Flask here.

A token reads ``preau_`` followed by 43 URL-safe characters (32 random bytes). Only its SHA-256 is stored;
its first characters (``prefix``) are kept so that people can tell their tokens apart. A token carries
scopes: ``read`` (GET endpoints), ``write`` (changes) and ``admin`` (administration endpoints).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..db import prepare_write
from ..directory.scopes import is_admin
from ..errors import PreauError
from ..models import AccountState, ApiToken, User
from ..models._time import utcnow

TOKEN_PREFIX = "preau_"  # noqa: S105 - the public marker of Préau tokens, not a secret
_TOKEN_PATTERN = re.compile(r"^preau_[A-Za-z0-9_-]{43}$")
PREFIX_LENGTH = 12  # "preau_" + 6 random characters: enough to recognise, far too little to guess
SCOPES = ("read", "write", "admin")
MAX_EXPIRY_DAYS = 366
# Writing last_used_at on every request would turn every read into a write; once a minute is enough.
LAST_USED_GRANULARITY = timedelta(minutes=1)

MSG_MALFORMED = "Le jeton d'accès est mal formé : attendu « Authorization: Bearer preau_… »."
MSG_UNKNOWN = "Ce jeton d'accès est inconnu."
MSG_REVOKED = "Ce jeton d'accès a été révoqué."
MSG_EXPIRED = "Ce jeton d'accès a expiré."
MSG_INACTIVE = "Le compte de ce jeton n'est pas actif."


class TokenError(PreauError, ValueError):
    """A token request that breaks a rule; the message (French) is shown to the person."""


class TokenRefused(PreauError):
    """A bearer token that does not authenticate (401); ``reason`` is a stable code, ``message`` French."""

    status = 401

    def __init__(self, reason: str, message: str, token: ApiToken | None = None) -> None:
        super().__init__(message, reason=reason)
        self.token = token


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def is_well_formed(raw: str) -> bool:
    return bool(_TOKEN_PATTERN.fullmatch(raw))


def allowed_scopes(user: User) -> tuple[str, ...]:
    """The scopes ``user`` may put on a token: ``admin`` only for administrators."""
    return SCOPES if is_admin(user) else tuple(s for s in SCOPES if s != "admin")


def create_token(
    session: Session, user: User, name: str, scopes: list[str] | tuple[str, ...] | set[str],
    expires_in_days: int | None = None, *, ip: str | None = None,
) -> tuple[str, ApiToken]:
    """Create a token for ``user``; returns the plaintext (shown once, never stored) and the row."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise TokenError("Donnez au jeton un nom de 1 à 100 caractères.")
    chosen = set(scopes)
    if not chosen:
        raise TokenError("Choisissez au moins une portée.")
    if not chosen <= set(allowed_scopes(user)):
        raise TokenError("Portée non autorisée pour ce compte.")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise TokenError(f"La durée de validité doit être comprise entre 1 et {MAX_EXPIRY_DAYS} jours.")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id, name=name, prefix=plaintext[:PREFIX_LENGTH], token_hash=hash_token(plaintext),
        scopes=" ".join(s for s in SCOPES if s in chosen), created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(token)
    session.flush()
    audit.record(session, "api.token_created", actor=user, target=token, ip=ip, name=name, scopes=token.scopes,
                 expires_at=token.expires_at.isoformat() if token.expires_at else None)
    return plaintext, token


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """``active``, ``revoked`` or ``expired``."""
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def revoke_token(session: Session, user: User, token_id: int, *, ip: str | None = None) -> ApiToken:
    """Revoke one of ``user``'s own tokens (revoking twice changes nothing)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise TokenError("Ce jeton n'existe pas.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, "api.token_revoked", actor=user, target=token, ip=ip, name=token.name)
    return token


def authenticate_bearer(
    session: Session, raw: str | None, *, ip: str | None = None, path: str | None = None,
) -> tuple[ApiToken, User]:
    """The token and account behind ``raw``, or :class:`TokenRefused` (audited, committed).

    The audit event names the reason and the token row when known, never the raw value.
    """
    raw = (raw or "").strip()
    token = user = None
    try:
        if not is_well_formed(raw):
            raise TokenRefused("malformed", MSG_MALFORMED)
        token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
        if token is None:
            raise TokenRefused("unknown", MSG_UNKNOWN)
        state = token_state(token)
        if state == "revoked":
            raise TokenRefused("revoked", MSG_REVOKED, token)
        if state == "expired":
            raise TokenRefused("expired", MSG_EXPIRED, token)
        user = session.get(User, token.user_id)
        if user is None or user.state != AccountState.ACTIVE:
            raise TokenRefused("inactive_account", MSG_INACTIVE, token)
    except TokenRefused as refusal:
        audit.record(session, "api.token_refused", actor=token.user_id if token else None, target=token, ip=ip,
                     reason=refusal.reason, path=(path or "")[:200])
        session.commit()
        raise
    _touch(session, token)
    return token, user


def _touch(session: Session, token: ApiToken) -> None:
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        prepare_write(session)
        token.last_used_at = now
        session.commit()
