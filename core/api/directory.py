"""``/api/v1/directory``: the people and groups the caller may write to (the "Annuaire"), inside the rules.

Nothing outside the communication rules is ever returned, whatever the parameters: people come from
``visible_users``, a card answers 404 for anyone the caller may not write to (or who does not exist), a class
filter must be a class the caller can see. No login or e-mail is ever returned.
"""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..communication import annuaire
from ..communication.engine import CommunicationError
from ..db import db_session
from ..types import Profile
from .auth import api_abort, protected

blp = Blueprint("api_directory", __name__, description="L'annuaire : les personnes et groupes joignables")


class PeopleQuerySchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=annuaire.MAX_QUERY),
                      metadata={"description": "Début du nom, du prénom ou de l'identifiant."})
    profile = fields.String(validate=validate.OneOf([p.value for p in Profile]),
                            metadata={"description": "Seulement ce profil."})
    class_id = fields.Integer(metadata={"description": "Seulement les membres de cette classe (une classe "
                                                       "visible : GET /directory/classes)."})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=annuaire.MAX_PER_PAGE))


class GroupQuerySchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=annuaire.MAX_QUERY),
                      metadata={"description": "Partie du nom du groupe."})


class CardRoleSchema(Schema):
    profile = fields.String(metadata={"description": "teacher, student, relative, personnel ou guest"})
    structure_id = fields.Integer()
    structure_name = fields.String()


class ClassSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    structure_id = fields.Integer()
    structure_name = fields.String(attribute="structure.name")


class PersonSchema(Schema):
    """A person one may write to: names and profiles only."""

    id = fields.Integer()
    first_name = fields.String()
    last_name = fields.String()
    display_name = fields.String()
    profiles = fields.List(fields.String(), metadata={
        "description": "Les profils par lesquels l'appelant peut joindre la personne (pas ceux qu'elle a ailleurs)."})


class PeoplePageSchema(Schema):
    items = fields.List(fields.Nested(PersonSchema))
    page = fields.Integer()
    page_size = fields.Integer(attribute="per_page")
    has_next = fields.Boolean(metadata={"description": "Une page suivante existe."})


class CardSchema(Schema):
    """Only the roles, and the classes of those roles, through which the caller may write to the person."""

    id = fields.Integer()
    first_name = fields.String()
    last_name = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.Nested(CardRoleSchema))
    classes = fields.List(fields.Nested(ClassSchema))


class GroupSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"description": "profile, class, manual ou teaching"})
    profile = fields.String(allow_none=True)
    structure_id = fields.Integer()
    class_id = fields.Integer(allow_none=True)


@blp.route("/directory/users")
@protected(blp, "read")
@blp.arguments(PeopleQuerySchema, location="query")
@blp.response(200, PeoplePageSchema)
@blp.alt_response(404, response="NOT_FOUND")
def list_people(args: dict):
    """Les personnes à qui l'appelant peut écrire, par nom, filtrées par début de nom, profil ou classe."""
    try:
        found = annuaire.search_people(db_session(), current_user._get_current_object(), args["q"],
                                       args.get("profile"), args.get("class_id"), args["page"], args["page_size"])
    except CommunicationError as error:
        api_abort(404, "unknown_class", str(error))
    people = [{"id": u.id, "first_name": u.first_name, "last_name": u.last_name, "display_name": u.display_name,
               "profiles": found.profiles_of(u)} for u in found.items]
    return {"items": people, "page": found.page, "per_page": found.per_page, "has_next": found.has_next}


@blp.route("/directory/users/<int:user_id>")
@protected(blp, "read")
@blp.response(200, CardSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_card(user_id: int):
    """La fiche d'une personne à qui l'appelant peut écrire (404 pour toute autre, existante ou non)."""
    card = annuaire.user_card(db_session(), current_user._get_current_object(), user_id)
    if card is None:
        api_abort(404, "not_found", "Cette personne n'existe pas ou ne vous est pas accessible.")
    return card


@blp.route("/directory/groups")
@protected(blp, "read")
@blp.arguments(GroupQuerySchema, location="query")
@blp.response(200, GroupSchema(many=True))
def list_groups(args: dict):
    """Les groupes auxquels l'appelant peut écrire d'un coup (classe, profil, groupe manuel, « Tous »…)."""
    return annuaire.search_groups(db_session(), current_user._get_current_object(), args["q"])


@blp.route("/directory/classes")
@protected(blp, "read")
@blp.response(200, ClassSchema(many=True))
def list_classes():
    """Les classes par lesquelles l'appelant peut filtrer : les siennes, celles de ses enfants, celles de sa
    structure s'il en fait partie du personnel."""
    return annuaire.visible_classes(db_session(), current_user._get_current_object())
