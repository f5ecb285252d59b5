"""Request-side helpers shared by the kernel's blueprints and offered to plugins."""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import abort, current_app, g, render_template, request
from flask_login import current_user

from .db import db_session
from .rights import Access, access_for

__all__ = ["current_user", "current_access", "require_right", "render_page", "client_ip", "safe_next"]


def registry():
    return current_app.extensions["preau.plugins"]


def current_access() -> Access:
    """What reaches the logged-in user, computed once per request."""
    if "_preau_access" not in g:
        if not current_user.is_authenticated:
            g._preau_access = Access()
        else:
            g._preau_access = access_for(db_session(), registry(), current_user._get_current_object())
    return g._preau_access


def require_right(right_id: str):
    """Decorator: 404 when the right does not reach the user (the app does not exist for them)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated or not current_access().has(right_id):
                abort(404)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def render_page(template: str, **context: Any) -> str:
    return render_template(template, **context)


def client_ip() -> str:
    # Behind a proxy, set PREAU_PROXY_FIX so that ProxyFix rewrites remote_addr from X-Forwarded-For.
    return (request.remote_addr or "unknown")[:45]


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target only if it stays on this site (no scheme, no host, no ``//`` or ``\\`` tricks)."""
    if not target or len(target) > 2000:
        return default
    cleaned = target.strip()
    if "\\" in cleaned or any(ord(c) < 32 for c in cleaned):
        return default
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc or not cleaned.startswith("/") or cleaned.startswith("//"):
        return default
    joined = urlsplit(urljoin(request.host_url, cleaned))
    if joined.netloc != urlsplit(request.host_url).netloc:
        return default
    return cleaned
