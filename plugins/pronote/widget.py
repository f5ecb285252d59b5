"""The "Pronote" block: the latest grades and school-life events of the selected child (a parent) or of
oneself (a student); an empty state for everyone else."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from markupsafe import escape

from preau import N_, app_enabled, children_of, db_session, setting, student_in_view

from .adapters import PronoteAdapter, SchoolLifeEvent, adapter_named

LIMITS = {"miniature": (1, 0), "apercu": (3, 2), "large": (8, 5)}  # grades, events shown per size
EVENT_LABELS = {"absence": N_("Absence"), "retard": N_("Retard"), "punition": N_("Punition")}


def adapter_for(student: Any) -> PronoteAdapter | None:
    """The adapter set for the student's school (the ``adapter`` setting; none by default)."""
    role = next((r for r in student.roles if r.profile == "student"), None)
    return adapter_named(setting("pronote", "adapter", structure_id=role.structure_id if role else None))


def school_of(student: Any) -> int | None:
    role = next((r for r in student.roles if r.profile == "student"), None)
    return role.structure_id if role else None


def uses_pronote(student: Any) -> bool:
    """Whether the student's school has Pronote on: elsewhere the block shows nothing read from Pronote."""
    structure_id = school_of(student)
    return structure_id is not None and app_enabled(db_session(), "pronote", structure_id)


def sees_a_pronote_student(user: Any, roles: list[Any]) -> bool:
    """The block is for those who see a student of a Pronote school: themself, or one of their children."""
    students = [user] if any(r.profile == "student" for r in roles) else []
    if any(r.profile == "relative" for r in roles):
        students += children_of(db_session(), user)
    return any(uses_pronote(s) for s in students)


def _day(value) -> str:
    return value.strftime("%d/%m/%Y")


def _event_item(event: SchoolLifeEvent) -> str:
    state = _("justifiée") if event.justified else _("non justifiée")
    kind = _(EVENT_LABELS[event.kind])
    suffix = f" ({escape(state)})" if event.kind != "punition" else ""
    return (f'<li class="pronote__event pronote__event--{event.kind}">{_day(event.date)} — '
            f"<strong>{escape(kind)}</strong> : {escape(event.label)}{suffix}</li>")


def _empty(text: str) -> str:
    return f'<p class="pronote__empty">{escape(text)}</p>'


def _heading(text: str) -> str:
    return f"<h3>{escape(text)}</h3>"


def _paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def render_pronote(user: Any, size: str) -> str:
    student = student_in_view(user)
    if student is None:
        return _empty(_("Aucun élève à afficher."))
    if not uses_pronote(student):
        return _empty(_("L’établissement de %(name)s n’utilise pas Pronote : ses résultats sont dans « Notes et "
                        "vie scolaire ».", name=student.first_name))
    grades_limit, events_limit = LIMITS.get(size, LIMITS["apercu"])
    adapter = adapter_for(student)
    if adapter is None:
        return _empty(_("Les notes de Pronote ne sont pas encore reliées à l’ENT."))
    grades = adapter.latest_grades(student, grades_limit)
    events = adapter.school_life(student, events_limit) if events_limit else []
    title = escape(_("Notes et vie scolaire de %(name)s", name=student.first_name))
    parts = [f'<div class="pronote" data-student="{student.id}"><p><strong>{title}</strong></p>']
    if grades:
        items = "".join(
            f"<li>{_day(g.date)} — {escape(g.subject)} : <strong>{escape(g.value)}/{escape(g.out_of)}</strong>"
            + (f" <em>{escape(g.comment)}</em>" if g.comment and size == "large" else "") + "</li>"
            for g in grades)
        parts.append(_heading(_("Dernières notes")) + f'<ul class="pronote__grades">{items}</ul>')
    else:
        parts.append(_paragraph(_("Aucune note récente.")))
    if events_limit:
        if events:
            items = "".join(_event_item(e) for e in events)
            parts.append(_heading(_("Vie scolaire")) + f'<ul class="pronote__events">{items}</ul>')
        else:
            parts.append(_paragraph(_("Aucun événement de vie scolaire.")))
    parts.append("</div>")
    return "".join(parts)

