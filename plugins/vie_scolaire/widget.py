"""The « Dernières évaluations » (grades, or levels of mastery in competences mode) and « Vie scolaire » blocks:
the selected child's (a parent) or one's own (a student) latest grades and school-life events. Cheap: the demo
adapter reads nothing, the csv adapter one query per block, the settings are read once per request for both
blocks. Where the child's school uses Pronote they point to the Pronote block (one block of grades, not two)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from markupsafe import escape

from preau import db_session, student_in_view

from .adapters import AdapterError, SchoolLife
from .services import COMPETENCES, adapter_for, notation_of, sees_own_source_student, uses_pronote
from .views import request_memo

GRADE_LIMITS = {"miniature": 3, "apercu": 5, "large": 10}
EVENT_LIMITS = {"miniature": 2, "apercu": 4, "large": 8}


def _empty(text: str) -> str:
    return f'<p class="vie-scolaire__empty">{escape(text)}</p>'


def _adapter(student: Any):
    return adapter_for(db_session(), student, request_memo())


def has_own_source_student(user: Any, roles: list[Any]) -> bool:
    return sees_own_source_student(db_session(), user, roles)


def _in_pronote(student: Any) -> str:
    return _empty(_("Les notes et la vie scolaire de %(name)s viennent de Pronote : voir le bloc Pronote.",
                    name=student.first_name))


def _skills(student: Any, adapter: Any, size: str) -> str:
    skills = adapter.skills(student)[:GRADE_LIMITS.get(size, GRADE_LIMITS["apercu"])]
    if not skills:
        return _empty(_("Aucune compétence évaluée pour le moment."))
    items = "".join(f"<li>{s.date:%d/%m} — {escape(s.subject)} : {escape(s.label)} "
                    f'<span class="tag">{escape(_(s.level))}</span></li>' for s in skills)
    link = escape(_("Toutes les compétences de %(name)s", name=student.first_name))
    return (f'<ul class="plain-list vie-scolaire__skills" data-student="{student.id}">{items}</ul>'
            f'<p><a href="{url_for("vie_scolaire.skills")}">{link}</a></p>')


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def render_grades(user: Any, size: str) -> str:
    student = student_in_view(user)
    if student is None:
        return _empty(_("Aucun élève à afficher."))
    if uses_pronote(db_session(), student, request_memo()):
        return _in_pronote(student)  # the Pronote block shows them: one block of grades, not two
    try:
        adapter = _adapter(student)
        if notation_of(db_session(), student, request_memo()) == COMPETENCES:
            return _skills(student, adapter, size)
        grades = adapter.latest_grades(student, GRADE_LIMITS.get(size, GRADE_LIMITS["apercu"]))
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
    if uses_pronote(db_session(), student, request_memo()):
        return _in_pronote(student)
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
