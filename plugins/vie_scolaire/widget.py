"""The « Dernières notes » and « Vie scolaire » blocks: the selected child's (a parent) or one's own (a student)
latest grades and school-life events. Cheap: the demo adapter reads nothing, the csv adapter one query per block,
the adapter setting is read once per request for both blocks."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from markupsafe import escape

from preau import db_session, student_in_view

from .adapters import AdapterError, SchoolLife
from .services import adapter_for
from .views import request_memo

GRADE_LIMITS = {"miniature": 3, "apercu": 5, "large": 10}
EVENT_LIMITS = {"miniature": 2, "apercu": 4, "large": 8}


def _empty(text: str) -> str:
    return f'<p class="vie-scolaire__empty">{escape(text)}</p>'


def _adapter(student: Any):
    return adapter_for(db_session(), student, request_memo())


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def render_grades(user: Any, size: str) -> str:
    student = student_in_view(user)
    if student is None:
        return _empty(_("Aucun élève à afficher."))
    try:
        grades = _adapter(student).latest_grades(student, GRADE_LIMITS.get(size, GRADE_LIMITS["apercu"]))
    except AdapterError:
        return _empty(_("La source des notes n'est pas configurée."))
    if not grades:
        return _empty(_("Aucune note pour le moment."))
    coef = escape(_("coef."))
    items = "".join(
        f"<li>{g.date:%d/%m} — {escape(g.subject)} : <strong>{escape(g.value)}/{_number(g.out_of)}</strong>"
        + (f" <small>({coef} {_number(g.coefficient)})</small>" if g.coefficient != 1 else "")
        + "</li>" for g in grades)
    link = escape(_("Toutes les notes de %(name)s", name=student.first_name))
    return (f'<ul class="plain-list vie-scolaire__grades" data-student="{student.id}">{items}</ul>'
            f'<p><a href="{url_for("vie_scolaire.grades")}">{link}</a></p>')


def _events(life: SchoolLife) -> list[tuple[Any, str]]:
    def state(justified: bool, feminine: bool) -> str:
        if feminine:
            return _("justifiée") if justified else _("non justifiée")
        return _("justifié") if justified else _("non justifié")

    events = [(a.start, f"{a.start:%d/%m} — " + _("Absence") + (f" ({a.reason})" if a.reason else "")
               + " · " + state(a.justified, True)) for a in life.absences]
    events += [(r.date, f"{r.date:%d/%m} — " + _("Retard de %(minutes)d min", minutes=r.minutes) + " · "
                + state(r.justified, False)) for r in life.lateness]
    events += [(_midnight(p.date), f"{p.date:%d/%m} — " + _("Punition") + f" : {p.nature}") for p in life.punishments]
    return sorted(events, key=lambda e: e[0], reverse=True)


def _midnight(day: Any) -> Any:
    return datetime.combine(day, time())


def render_life(user: Any, size: str) -> str:
    student = student_in_view(user)
    if student is None:
        return _empty(_("Aucun élève à afficher."))
    try:
        life = _adapter(student).school_life(student)
    except AdapterError:
        return _empty(_("La source de la vie scolaire n'est pas configurée."))
    events = _events(life)[:EVENT_LIMITS.get(size, EVENT_LIMITS["apercu"])]
    if not events:
        return _empty(_("Aucune absence, aucun retard ni punition."))
    items = "".join(f"<li>{escape(text)}</li>" for _when, text in events)
    link = escape(_("Absences et retards"))
    return (f'<ul class="plain-list vie-scolaire__events" data-student="{student.id}">{items}</ul>'
            f'<p><a href="{url_for("vie_scolaire.absences")}">{link}</a></p>')
