"""Secrets kept in the database (connector shared secrets, keys) are encrypted at rest with Fernet.

The keys come from ``PREAU_DATA_KEYS`` (comma-separated Fernet keys: the first encrypts, all decrypt, so a new
key is rotated in by putting it first); without it, one key is derived from the application's secret key, so
that changing ``PREAU_SECRET_KEY`` then makes the stored secrets unreadable — set PREAU_DATA_KEYS in production.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import JSON, Text
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)
MARK = "fernet"


def _derived_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"preau-data-keys", info=b"connector secrets")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def data_cipher() -> MultiFernet:
    """The application's cipher (built once per application)."""
    app = current_app
    cipher = app.extensions.get("preau.cipher")
    if cipher is None:
        keys = [k.strip() for k in (app.config.get("DATA_KEYS") or "").split(",") if k.strip()]
        cipher = MultiFernet([Fernet(k) for k in keys] or [Fernet(_derived_key(app.config["SECRET_KEY"]))])
        app.extensions["preau.cipher"] = cipher
    return cipher


class EncryptedJSON(TypeDecorator):
    """A JSON value stored as ``{"fernet": token}``. Rows written before encryption are read as they are and
    encrypted at their next write."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if not value:
            return value
        return {MARK: data_cipher().encrypt(json.dumps(value).encode()).decode()}

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if not (isinstance(value, dict) and set(value) == {MARK}):
            return value
        try:
            return json.loads(data_cipher().decrypt(value[MARK].encode()))
        except InvalidToken:
            log.error("stored secrets cannot be decrypted: PREAU_DATA_KEYS (or the secret key) changed")
            return {}


class EncryptedText(TypeDecorator):
    """Text stored as ``fernet:<token>`` (private keys of the platform). Text without the prefix, written before
    encryption, is read as it is."""

    impl = Text
    cache_ok = True
    PREFIX = MARK + ":"

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        return self.PREFIX + data_cipher().encrypt(value.encode()).decode()

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None or not value.startswith(self.PREFIX):
            return value
        return data_cipher().decrypt(value.removeprefix(self.PREFIX).encode()).decode()
