"""Small helpers shared by the authentication and account-administration tests."""

from __future__ import annotations

import html
import json
from typing import Any

from sqlalchemy import func, select

from preau.models import AuditEvent, CharterAcceptance, LoginAttempt, User
from preau.testing import PreauClient


def page(response) -> str:
    """The response's text with HTML entities decoded (Jinja escapes the apostrophes of French)."""
    return html.unescape(response.get_data(as_text=True))


def flashes(response) -> list[str]:
    """The flashed messages of a page, in order (what a person is told, whatever else the page shows)."""
    import re

    return re.findall(r'<p class="flash flash--[a-z]+">(.*?)</p>', page(response), re.S)


def events(db, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def reasons(db, action: str) -> list[str]:
    return [event.detail.get("reason") for event in events(db, action)]


def assert_no_secret_logged(db, *secrets: str) -> None:
    """No audit event anywhere carries one of ``secrets`` (a password, a code)."""
    for event in db.scalars(select(AuditEvent)):
        dumped = json.dumps(event.detail, ensure_ascii=False)
        for secret in secrets:
            assert secret not in dumped, f"{event.action} logs a secret: {dumped}"


def accounts(db) -> list[tuple[Any, ...]]:
    """Everything a refused attempt must leave as it was, for every account."""
    db.expire_all()
    return db.execute(select(User.id, User.login, User.password_hash, User.state, User.session_version,
                             User.activation_code, User.reset_code_hash, User.reset_code_used_at, User.email)
                      .order_by(User.id)).all()


def acceptances(db, user: User) -> int:
    return db.scalar(select(func.count()).select_from(CharterAcceptance).where(
        CharterAcceptance.user_id == user.id))


def attempts(db, **where: Any) -> int:
    query = select(func.count()).select_from(LoginAttempt)
    for column, value in where.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    return db.scalar(query)


def age_attempts(db, seconds: float) -> None:
    """Time passes: every login attempt recorded so far happened ``seconds`` earlier (computed in Python: SQLite
    has no date arithmetic on its text timestamps)."""
    from datetime import timedelta

    for attempt in db.scalars(select(LoginAttempt)):
        attempt.at -= timedelta(seconds=seconds)
    db.flush()


def assert_logged_out(client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def new_client(app) -> PreauClient:
    """Another browser on the same application (and the same test transaction)."""
    app.test_client_class = PreauClient
    return app.test_client()


def log_in(client, user, password: str, **kwargs: Any):
    return client.post_form("/auth/login", {"login": user.login, "password": password}, **kwargs)
