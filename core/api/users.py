"""``/api/v1/users``: the accounts an administrator administers (an ADML sees only their structures)."""

from __future__ import annotations

from flask import g
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..db import db_session
from ..directory import scopes
from ..models import Structure, User
from ..types import Profile
from . import queries
from .auth import api_abort, deny_out_of_scope, protected
from .schemas import UserSchema

blp = Blueprint("api_users", __name__, description="Les comptes administrés (administrateurs seulement)")


class UserFilterSchema(Schema):
    structure_id = fields.Integer(metadata={"description": "Seulement les membres de cette structure."})
    profile = fields.String(validate=validate.OneOf([p.value for p in Profile]),
                            metadata={"description": "Seulement ce profil."})
    q = fields.String(validate=validate.Length(min=1, max=100),
                      metadata={"description": "Début du nom, du prénom ou de l'identifiant."})


def _deny(target: object) -> None:
    deny_out_of_scope(target, "Ce compte ou cette structure est hors de votre périmètre d'administration.")


@blp.route("/users")
@protected(blp, "admin", admin=True)
@blp.arguments(UserFilterSchema, location="query")
@blp.response(200, UserSchema(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def list_users(filters: dict, pagination_parameters):
    """Les comptes des structures administrées, filtrés par structure, profil ou début de nom."""
    session = db_session()
    admin = current_user._get_current_object()
    structure_id = filters.get("structure_id")
    if structure_id is not None:
        structure = session.get(Structure, structure_id)
        if structure is None:
            api_abort(404, "not_found", "Cette structure n'existe pas.")
        if not scopes.can_administer(session, admin, structure_id):
            _deny(structure)
    g.api_role_scope = scopes.administered_structure_ids(session, admin)
    page = queries.PageRequest(pagination_parameters.page, pagination_parameters.page_size)
    users, pagination_parameters.item_count = queries.search_users(
        session, admin, page, structure_id=structure_id, profile=filters.get("profile"), q=filters.get("q"))
    return users


@blp.route("/users/<int:user_id>")
@protected(blp, "admin", admin=True)
@blp.response(200, UserSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_user(user_id: int):
    """Un compte administré par l'appelant."""
    session = db_session()
    user = session.get(User, user_id)
    if user is None:
        api_abort(404, "not_found", "Ce compte n'existe pas.")
    if not scopes.can_administer_user(session, current_user._get_current_object(), user):
        _deny(user)
    return user
