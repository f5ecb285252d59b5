"""« Emploi du temps du jour »: today's lessons of the child in view, the student, or the teacher (1 query plus
the student's classes)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from markupsafe import escape

from preau import db_session, student_in_view

from .services import TimetableError, own_scope
from .sources import shown_lessons


def render_today(user: Any, size: str) -> str:
    session = db_session()
    scope = own_scope(session, user, student_in_view(user))
    today = date.today()
    try:
        lessons = shown_lessons(session, scope, today, today + timedelta(days=1)) if scope else []
    except TimetableError as error:
        return f'<p class="flash flash--error">{escape(str(error))}</p>'
    week = escape(_("Voir la semaine"))
    link = f'<p><a href="{url_for("timetable.index")}">{week}</a></p>'
    if not lessons:
        empty = escape(_("Pas de cours aujourd'hui."))
        return f'<p class="empty">{empty}</p>{link}'
    items = []
    for lesson in lessons:
        mark = {"cancelled": _("Annulé"), "changed": _("Modifié")}.get(lesson.status, "")
        extra = f" <strong>{escape(mark)}</strong>" if mark else ""
        room = f" <small>{escape(lesson.room)}</small>" if lesson.room else ""
        items.append(f"<li>{lesson.starts_at:%H:%M} {escape(lesson.subject)}{room}{extra}</li>")
    return f'<ul class="plain-list">{"".join(items)}</ul>{link}'
