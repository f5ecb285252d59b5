"""``/api/v1/me``: who am I."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

blp = Blueprint("api_me", __name__, description="Le compte connecté")


class RoleSchema(Schema):
    profile = fields.String()
    structure_id = fields.Integer()


class MeSchema(Schema):
    id = fields.Integer()
    login = fields.String()
    display_name = fields.String()
    profiles = fields.List(fields.String())
    roles = fields.List(fields.Nested(RoleSchema))


@blp.route("/me")
@blp.response(200, MeSchema)
def me():
    if not current_user.is_authenticated:
        abort(401, message="Authentification requise.")
    return current_user
