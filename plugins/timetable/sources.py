"""Where a student's week comes from: Préau's own lessons (source ``""``) or Pronote through pronotepy
(source ``"pronote"``, the per-structure ``source`` setting). An unknown source name is an error shown to the
user, never a silent fallback to other data. Class, teacher and room views always read Préau's lessons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from preau import app_enabled, setting

from .services import N_, Scope, TimetableError, lessons_between

PRONOTE = "pronote"  # the source, and the plugin it reads through (optional_requires)
SOURCES = ("", PRONOTE)


@dataclass(frozen=True)
class ExternalLesson:
    """A lesson read from another system: shown like a Préau lesson, never editable here."""

    starts_at: datetime
    ends_at: datetime
    subject: str
    room: str = ""
    teacher_name: str = ""
    status: str = "normal"
    change_note: str = ""
    id: int | None = None
    archived: bool = True  # no « Annuler » / « Modifier » button: Pronote owns it
    source: str = "pronote"


def lesson_from_pronotepy(lesson: Any) -> ExternalLesson:
    """A pronotepy ``Lesson``: cancelled → « Annulé »; a Pronote status (« Prof. absent », « Changement de
    salle »…), a detention or an outing → « Modifié » with that text."""
    subject = lesson.subject.name if lesson.subject is not None else ""
    notes = [lesson.status or ""]
    if lesson.detention:
        subject, notes = subject or "Retenue", [*notes, "Retenue"]
    if lesson.outing:
        notes.append("Sortie pédagogique")
    note = ", ".join(n for n in notes if n)
    status = "cancelled" if lesson.canceled else ("changed" if note else "normal")
    return ExternalLesson(lesson.start.replace(tzinfo=None), lesson.end.replace(tzinfo=None), subject or "Cours",
                          lesson.classroom or "", lesson.teacher_name or "", status, note[:200])


def pronote_lessons(student: Any, start: date, end: date) -> list[ExternalLesson]:
    """The student's lessons from ``start`` (included) to ``end`` (excluded) through the client factory of the
    pronote plugin's public module (an optional requirement of the manifest)."""
    try:  # the pronote plugin may be absent: optional_requires
        from preau_plugins.pronote.api import client_factory
    except ImportError as exc:
        raise TimetableError(N_("La source Pronote n'est pas installée sur ce serveur."), 503) from exc
    factory = client_factory()
    if factory is None:
        raise TimetableError(N_("La source Pronote n'est pas configurée (aucun client pronotepy)."), 503)
    first, stop = datetime.combine(start, time()), datetime.combine(end, time())
    lessons = (lesson_from_pronotepy(item) for item in factory(student).lessons(start, end))
    return sorted((item for item in lessons if first <= item.starts_at < stop), key=lambda item: item.starts_at)


def source_of(structure_id: int | None) -> str:
    if structure_id is None:
        return ""
    name = (setting("timetable", "source", structure_id=structure_id) or "").strip()
    if name not in SOURCES:
        raise TimetableError(N_("La source d'emploi du temps « %(name)s » est inconnue : corrigez le réglage "
                             "« Source des cours » de l'établissement."), 503, name=name[:40])
    return name


def shown_lessons(session: Session, scope: Scope, start: date, end: date) -> list[Any]:
    """The lessons a view shows: a student's week from the structure's source, anything else from Préau."""
    if scope.student is not None and source_of(scope.structure_id) == PRONOTE:
        # nothing read from a Pronote turned off here (source_of gives "" without a structure)
        if scope.structure_id is None or not app_enabled(session, PRONOTE, scope.structure_id):
            raise TimetableError(N_("Pronote est désactivé pour cet établissement : son emploi du temps n'est pas "
                                 "affiché."), 503)
        return pronote_lessons(scope.student, start, end)
    return lessons_between(session, scope, start, end)
