"""Recall of a sent message, as ENT ONE offers it.

Product rule: a message can be recalled **only while no recipient has read it**. Recalling takes it out of
every recipient's box (their delivery rows are deleted: it never existed for them, so no unread badge stays
behind) and marks it "recalled" in the sender's sent box, where it stays for the record. Once anyone has read
it, recall is refused (409) — half-recalling would leave the readers with a message the others never see, and
the sender with a false sense of having taken it back. A pending e-mail notification is dropped (the job finds
the message recalled); an e-mail already sent cannot be taken back, which the confirmation says.

Concurrency: the recipients' delivery rows are locked (PostgreSQL ``FOR UPDATE``; SQLite write requests hold
the database lock), so a recipient opening the message at the same moment either reads it first — and the
recall is refused — or finds it gone.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

import preau

from .models import Box, Delivery, Message, MessageState
from .moderation_models import DeliveryChild


class RecallError(preau.PreauError, ValueError):
    """A refused recall; ``str()`` is a sentence for the person, ``status`` the HTTP status to answer."""


def recallable(session: Session, sender: Any, message: Message) -> bool:
    """Whether the recall button makes sense: the sender's own sent message that nobody has read yet."""
    if message.sender_id != sender.id or message.state != MessageState.SENT:
        return False
    return session.scalar(select(Delivery.id).where(
        Delivery.message_id == message.id, Delivery.box == Box.INBOX, Delivery.user_id != sender.id,
        Delivery.read_at.is_not(None)).limit(1)) is None


def recall_message(session: Session, sender: Any, message_id: int) -> int:
    """Recall a sent message that nobody has read; returns how many recipients it was taken from."""
    message = session.get(Message, message_id)
    if message is None or message.sender_id != sender.id:
        raise RecallError(_("Ce message n'existe pas ou ne vous est pas accessible."), 404)
    if message.state == MessageState.RECALLED:
        raise RecallError(_("Ce message a déjà été rappelé."), 409)
    if message.state != MessageState.SENT:
        raise RecallError(_("Seul un message envoyé peut être rappelé."), 409)
    received = session.execute(select(Delivery.id, Delivery.read_at).where(
        Delivery.message_id == message_id, Delivery.box == Box.INBOX, Delivery.user_id != sender.id)
        .with_for_update()).all()
    if any(read_at is not None for _id, read_at in received):
        raise RecallError(_("Ce message a déjà été lu par au moins un destinataire : il ne peut plus être "
                            "rappelé."), 409)
    session.execute(delete(Delivery).where(Delivery.id.in_([row.id for row in received]))
                    .execution_options(synchronize_session=False))
    session.execute(delete(DeliveryChild).where(DeliveryChild.message_id == message_id))
    message.state = MessageState.RECALLED
    session.flush()
    preau.record_audit(session, "messaging.recalled", actor=sender, target=message, recipients=len(received))
    return len(received)
