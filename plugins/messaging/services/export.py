"""What "Mes données" holds for messaging: the person's messages, as they see them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..models import Attachment, Delivery, Folder, Message, Preference, Recipient
from .boxes import visible_recipients


def export_messages_of(session: Session, user_id: int) -> dict[str, Any]:
    rows = session.execute(select(Delivery, Message).join(Message, Message.id == Delivery.message_id).where(
        Delivery.user_id == user_id, Delivery.deleted.is_(False)).order_by(Delivery.id)).all()
    ids = [m.id for _d, m in rows]
    recipients: dict[int, list[Recipient]] = {}
    for r in session.scalars(select(Recipient).where(Recipient.message_id.in_(ids))):
        recipients.setdefault(r.message_id, []).append(r)
    attachments: dict[int, list[Attachment]] = {}
    for a in session.scalars(select(Attachment).where(Attachment.message_id.in_(ids)).order_by(Attachment.id)):
        attachments.setdefault(a.message_id, []).append(a)
    return {"files": [{"name": a.filename, "storage_key": a.storage_key}
                      for m in ids for a in attachments.get(m, [])],
            "messages": [{
        "box": d.box, "subject": m.subject, "from": m.sender_name, "state": m.state,
        "sent_at": m.sent_at.isoformat() if m.sent_at else None, "body": m.body_text,
        "to": [f"{r.field}: {r.label}" for r in visible_recipients(recipients.get(m.id, []), m, user_id)],
        "attachments": [a.filename for a in attachments.get(m.id, [])],
    } for d, m in rows]}


def merge_messages(session: Session, kept_id: int, merged_id: int) -> None:
    """Two accounts of one person were merged: the merged one's boxes, folders and sent messages become the
    kept one's (a message both received stays once, as the kept account had it)."""
    both = select(Delivery.message_id).where(Delivery.user_id == kept_id)
    session.execute(delete(Delivery).where(Delivery.user_id == merged_id, Delivery.message_id.in_(both)))
    for table in (Delivery, Folder, Recipient):
        session.execute(update(table).where(table.user_id == merged_id).values(user_id=kept_id))
    session.execute(update(Message).where(Message.sender_id == merged_id).values(sender_id=kept_id))
    session.execute(delete(Preference).where(Preference.user_id == merged_id))
