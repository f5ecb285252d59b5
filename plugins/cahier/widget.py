"""The « Devoirs à faire » block: the homework of the student in view due in the next seven days (one query
besides the child selection), done ones marked."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from markupsafe import escape

from preau import db_session, student_in_view

from .services import homework_of_student

LIMITS = {"miniature": 3, "apercu": 6, "large": 15}


def render_todo(user: Any, size: str) -> str:
    student = student_in_view(user)
    open_label = escape(_("Ouvrir le cahier de textes"))
    open_page = f'<p><a href="{url_for("cahier.index")}">{open_label}</a></p>'
    if student is None:
        empty = escape(_("Aucun devoir à afficher."))
        return f'<p class="empty">{empty}</p>{open_page}'
    today = date.today()
    rows = homework_of_student(db_session(), student.id, since=today, until=today + timedelta(days=7))
    if not rows:
        empty = escape(_("Aucun devoir pour les 7 prochains jours."))
        return f'<p class="empty">{empty}</p>{open_page}'
    items = []
    done_label = escape(_("Fait"))
    for homework, done in rows[:LIMITS.get(size, LIMITS["apercu"])]:
        mark = f' <strong class="tag">{done_label}</strong>' if done else ""
        css = ' class="cahier-done"' if done else ""
        items.append(f"<li{css}><small>{homework.due_on:%d/%m}</small> {escape(homework.subject)}{mark}</li>")
    more = ""
    if len(rows) > len(items):
        others = escape(_("Et %(num)d autres devoirs", num=len(rows) - len(items)))
        more = f"<p>{others}</p>"
    return f'<ul class="plain-list cahier-todo">{"".join(items)}</ul>{more}{open_page}'
