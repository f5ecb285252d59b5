"""Boxes, folders' contents, unread counts, conversations, and moving messages between them.

A person's view of a message is their :class:`Delivery` row; another person's message id answers 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from preau import affected_rows

from ..models import Attachment, Box, Delivery, Field, Message, MessageState, Recipient, utcnow
from . import MessagingError, not_found
from .folders import get_folder

PAGE_SIZE = 25
TRASH = "trash"


@dataclass
class BoxRow:
    """One line of a box: the person's delivery and the message."""

    delivery: Delivery
    message: Message
    recipients: list[str] = field(default_factory=list)  # labels, for the sent box and drafts
    attachment_count: int = 0

    @property
    def unread(self) -> bool:
        return self.delivery.read_at is None and self.delivery.box == Box.INBOX


@dataclass
class Page:
    rows: list[BoxRow]
    page: int
    has_next: bool


def _live(user_id: int) -> Select:
    return select(Delivery, Message).join(Message, Message.id == Delivery.message_id).where(
        Delivery.user_id == user_id, Delivery.deleted.is_(False))


def box_query(user_id: int, box: str, folder_id: int | None = None) -> Select:
    """The deliveries shown in a system box (``inbox``, ``sent``, ``drafts``, ``trash``) or a user folder."""
    stmt = _live(user_id)
    if folder_id is not None:
        stmt = stmt.where(Delivery.folder_id == folder_id, Delivery.trashed_at.is_(None))
    elif box == TRASH:
        stmt = stmt.where(Delivery.trashed_at.is_not(None))
    elif box in (Box.INBOX, Box.SENT, Box.DRAFTS):
        stmt = stmt.where(Delivery.box == box, Delivery.folder_id.is_(None), Delivery.trashed_at.is_(None))
    else:
        raise not_found(_("Cette boîte n'existe pas."))
    return stmt.order_by(Delivery.delivered_at.desc(), Delivery.id.desc())


def list_box(session: Session, user_id: int, box: str, folder_id: int | None = None, page: int = 1,
             per_page: int = PAGE_SIZE) -> Page:
    if folder_id is not None:
        get_folder(session, user_id, folder_id)
    page = max(1, int(page))
    per_page = max(1, min(int(per_page), 100))
    found = session.execute(box_query(user_id, box, folder_id).limit(per_page + 1)
                            .offset((page - 1) * per_page)).all()
    rows = [BoxRow(delivery, message) for delivery, message in found[:per_page]]
    _add_summaries(session, rows, user_id)
    return Page(rows, page, len(found) > per_page)


def _add_summaries(session: Session, rows: list[BoxRow], user_id: int) -> None:
    """Recipient labels (what the viewer may see of them) and attachment counts, two queries per page."""
    ids = [row.message.id for row in rows]
    if not ids:
        return
    labels: dict[int, list[Recipient]] = defaultdict(list)
    for recipient in session.scalars(select(Recipient).where(Recipient.message_id.in_(ids)).order_by(Recipient.id)):
        labels[recipient.message_id].append(recipient)
    counts = dict(session.execute(select(Attachment.message_id, func.count()).where(
        Attachment.message_id.in_(ids)).group_by(Attachment.message_id)).all())
    for row in rows:
        row.recipients = [r.label for r in visible_recipients(labels[row.message.id], row.message, user_id)]
        row.attachment_count = counts.get(row.message.id, 0)


def visible_recipients(recipients: list[Recipient], message: Message, viewer_id: int) -> list[Recipient]:
    """Bcc recipients are seen by the sender only."""
    if message.sender_id == viewer_id:
        return list(recipients)
    return [r for r in recipients if r.field != Field.BCC]


def recipients_seen_by(session: Session, message: Message, viewer_id: int) -> list[Recipient]:
    rows = session.scalars(select(Recipient).where(Recipient.message_id == message.id).order_by(Recipient.id))
    return visible_recipients(list(rows), message, viewer_id)


def unread_counts(session: Session, user_id: int) -> dict[str | int, int]:
    """Unread received messages per place: ``"inbox"`` and each folder id (trashed ones are not counted)."""
    rows = session.execute(
        select(Delivery.folder_id, func.count()).where(
            Delivery.user_id == user_id, Delivery.read_at.is_(None), Delivery.box == Box.INBOX,
            Delivery.trashed_at.is_(None), Delivery.deleted.is_(False)).group_by(Delivery.folder_id)).all()
    counts: dict[str | int, int] = {Box.INBOX.value: 0}
    for folder_id, count in rows:
        counts[Box.INBOX.value if folder_id is None else folder_id] = count
    return counts


def unread_total(session: Session, user_id: int) -> int:
    return sum(unread_counts(session, user_id).values())


def delivery_of(session: Session, user_id: int, message_id: int) -> Delivery:
    """The person's delivery of a message; 404 for anyone else's message (or one emptied from the trash)."""
    delivery = session.scalar(select(Delivery).where(
        Delivery.user_id == user_id, Delivery.message_id == message_id, Delivery.deleted.is_(False)))
    if delivery is None:
        raise not_found()
    return delivery


@dataclass
class ThreadItem:
    message: Message
    delivery: Delivery
    recipients: dict[str, list[Recipient]]
    attachments: list[Attachment]


def conversation(session: Session, user_id: int, message_id: int, mark_read: bool = True) -> list[ThreadItem]:
    """The conversation of a message as this person sees it (their own copies only), oldest first; opening it
    marks what they received as read."""
    opened = delivery_of(session, user_id, message_id)
    message = session.get_one(Message, opened.message_id)
    if message.state == MessageState.DRAFT:
        raise MessagingError(_("Ce message est un brouillon : ouvrez-le pour le modifier."), 400, "draft")
    thread_id = message.thread_id or message.id
    found = session.execute(_live(user_id).where(Message.thread_id == thread_id,
                                                 Message.state != MessageState.DRAFT)
                            .order_by(Message.sent_at, Message.id)).all()
    ids = [m.id for _d, m in found]
    recipients: dict[int, list[Recipient]] = defaultdict(list)
    for recipient in session.scalars(select(Recipient).where(Recipient.message_id.in_(ids)).order_by(Recipient.id)):
        recipients[recipient.message_id].append(recipient)
    attachments: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in session.scalars(select(Attachment).where(Attachment.message_id.in_(ids))
                                      .order_by(Attachment.id)):
        attachments[attachment.message_id].append(attachment)
    items = []
    for delivery, item in found:
        by_field: dict[str, list[Recipient]] = defaultdict(list)
        for recipient in visible_recipients(recipients[item.id], item, user_id):
            by_field[recipient.field].append(recipient)
        items.append(ThreadItem(item, delivery, dict(by_field), attachments[item.id]))
    if mark_read:
        now = utcnow()
        for item in items:  # a conversation is a handful of rows
            if item.delivery.read_at is None:
                item.delivery.read_at = now
        session.flush()
    return items


def mark_unread(session: Session, user_id: int, message_id: int) -> None:
    delivery_of(session, user_id, message_id).read_at = None
    session.flush()


def _deliveries(session: Session, user_id: int, message_ids: list[int]) -> list[Delivery]:
    wanted = {int(i) for i in message_ids}
    found = list(session.scalars(select(Delivery).where(
        Delivery.user_id == user_id, Delivery.message_id.in_(wanted), Delivery.deleted.is_(False))))
    if not wanted or len(found) != len(wanted):
        raise not_found()
    return found


def move_to_folder(session: Session, user_id: int, message_ids: list[int], folder_id: int | None) -> None:
    """File messages in a folder (``None``: back to their box); a trashed message comes out of the trash."""
    if folder_id is not None:
        get_folder(session, user_id, folder_id)
    deliveries = _deliveries(session, user_id, message_ids)
    if any(d.box == Box.DRAFTS for d in deliveries):
        raise MessagingError(_("Un brouillon reste dans les brouillons."), 400, "draft")
    for delivery in deliveries:
        delivery.folder_id, delivery.trashed_at = folder_id, None
    session.flush()


def trash(session: Session, user_id: int, message_ids: list[int]) -> None:
    now = utcnow()
    for delivery in _deliveries(session, user_id, message_ids):
        delivery.trashed_at = delivery.trashed_at or now
    session.flush()


def restore(session: Session, user_id: int, message_ids: list[int]) -> None:
    for delivery in _deliveries(session, user_id, message_ids):
        delivery.trashed_at = None
    session.flush()


def empty_trash(session: Session, user_id: int) -> int:
    """Remove the trashed messages from this person's boxes for good (others keep their copies)."""
    result = session.execute(update(Delivery).where(
        Delivery.user_id == user_id, Delivery.trashed_at.is_not(None), Delivery.deleted.is_(False))
        .values(deleted=True))
    session.flush()
    return affected_rows(result)
