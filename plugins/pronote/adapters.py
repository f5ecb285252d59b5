"""Where the Pronote block reads a student's grades and school-life events: an adapter per source.

``DemoAdapter`` reads the demo's stand-in client (stable data derived from the student's id, see
:mod:`.demo_client`); ``PronotepyAdapter`` reads a
real Pronote through pronotepy (optional extra ``pronote``, imported only when used). The ``adapter`` setting of
the student's structure chooses one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from .demo_client import DemoClient

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
        events = _events(self.client_for(student).current_period)
        return sorted(events, key=lambda e: e.date, reverse=True)[:limit]


class DemoAdapter:
    """The demo's Pronote (:mod:`.demo_client`): the latest grades and events of all terms, newest first, the same
    figures the vie scolaire pages read through ``preau_plugins.pronote.api.client_factory``."""

    def __init__(self, today: date | None = None) -> None:
        self.today = today

    def _client(self, student: Any) -> DemoClient:
        return DemoClient(student, self.today)

    def latest_grades(self, student: Any, limit: int) -> list[Grade]:
        grades = [grade_from_pronotepy(g) for p in self._client(student).periods for g in p.grades]
        return sorted(grades, key=lambda g: g.date, reverse=True)[:max(limit, 0)]

    def school_life(self, student: Any, limit: int) -> list[SchoolLifeEvent]:
        events = [e for p in self._client(student).periods for e in _events(p)]
        return sorted(events, key=lambda e: e.date, reverse=True)[:max(limit, 0)]


def _events(period: Any) -> list[SchoolLifeEvent]:
    return [*map(absence_from_pronotepy, period.absences), *map(delay_from_pronotepy, period.delays),
            *map(punishment_from_pronotepy, period.punishments)]


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
