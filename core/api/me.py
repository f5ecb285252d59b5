"""``/api/v1/me``: the calling account."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields

from ..account.service import set_locale
from ..db import db_session
from ..web import client_ip
from .auth import protected
from .schemas import FunctionSchema, UserSchema

blp = Blueprint("api_me", __name__, description="Le compte connecté")


class MeSchema(UserSchema):
    locale = fields.String(allow_none=True)
    functions = fields.List(fields.Nested(FunctionSchema))


def _known_language(value: str) -> None:
    if value not in current_app.config["LANGUAGES"]:
        raise ValidationError("Langue inconnue.")


class MePatchSchema(Schema):
    locale = fields.String(required=True, validate=_known_language,
                           metadata={"description": "Langue de l'interface : fr ou en."})


@blp.route("/me")
@protected(blp, "read")
@blp.response(200, MeSchema)
def me():
    """Le compte connecté : identité, profils, rôles par structure et fonctions."""
    return current_user._get_current_object()


@blp.route("/me", methods=["PATCH"])
@protected(blp, "write")
@blp.arguments(MePatchSchema)
@blp.response(200, MeSchema)
def update_me(changes: dict):
    """Modifier ses préférences (la langue de l'interface)."""
    user = current_user._get_current_object()
    set_locale(db_session(), user, changes["locale"], ip=client_ip())
    db_session().commit()
    return user
