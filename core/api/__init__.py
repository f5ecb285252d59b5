"""JSON API ``/api/v1``, described by an OpenAPI 3 document generated from the code (flask-smorest).

The document is served at ``/api/v1/openapi.json``. Callers authenticate with a personal access token
(``Authorization: Bearer preau_…``, created on the page « Mes jetons d'accès API ») or, from the site's own
pages, with the session cookie (changes then need the CSRF token in the ``X-CSRFToken`` header).
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from . import dashboard, directory, me, plugins, structures, users
from .auth import authenticate_api_request
from .schemas import ApiErrorSchema

API_PREFIX = "/api/v1"

_DESCRIPTION = (
    "L'API de Préau, l'ENT libre.\n\n"
    "Authentification : un jeton d'accès personnel dans l'en-tête `Authorization: Bearer preau_…` "
    "(portées `read`, `write`, `admin`), ou le cookie de session du site (une modification demande alors "
    "l'en-tête `X-CSRFToken`). Les erreurs sont des problèmes RFC 9457 (`application/problem+json`) : `type`, "
    "`title`, `status`, `detail` (l'explication), avec `error`, `message` (la même explication) et `reason` "
    "(code stable, ex. `insufficient_scope`) ; `errors` liste les champs invalides."
)


class PreauApi(Api):
    """flask-smorest's Api with Préau's error shape in the generated document."""

    ERROR_SCHEMA = ApiErrorSchema


def init_api(app: Flask) -> Api:
    api = PreauApi(app, spec_kwargs={
        "info": {"description": _DESCRIPTION},
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
    })
    api.spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer", "bearerFormat": "preau_<43 caractères>",
        "description": "Jeton d'accès personnel, créé sur la page « Mes jetons d'accès API ».",
    })
    api.spec.components.security_scheme("cookieAuth", {
        "type": "apiKey", "in": "cookie", "name": app.config.get("SESSION_COOKIE_NAME", "session"),
        "description": "La session du site ; toute modification demande aussi l'en-tête X-CSRFToken.",
    })
    csrf = app.extensions["csrf"]
    for module in (me, structures, users, plugins, directory, dashboard):
        api.register_blueprint(module.blp, url_prefix=API_PREFIX)
        # CSRF of cookie-authenticated changes is checked by authenticate_api_request, bearer requests are exempt.
        csrf.exempt(module.blp)
    _register_plugin_api(app, api, csrf)
    app.before_request(authenticate_api_request)
    app.extensions["preau.api"] = api
    return api


def _register_plugin_api(app: Flask, api: Api, csrf) -> None:
    """Mount the plugins' API blueprints (``preau_api_blueprints``); a failing one quarantines its plugin only."""
    registry = app.extensions.get("preau.plugins")
    if registry is None:
        return
    for record in registry.active():
        try:
            for blueprint in record.api_blueprints:
                api.register_blueprint(blueprint, url_prefix=API_PREFIX)
                csrf.exempt(blueprint)
        except Exception as exc:  # noqa: BLE001 - a bad blueprint quarantines its plugin only
            registry._quarantine(record, f"API blueprint: {type(exc).__name__}: {exc}")
