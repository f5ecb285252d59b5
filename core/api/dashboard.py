"""``/api/v1/dashboard/layout``: the calling user's dashboard arrangement."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..db import db_session
from ..models import DashboardLayout
from ..portal import dashboard as layouts
from ..web import current_access
from .auth import api_abort, protected

blp = Blueprint("api_dashboard", __name__, description="Le tableau de bord de la personne connectée")


class LayoutItemSchema(Schema):
    id = fields.String(required=True, metadata={"description": "Identifiant du widget, ex. « messaging.unread »."})
    size = fields.String(metadata={"description": "miniature, apercu ou large (parmi les tailles du widget)."})


class AvailableWidgetSchema(Schema):
    id = fields.String()
    title = fields.String()
    sizes = fields.List(fields.String())
    mandatory = fields.Boolean(metadata={"description": "Toujours présent, ne peut pas être retiré."})


class LayoutSchema(Schema):
    items = fields.List(fields.Nested(LayoutItemSchema), metadata={"description": "Les widgets, dans l'ordre."})
    customised = fields.Boolean(metadata={"description": "Faux : la disposition par défaut s'applique."})
    available = fields.List(fields.Nested(AvailableWidgetSchema),
                            metadata={"description": "Les widgets que la personne peut placer."})


class LayoutInSchema(Schema):
    items = fields.List(fields.Dict(), required=True,
                        metadata={"description": "Liste ordonnée d'objets {id, size}."})


def _layout() -> dict:
    reaching = current_access().widgets
    slots = layouts.effective_layout(db_session(), current_user, reaching)
    return {
        "items": layouts.layout_items(slots),
        "customised": db_session().get(DashboardLayout, current_user.id) is not None,
        "available": [{"id": w.id, "title": _(w.title), "sizes": list(w.sizes), "mandatory": w.mandatory}
                      for w in reaching if w.placeable or w.mandatory],
    }


@blp.route("/dashboard/layout")
@protected(blp, "read")
@blp.response(200, LayoutSchema)
def get_layout():
    """La disposition du tableau de bord : widgets dans l'ordre, avec leur taille."""
    return _layout()


@blp.route("/dashboard/layout", methods=["PUT"])
@protected(blp, "write")
@blp.arguments(LayoutInSchema)
@blp.response(200, LayoutSchema)
@blp.alt_response(422, description="Widget inconnu, interdit, en double, taille non proposée, widget "
                                   "obligatoire retiré ou déplacé (rien n'est enregistré).")
def put_layout(body: dict):
    """Enregistrer sa disposition (ordre, tailles, widgets ajoutés ou retirés)."""
    installed = layouts.installed_widgets(current_app.extensions["preau.plugins"])
    try:
        items = layouts.validate_user_items(body["items"], current_access().widgets, installed)
    except layouts.LayoutError as error:
        api_abort(422, error.reason, str(error))
    layouts.save_layout(db_session(), current_user, items)
    db_session().commit()
    return _layout()


@blp.route("/dashboard/layout", methods=["DELETE"])
@protected(blp, "write")
@blp.response(200, LayoutSchema)
def reset_layout():
    """Revenir à la disposition par défaut de son profil."""
    layouts.reset_layout(db_session(), current_user)
    db_session().commit()
    return _layout()
