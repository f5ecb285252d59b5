"""Marshmallow schemas shared by the API endpoints; the OpenAPI document is generated from them."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, post_dump


class ApiErrorSchema(Schema):
    """Every error of the API, an RFC 9457 problem (``application/problem+json``): a stable ``reason`` code for
    programs, a ``detail`` for people (in the language of the session, French by default)."""

    type = fields.String(metadata={"description": "« about:blank » : le statut HTTP dit la nature du problème."})
    title = fields.String(metadata={"description": "Le statut HTTP en anglais, ex. « Forbidden »."})
    status = fields.Integer(metadata={"description": "Le statut HTTP, ex. 403."})
    detail = fields.String(metadata={"description": "Explication pour la personne."})
    error = fields.String(metadata={"description": "Le statut HTTP en toutes lettres, ex. « forbidden »."})
    message = fields.String(metadata={"description": "La même explication que « detail »."})
    reason = fields.String(metadata={"description": "Code stable de la cause, ex. « insufficient_scope »."})
    errors = fields.Raw(metadata={"description": "Les champs invalides et leurs messages (erreur 422)."})


class RoleSchema(Schema):
    profile = fields.String(metadata={"description": "teacher, student, relative, personnel ou guest"})
    structure_id = fields.Integer()
    structure_name = fields.String(attribute="structure.name")


class FunctionSchema(Schema):
    code = fields.String(metadata={"description": "ADMIN_LOCAL, DIRECTEUR, SUPER_ADMIN…"})
    structure_id = fields.Integer(allow_none=True)


class UserSchema(Schema):
    id = fields.Integer()
    login = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    display_name = fields.String()
    state = fields.String(metadata={"description": "inactive, active, blocked, pending_deletion…"})
    profiles = fields.List(fields.String())
    roles = fields.List(fields.Nested(RoleSchema))

    @post_dump
    def sort_profiles(self, data: dict, **_kw) -> dict:
        # An administrator sees only the roles inside their scope (set by the endpoint in ``g.api_role_scope``).
        scope = g.get("api_role_scope")
        if scope is not None and "roles" in data:
            data["roles"] = [role for role in data["roles"] if role["structure_id"] in scope]
            data["profiles"] = {role["profile"] for role in data["roles"]}
        if "profiles" in data:
            data["profiles"] = sorted(data["profiles"])
        return data


class StructureSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"description": "academie, syndicat, ville, ecole, college, lycee, autre"})
    uai = fields.String(allow_none=True)
    parent_ids = fields.List(fields.Integer())
    child_ids = fields.List(fields.Integer())
