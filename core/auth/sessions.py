"""Server-side record of browser sessions: opened at login, ended at logout (or when an account is blocked)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload

from ..models import AuthSession, User
from ..models._time import utcnow
from .service import charters_stamp_query, remember_charters_stamp


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def open_session(session: Session, user_id: int, ip: str | None) -> str:
    """Record a new session and return the random id to keep in the (signed) cookie."""
    raw = secrets.token_urlsafe(32)
    session.add(AuthSession(user_id=user_id, token_hash=_digest(raw), ip=ip))
    session.commit()
    return raw


def is_open(session: Session, user_id: int, raw: object) -> bool:
    if not isinstance(raw, str) or not raw:
        return False
    row = session.scalar(select(AuthSession).where(AuthSession.token_hash == _digest(raw)))
    return row is not None and row.user_id == user_id and row.ended_at is None


def open_session_user(session: Session, user_id: int, raw: object) -> User | None:
    """The user of an open server-side session, with their roles and functions, in one query (every request
    of a logged-in person starts here)."""
    if not isinstance(raw, str) or not raw:
        return None
    row = session.execute(
        select(User, charters_stamp_query().scalar_subquery()).join(AuthSession, AuthSession.user_id == User.id)
        .where(User.id == user_id, AuthSession.token_hash == _digest(raw), AuthSession.ended_at.is_(None))
        .options(joinedload(User.roles), joinedload(User.functions))).unique().first()
    if row is None:
        return None
    remember_charters_stamp(session, row[1] or 0)  # the charter check of the same request needs no query
    return row[0]


def end_session(session: Session, raw: object) -> None:
    if isinstance(raw, str) and raw:
        session.execute(update(AuthSession).where(AuthSession.token_hash == _digest(raw))
                        .values(ended_at=utcnow()))
        session.commit()


def purge(session: Session, older_than: timedelta) -> int:
    """Forget ended sessions and sessions older than the cookie lifetime."""
    cutoff = utcnow() - older_than
    result = session.execute(delete(AuthSession).where(
        (AuthSession.created_at < cutoff) | (AuthSession.ended_at.is_not(None))))
    return result.rowcount or 0
