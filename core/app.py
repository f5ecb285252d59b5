"""The application factory. Nothing runs at import time; plugins load here."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import Babel, get_locale, gettext
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from . import admin, audit, labels, mail
from . import config as config_module
from .account import data_export
from .account import views as account_views
from .api import init_api
from .auth import sessions
from .auth import views as auth_views
from .auth.service import charters_stamp, pending_charters
from .auth.totp_views import install_second_factor_gate
from .db import Database, db_session
from .directory import import_jobs
from .directory.lifecycle import CAN_LOG_IN
from .errors import PreauError, problem, wants_json
from .extensions import OPEN_ENDPOINTS, csrf, login_manager, opens_before_charter, root_paths_of
from .i18n import install_translations
from .jobs import install_worker
from .labels import label
from .models import User
from .origin import init_app as init_origin_check
from .plugins import PluginRegistry
from .portal import views as portal_views
from .sso import cas, init_sso
from .statistics.web import init_app as count_visits
from .types import N_, PROFILE_LABELS
from .web import app_not_open, client_ip, current_access, current_role, page_banners

log = logging.getLogger(__name__)

# The modules holding the kernel's job handlers (``@job_handler``), named here so that every process built by
# create_app knows them all (the worker of ``preau jobs run`` included).
KERNEL_JOB_MODULES = (mail, data_export, import_jobs, cas)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The Flask application: configuration from ``PREAU_*`` environment variables overridden by ``config``, the
    database, every installed plugin loaded (a broken one quarantined), blueprints, guards and error pages."""
    app = Flask(__name__, instance_path=str(config_module.instance_dir()))
    app.config.update(config_module.from_environment(config))
    if app.config["PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]  # Flask's way
    Database(app)
    csrf.init_app(app)
    init_origin_check(app)
    Babel(app, locale_selector=_select_locale)  # one per app: its catalogues depend on the app's plugins
    _init_login(app)
    install_second_factor_gate(app)  # first of the request hooks: a half-logged-in session reaches nothing
    registry = PluginRegistry()
    registry.load(extra=app.config["PLUGINS_EXTRA"], deny=app.config["PLUGINS_DENY"])
    app.extensions["preau.plugins"] = registry
    install_translations(app, registry)
    _register_kernel_blueprints(app)
    _register_plugin_blueprints(app, registry)
    _install_request_hooks(app)
    count_visits(app)  # after the guards: counts allowed requests
    _install_error_handlers(app)
    install_worker(app)
    app.jinja_env.globals.update(current_access=current_access, plugin_registry=registry,
                                 profile_label=_profile_label, get_locale=get_locale, current_role=current_role,
                                 kind_label=partial(label, labels.STRUCTURE_KINDS),
                                 plugin_state_label=partial(label, labels.PLUGIN_STATES),
                                 plugin_source_label=partial(label, labels.PLUGIN_SOURCES),
                                 menu_badge=partial(_menu_badge, registry), page_banners=page_banners)
    return app


def cli_app(database_url: str | None = None, **overrides: Any) -> Flask:
    """The application a command works on, built as the kernel's own commands build it: from the ``PREAU_*``
    environment, ``database_url`` (a command's ``--db`` option) taking precedence, then ``overrides``. Use it in
    a plugin's ``preau_cli`` command, then ``with app.app_context():`` and :func:`preau.db_session`."""
    if database_url:
        overrides["DATABASE_URL"] = database_url
    return create_app(overrides)


def _menu_badge(registry: PluginRegistry, item: Any, user: Any) -> int | None:
    """A menu item's badge count, robustly: a badge that raises shows nothing (and is reported)."""
    if item.badge is None:
        return None
    try:
        count = item.badge(user)
        return count if isinstance(count, int) and count > 0 else None
    except Exception as exc:  # noqa: BLE001 - robust by contract
        log.exception("badge of %s failed", item.id)
        registry.note_failure(item.id.split(".", 1)[0], f"badge {item.id}", exc)
        return None


def _profile_label(profile: str) -> str:
    return gettext(PROFILE_LABELS.get(profile, profile))


def _select_locale() -> str:
    """The session's choice, the account's, the ``preau_lang`` cookie (a choice made before logging in
    survives the fresh session of the login); otherwise French — the school's language, whatever the language
    of the (often shared) computer's browser."""
    if not has_request_context():  # CLI, jobs and tests call services that translate their messages
        return "fr"
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if request.cookies.get("preau_lang") in languages:
        return request.cookies["preau_lang"]
    return "fr"


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Connectez-vous pour accéder à cette page.")
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _, version = session_id.partition(":")
        if not user_id.isdigit():
            return None
        # Logged out on the server (or a cookie from before server-side sessions): no user.
        user = sessions.open_session_user(db_session(), int(user_id), session.get("sid"))
        # A blocked account, or one whose sessions were ended, loses its session here.
        if user is None or user.state not in CAN_LOG_IN or str(user.session_version) != version:
            return None
        return user


def _register_kernel_blueprints(app: Flask) -> None:
    """The kernel's pages, in one list; the SSO protocols and the JSON API register their own blueprints (and
    exempt their server-to-server endpoints from the CSRF check and the charter)."""
    for blueprint in (auth_views.bp, portal_views.bp, admin.bp, account_views.bp):
        app.register_blueprint(blueprint)
    init_sso(app)
    init_api(app)


def _register_plugin_blueprints(app: Flask, registry: PluginRegistry) -> None:
    owners: dict[str, str] = {}
    for record in registry.active():
        try:
            for blueprint in record.blueprints:
                if root_paths_of(blueprint):
                    _check_root_paths(app, blueprint)
                    app.register_blueprint(blueprint)
                else:
                    app.register_blueprint(blueprint, url_prefix=f"/apps/{record.app_id}")
                owners[blueprint.name] = record.app_id
        except Exception as exc:  # noqa: BLE001 - a bad blueprint quarantines its plugin only
            registry._quarantine(record, f"blueprint: {type(exc).__name__}: {exc}")
            log.warning("plugin %s quarantined while mounting: %s", record.name, exc)
    # One app-level guard (not per blueprint: a plugin's blueprint object is shared by every app of the process).
    app.before_request(_plugin_guard(owners))


def _check_root_paths(app: Flask, blueprint: Blueprint) -> None:
    """A blueprint mounted at the site's root (``preau.at_site_root``) keeps to the prefixes it declared, and none
    of them is already served by the kernel or another plugin: checked on a scratch app before mounting."""
    prefixes = root_paths_of(blueprint)
    scratch = Flask(__name__)
    scratch.register_blueprint(blueprint)
    for rule in scratch.url_map.iter_rules():
        if rule.endpoint != "static" and not _under(rule.rule, prefixes):
            raise ValueError(f"route {rule.rule} is outside the declared root paths {', '.join(prefixes)}")
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static" and _under(rule.rule, prefixes):
            raise ValueError(f"root path of {rule.rule} is already served ({rule.endpoint})")


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == prefix or path.startswith(f"{prefix}/") for prefix in prefixes)


def _plugin_guard(owners: dict[str, str]):
    def guard():
        app_id = next((owners[name] for name in reversed(request.blueprints) if name in owners), None)
        if app_id is None:
            return None
        endpoint = request.endpoint or ""
        if endpoint.endswith(".static"):
            return None  # a plugin's packaged assets (CSS, scripts, pictures) are as public as the kernel's
        if getattr(current_app.view_functions.get(endpoint), "preau_public", False):
            return None  # a page the plugin marked public (a school's public news): it checks access itself
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if app_id not in current_access().apps:
            return app_not_open(app_id)  # an installed app: say it is closed to them, and whom to ask
        return None

    return guard


def _install_request_hooks(app: Flask) -> None:
    @app.before_request
    def require_charter():
        if not current_user.is_authenticated or request.endpoint in OPEN_ENDPOINTS \
                or opens_before_charter(app.view_functions.get(request.endpoint or "")):
            return None
        on_api = request.path.startswith("/api/")
        if on_api and g.get("api_token") is not None:
            return None  # a token was created by someone who had accepted the charter then
        # Remember "all accepted" per account and per published charter set: a new version asks again.
        profiles = ",".join(sorted(current_user.profiles))  # a profile gained mid-session has its own charter
        stamp = f"{current_user.get_id()}/{profiles}/{charters_stamp(db_session())}"
        if session.get("charter_ok") != stamp:
            if pending_charters(db_session(), current_user):
                if on_api:
                    message = gettext("Acceptez d'abord la charte d'utilisation de votre profil sur le site.")
                    return problem(403, message, reason="charter_required")
                return redirect(url_for("auth.charter", next=request.full_path.rstrip("?")))
            session["charter_ok"] = stamp
        return None

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'")
        return response

    @app.teardown_request
    def forget_access(_exc):
        g.pop("_preau_access", None)


def _install_error_handlers(app: Flask) -> None:
    messages = {
        400: N_("La requête est invalide."),
        401: N_("Authentification requise."),
        403: N_("Vous n'avez pas le droit d'accéder à cette page."),
        404: N_("Cette page n'existe pas ou ne vous est pas accessible."),
        405: N_("Méthode non autorisée."),
        413: N_("Le fichier envoyé est trop volumineux."),
        422: N_("Les données envoyées sont invalides."),
        429: N_("Trop de requêtes : réessayez plus tard."),
        500: N_("Une erreur interne s'est produite."),
    }

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        audit.record(db_session(), "security.csrf_rejected", actor=current_user.get_id() and current_user.id,
               ip=client_ip(), path=request.path, reason=error.description)
        db_session().commit()
        message = gettext("Le formulaire a expiré ou n'est pas authentique (jeton CSRF invalide). "
                          "Rechargez la page et recommencez.")
        if wants_json():
            return problem(400, message, error="csrf", reason="csrf_failed")
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        message = messages.get(code, error.description)
        if wants_json():
            # flask-smorest's abort(code, message=..., reason=..., headers=...) fills error.data; its request
            # validation puts the invalid fields in "messages".
            data = getattr(error, "data", None) or {}
            fields = {"errors": data["messages"]} if data.get("messages") else {}
            response = problem(code, data.get("message") or gettext(message), reason=data.get("reason"), **fields)
            response.headers.update(data.get("headers") or {})
            return response
        # Our own messages are translated here; any other description is shown as text, escaped by the template.
        text = gettext(messages[code]) if code in messages else error.description
        return render_template("error.html", code=code, message=text), code

    @app.errorhandler(PreauError)
    def preau_error(error: PreauError):
        """A refusal no view caught (views that show a form again catch it themselves). A status of 500 is a
        fault of the platform: logged, and shown as the generic internal error."""
        if error.status == 500 or not 400 <= error.status < 600:
            return internal_error(error)
        if wants_json():
            return problem(error.status, str(error), reason=error.reason)
        return render_template("error.html", code=error.status, message=str(error)), error.status

    @app.errorhandler(Exception)
    def internal_error(error: Exception):
        log.exception("unhandled error on %s", request.path)
        db_session().rollback()
        if wants_json():
            return problem(500, gettext(messages[500]), error="internal_error")
        return render_template("error.html", code=500, message=gettext(messages[500])), 500

    @app.context_processor
    def inject_logout():
        return {"logout_user": logout_user}
