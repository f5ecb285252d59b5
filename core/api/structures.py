"""``/api/v1/structures``: the structures the caller belongs to or administers."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from ..db import db_session
from ..models import Structure
from . import queries
from .auth import api_abort, deny_out_of_scope, protected
from .schemas import StructureSchema

blp = Blueprint("api_structures", __name__, description="Les structures (académies, villes, écoles…)")


@blp.route("/structures")
@protected(blp, "read")
@blp.response(200, StructureSchema(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def list_structures(pagination_parameters):
    """Les structures dont on est membre ou qu'on administre, avec leurs parents et enfants."""
    page = queries.PageRequest(pagination_parameters.page, pagination_parameters.page_size)
    items, pagination_parameters.item_count = queries.list_structures(
        db_session(), current_user._get_current_object(), page)
    return items


@blp.route("/structures/<int:structure_id>")
@protected(blp, "read")
@blp.response(200, StructureSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_structure(structure_id: int):
    """Une structure visible par l'appelant."""
    session = db_session()
    structure = session.get(Structure, structure_id)
    if structure is None:
        api_abort(404, "not_found", "Cette structure n'existe pas.")
    if not queries.can_see_structure(session, current_user._get_current_object(), structure.id):
        deny_out_of_scope(structure, "Cette structure est hors de votre périmètre.")
    return queries.structure_view(session, structure)
