"""Attachments: limits (count and size, from the plugin's settings), file names, content sniffing, storage.

Everything is checked before anything is stored: a refused file leaves no trace, in the database or on disk.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import FILENAME_MAX, Attachment, Delivery, Message, utcnow
from . import MessagingError, not_found

MB = 1024 * 1024

# extension → (MIME type, signature family)
TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "gif": ("image/gif", "gif"),
    "webp": ("image/webp", "webp"),
    "txt": ("text/plain", "text"),
    "csv": ("text/csv", "text"),
    "odt": ("application/vnd.oasis.opendocument.text", "zip"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "zip"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "zip"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "zip"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "zip"),
    "zip": ("application/zip", "zip"),
    "doc": ("application/msword", "ole"),
    "xls": ("application/vnd.ms-excel", "ole"),
    "ppt": ("application/vnd.ms-powerpoint", "ole"),
    "mp3": ("audio/mpeg", "mp3"),
    "mp4": ("video/mp4", "mp4"),
}
EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"\xca\xfe\xba\xbe")


@dataclass(frozen=True)
class Limits:
    max_count: int = 10
    max_mb: int = 5


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    mime: str
    data: bytes


def _family_of(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "mp3"
    if head[4:8] == b"ftyp":
        return "mp4"
    return None


def _looks_like_text(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(sample) - 4:
            try:
                sample.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def clean_filename(raw: str | None) -> str:
    """A display name for a file; a name that tries to leave its directory is refused, not repaired."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if "/" in name or "\\" in name or name in (".", "..") or ".." in name.split("."):
        raise MessagingError(_("Nom de fichier refusé : « %(name)s » (pas de chemin ni de « .. »).",
                               name=name[:60]), 400, "bad_filename")
    name = "".join(c for c in name if c.isprintable()).lstrip(".").strip()
    if not name:
        raise MessagingError(_("Le fichier n'a pas de nom."), 400, "bad_filename")
    if len(name) > FILENAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:FILENAME_MAX - len(ext) - 1]}{dot}{ext}" if dot else name[:FILENAME_MAX]
    return name


def check_file(raw_name: str | None, data: bytes, limits: Limits) -> CheckedFile:
    """Refuse an oversized file (413), a bad name, an executable, an unknown type or content that does not
    match its extension (400)."""
    name = clean_filename(raw_name)
    if len(data) > limits.max_mb * MB:
        raise MessagingError(_("« %(name)s » dépasse la taille maximale de %(max)d Mo par pièce jointe.",
                               name=name, max=limits.max_mb), 413, "file_too_large")
    if not data:
        raise MessagingError(_("« %(name)s » est vide.", name=name), 400, "empty_file")
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if data.startswith(EXECUTABLE_SIGNATURES):
        raise MessagingError(_("« %(name)s » est un programme : ce type de fichier est refusé.", name=name), 400,
                             "executable")
    if extension not in TYPES:
        raise MessagingError(_("« %(name)s » : ce type de fichier n'est pas accepté (PDF, images, documents "
                               "bureautiques, texte, audio, vidéo).", name=name), 400, "type_refused")
    mime, family = TYPES[extension]
    matches = _looks_like_text(data) if family == "text" else _family_of(data[:16]) == family
    if not matches:
        raise MessagingError(_("« %(name)s » : le contenu ne correspond pas à un fichier .%(ext)s.", name=name,
                               ext=extension), 400, "type_mismatch")
    return CheckedFile(name, mime, data)


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
    message = session.get(Message, attachment.message_id)
    if message.sender_id != user_id or message.state != "draft":
        raise not_found()
    session.delete(attachment)  # the stored file may be shared by a forward: it stays
    session.flush()
    return message


def open_attachment(storage, attachment: Attachment) -> BinaryIO:
    return storage.open(attachment.storage_key)
