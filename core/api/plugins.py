"""``/api/v1/plugins``: the installed plugins, working or quarantined."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..directory.scopes import is_admin
from ..plugins import PluginRecord
from .auth import protected

blp = Blueprint("api_plugins", __name__, description="Les extensions installées")


class PluginSchema(Schema):
    id = fields.String(metadata={"description": "Identifiant de l'application."})
    name = fields.String()
    version = fields.String()
    source = fields.String(metadata={"description": "builtin, extra, ou la distribution qui l'apporte."})
    state = fields.String(metadata={"description": "active, broken ou denied."})
    error = fields.String(allow_none=True,
                          metadata={"description": "Pourquoi l'extension est en quarantaine (administrateurs)."})


@dataclass
class PluginView:
    id: str
    name: str
    version: str
    source: str
    state: str
    error: str | None


def _view(record: PluginRecord, show_errors: bool) -> PluginView:
    name = gettext(record.manifest.name) if record.manifest else record.name
    return PluginView(record.app_id, name, record.version, record.source, record.state,
                      record.error if show_errors else None)


@blp.route("/plugins")
@protected(blp, "read")
@blp.response(200, PluginSchema(many=True))
def list_plugins():
    """Les extensions installées, actives ou en quarantaine ; l'erreur n'est montrée qu'aux administrateurs."""
    registry = current_app.extensions["preau.plugins"]
    show_errors = is_admin(current_user)
    return [_view(record, show_errors) for record in registry.records.values()]
