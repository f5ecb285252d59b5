"""``/api/v1/homework``: the homework of the caller (a student) or of the child a parent selected, and the
student's « fait » mark — the same rules as the pages."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from preau import api_abort, api_protected, current_access, current_user, db_session, student_in_view

from . import services
from .services import CahierError

ACCESS = "cahier.access"
blp = Blueprint("api_homework", __name__, description="Les devoirs de l'élève (ou de l'enfant choisi)")


def rules(view):
    """The app must reach the caller (else 404, as on the pages); a refusal becomes a JSON 4xx."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_access().has(ACCESS):
            api_abort(404, "not_found", _("Le cahier de textes n'est pas ouvert pour vous."))
        try:
            return view(*args, **kwargs)
        except CahierError as error:
            db_session().rollback()
            api_abort(error.status, error.reason, _(error.message, **error.params))

    return wrapper


class HomeworkQuerySchema(Schema):
    student_id = fields.Integer(metadata={"description": "Un de ses enfants (par défaut : l'enfant choisi, ou "
                                                         "soi-même pour un élève)."})
    since = fields.Date(metadata={"description": "À faire à partir de ce jour (AAAA-MM-JJ)."})
    until = fields.Date(metadata={"description": "À faire jusqu'à ce jour inclus."})


class LinkSchema(Schema):
    url = fields.String()
    label = fields.String()


class HomeworkSchema(Schema):
    id = fields.Integer()
    subject = fields.String()
    given_on = fields.Date()
    due_on = fields.Date()
    estimated_minutes = fields.Integer()
    instructions_html = fields.String(metadata={"description": "Texte riche nettoyé côté serveur."})
    links = fields.List(fields.Nested(LinkSchema))
    class_id = fields.Integer(allow_none=True)
    group_id = fields.Integer(allow_none=True)
    done = fields.Boolean()


class HomeworkListSchema(Schema):
    student_id = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(HomeworkSchema))


class DoneSchema(Schema):
    done = fields.Boolean(required=True, validate=validate.OneOf([True, False]))


class DoneResultSchema(Schema):
    id = fields.Integer()
    done = fields.Boolean()


def _item(homework: Any, done: bool) -> dict[str, Any]:
    return {"id": homework.id, "subject": homework.subject, "given_on": homework.given_on,
            "due_on": homework.due_on, "estimated_minutes": homework.estimated_minutes,
            "instructions_html": homework.instructions_html, "links": homework.links or [],
            "class_id": homework.class_id, "group_id": homework.group_id, "done": done}


@blp.route("/homework")
@api_protected(blp, "read")
@blp.arguments(HomeworkQuerySchema, location="query")
@blp.response(200, HomeworkListSchema)
@blp.alt_response(403, response="FORBIDDEN")
@rules
def list_homework(query: dict):
    """Les devoirs de l'élève, par date « à faire pour le ». Un parent voit ceux de l'enfant choisi ; l'identifiant
    d'un élève qui n'est pas son enfant : 403."""
    session, me = db_session(), current_user._get_current_object()
    student = services.check_child(session, me, query.get("student_id"), student_in_view(me))
    if student is None:
        return {"student_id": None, "items": []}
    rows = services.homework_of_student(session, student.id, since=query.get("since"), until=query.get("until"))
    return {"student_id": student.id, "items": [_item(h, done) for h, done in rows]}


@blp.route("/homework/<int:homework_id>/done", methods=["PUT"])
@api_protected(blp, "write")
@blp.arguments(DoneSchema)
@blp.response(200, DoneResultSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@rules
def mark_done(data: dict, homework_id: int):
    """L'élève marque son devoir fait (``done: true``) ou à faire. Les parents consultent seulement : 403."""
    session = db_session()
    done = services.set_done(session, current_user._get_current_object(), homework_id, data["done"])
    session.commit()
    return {"id": homework_id, "done": done}
