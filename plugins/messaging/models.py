"""The messaging tables. Every name starts with ``messaging_``, as Préau requires of a plugin's tables.

One :class:`Message` is written once; each person who sees it (the sender included) has one :class:`Delivery`
row that says in which box or folder it sits for them, whether they read it, trashed it or emptied it from the
trash. Boxes are therefore one indexed query on ``messaging_deliveries`` (user, box, date), whatever the size of
the group a message went to; a send to 1,000 people is one multi-row INSERT of deliveries.

Full-text search (subject, body text, sender name) is not in these models: the migration creates an FTS5 table
kept in sync by triggers on SQLite, and a generated ``tsvector`` column with a GIN index on PostgreSQL.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from preau import Model

SUBJECT_MAX = 255
FOLDER_NAME_MAX = 100
LABEL_MAX = 200
FILENAME_MAX = 200


def utcnow() -> datetime:
    # Naive UTC, like every time Préau stores (SQLite keeps no time zone).
    return datetime.now(UTC).replace(tzinfo=None)


class MessageState(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    HELD = "held"  # over an outbound limit: waits for a moderator (safeguards.py), no recipient delivery yet
    RECALLED = "recalled"  # recalled by its sender while unread (recall.py)


class Box(enum.StrEnum):
    """The system box of a delivery; a user folder (``folder_id``) refines ``inbox`` or ``sent``."""

    INBOX = "inbox"
    SENT = "sent"
    DRAFTS = "drafts"


class Field(enum.StrEnum):
    TO = "to"
    CC = "cc"
    BCC = "bcc"


class Message(Model):
    __tablename__ = "messaging_messages"
    __table_args__ = (Index("ix_messaging_messages_thread", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A deleted account leaves its messages to their recipients; the name is kept in ``sender_name``.
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    sender_name: Mapped[str] = mapped_column(String(LABEL_MAX))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX), default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # sanitised on the server before it is stored
    body_text: Mapped[str] = mapped_column(Text, default="")  # plain text for search and e-mail
    # The first message of the conversation (its own id for a new conversation, set when it is first saved).
    thread_id: Mapped[int | None] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("messaging_messages.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default=MessageState.DRAFT)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class Recipient(Model):
    """A recipient as the sender addressed it: a person or a group, in To, Cc or Bcc, with the label shown."""

    __tablename__ = "messaging_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messaging_messages.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(3))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    label: Mapped[str] = mapped_column(String(LABEL_MAX))  # the name at sending time (a snapshot)


class Folder(Model):
    """A user's own folder; folders nest (``parent_id``)."""

    __tablename__ = "messaging_folders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("messaging_folders.id", ondelete="CASCADE"),
                                                  index=True)
    name: Mapped[str] = mapped_column(String(FOLDER_NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Delivery(Model):
    """Where one message sits for one person (its sender included)."""

    __tablename__ = "messaging_deliveries"
    __table_args__ = (
        # A box's page: WHERE user_id = ? AND box = ? ORDER BY delivered_at DESC, id DESC — read in index order.
        Index("ix_messaging_deliveries_box", "user_id", "box", "delivered_at", "id"),
        Index("ix_messaging_deliveries_folder", "folder_id", "delivered_at", "id"),
        Index("ix_messaging_deliveries_message", "message_id", "user_id", unique=True),
        # Unread counts per box: the unread rows of a user only.
        Index("ix_messaging_deliveries_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messaging_messages.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    box: Mapped[str] = mapped_column(String(8))
    folder_id: Mapped[int | None] = mapped_column(ForeignKey("messaging_folders.id", ondelete="SET NULL"))
    delivered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    trashed_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)  # emptied from the trash: gone for this user
    # The group through which the message reached this person (None when addressed by name).
    via_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))


class Attachment(Model):
    __tablename__ = "messaging_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messaging_messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(FILENAME_MAX))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Preference(Model):
    """A person's messaging preferences (one row, created when first changed)."""

    __tablename__ = "messaging_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    signature: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML
    notify_by_email: Mapped[bool] = mapped_column(Boolean, default=False)  # notify.py (msg2)
    copy_to_personal_email: Mapped[bool] = mapped_column(Boolean, default=False)  # notify.py (msg2)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
