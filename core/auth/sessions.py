"""Server-side record of browser sessions: opened at login, ended at logout (or when an account is blocked).

The second-factor state lives here too (``second_factor_pending``, ``second_factor_failures``), not in the
signed cookie: a cookie replayed from before a wrong code changes nothing on the server."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload

from ..db import affected_rows, session_memo
from ..models import AuthSession, User
from ..models._time import utcnow
from .service import charters_stamp_query, remember_charters_stamp


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


_PENDING = "second_factor_pending"


def open_session(session: Session, user_id: int, ip: str | None, second_factor_pending: bool = False) -> str:
    """Record a new session and return the random id to keep in the (signed) cookie; with
    ``second_factor_pending`` nothing opens before the code (``totp_views``)."""
    raw = secrets.token_urlsafe(32)
    session.add(AuthSession(user_id=user_id, token_hash=_digest(raw), ip=ip,
                            second_factor_pending=second_factor_pending))
    session.commit()
    return raw


def open_session_user(session: Session, user_id: int, raw: object) -> User | None:
    """The user of an open server-side session, with their roles and functions, in one query (every request
    of a logged-in person starts here)."""
    if not isinstance(raw, str) or not raw:
        return None
    row = session.execute(
        select(User, charters_stamp_query().scalar_subquery(), AuthSession.second_factor_pending)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(User.id == user_id, AuthSession.token_hash == _digest(raw), AuthSession.ended_at.is_(None))
        .options(joinedload(User.roles), joinedload(User.functions))).unique().first()
    if row is None:
        return None
    remember_charters_stamp(session, row[1] or 0)  # the charter check of the same request needs no query
    session_memo(session, (_PENDING, raw), lambda: bool(row[2]))  # nor the second-factor gate
    return row[0]


def second_factor_pending(session: Session, raw: object) -> bool:
    """Whether this open session still waits for its second factor (read with the user when possible)."""
    if not isinstance(raw, str) or not raw:
        return False
    return session_memo(session, (_PENDING, raw), lambda: bool(session.scalar(
        select(AuthSession.second_factor_pending).where(AuthSession.token_hash == _digest(raw),
                                                        AuthSession.ended_at.is_(None)))))


def count_second_factor_failure(session: Session, raw: str) -> int:
    """One more wrong code in this session (counted in the database, atomically); the new count."""
    session.execute(update(AuthSession).where(AuthSession.token_hash == _digest(raw))
                    .values(second_factor_failures=AuthSession.second_factor_failures + 1))
    return session.scalar(select(AuthSession.second_factor_failures).where(
        AuthSession.token_hash == _digest(raw))) or 0


def second_factor_failures(session: Session, raw: str) -> int:
    return session.scalar(select(AuthSession.second_factor_failures).where(
        AuthSession.token_hash == _digest(raw), AuthSession.ended_at.is_(None))) or 0


def pass_second_factor(session: Session, raw: str) -> None:
    session.execute(update(AuthSession).where(AuthSession.token_hash == _digest(raw))
                    .values(second_factor_pending=False))


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
    return affected_rows(result)
