"""Attachments: limits (count and size, from the plugin's settings), storage, who may download.

Names, types and content are checked by the kernel's one upload validation (``preau.check_upload``).
Everything is checked before anything is stored: a refused file leaves no trace, in the database or on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from preau import ALL_KINDS, UploadError, check_upload

from ..models import Attachment, Delivery, Message, utcnow
from . import MessagingError, not_found

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_count: int = 10
    max_mb: int = 5


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    mime: str
    data: bytes


def check_file(raw_name: str | None, data: bytes, limits: Limits) -> CheckedFile:
    """Refuse an oversized file (413), a bad name or a content that lies about its extension (400), a program,
    an SVG or an unknown type (415), an image too large in pixels (413)."""
    try:
        checked = check_upload(data, raw_name, kinds=ALL_KINDS, max_bytes=limits.max_mb * MB)
    except UploadError as error:
        raise MessagingError(str(error), error.status, error.reason) from error
    return CheckedFile(checked.filename, checked.mime, checked.data)


def check_files(session: Session, message: Message | None, files: list[tuple[str | None, bytes]],
                limits: Limits) -> list[CheckedFile]:
    """Check every file and the total count (the draft's existing attachments included) before storing any."""
    existing = 0
    if message is not None and message.id:
        existing = session.scalar(select(func.count()).select_from(Attachment)
                                  .where(Attachment.message_id == message.id)) or 0
    if existing + len(files) > limits.max_count:
        raise MessagingError(_("%(max)d pièces jointes au plus par message.", max=limits.max_count), 400,
                             "too_many_files")
    return [check_file(name, data, limits) for name, data in files]


def store_files(session: Session, storage, message: Message, checked: list[CheckedFile]) -> list[Attachment]:
    attachments = []
    for file in checked:  # at most max_count rows
        key = storage.put(file.data)
        attachment = Attachment(message_id=message.id, filename=file.filename, mime=file.mime,
                                size=len(file.data), storage_key=key, created_at=utcnow())
        session.add(attachment)
        attachments.append(attachment)
    session.flush()
    return attachments


def attachment_for(session: Session, user_id: int, attachment_id: int) -> Attachment:
    """An attachment of a message this person holds (sender or recipient); anything else is 404."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise not_found(_("Cette pièce jointe n'existe pas ou ne vous est pas accessible."))
    holds = session.scalar(select(Delivery.id).where(
        Delivery.message_id == attachment.message_id, Delivery.user_id == user_id, Delivery.deleted.is_(False)))
    if holds is None:
        raise not_found(_("Cette pièce jointe n'existe pas ou ne vous est pas accessible."))
    return attachment


def of_message(session: Session, message_id: int) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(Attachment.message_id == message_id)
                                .order_by(Attachment.id)))


def remove_from_draft(session: Session, user_id: int, attachment_id: int) -> Message:
    attachment = attachment_for(session, user_id, attachment_id)
    message = session.get_one(Message, attachment.message_id)
    if message.sender_id != user_id or message.state != "draft":
        raise not_found()
    session.delete(attachment)  # the stored file may be shared by a forward: it stays
    session.flush()
    return message


def open_attachment(storage, attachment: Attachment) -> BinaryIO:
    return storage.open(attachment.storage_key)
