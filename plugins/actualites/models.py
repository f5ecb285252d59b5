"""The Actualités tables: threads (« fils d'actualités »), the roles granted on them to a person or a group,
the news items, their comments and the images uploaded for them. Every name starts with ``actualites_``.

``archived_at`` on a thread is set by the year transition: its news stay readable, nothing can be written.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from preau import Model

TITLE_MAX = 200
COMMENT_MAX = 2000
BODY_MAX = 100_000


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class ThreadKind(enum.StrEnum):
    SCHOOL = "school"  # « Actualités de l'établissement », created with the app
    CLASS = "class"  # one per class, created on first use by its teachers
    OTHER = "other"  # a rubrique created by a gestionnaire


class CommentAuthors(enum.StrEnum):
    """What a reader sees of a comment whose author the communication rules do not let them reach: nothing
    (the default), or that « un parent » (the author's profile) commented — never the name nor the text, which
    would let two people the rules keep apart talk through the thread."""

    HIDDEN = "hidden"
    PROFILE = "profile"


class Role(enum.IntEnum):
    """Roles on a thread, each including the ones below it."""

    VISITEUR = 1  # read, comment where enabled
    REDACTEUR = 2  # write drafts, submit them
    PUBLIEUR = 3  # « Rédacteur avec mise en ligne »: publish one's own news
    MODERATEUR = 4  # publish / unpublish anyone's news, delete comments
    GESTIONNAIRE = 5  # everything, and the thread and its roles


class State(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


class Thread(Model):
    __tablename__ = "actualites_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=ThreadKind.OTHER)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    comments_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    comment_authors: Mapped[str] = mapped_column(String(16), default=CommentAuthors.HIDDEN,
                                                 server_default=CommentAuthors.HIDDEN.value)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)


class Grant(Model):
    """A role on a thread for one person or one group (profile, class, manual or teaching group)."""

    __tablename__ = "actualites_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("actualites_threads.id", ondelete="CASCADE"), index=True)
    role: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)

    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (group_id IS NULL)", name="one_grantee"),
        CheckConstraint("role BETWEEN 1 AND 5", name="known_role"),
    )


class Item(Model):
    __tablename__ = "actualites_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("actualites_threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML
    state: Mapped[str] = mapped_column(String(16), default=State.DRAFT)
    publish_at: Mapped[datetime | None] = mapped_column(DateTime)
    expire_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_actualites_items_thread_state", "thread_id", "state", "publish_at"),)


class Comment(Model):
    __tablename__ = "actualites_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("actualites_items.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)  # plain text
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Image(Model):
    """An image uploaded into a thread's news, served by the app with the thread's access rules."""

    __tablename__ = "actualites_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("actualites_threads.id", ondelete="CASCADE"), index=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    storage_key: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
