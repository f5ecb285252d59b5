"""Where the Pronote block reads a student's grades and school-life events: an adapter per source.

``DemoAdapter`` invents stable data from the student's id (the demo and the tests); ``PronotepyAdapter`` reads a
real Pronote through pronotepy (optional extra ``pronote``, imported only when used). The ``adapter`` setting of
the student's structure chooses one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol

EventKind = Literal["absence", "retard", "punition"]


@dataclass(frozen=True)
class Grade:
    """One grade as Pronote shows it: the subject, the value and scale as text (``"12,5"`` out of ``"20"``, or
    ``"Abs"``), its date and the teacher's comment."""

    subject: str
    value: str  # "15", "12,5", "Abs"… as Pronote shows it
    out_of: str
    date: date
    comment: str = ""


@dataclass(frozen=True)
class SchoolLifeEvent:
    kind: EventKind
    date: date
    label: str
    justified: bool


class PronoteAdapter(Protocol):
    """The latest grades and school-life events of one student, newest first."""

    def latest_grades(self, student: Any, limit: int) -> list[Grade]: ...

    def school_life(self, student: Any, limit: int) -> list[SchoolLifeEvent]: ...


# -- demo --------------------------------------------------------------------------------------------------

_SUBJECTS = ("Français", "Mathématiques", "Histoire-géographie", "Sciences", "Anglais", "Arts plastiques",
             "Éducation physique")
_COMMENTS = ("Très bon travail.", "Des progrès, continue.", "Attention aux leçons.", "", "Bel effort.")
_EVENTS: tuple[tuple[EventKind, str], ...] = (
    ("absence", "Absence d'une demi-journée"), ("retard", "Retard de 10 minutes"),
    ("punition", "Travail supplémentaire"), ("absence", "Absence d'une journée"), ("retard", "Retard de 5 minutes"))


def _stream(seed: str) -> list[int]:
    """Deterministic bytes for a student: the same data on every page and every run."""
    return list(hashlib.sha256(seed.encode()).digest())


class DemoAdapter:
    """Invented but stable data: each student gets their own grades and events, derived from their id."""

    def __init__(self, today: date | None = None) -> None:
        self.today = today or date(2026, 11, 20)

    def latest_grades(self, student: Any, limit: int) -> list[Grade]:
        raw = _stream(f"grades:{student.id}")
        grades = []
        for index in range(min(limit, 8)):
            a, b = raw[2 * index], raw[2 * index + 1]
            value = 8 + a % 13  # 8 to 20
            grades.append(Grade(_SUBJECTS[(a + index) % len(_SUBJECTS)], str(value), "20",
                                self.today - timedelta(days=2 * index + b % 2), _COMMENTS[b % len(_COMMENTS)]))
        return grades

    def school_life(self, student: Any, limit: int) -> list[SchoolLifeEvent]:
        raw = _stream(f"life:{student.id}")
        count = min(limit, 1 + raw[0] % 3)
        events = []
        for index in range(count):
            kind, label = _EVENTS[(raw[1] + index) % len(_EVENTS)]
            events.append(SchoolLifeEvent(kind, self.today - timedelta(days=5 + 7 * index), label,
                                          justified=raw[2 + index] % 2 == 0))
        return events


# -- pronotepy ---------------------------------------------------------------------------------------------


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def grade_from_pronotepy(grade: Any) -> Grade:
    """A ``pronotepy.Grade`` as a :class:`Grade`."""
    return Grade(grade.subject.name, str(grade.grade), str(grade.out_of), _day(grade.date), grade.comment or "")


def absence_from_pronotepy(absence: Any) -> SchoolLifeEvent:
    reasons = ", ".join(absence.reasons)
    label = f"Absence ({absence.hours})" if absence.hours else "Absence"
    return SchoolLifeEvent("absence", _day(absence.from_date), f"{label} — {reasons}" if reasons else label,
                           bool(absence.justified))


def delay_from_pronotepy(delay: Any) -> SchoolLifeEvent:
    reasons = ", ".join(delay.reasons)
    label = f"Retard de {delay.minutes} min"
    return SchoolLifeEvent("retard", _day(delay.date), f"{label} — {reasons}" if reasons else label,
                           bool(delay.justified))


def punishment_from_pronotepy(punishment: Any) -> SchoolLifeEvent:
    reasons = ", ".join(punishment.reasons)
    label = punishment.nature or "Punition"
    return SchoolLifeEvent("punition", _day(punishment.given), f"{label} — {reasons}" if reasons else label, False)


ClientFactory = Callable[[Any], Any]
"""``factory(student)`` → a logged-in ``pronotepy`` client for that student."""


class PronotepyAdapter:
    """Reads a real Pronote through pronotepy. ``client_for(student)`` returns a logged-in pronotepy client
    whose current period (and, for a parent account, selected child) is the student's; how it logs in
    (a dedicated account, a QR-code token…) is the deployment's choice, see plugins/pronote/README.md."""

    def __init__(self, client_for: ClientFactory) -> None:
        import pronotepy  # noqa: F401 - the optional extra: fail here, clearly, when it is missing

        self.client_for = client_for

    def latest_grades(self, student: Any, limit: int) -> list[Grade]:
        grades = self.client_for(student).current_period.grades
        return sorted((grade_from_pronotepy(g) for g in grades), key=lambda g: g.date, reverse=True)[:limit]

    def school_life(self, student: Any, limit: int) -> list[SchoolLifeEvent]:
        period = self.client_for(student).current_period
        events = [*map(absence_from_pronotepy, period.absences), *map(delay_from_pronotepy, period.delays),
                  *map(punishment_from_pronotepy, period.punishments)]
        return sorted(events, key=lambda e: e.date, reverse=True)[:limit]


PRONOTEPY_CLIENTS: dict[str, ClientFactory] = {}
"""The pronotepy client factories of the deployment: it registers its own under ``"default"``."""


def adapter_named(name: str) -> PronoteAdapter | None:
    """The adapter a structure's ``adapter`` setting names (None: not connected yet); an unknown name is an
    error, never a silent fallback to invented data."""
    if not name:
        return None
    if name == "demo":
        return DemoAdapter()
    if name == "pronotepy":
        if "default" not in PRONOTEPY_CLIENTS:
            raise LookupError("pronotepy adapter: no client factory registered in PRONOTEPY_CLIENTS")
        return PronotepyAdapter(PRONOTEPY_CLIENTS["default"])
    raise LookupError(f"unknown Pronote adapter {name!r}")
