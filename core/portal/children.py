"""The child a parent is looking at: one selector in the permanent bar, followed by every widget and app.

The choice lives in the session (``child_id``) and is checked against the parent's own children on every
request: a stale or forged id falls back to the first child, never to a stranger."""

from __future__ import annotations

from flask import g, session
from flask_login import current_user
from sqlalchemy.orm import Session

from ..db import db_session
from ..directory.users import children_of
from ..errors import PreauError
from ..models import User

SESSION_KEY = "child_id"


class ChildError(PreauError, ValueError):
    """A child id that is not one of the parent's children (404: no such child for them)."""

    status = 404
    reason = "not_found"


def my_children() -> list[User]:
    """The logged-in user's children (cached for the request)."""
    if "_preau_children" not in g:
        g._preau_children = children_of(db_session(), current_user) if current_user.is_authenticated else []
    return g._preau_children


def current_child() -> User | None:
    """The child the logged-in parent selected (else their first child); ``None`` for someone without children."""
    children = my_children()
    chosen = session.get(SESSION_KEY)
    return next((child for child in children if child.id == chosen), children[0] if children else None)


def check_child(db: Session, parent: User, raw_id: str) -> User:
    """The child of ``parent`` whose id is ``raw_id``, or :class:`ChildError`."""
    if raw_id.isascii() and raw_id.isdigit():
        child = next((c for c in children_of(db, parent) if c.id == int(raw_id)), None)
        if child is not None:
            return child
    raise ChildError(raw_id)


def student_in_view(user: User) -> User | None:
    """Whose school life a page shows: the child a parent selected, else oneself as a student, else nobody."""
    child = current_child()
    if child is not None:
        return child
    return user if any(role.profile == "student" for role in user.roles) else None
