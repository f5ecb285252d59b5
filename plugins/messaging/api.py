"""``/api/v1/messages``: boxes, one message, sending, folders — the same rules as the pages.

Mounted by the kernel through ``preau_api_blueprints`` (so it is in the OpenAPI document and accepts bearer
tokens). Recipients are tokens: ``"u:<user id>"`` for a person, ``"g:<group id>"`` for a group.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from preau import api_abort, api_protected, current_access, current_user, db_session

from .models import FOLDER_NAME_MAX, SUBJECT_MAX, Message
from .services import MessagingError, boxes, compose, folders
from .services.attachments import of_message

ACCESS = "messaging.access"
blp = Blueprint("api_messages", __name__, description="La messagerie de la personne connectée")
BOXES = ("inbox", "sent", "drafts", "trash")
TOKEN = validate.Regexp(r"^[ug]:\d{1,18}$", error="Destinataire invalide : « u:<id> » ou « g:<id> ».")


def rules(view):
    """The app must reach the caller (else 404, as on the pages); a refusal becomes a JSON 4xx, nothing stored."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_access().has(ACCESS):
            api_abort(404, "not_found", _("La messagerie n'est pas ouverte pour vous."))
        try:
            return view(*args, **kwargs)
        except MessagingError as error:
            db_session().rollback()
            api_abort(error.status, error.reason, str(error))

    return wrapper


# -- schemas ------------------------------------------------------------------------------------------------


class BoxQuerySchema(Schema):
    box = fields.String(load_default="inbox", validate=validate.OneOf(BOXES),
                        metadata={"description": "inbox, sent, drafts ou trash."})
    folder_id = fields.Integer(metadata={"description": "Un dossier personnel (remplace box)."})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class RecipientSchema(Schema):
    field = fields.String(metadata={"description": "to, cc ou bcc (bcc : visible de l'expéditeur seul)."})
    kind = fields.String(metadata={"description": "user ou group."})
    id = fields.Integer(allow_none=True)
    label = fields.String()


class AttachmentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    mime = fields.String()
    size = fields.Integer()
    url = fields.String()


class MessageSummarySchema(Schema):
    id = fields.Integer()
    thread_id = fields.Integer()
    subject = fields.String()
    sender_id = fields.Integer(allow_none=True)
    sender_name = fields.String()
    state = fields.String(metadata={"description": "draft, sent, held (en attente de modération), recalled."})
    sent_at = fields.DateTime(allow_none=True)
    box = fields.String()
    folder_id = fields.Integer(allow_none=True)
    unread = fields.Boolean()
    trashed = fields.Boolean()
    recipients = fields.List(fields.String(), metadata={"description": "Les libellés visibles des destinataires."})
    attachment_count = fields.Integer()


class BoxPageSchema(Schema):
    items = fields.List(fields.Nested(MessageSummarySchema))
    page = fields.Integer()
    has_next = fields.Boolean()
    unread = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "Non lus par lieu : « inbox » et l'id de chaque dossier."})


class MessageSchema(MessageSummarySchema):
    body_html = fields.String(metadata={"description": "Le corps, HTML nettoyé par le serveur."})
    body_text = fields.String()
    parent_id = fields.Integer(allow_none=True)
    to = fields.List(fields.Nested(RecipientSchema))
    cc = fields.List(fields.Nested(RecipientSchema))
    bcc = fields.List(fields.Nested(RecipientSchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))


class SendSchema(Schema):
    subject = fields.String(load_default="", validate=validate.Length(max=SUBJECT_MAX))
    body = fields.String(load_default="", metadata={"description": "HTML (nettoyé par le serveur)."})
    to = fields.List(fields.String(validate=TOKEN), load_default=list)
    cc = fields.List(fields.String(validate=TOKEN), load_default=list)
    bcc = fields.List(fields.String(validate=TOKEN), load_default=list)
    parent_id = fields.Integer(load_default=None, allow_none=True,
                               metadata={"description": "Le message auquel on répond (même conversation)."})


class FolderSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=FOLDER_NAME_MAX))
    parent_id = fields.Integer(load_default=None, allow_none=True)
    unread = fields.Integer(dump_only=True)


class FolderPatchSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=FOLDER_NAME_MAX))
    parent_id = fields.Integer(allow_none=True, metadata={"description": "null : à la racine."})


class MoveSchema(Schema):
    folder_id = fields.Integer(allow_none=True, load_default=None,
                               metadata={"description": "Le dossier ; null : retour dans sa boîte."})
    trashed = fields.Boolean(metadata={"description": "true : à la corbeille ; false : restauré."})
    read = fields.Boolean(metadata={"description": "true : la conversation est marquée lue ; false : non lue."})


# -- views --------------------------------------------------------------------------------------------------


def _summary(row: boxes.BoxRow) -> dict[str, Any]:
    message, delivery = row.message, row.delivery
    return {"id": message.id, "thread_id": message.thread_id, "subject": message.subject,
            "sender_id": message.sender_id, "sender_name": message.sender_name, "state": message.state,
            "sent_at": message.sent_at, "box": delivery.box, "folder_id": delivery.folder_id,
            "unread": row.unread, "trashed": delivery.trashed_at is not None, "recipients": row.recipients,
            "attachment_count": row.attachment_count}


@blp.route("/messages")
@api_protected(blp, "read")
@blp.arguments(BoxQuerySchema, location="query")
@blp.response(200, BoxPageSchema)
@rules
def list_messages(query: dict):
    """Une page d'une boîte (réception, envoyés, brouillons, corbeille) ou d'un dossier, du plus récent au plus
    ancien, avec les non-lus par lieu."""
    session = db_session()
    page = boxes.list_box(session, current_user.id, query["box"], folder_id=query.get("folder_id"),
                          page=query["page"], per_page=query["page_size"])
    unread = {str(k): v for k, v in boxes.unread_counts(session, current_user.id).items()}
    return {"items": [_summary(r) for r in page.rows], "page": page.page, "has_next": page.has_next,
            "unread": unread}


def _recipient(r) -> dict[str, Any]:
    return {"field": r.field, "kind": "user" if r.user_id else "group", "id": r.user_id or r.group_id,
            "label": r.label}


@blp.route("/messages/<int:message_id>")
@api_protected(blp, "read")
@blp.response(200, MessageSchema)
@blp.alt_response(404, response="NOT_FOUND")
@rules
def read_message(message_id: int):
    """Un message de ses boîtes. Le lire ne change rien (un GET n'écrit jamais) : le marquer comme lu se fait par
    ``PATCH {"read": true}``. Le message d'un autre : 404. Les Cci ne sont montrés qu'à l'expéditeur."""
    session = db_session()
    delivery = boxes.delivery_of(session, current_user.id, message_id)
    message = session.get_one(Message, message_id)
    recipients = boxes.recipients_seen_by(session, message, current_user.id)
    row = boxes.BoxRow(delivery, message, [r.label for r in recipients])
    files = of_message(session, message.id)
    row.attachment_count = len(files)
    return {**_summary(row), "body_html": message.body_html, "body_text": message.body_text,
            "parent_id": message.parent_id,
            **{name: [_recipient(r) for r in recipients if r.field == name] for name in compose.FIELDS},
            "attachments": [{"id": a.id, "filename": a.filename, "mime": a.mime, "size": a.size,
                             "url": url_for("messaging.download", attachment_id=a.id)} for a in files]}


@blp.route("/messages", methods=["POST"])
@api_protected(blp, "write")
@blp.arguments(SendSchema)
@blp.response(201, MessageSummarySchema)
@blp.alt_response(403, response="FORBIDDEN")
@rules
def send_message(data: dict):
    """Envoyer un message. Chaque destinataire est vérifié selon les règles de communication ; un seul refus
    refuse tout l'envoi (403, raison en français) et rien n'est enregistré."""
    session = db_session()
    message = compose.send(session, current_user._get_current_object(), subject=data["subject"],
                           body_html=data["body"], fields={k: data[k] for k in compose.FIELDS},
                           parent_id=data["parent_id"])
    session.commit()
    delivery = boxes.delivery_of(session, current_user.id, message.id)
    return _summary(boxes.BoxRow(delivery, message))


@blp.route("/messages/<int:message_id>", methods=["PATCH"])
@api_protected(blp, "write")
@blp.arguments(MoveSchema)
@blp.response(200, MessageSummarySchema)
@rules
def move_message(data: dict, message_id: int):
    """Classer un message dans un dossier, le mettre à la corbeille ou le restaurer, marquer sa conversation
    lue ou non lue."""
    session = db_session()
    if data.get("read") is True and boxes.delivery_of(session, current_user.id, message_id).box != "drafts":
        boxes.conversation(session, current_user.id, message_id)  # marks the conversation read
    elif data.get("read") is False:
        boxes.mark_unread(session, current_user.id, message_id)
    if "folder_id" in data and data.get("trashed") is not True:
        boxes.move_to_folder(session, current_user.id, [message_id], data["folder_id"])
    if data.get("trashed") is True:
        boxes.trash(session, current_user.id, [message_id])
    elif data.get("trashed") is False:
        boxes.restore(session, current_user.id, [message_id])
    session.commit()
    delivery = boxes.delivery_of(session, current_user.id, message_id)
    return _summary(boxes.BoxRow(delivery, session.get_one(Message, message_id)))


@blp.route("/messages/folders")
@api_protected(blp, "read")
@blp.response(200, FolderSchema(many=True))
@rules
def list_folders():
    """Ses dossiers personnels, avec leurs non-lus."""
    session = db_session()
    unread = boxes.unread_counts(session, current_user.id)
    return [{"id": f.id, "name": f.name, "parent_id": f.parent_id, "unread": unread.get(f.id, 0)}
            for f in folders.folders_of(session, current_user.id)]


@blp.route("/messages/folders", methods=["POST"])
@api_protected(blp, "write")
@blp.arguments(FolderSchema)
@blp.response(201, FolderSchema)
@rules
def create_folder(data: dict):
    """Créer un dossier (dans un autre avec parent_id)."""
    folder = folders.create_folder(db_session(), current_user.id, data["name"], data.get("parent_id"))
    db_session().commit()
    return {"id": folder.id, "name": folder.name, "parent_id": folder.parent_id, "unread": 0}


@blp.route("/messages/folders/<int:folder_id>", methods=["PATCH"])
@api_protected(blp, "write")
@blp.arguments(FolderPatchSchema)
@blp.response(200, FolderSchema)
@rules
def update_folder(data: dict, folder_id: int):
    """Renommer ou déplacer un dossier (jamais dans lui-même ni dans un de ses sous-dossiers)."""
    session = db_session()
    folder = folders.get_folder(session, current_user.id, folder_id)
    if "name" in data:
        folder = folders.rename_folder(session, current_user.id, folder_id, data["name"])
    if "parent_id" in data:
        folder = folders.move_folder(session, current_user.id, folder_id, data["parent_id"])
    session.commit()
    return {"id": folder.id, "name": folder.name, "parent_id": folder.parent_id,
            "unread": boxes.unread_counts(session, current_user.id).get(folder.id, 0)}


@blp.route("/messages/folders/<int:folder_id>", methods=["DELETE"])
@api_protected(blp, "write")
@blp.response(204)
@rules
def delete_folder(folder_id: int):
    """Supprimer un dossier et ses sous-dossiers ; leurs messages reviennent dans leur boîte."""
    folders.delete_folder(db_session(), current_user.id, folder_id)
    db_session().commit()
