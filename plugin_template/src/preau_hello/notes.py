"""The rules of notes. Services take a SQLAlchemy session and never read the request: test them without Flask."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .models import NOTE_MAX_LENGTH, HelloNote


class NoteError(ValueError):
    """A note that breaks a rule; its message is shown to the user as is."""


def add_note(session: Session, user_id: int, text: str) -> HelloNote:
    cleaned = (text or "").strip()
    if not cleaned:
        raise NoteError(_l("La note est vide."))
    if len(cleaned) > NOTE_MAX_LENGTH:
        raise NoteError(_l("La note dépasse %(max)d caractères.", max=NOTE_MAX_LENGTH))
    note = HelloNote(user_id=user_id, text=cleaned)
    session.add(note)
    session.flush()
    return note


def notes_of(session: Session, user_id: int, limit: int = 20) -> list[HelloNote]:
    """The latest notes of a user, newest first."""
    query = (select(HelloNote).where(HelloNote.user_id == user_id)
             .order_by(HelloNote.created_at.desc(), HelloNote.id.desc()).limit(limit))
    return list(session.scalars(query))


def count_notes_of(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(HelloNote).where(HelloNote.user_id == user_id)) or 0


def export_notes_of(session: Session, user_id: int) -> list[dict[str, Any]]:
    """What "Mes données" holds for this plugin: every note of the user, oldest first."""
    rows = session.scalars(select(HelloNote).where(HelloNote.user_id == user_id).order_by(HelloNote.id))
    return [{"text": note.text, "created_at": note.created_at.isoformat()} for note in rows]


def delete_notes_of(session: Session, user_id: int) -> None:
    # One DELETE statement, never ORM objects deleted in a loop.
    session.execute(delete(HelloNote).where(HelloNote.user_id == user_id))
