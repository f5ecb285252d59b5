"""The Flask extensions the kernel binds to each application, and what the request guards share.

``create_app`` binds them (``init_app``); the modules that register endpoints import them from here, never from
:mod:`preau.app`, so the factory depends on the views and not the other way round.
"""

from __future__ import annotations

from flask_login import LoginManager

from .origin import SiteCSRFProtect

csrf = SiteCSRFProtect()  # the CSRF token, and the Origin/Referer of the request (core/origin.py)
login_manager = LoginManager()

# Endpoints a logged-in person reaches before accepting the charter of their profile: the charter itself, signing
# out, and what services call server to server (the SSO modules add theirs when they register).
OPEN_ENDPOINTS = {"static", "auth.login", "auth.csrf_token", "auth.logout", "auth.charter", "auth.activate",
                  "auth.activate_finish", "auth.reset", "portal.set_language", "portal.health"}
