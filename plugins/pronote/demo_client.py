"""A stand-in for a logged-in pronotepy client, for ``preau demo`` and the tests: the shape the readers of Pronote
use (``periods`` with their grades, averages, evaluations, absences, delays and punishments; ``current_period``),
filled with stable data derived from the student's id, its dates following today's calendar.

Both the Pronote block (``DemoAdapter``) and the vie scolaire app (through :func:`preau_plugins.pronote.api.
client_factory`) read this one client: a demo student's grades are the same figures everywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

SUBJECTS = ("Français", "Mathématiques", "Histoire-géographie", "SVT", "Anglais LV1", "Physique-chimie",
            "Technologie", "EPS")  # a collège's subjects, as the demo's timetable and cahier de textes name them
COMMENTS = ("Très bon travail.", "Des progrès, continue.", "Attention aux leçons.", "", "Bel effort.")
GRADES = 24  # about two months of grades, one every two or three days
ABSENCE_REASONS = ("Maladie", "Rendez-vous médical", "Raison familiale")
PUNISHMENTS = (("Travail supplémentaire", "Travail non fait", "M. Bernard"),
               ("Retenue", "Bavardages répétés", "Mme Petit"))


@dataclass(frozen=True)
class Subject:
    name: str


@dataclass(frozen=True)
class DemoGrade:
    subject: Subject
    grade: str
    out_of: str
    date: date
    comment: str
    coefficient: str
    average: str


@dataclass(frozen=True)
class DemoAbsence:
    from_date: datetime
    to_date: datetime
    justified: bool
    reasons: list[str]
    hours: str


@dataclass(frozen=True)
class DemoDelay:
    date: datetime
    minutes: int
    justified: bool
    reasons: list[str]


@dataclass(frozen=True)
class DemoPunishment:
    given: date
    nature: str
    reasons: list[str]
    giver: str


@dataclass
class DemoPeriod:
    id: str
    name: str
    start: datetime
    end: datetime
    grades: list[DemoGrade] = field(default_factory=list)
    averages: list[Any] = field(default_factory=list)  # empty: the readers compute them from the grades
    evaluations: list[Any] = field(default_factory=list)
    absences: list[DemoAbsence] = field(default_factory=list)
    delays: list[DemoDelay] = field(default_factory=list)
    punishments: list[DemoPunishment] = field(default_factory=list)

    def holds(self, day: date) -> bool:
        return self.start.date() <= day <= self.end.date()


def _stream(seed: str) -> list[int]:
    """Deterministic bytes for a student: the same data on every page and every run."""
    raw = hashlib.sha256(seed.encode()).digest()
    return list(raw + hashlib.sha256(raw).digest())


class DemoClient:
    """One student's Pronote: the three terms of today's school year, grades of the last two months, a few
    absences and lateness, sometimes a punishment."""

    def __init__(self, student: Any, today: date | None = None) -> None:
        self.today = today or date.today()
        year = self.today.year if self.today.month >= 8 else self.today.year - 1
        bounds = ((date(year, 9, 1), date(year, 11, 30)), (date(year, 12, 1), date(year + 1, 2, 28)),
                  (date(year + 1, 3, 1), date(year + 1, 7, 4)))
        self.periods = [DemoPeriod(f"T{n}", f"Trimestre {n}", datetime.combine(start, time()),
                                   datetime.combine(end, time(23, 59))) for n, (start, end) in enumerate(bounds, 1)]
        self._fill(student.id)

    @property
    def current_period(self) -> DemoPeriod:
        return next((p for p in self.periods if p.holds(self.today)), self.periods[-1])

    def _period_of(self, day: date) -> DemoPeriod | None:
        return next((p for p in self.periods if p.holds(day)), None)

    def _add(self, day: date, kind: str, item: Any) -> None:
        period = self._period_of(day)
        if period is not None:
            getattr(period, kind).append(item)

    def _fill(self, student_id: int) -> None:
        raw = _stream(f"pronote:{student_id}")
        for i in range(GRADES):
            a, b = raw[i % len(raw)], raw[(i + 29) % len(raw)]
            day = self.today - timedelta(days=2 * i + i // 3 + b % 2)
            value = "Abs" if (a + b) % 19 == 0 else str(8 + a % 13)
            self._add(day, "grades", DemoGrade(Subject(SUBJECTS[(a + i) % len(SUBJECTS)]), value, "20", day,
                                               COMMENTS[b % len(COMMENTS)], "2" if i % 5 == 0 else "1",
                                               f"{10 + b % 6},{b % 10}"))
        life = _stream(f"pronote:life:{student_id}")
        for i in range(1 + life[0] % 2):
            day = self.today - timedelta(days=5 + 9 * i + life[1 + i] % 3)
            half = life[3 + i] % 2 == 0
            start = datetime.combine(day, time(8, 30))
            self._add(day, "absences", DemoAbsence(start, datetime.combine(day, time(12, 0) if half else time(16, 30)),
                                                   life[5 + i] % 3 != 0, [ABSENCE_REASONS[life[7 + i] % 3]],
                                                   "3h30" if half else "7h00"))
        if life[9] % 2 == 0:
            day = self.today - timedelta(days=3 + life[10] % 4)
            self._add(day, "delays", DemoDelay(datetime.combine(day, time(8, 40)), 5 * (1 + life[11] % 2),
                                               life[12] % 2 == 0, ["Transport"] if life[12] % 2 == 0 else []))
        if life[13] % 3 == 0:
            nature, reason, giver = PUNISHMENTS[life[14] % len(PUNISHMENTS)]
            day = self.today - timedelta(days=12)
            self._add(day, "punishments", DemoPunishment(day, nature, [reason], giver))


class DemoClientFactory:
    """The demo's client factory: the shape of ``PRONOTEPY_CLIENTS["default"]`` (called with a student), no
    pronotepy needed; ``demo`` tells the readers to skip their pronotepy import check."""

    demo = True

    def __call__(self, student: Any) -> DemoClient:
        return DemoClient(student)


demo_client_factory = DemoClientFactory()
