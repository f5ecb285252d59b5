"""Request-side helpers shared by the kernel's blueprints and offered to plugins."""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from flask import abort, current_app, g, render_template, request, session
from flask_login import current_user

from .db import db_session
from .models import AccountState
from .rights import Access, access_for

__all__ = ["current_user", "current_access", "current_role", "plugin_hook", "require_right", "render_page",
           "client_ip", "safe_next", "is_local_target"]


def registry():
    return current_app.extensions["preau.plugins"]


def current_role() -> Any:
    """The role chosen with the role switch (``session["role_id"]``), or ``None`` meaning all roles.

    A role removed since it was chosen gives ``None`` (the union), never a stranger's role."""
    if not current_user.is_authenticated:
        return None
    return next((role for role in current_user.roles if role.id == session.get("role_id")), None)


def current_access() -> Access:
    """What reaches the logged-in user, computed once per request: for the chosen role, else the union."""
    if "_preau_access" not in g:
        if not current_user.is_authenticated or current_user.state == AccountState.PRE_DELETED:
            # A pre-deleted account may only export "Mes données": no app, widget or connector reaches it.
            g._preau_access = Access()
        else:
            role = current_role()
            g._preau_access = access_for(db_session(), registry(), current_user._get_current_object(),
                                         roles=[role] if role else None)
    return g._preau_access


def plugin_hook(name: str) -> Any:
    """A pluggy hook caller that reaches only the plugins whose app reaches the current user (and core apps):
    dispatch follows enablement, as DESIGN.md asks."""
    plugins = registry()
    return plugins.subset_caller(name, current_access().apps | plugins.core_app_ids())


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
    address = "".join(c for c in (request.remote_addr or "unknown") if c.isprintable())
    return address[:45] or "unknown"


def is_local_target(target: str) -> bool:
    """Whether ``target`` is a path on this site: no scheme, no host, no ``//`` or ``\\`` tricks, even once
    percent-decoded (some proxies and browsers decode before they resolve)."""
    if not target or len(target) > 2000:
        return False
    decoded = target
    for _ in range(3):  # %252F%252F → %2F%2F → //
        if "\\" in decoded or any(ord(c) < 32 or ord(c) == 127 for c in decoded):
            return False
        if not decoded.startswith("/") or decoded.startswith("//"):
            return False
        parts = urlsplit(decoded)
        if parts.scheme or parts.netloc:
            return False
        decoded, previous = unquote(decoded), decoded
        if decoded == previous:
            break
    joined = urlsplit(urljoin(request.host_url, target))
    return joined.netloc == urlsplit(request.host_url).netloc


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it stays on this site (see :func:`is_local_target`), else ``default``."""
    return target if target and is_local_target(target) else default
