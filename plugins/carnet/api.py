"""``/api/v1/carnet``: the mots of the caller (author, parent of the child in view, student), reading a mot
(a GET: it writes nothing, a read-only token may do it), signing it or noting a student's reading (POSTs, write
scope) and sending — the same rules as the pages."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from preau import api_abort, api_protected, current_access, current_user, db_session, student_in_view

from . import services
from .services import CarnetError

ACCESS = "carnet.access"
blp = Blueprint("api_carnet", __name__, description="Le carnet de liaison : mots aux familles et signatures")


def rules(view):
    """The app must reach the caller (else 404, as on the pages); a refusal becomes a JSON 4xx."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_access().has(ACCESS):
            api_abort(404, "not_found", _("Le carnet de liaison n'est pas ouvert pour vous."))
        try:
            return view(*args, **kwargs)
        except CarnetError as error:
            db_session().rollback()
            api_abort(error.status, error.reason, _(error.message, **error.params))

    return wrapper


class CarnetMotSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    body_html = fields.String(metadata={"description": "Texte riche nettoyé côté serveur."})
    author_name = fields.String()
    target_kind = fields.String(metadata={"description": "class, group ou student"})
    target_name = fields.String()
    requires_signature = fields.Boolean()
    replies_allowed = fields.Boolean()
    sent_at = fields.DateTime()
    archived = fields.Boolean()
    student_id = fields.Integer(allow_none=True)
    signed_at = fields.DateTime(allow_none=True)
    signed_by = fields.String(allow_none=True)
    student_read_at = fields.DateTime(allow_none=True)
    signed_count = fields.Integer(allow_none=True, metadata={"description": "Pour l'auteur : signatures reçues."})
    recipient_count = fields.Integer()


class CarnetListSchema(Schema):
    student_id = fields.Integer(allow_none=True)
    received = fields.List(fields.Nested(CarnetMotSchema))
    written = fields.List(fields.Nested(CarnetMotSchema))


class CarnetSendSchema(Schema):
    target = fields.String(required=True, metadata={"description": "c<id> (classe), g<id> (groupe) ou s<id> "
                                                                   "(élève)"})
    title = fields.String(required=True)
    body = fields.String(required=True, metadata={"description": "Texte riche, nettoyé côté serveur."})
    requires_signature = fields.Boolean(load_default=False)
    replies_allowed = fields.Boolean(load_default=False)


def _item(mot: Any, recipient: Any = None, signed: int | None = None) -> dict[str, Any]:
    item = {"id": mot.id, "title": mot.title, "body_html": mot.body_html, "author_name": mot.author_name,
            "target_kind": mot.target_kind, "target_name": mot.target_name,
            "requires_signature": mot.requires_signature, "replies_allowed": mot.replies_allowed,
            "sent_at": mot.sent_at, "archived": mot.archived_at is not None, "recipient_count": mot.recipient_count,
            "signed_count": signed}
    if recipient is not None:
        item.update(student_id=recipient.student_id, signed_at=recipient.signed_at,
                    signed_by=recipient.signed_by_name, student_read_at=recipient.student_read_at)
    return item


@blp.route("/carnet")
@api_protected(blp, "read")
@blp.response(200, CarnetListSchema)
@rules
def list_mots():
    """Les mots reçus pour l'élève en vue (l'enfant choisi, ou soi-même pour un élève), non signés d'abord, et
    les mots écrits par l'appelant avec leurs signatures."""
    session, me = db_session(), current_user._get_current_object()
    student = student_in_view(me)
    received = services.mots_of_student(session, student.id) if student else []
    written = services.mots_of_author(session, me.id) if services.is_author(me) else []
    return {"student_id": student.id if student else None, "received": [_item(m, r) for m, r in received],
            "written": [_item(m, signed=s) for m, s in written]}


@blp.route("/carnet/<int:mot_id>")
@api_protected(blp, "read")
@blp.response(200, CarnetMotSchema)
@blp.alt_response(404, response="NOT_FOUND")
@rules
def read_mot(mot_id: int):
    """Lire un mot, sans rien enregistrer : la lecture ne vaut pas signature (voir `POST …/signature`). Un mot
    d'une autre famille : 404."""
    session, me = db_session(), current_user._get_current_object()
    student = student_in_view(me)
    opened = services.open_mot(session, me, mot_id, student.id if student else None)
    return _item(opened.mot, opened.recipient)


@blp.route("/carnet/<int:mot_id>/signature", methods=["POST"])
@api_protected(blp, "write")
@blp.response(200, CarnetMotSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@rules
def sign_mot(mot_id: int):
    """Signer un mot (un responsable de l'élève seulement ; un élève : 403 ; un mot sans signature demandée ou
    archivé : 409). Signer de nouveau ne change rien."""
    session, me = db_session(), current_user._get_current_object()
    student = student_in_view(me)
    opened = services.sign_mot(session, me, mot_id, student.id if student and student.id != me.id else None)
    session.commit()
    return _item(opened.mot, opened.recipient)


@blp.route("/carnet/<int:mot_id>/lecture", methods=["POST"])
@api_protected(blp, "write")
@blp.response(200, CarnetMotSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@rules
def mark_read(mot_id: int):
    """L'élève note qu'il a lu un mot adressé à ses parents (une fois) ; toute autre personne : 403."""
    session = db_session()
    opened = services.mark_read(session, current_user._get_current_object(), mot_id)
    session.commit()
    return _item(opened.mot, opened.recipient)


@blp.route("/carnet", methods=["POST"])
@api_protected(blp, "write")
@blp.arguments(CarnetSendSchema)
@blp.response(201, CarnetMotSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@rules
def send(data: dict):
    """Envoyer un mot aux parents d'une classe, d'un groupe ou d'un élève (ceux qu'on enseigne, ou toute classe
    de sa structure pour un personnel)."""
    session = db_session()
    mot = services.send_mot(session, current_user._get_current_object(), data["target"], data["title"],
                            data["body"], requires_signature=data["requires_signature"],
                            replies_allowed=data["replies_allowed"])
    session.commit()
    return _item(mot, signed=0)
