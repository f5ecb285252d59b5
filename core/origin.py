"""Same-origin check of state-changing requests, on top of the CSRF token (issue 16, point 7).

Wherever the CSRF token is checked (every form of the site, the login form included, and the API calls
authenticated by the session cookie), the request must also come from the site itself: when the browser sends an
``Origin`` header it must be the site's origin (``PREAU_PUBLIC_URL`` if set, else the request's own scheme, host
and port); ``Origin: null`` (sandboxed frames, some redirects) is refused; without ``Origin``, a ``Referer`` must be
on the site; with neither (a script, an old client) the CSRF token alone decides. Bearer-token API calls and the
SSO endpoints that peers call from elsewhere (CAS, LTI, OpenID) are exempt from the CSRF check, hence from this
one: they carry no ambient authority. A refusal is a 403 with a French reason, audited as
``security.origin_rejected``, before any view runs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import Forbidden

from .audit import record
from .db import db_session
from .errors import problem
from .types import N_
from .web import client_ip

DEFAULT_PORTS = {"http": 80, "https": 443}
MSG_REJECTED = N_("Requête refusée : elle ne vient pas de ce site (en-tête Origin ou Referer étranger). "
                  "Revenez sur le site et recommencez.")


class OriginRejected(Forbidden):
    """A state-changing request sent from another site; ``header`` and ``value`` say what was seen."""

    def __init__(self, header: str, value: str) -> None:
        super().__init__(MSG_REJECTED)
        self.header, self.value = header, value


def origin_of(url: str | None) -> str | None:
    """``scheme://host:port`` of an http(s) URL (default port made explicit, host lower-cased), else ``None``."""
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError:  # a malformed port or IPv6 literal
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.hostname.lower()}:{port or DEFAULT_PORTS[parts.scheme]}"


def site_origin() -> str | None:
    return origin_of(current_app.config.get("PUBLIC_URL") or request.host_url)


def check_origin() -> None:
    """Raise :class:`OriginRejected` when the request's ``Origin`` (or, without it, ``Referer``) is not the site."""
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin_of(origin) is None or origin_of(origin) != site_origin():  # "null" has no origin
            raise OriginRejected("Origin", origin)
        return
    referer = request.headers.get("Referer")
    if referer is not None and origin_of(referer) != site_origin():
        raise OriginRejected("Referer", referer)


class SiteCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRF protection that first checks the request's origin (same exemptions, same methods)."""

    def protect(self, apply_exemptions: bool = False) -> None:
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method in current_app.config["WTF_CSRF_METHODS"]:
            check_origin()
        super().protect(apply_exemptions=False)


def init_app(app: Flask) -> None:
    """Answer refusals (the site's address is the configuration's ``PUBLIC_URL``, from ``PREAU_PUBLIC_URL``)."""

    @app.errorhandler(OriginRejected)
    def origin_rejected(error: OriginRejected):
        session = db_session()  # refused before any view ran: only the audit event is written
        record(session, "security.origin_rejected", actor=current_user.get_id() and current_user.id,
               ip=client_ip(), path=request.path[:200], method=request.method, header=error.header,
               value=error.value[:200])
        session.commit()
        message = gettext(MSG_REJECTED)
        if request.path.startswith("/api/"):
            return problem(403, message, reason="origin_rejected")
        return render_template("error.html", code=403, message=message), 403
