"""Visits and app openings, noticed on the way in: at most one write per session, day and app.

The session cookie remembers what was already counted today (``stats``: the day and the app ids), so the
requests after the first of the day cost nothing; the database (insert-or-ignore) decides across sessions and
workers. The JSON API is left out: token clients keep no cookie, and a write per call is not worth it.
"""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_login import current_user

from ..db import db_session, prepare_write
from . import record_app_access, record_visit, today

SESSION_KEY = "stats"


def _owners(app: Flask) -> dict[str, str]:
    """Blueprint name → app id, for the plugins that are active."""
    registry = app.extensions["preau.plugins"]
    return {blueprint.name: record.app_id for record in registry.active() for blueprint in record.blueprints}


def init_app(app: Flask) -> None:
    """Install after the other request hooks: the plugin guard and the charter check run first."""
    owners = _owners(app)

    @app.before_request
    def count_visit():
        if (request.endpoint in (None, "static") or request.path.startswith("/api/")
                or not current_user.is_authenticated):
            return None
        day = today(current_app.config.get("BABEL_DEFAULT_TIMEZONE"))
        marks = session.get(SESSION_KEY)
        new_day = not isinstance(marks, dict) or marks.get("day") != day.isoformat()
        seen: list[str] = [] if new_day else list(marks.get("apps") or [])
        app_id = next((owners[name] for name in reversed(request.blueprints) if name in owners), None)
        new_app = app_id is not None and app_id not in seen
        if not (new_day or new_app):
            return None
        database, user = db_session(), current_user._get_current_object()
        prepare_write(database)
        if new_day:
            record_visit(database, user, day)
        if new_app:
            record_app_access(database, user, app_id, day)
            seen.append(app_id)
        database.commit()
        session[SESSION_KEY] = {"day": day.isoformat(), "apps": seen}
        return None
