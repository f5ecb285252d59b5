"""Request-side helpers shared by the kernel's blueprints and offered to plugins."""

from __future__ import annotations

from collections.abc import Iterable
from functools import wraps
from typing import Any, NoReturn, overload
from urllib.parse import unquote, urljoin, urlsplit

from flask import abort, current_app, g, render_template, request, session
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import Session

from . import audit, rights
from .db import db_session
from .directory.scopes import can_administer, is_admin, local_administrators
from .directory.structures import profile_group
from .errors import PreauError, problem, wants_json
from .models import AccountState, Role, Structure, User
from .plugins import HookFailure
from .rights import Access
from .types import AppManifest

__all__ = ["current_user", "current_access", "current_role", "require_right", "access_for", "installed_apps",
           "require_admin", "abort_refused", "client_ip", "safe_next", "is_local_target", "page_banners",
           "app_not_open"]


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
            g._preau_access = access_for(current_user._get_current_object(), roles=[role] if role else None)
    return g._preau_access


def access_for(user: User, roles: Iterable[Role] | None = None, *, session: Session | None = None) -> Access:
    """What reaches ``user`` (apps, rights, connectors, menu items, widgets), outside the current request too
    (a job, a command, another person): the union over ``roles`` (default: all their roles) and the core apps.
    Needs an app context; ``session`` defaults to :func:`db_session`."""
    return rights.access_for(session if session is not None else db_session(), registry(), user, roles=roles)


def enable_app(session: Session, structure: Structure, app_id: str, *, defaults: bool = True) -> None:
    """Enable an app for ``structure`` as the services administration's "Activer" does: the first time, each of
    its rights goes to the profile groups of its ``default_profiles`` there (``defaults=False``: enabled only,
    reaching nobody until :func:`grant_to_profile`). For provisioning and demo data; ``KeyError`` for an app id no
    active plugin has. Audited; committed by the caller."""
    if registry().by_app_id(app_id) is None:
        raise KeyError(f"no active plugin has the app id {app_id!r}")
    if defaults:
        rights.enable_with_defaults(session, registry(), structure, app_id)
    else:
        rights.set_enabled(session, structure, app_id, True)
    session.flush()


def grant_to_profile(session: Session, right_id: str, structure: Structure, profile: str) -> None:
    """Grant one right to one profile group of ``structure`` (its teachers, its parents…), as an administrator
    does on the apps page; a city's profile group reaches the same profile in its schools. ``KeyError`` for a
    right no active plugin declares. Audited; committed by the caller."""
    if right_id not in registry().all_rights():
        raise KeyError(f"no active plugin declares the right {right_id!r}")
    rights.grant(session, right_id, structure, group=profile_group(session, structure.id, str(profile)))
    session.flush()
def installed_apps() -> list[AppManifest]:
    """The manifests of the apps installed and active on the platform (``kind="app"``: those administrators
    enable per structure), in load order; enabled or not anywhere. Needs an app context."""
    return [record.manifest for record in registry().apps() if record.manifest is not None]


def apps_for_request() -> set[str]:
    """The app ids a hook called for the current request may reach (``apps=`` of the registry's calls): what
    reaches the logged-in user for the role they chose (see :func:`preau.rights.dispatch_apps`)."""
    return rights.dispatch_apps(registry(), current_access())


def page_banners() -> list[Markup]:
    """The banners the plugins put at the top of the page for the person logged in (``preau_page_banners``),
    computed once per request: the plugins their access reaches only (nobody logged in: none), each robustly. A
    plugin that raises, or answers anything but Markup, shows nothing and is reported to administrators."""
    if "_preau_page_banners" in g:
        return g._preau_page_banners
    banners: list[Markup] = []
    if current_user.is_authenticated:
        plugins = registry()
        answers = plugins.call_each("preau_page_banners", apps=apps_for_request(),
                                    user=current_user._get_current_object())
        for record, answer in answers:
            if answer is None or isinstance(answer, HookFailure):
                continue
            if not isinstance(answer, list | tuple) or not all(isinstance(b, Markup) for b in answer):
                plugins.note_failure(record.app_id, "preau_page_banners",
                                     TypeError(f"banners must be a list of Markup, got {answer!r:.80}"))
                continue
            banners.extend(answer)
    g._preau_page_banners = banners
    return banners


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


def abort_refused(message: str, status: int = 403) -> NoReturn:
    """Stop the request with the kernel's refusal: its error page (the site's layout, ``message`` shown) or, for
    the API and a client asking for JSON, an RFC 9457 problem (``reason`` ``"refused"``); ``status`` is 4xx.
    ``message`` is translated already (``_("…")``) or a msgid. The same as raising :class:`PreauError`."""
    raise PreauError(message, status=status, reason="refused")


@overload
def require_admin(structure: None = None) -> None: ...


@overload
def require_admin(structure: Structure | int) -> Structure: ...


def require_admin(structure: Structure | int | None = None) -> Structure | None:
    """For a plugin's administration page: 403 (the kernel's page) unless the logged-in user administers
    ``structure`` (a :class:`Structure` or its id: 404 when there is none), or, without one, some structure.
    A refusal is audited (``security.scope_denied``) as the kernel's own administration does. Returns the
    structure."""
    work = db_session()
    if not current_user.is_authenticated or not is_admin(current_user):
        abort_refused(gettext("Cette page est réservée aux administrateurs."))
    if structure is None:
        return None
    found = work.get(Structure, structure) if isinstance(structure, int) else structure
    if found is None:
        abort(404)
    if not can_administer(work, current_user, found.id):
        audit.record(work, "security.scope_denied", actor=current_user.id, target=found, ip=client_ip(),
                     path=request.path)
        work.commit()
        abort_refused(gettext("Vous n'administrez pas cette structure."))
    return found


def client_ip() -> str:
    """The address of the request's client, printable and at most 45 characters, ``"unknown"`` without one: the
    ``ip`` of an audit record (``record_audit(..., ip=client_ip())``)."""
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


def app_not_open(app_id: str) -> Any:
    """The answer to someone logged in who opens an installed app that does not reach them (not enabled for
    their structure, or enabled but granted neither to their profile nor to their groups): a 403 page saying so
    and naming the local administrators of their own structures to ask (with a link to write to them where a
    plugin offers one, ``preau_write_link``); an RFC 9457 problem (reason ``app_not_open``) for JSON clients.
    Nothing is said of other structures."""
    record = registry().by_app_id(app_id)
    name = gettext(record.manifest.name) if record is not None and record.manifest is not None else app_id
    message = gettext("L'application « %(app)s » n'est pas ouverte pour vous : demandez-la aux administrateurs "
                      "de votre établissement.", app=name)
    if wants_json():
        return problem(403, message, reason="app_not_open")
    user = current_user._get_current_object()
    role = current_role()
    roles = [role] if role is not None else list(user.roles)
    structures = sorted({r.structure_id: r.structure for r in roles}.values(), key=lambda s: s.name)
    admins = [(admin, structure) for admin, structure in
              local_administrators(db_session(), {s.id for s in structures}) if admin.id != user.id]
    html = render_template("app_not_open.html", app_name=name, enabled=app_id in current_access().enabled,
                           structures=structures, admins=[(a, s, _write_link(user, a)) for a, s in admins])
    return html, 403


def _write_link(sender: User, recipient: User) -> str | None:
    """The first local path a plugin gives to write to ``recipient`` (``preau_write_link``), robustly."""
    plugins = registry()
    for record, answer in plugins.call_each("preau_write_link", apps=apps_for_request(), sender=sender,
                                            recipient=recipient):
        if answer is None or isinstance(answer, HookFailure):
            continue
        if isinstance(answer, str) and is_local_target(answer):
            return answer
        plugins.note_failure(record.app_id, "preau_write_link",
                             TypeError(f"a write link must be a path on this site, got {answer!r:.80}"))
    return None
