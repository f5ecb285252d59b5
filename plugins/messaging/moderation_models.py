"""The tables of the safeguards, the moderation queue and the notifications (migration m0002).

* :class:`Policy` — per structure and profile: the outbound limit and the kill switch;
* :class:`StructureOptions` — per structure: read receipts (off unless switched on);
* :class:`Suspension` — accounts suspended from messaging;
* :class:`Outbound` — one row per delivered send, counted over a sliding hour (in the database, so every worker
  counts the same sends);
* :class:`ModerationItem` — a report ("Signaler") or a message held over a limit, in one structure's queue, with
  its decision once treated (the history);
* :class:`DeliveryChild` — which child a delivery to a parent concerns (named in notifications).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from preau import Model

from .models import utcnow

REASON_MAX = 500


class ItemKind(enum.StrEnum):
    REPORT = "report"  # a recipient used "Signaler"
    HELD = "held"  # a send over an outbound limit, waiting for a moderator


class Decision(enum.StrEnum):
    KEEP = "keep"  # report: the message stays
    DELETE = "delete"  # report: the message leaves every box (the row is kept for the record)
    RELEASE = "release"  # held: delivered now
    REJECT = "reject"  # held: never delivered


class Policy(Model):
    """The safeguards of one profile in one structure (and, by inheritance, its descendants)."""

    __tablename__ = "messaging_policies"

    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True)
    profile: Mapped[str] = mapped_column(String(16), primary_key=True)
    # Recipients per sliding hour; NULL: the built-in default of the profile; 0: no limit.
    hourly_limit: Mapped[int | None] = mapped_column(Integer)
    messaging_off: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class StructureOptions(Model):
    __tablename__ = "messaging_structure_options"

    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True)
    read_receipts: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Suspension(Model):
    __tablename__ = "messaging_suspensions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    suspended_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    suspended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")


class Outbound(Model):
    __tablename__ = "messaging_outbound"
    __table_args__ = (Index("ix_messaging_outbound_sender_at", "sender_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(Integer)


class ModerationItem(Model):
    __tablename__ = "messaging_moderation_items"
    __table_args__ = (Index("ix_messaging_moderation_items_queue", "structure_id", "decision", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    message_id: Mapped[int] = mapped_column(ForeignKey("messaging_messages.id", ondelete="CASCADE"), index=True)
    # The reporter (report) or the sender (held).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(8))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class DeliveryChild(Model):
    """A message reached ``user_id`` (a parent) about ``child_id`` — through a class group of that child."""

    __tablename__ = "messaging_delivery_children"

    message_id: Mapped[int] = mapped_column(ForeignKey("messaging_messages.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
