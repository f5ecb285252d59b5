"""The LTI 1.3 platform's signing keys (RS256, stored in the database) and the verification of tools' JWTs.

The newest unretired key signs. ``rotate`` retires it and creates another; a retired key stays published at
``/lti13/jwks.json`` until every token it signed has expired (``RETIRED_KEY_GRACE``), then it is deleted.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any, cast

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import CursorResult, delete, or_, select
from sqlalchemy.orm import Session

from preau import PreauError

from .models import LtiKey, LtiTool, utcnow

ID_TOKEN_LIFETIME = 300  # seconds: id_tokens and deep-linking requests
RETIRED_KEY_GRACE = timedelta(seconds=ID_TOKEN_LIFETIME + 60)  # + clock leeway of the tools
ALGORITHM = "RS256"


class ToolTokenError(PreauError, ValueError):
    """A JWT from a tool that does not verify (reason in the message, safe to show)."""


def _new_key() -> LtiKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    kid = secrets.token_urlsafe(16)
    public_jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    public_jwk.update(kid=kid, alg=ALGORITHM, use="sig")
    return LtiKey(kid=kid, private_pem=pem, public_jwk=public_jwk, created_at=utcnow())


def signing_key(session: Session) -> LtiKey:
    """The key that signs now (created on first use)."""
    key = session.scalar(select(LtiKey).where(LtiKey.retired_at.is_(None)).order_by(LtiKey.id.desc()).limit(1))
    if key is None:
        key = _new_key()
        session.add(key)
        session.flush()
    return key


def published_keys(session: Session) -> list[LtiKey]:
    """Keys tools may meet: the signing key and the retired ones whose tokens may still be valid."""
    since = utcnow() - RETIRED_KEY_GRACE
    signing_key(session)
    return list(session.scalars(select(LtiKey).where(or_(LtiKey.retired_at.is_(None), LtiKey.retired_at > since))
                                .order_by(LtiKey.id)))


def rotate(session: Session) -> tuple[LtiKey, int]:
    """Retire the current key(s), create the new signing key, forget keys retired long ago.
    Returns the new key and how many old keys were deleted."""
    now = utcnow()
    for key in session.scalars(select(LtiKey).where(LtiKey.retired_at.is_(None))):
        key.retired_at = now
    deleted = session.execute(delete(LtiKey).where(LtiKey.retired_at < now - RETIRED_KEY_GRACE))
    forgotten = cast("CursorResult[Any]", deleted).rowcount
    key = _new_key()
    session.add(key)
    session.flush()
    return key, forgotten


_LOADED: dict[str, Any] = {}  # kid → parsed private key: parsing and checking a PEM costs tens of ms


def _private_key(key: LtiKey) -> Any:
    loaded = _LOADED.get(key.kid)
    if loaded is None:
        if len(_LOADED) > 8:
            _LOADED.clear()
        loaded = _LOADED[key.kid] = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
    return loaded


def sign(session: Session, claims: dict[str, Any]) -> str:
    key = signing_key(session)
    return jwt.encode(claims, _private_key(key), algorithm=ALGORITHM, headers={"kid": key.kid})


def jwks(session: Session) -> dict[str, list[dict[str, Any]]]:
    return {"keys": [dict(key.public_jwk) for key in published_keys(session)]}


# -- tools' keys -----------------------------------------------------------------------------------------

_JWKS_CLIENTS: dict[str, jwt.PyJWKClient] = {}


def _tool_key(tool: LtiTool, token: str) -> Any:
    if tool.public_key_pem:
        return tool.public_key_pem
    if not tool.jwks_url:
        raise ToolTokenError("no key registered for this tool")
    client = _JWKS_CLIENTS.get(tool.jwks_url)
    if client is None:  # cached per URL; an unknown kid makes PyJWKClient fetch the set again
        client = _JWKS_CLIENTS[tool.jwks_url] = jwt.PyJWKClient(tool.jwks_url, lifespan=300, timeout=5)
    try:
        return client.get_signing_key_from_jwt(token).key
    except jwt.PyJWKClientError as error:
        raise ToolTokenError(f"tool key not found: {error}") from error


def verify_tool_jwt(tool: LtiTool, token: str, audience: str) -> dict[str, Any]:
    """The claims of a JWT the tool signed with its registered key, for ``audience``; else ToolTokenError."""
    try:
        if jwt.get_unverified_header(token).get("alg") != ALGORITHM:
            raise ToolTokenError("only RS256 is accepted")
        return jwt.decode(token, _tool_key(tool, token), algorithms=[ALGORITHM], audience=audience,
                          options={"require": ["exp", "iat", "iss", "aud"]}, leeway=30)
    except jwt.InvalidTokenError as error:
        raise ToolTokenError(str(error)) from error


def unverified_claims(token: str) -> dict[str, Any]:
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as error:
        raise ToolTokenError(str(error)) from error


def now() -> int:
    return int(time.time())
