"""The Flask extensions the kernel binds to each application, and what the request guards share.

``create_app`` binds them (``init_app``); the modules that register endpoints import them from here, never from
:mod:`preau.app`, so the factory depends on the views and not the other way round.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint
from flask_login import LoginManager

from .origin import SiteCSRFProtect

csrf = SiteCSRFProtect()  # the CSRF token, and the Origin/Referer of the request (core/origin.py)
login_manager = LoginManager()

# Endpoints a logged-in person reaches before accepting the charter of their profile: the charter itself, signing
# out, and what services call server to server (the SSO modules add theirs when they register).
OPEN_ENDPOINTS = {"static", "auth.login", "auth.csrf_token", "auth.logout", "auth.charter", "auth.activate",
                  "auth.activate_finish", "auth.reset", "portal.set_language", "portal.health"}

ViewFunction = TypeVar("ViewFunction", bound=Callable[..., Any])
BlueprintT = TypeVar("BlueprintT", bound=Blueprint)


def csrf_exempt(view: ViewFunction) -> ViewFunction:
    """Decorate a view that another server POSTs to (an LTI tool, an OAuth client): it carries no CSRF token and
    authenticates otherwise (a signed JWT, a client secret), which the view must check itself."""
    csrf.exempt(view)
    return view


def before_charter(view: ViewFunction) -> ViewFunction:
    """Decorate a view a logged-in person reaches before accepting the charter of their profile: what services
    call server to server (discovery documents, key sets, token and validation endpoints). Every other page
    sends that person to the charter first."""
    view.preau_before_charter = True  # type: ignore[attr-defined]
    return view


def public_endpoint(view: ViewFunction) -> ViewFunction:
    """Decorate a plugin's view that visitors who are not logged in reach (a school's public news page, a
    calendar feed, a protocol endpoint another server calls): the kernel's guard lets everybody through, whatever
    the apps enabled for them, and the view checks access itself."""
    view.preau_public = True  # type: ignore[attr-defined]
    return view


def at_site_root(blueprint: BlueprintT, *paths: str) -> BlueprintT:
    """Mount a plugin's blueprint at the site's root instead of ``/apps/<app id>/``: for the addresses other
    servers already know (an SSO protocol's ``/lti13/…``, ``/.well-known/openid-configuration``). ``paths`` are the
    path prefixes its routes use; at start-up the kernel refuses (quarantines the plugin) a route outside them, a
    prefix the kernel or another plugin already serves, or a prefix not starting with ``/``."""
    if not paths or not all(path.startswith("/") and len(path) > 1 for path in paths):
        raise ValueError("at_site_root: give the path prefixes of the blueprint's routes, each starting with '/'")
    blueprint.preau_root_paths = tuple(path.rstrip("/") for path in paths)  # type: ignore[attr-defined]
    return blueprint


def root_paths_of(blueprint: object) -> tuple[str, ...]:
    return tuple(getattr(blueprint, "preau_root_paths", ()))


def opens_before_charter(view: object) -> bool:
    return bool(getattr(view, "preau_before_charter", False))
