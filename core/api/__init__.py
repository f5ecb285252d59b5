"""JSON API ``/api/v1``, described by an OpenAPI 3 document generated from the code (flask-smorest)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


def init_api(app: Flask) -> Api:
    from . import me

    api = Api(app, spec_kwargs={"info": {"description": "L'API de Préau, l'ENT libre."}})
    api.register_blueprint(me.blp, url_prefix="/api/v1")
    app.extensions["preau.api"] = api
    return api
