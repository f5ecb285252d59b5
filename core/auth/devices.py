"""The device cookie: a browser that has fully logged in to an account (password, and second factor if any)
is *known* for that account and keeps its own throttling budget (``throttle.py``).

The cookie ``preau_device`` holds a random device id and, for each account logged into (the 20 latest), a
keyed tag HMAC(secret key, device id + login): it is signed (itsdangerous, the app's secret key, one year),
HttpOnly and SameSite=Lax, and does not tell which accounts used a shared school computer. It proves nothing
by itself — it only decides whose failures a failure is counted with."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from flask import Flask, Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "preau_device"
LIFETIME_SECONDS = 365 * 24 * 3600
MAX_ACCOUNTS = 20
_SALT = "preau.device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _tag(device_id: str, login: str) -> str:
    secret = current_app.config["SECRET_KEY"]  # always set: preau.config refuses to start without it
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"device\0{device_id}\0{login}".encode(), hashlib.sha256).hexdigest()[:20]


def _read() -> dict[str, Any] | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=LIFETIME_SECONDS)
    except BadSignature:
        return None
    if (not isinstance(data, dict) or not isinstance(data.get("id"), str) or len(data["id"]) != 32
            or not isinstance(data.get("tags"), list)):
        return None
    return data


def device_for(login: str) -> str | None:
    """The device id of this browser if its cookie is valid for ``login`` (normalised), else ``None``."""
    data = _read()
    if data is None or not login:
        return None
    tag = _tag(data["id"], login)
    return data["id"] if any(hmac.compare_digest(tag, str(known)) for known in data["tags"]) else None


def remember(login: str) -> None:
    """This browser has just fully logged in to ``login``: the response carries the updated cookie."""
    g.preau_device_login = login


def install(app: Flask) -> None:
    @app.after_request
    def write_device_cookie(response: Response) -> Response:
        login = g.pop("preau_device_login", None)
        if login is None:
            return response
        data = _read() or {"id": secrets.token_hex(16), "tags": []}
        tag = _tag(data["id"], login)
        tags = [known for known in data["tags"] if known != tag][-(MAX_ACCOUNTS - 1):] + [tag]
        response.set_cookie(COOKIE, _serializer().dumps({"id": data["id"], "tags": tags}),
                            max_age=LIFETIME_SECONDS, httponly=True, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path="/")
        return response
