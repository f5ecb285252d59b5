"""Who is calling the API: a bearer token (``Authorization: Bearer preau_…``) or the session cookie.

A bearer token is honoured only under ``/api/``; it then replaces any session for the request and is exempt
from CSRF (a browser never adds it by itself). A session-cookie request that changes something must carry the
session's CSRF token. Each endpoint declares the scope a token needs with :func:`protected`.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, NoReturn

from flask import current_app, g, request
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest import abort as _smorest_abort

from .. import audit
from ..auth import tokens
from ..db import db_session
from ..directory.scopes import is_admin
from ..extensions import login_manager
from ..web import client_ip

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_BEARER_CHALLENGE = 'Bearer realm="preau"'

SCOPE_DESCRIPTIONS = {
    "read": "lecture",
    "write": "écriture",
    "admin": "administration",
}


abort: Callable[..., NoReturn] = _smorest_abort  # flask-smorest is untyped; its abort always raises


def api_abort(code: int, reason: str, message: str, **headers: str) -> NoReturn:
    """Stop with a JSON error ``{"error", "message", "reason"}`` (rendered by the app's error handler)."""
    abort(code, message=message, reason=reason, headers=headers or None)


def authenticate_api_request() -> None:
    """``before_request`` of the application: bearer authentication and CSRF for the API paths."""
    if not request.path.startswith("/api/"):
        return
    g.api_token = None
    header = request.headers.get("Authorization")
    if header is None:
        if request.method not in SAFE_METHODS:
            # CSRFProtect skips the API blueprints, so cookie-authenticated changes are checked here.
            current_app.extensions["csrf"].protect()
        return
    scheme, _, raw = header.partition(" ")
    try:
        token, user = tokens.authenticate_bearer(db_session(), raw if scheme.lower() == "bearer" else "",
                                                 ip=client_ip(), path=request.path)
    except tokens.TokenRefused as refusal:
        api_abort(401, refusal.reason, refusal.message,
                  **{"WWW-Authenticate": f'{_BEARER_CHALLENGE}, error="invalid_token"'})
    g.api_token = token
    # The token's account is the user of this request only; nothing is written to the session.
    login_manager._update_request_context_with_user(user)


def deny_out_of_scope(target: object, message: str) -> NoReturn:
    """Audit an attempt on something outside the caller's scope, then stop with 403 ``out_of_scope``."""
    session = db_session()
    audit.record(session, "security.scope_denied", actor=current_user.id, target=target, ip=client_ip(), via="api")
    session.commit()
    api_abort(403, "out_of_scope", message)


def current_token() -> tokens.ApiToken | None:
    return g.get("api_token")


def protected(blp: Blueprint, scope: str, *, admin: bool = False) -> Callable:
    """Decorator (place it right under ``@blp.route``): an authenticated caller whose token has ``scope``.

    ``admin=True`` also requires an administrator. Documents the 401 and 403 answers and the scope.
    """
    if scope not in tokens.SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                api_abort(401, "authentication_required",
                          "Authentification requise : session ou jeton d'accès (Authorization: Bearer).",
                          **{"WWW-Authenticate": _BEARER_CHALLENGE})
            token = current_token()
            if token is not None and scope not in token.scope_set:
                api_abort(403, "insufficient_scope",
                          f"Ce jeton n'a pas la portée « {scope} » ({SCOPE_DESCRIPTIONS[scope]}) "
                          "nécessaire pour cette opération.")
            if admin and not is_admin(current_user):
                api_abort(403, "not_admin", "Cette opération est réservée aux administrateurs.")
            return view(*args, **kwargs)

        apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
        apidoc.setdefault("manual_doc", {})["x-required-scope"] = scope
        wrapper._apidoc = apidoc  # type: ignore[attr-defined]  # flask-smorest reads a view's documentation here
        # The docstring becomes the operation's summary and description in the OpenAPI document.
        note = f"Portée du jeton nécessaire : `{scope}`" + (" ; réservé aux administrateurs." if admin else ".")
        wrapper.__doc__ = f"{(view.__doc__ or '').rstrip()}\n\n{note}"
        wrapper = blp.alt_response(401, response="UNAUTHORIZED")(wrapper)
        return blp.alt_response(403, response="FORBIDDEN")(wrapper)

    return decorate
