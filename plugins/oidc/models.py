"""OAuth 2.0 / OpenID Connect provider: registered clients, authorization codes, tokens, consents, signing keys.

Codes, tokens and client secrets are stored as SHA-256 digests (secrets hashed): a copy of the database gives no
usable credential. Everything lives in the database so that any worker answers any step of a flow. The tables
kept the names they had in the kernel (``oauth_*``), so a database created before the move keeps its data."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from preau import EncryptedText, Model


def utcnow() -> datetime:
    """Naive UTC now, as every stored time of Préau (SQLite keeps no time zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


class OAuthClient(Model):
    """An application registered by the super administrator (an editor's service, a mobile app)."""

    __tablename__ = "oauth_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    secret_hash: Mapped[str | None] = mapped_column(String(200))  # None for a public client
    confidential: Mapped[bool] = mapped_column(Boolean, default=True)
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)  # compared exactly
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)  # the most it may ask for
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OAuthCode(Model):
    """An authorization code: single use, a few minutes; ``used_at`` set on exchange (a replay revokes)."""

    __tablename__ = "oauth_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    scope: Mapped[str] = mapped_column(String(1000))
    nonce: Mapped[str | None] = mapped_column(String(255))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    auth_time: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class OAuthToken(Model):
    """An access token and its refresh token. ``family`` ties the tokens rotated from one code together."""

    __tablename__ = "oauth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family: Mapped[str] = mapped_column(String(64), index=True)
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(1000))
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_in: Mapped[int] = mapped_column(Integer)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    refresh_used_at: Mapped[datetime | None] = mapped_column(DateTime)


class OAuthConsent(Model):
    """What a person agreed to share with a client; asked again only for new scopes, revocable."""

    __tablename__ = "oauth_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("oauth_clients.id", ondelete="CASCADE"))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "client_id"),)


class OAuthSigningKey(Model):
    """The provider's RSA key pairs (id_token signatures); the public halves are the JWKS."""

    __tablename__ = "oauth_signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(EncryptedText)  # encrypted at rest (core/crypto.py)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
