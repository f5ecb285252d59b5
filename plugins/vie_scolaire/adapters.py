"""Where a student's grades, skills and school-life events come from: one adapter per source.

``DemoAdapter`` invents stable data from the student's id (the demo, the tests); ``CsvAdapter`` reads the rows a
school imported into the plugin's tables; ``PronoteAdapter`` reads a real Pronote through pronotepy (optional,
imported only when used, logged in by the client factory of the pronote plugin's public module
``preau_plugins.pronote.api``, an optional requirement). The ``adapter``
setting of the student's structure chooses one; an unknown name is an error, never invented data.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import Integer, func, select

from preau import N_, PreauError

from .models import ImportedEvent, ImportedGrade, ImportedSkill

PRONOTE = "pronote"  # the adapter, and the plugin it reads through (optional_requires)
# The levels of the "socle commun" (LSU): a source sends them in French, the page translates them.
SKILL_LEVELS = (N_("Très bonne maîtrise"), N_("Maîtrise satisfaisante"), N_("Maîtrise fragile"),
                N_("Maîtrise insuffisante"))


class AdapterError(PreauError, LookupError):
    """The structure's ``adapter`` setting names no known source, or the source is not set up."""


class InPronote(AdapterError):
    """The student's school uses Pronote (the app is on there): Pronote is the one source of its grades and school
    life, and this deployment reads none of it (no pronotepy client): the pages send the reader to Pronote."""


@dataclass(frozen=True)
class Period:
    id: str
    name: str
    start: date
    end: date
    archived: bool = False


@dataclass(frozen=True)
class Grade:
    subject: str
    value: str  # "15", "12,5", "Abs", "Disp"… as the source gives it
    out_of: float
    coefficient: float
    date: date
    comment: str = ""
    class_average: float | None = None


@dataclass(frozen=True)
class SubjectAverage:
    subject: str
    student: float | None  # on /20; None when no grade counts
    class_average: float | None = None


@dataclass(frozen=True)
class Skill:
    domain: str
    label: str
    level: str  # one of SKILL_LEVELS
    date: date
    subject: str


@dataclass(frozen=True)
class Absence:
    start: datetime
    end: datetime
    justified: bool
    reason: str = ""


@dataclass(frozen=True)
class Lateness:
    date: datetime
    minutes: int
    justified: bool
    reason: str = ""


@dataclass(frozen=True)
class Punishment:
    date: date
    nature: str
    reason: str = ""
    given_by: str = ""


@dataclass
class SchoolLife:
    absences: list[Absence] = field(default_factory=list)
    lateness: list[Lateness] = field(default_factory=list)
    punishments: list[Punishment] = field(default_factory=list)


class VieScolaireAdapter(Protocol):
    """One student's school life. Lists come newest first; ``period_id`` is one of ``periods()``'s ids."""

    def periods(self, student: Any) -> list[Period]: ...

    def grades(self, student: Any, period_id: str) -> list[Grade]: ...

    def averages(self, student: Any, period_id: str) -> list[SubjectAverage]: ...

    def latest_grades(self, student: Any, limit: int) -> list[Grade]: ...

    def skills(self, student: Any) -> list[Skill]: ...

    def school_life(self, student: Any, include_archived: bool = False) -> SchoolLife:
        """Absences, lateness, punishments; past years' archived ones too when asked (the pages)."""
        ...


# -- averages ---------------------------------------------------------------------------------------------


def grade_number(value: str) -> float | None:
    """The numeric value of a grade, or None for 'Abs', 'Disp', 'NN'… (they do not count)."""
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        return None
    return number if number == number and number >= 0 else None  # NaN and negatives never count


def _weighted(pairs: Iterable[tuple[float, float]]) -> float | None:
    pairs = [(v, c) for v, c in pairs if c > 0]
    total = sum(c for _, c in pairs)
    return round(sum(v * c for v, c in pairs) / total, 2) if total else None


def compute_averages(grades: Iterable[Grade]) -> list[SubjectAverage]:
    """Per subject, the student's average on /20 weighted by coefficient, and the class average from the
    grades' own class averages when the source gives them; non-numeric grades are left out."""
    by_subject: dict[str, list[Grade]] = defaultdict(list)
    for grade in grades:
        by_subject[grade.subject].append(grade)
    averages = []
    for subject in sorted(by_subject):
        counted = [(g, n) for g in by_subject[subject] if (n := grade_number(g.value)) is not None and g.out_of > 0]
        student = _weighted((n * 20 / g.out_of, g.coefficient) for g, n in counted)
        known = [(g.class_average * 20 / g.out_of, g.coefficient) for g, _ in counted
                 if g.class_average is not None]
        averages.append(SubjectAverage(subject, student, _weighted(known)))
    return averages


def overall_average(averages: Iterable[SubjectAverage]) -> float | None:
    values = [a.student for a in averages if a.student is not None]
    return round(sum(values) / len(values), 2) if values else None


# -- demo -------------------------------------------------------------------------------------------------

DEMO_SUBJECTS = ("Français", "Mathématiques", "Histoire-géographie", "Sciences", "Anglais", "Arts plastiques",
                 "Éducation physique")
_COMMENTS = ("Très bon travail.", "Des progrès, continue.", "Attention aux leçons.", "", "Bel effort.")
_SKILLS = (("Comprendre, s'exprimer en utilisant la langue française", "Lire et comprendre un texte", "Français"),
           ("Comprendre, s'exprimer en utilisant les langages mathématiques", "Résoudre un problème",
            "Mathématiques"),
           ("Les méthodes et outils pour apprendre", "Organiser son travail personnel", "Histoire-géographie"),
           ("Les systèmes naturels et les systèmes techniques", "Mener une démarche scientifique", "Sciences"),
           ("Comprendre, s'exprimer en utilisant une langue étrangère", "Comprendre un message oral", "Anglais"),
           ("La formation de la personne et du citoyen", "Respecter les règles de vie collective",
            "Éducation physique"))
_ABSENCE_REASONS = ("Maladie", "Rendez-vous médical", "Raison familiale", "")
_PUNISHMENTS = (("Travail supplémentaire", "Travail non fait", "M. Martin"),
                ("Retenue", "Bavardages répétés", "Mme Durand"))

def _stream(seed: str) -> list[int]:
    """Deterministic bytes for a student: the same data on every page and every run."""
    raw = hashlib.sha256(seed.encode()).digest()
    return list(raw + hashlib.sha256(raw).digest())


class DemoAdapter:
    """Invented but stable data derived from the student's id: the first term full of grades in seven
    subjects (some of them 'Abs'), the second just begun, a few skills, absences, lateness and a punishment."""

    def __init__(self, today: date | None = None) -> None:
        self.today = today or date.today()  # a demo is shown today: its dates follow the calendar
        self.year = self.today.year if self.today.month >= 8 else self.today.year - 1  # the school year's start

    def periods(self, student: Any) -> list[Period]:
        y = self.year
        return [Period("T1", "Trimestre 1", date(y, 9, 1), date(y, 11, 30)),
                Period("T2", "Trimestre 2", date(y, 12, 1), date(y + 1, 2, 28)),
                Period("T3", "Trimestre 3", date(y + 1, 3, 1), date(y + 1, 7, 4))]

    def _all_grades(self, student: Any) -> list[Grade]:
        raw = _stream(f"vie_scolaire:grades:{student.id}")
        grades = []
        for index, subject in enumerate(DEMO_SUBJECTS):
            for round_ in range(3):
                a, b = raw[(index * 3 + round_) % len(raw)], raw[(index * 3 + round_ + 21) % len(raw)]
                value = "Abs" if (a + b) % 17 == 0 else str(7 + a % 14)
                out_of = 10.0 if round_ == 2 and index % 3 == 0 else 20.0
                if out_of == 10.0 and value != "Abs":
                    value = str(int(value) // 2)
                day = date(self.year, 9, 15) + timedelta(days=round_ * 22 + index * 2 + b % 3)
                grades.append(Grade(subject, value, out_of, 2.0 if round_ == 1 else 1.0, day,
                                    _COMMENTS[b % len(_COMMENTS)], round(out_of * (0.55 + (b % 20) / 100), 1)))
        return sorted(grades, key=lambda g: g.date, reverse=True)

    def grades(self, student: Any, period_id: str) -> list[Grade]:
        period = next((p for p in self.periods(student) if p.id == period_id), None)
        if period is None:
            return []
        return [g for g in self._all_grades(student) if period.start <= g.date <= period.end]

    def averages(self, student: Any, period_id: str) -> list[SubjectAverage]:
        return compute_averages(self.grades(student, period_id))

    def latest_grades(self, student: Any, limit: int) -> list[Grade]:
        return self._all_grades(student)[:limit]

    def skills(self, student: Any) -> list[Skill]:
        raw = _stream(f"vie_scolaire:skills:{student.id}")
        return [Skill(domain, label, SKILL_LEVELS[raw[i] % 4 if raw[i] % 5 else 0], self.today - timedelta(
            days=4 + 9 * i), subject) for i, (domain, label, subject) in enumerate(_SKILLS)]

    def school_life(self, student: Any, include_archived: bool = False) -> SchoolLife:
        raw = _stream(f"vie_scolaire:life:{student.id}")
        life = SchoolLife()
        for i in range(1 + raw[0] % 3):
            day = self.today - timedelta(days=6 + 11 * i + raw[1 + i] % 4)
            half = raw[4 + i] % 2 == 0
            life.absences.append(Absence(datetime.combine(day, time(8, 30)),
                                         datetime.combine(day, time(12, 0) if half else time(16, 30)),
                                         justified=raw[7 + i] % 3 != 0,
                                         reason=_ABSENCE_REASONS[raw[10 + i] % len(_ABSENCE_REASONS)]))
        for i in range(raw[13] % 3 + 1):
            day = self.today - timedelta(days=2 + 13 * i + raw[14 + i] % 3)
            life.lateness.append(Lateness(datetime.combine(day, time(8, 35)), 5 * (1 + raw[17 + i] % 3),
                                          justified=raw[20 + i] % 2 == 0,
                                          reason="Transport" if raw[20 + i] % 2 == 0 else ""))
        if raw[23] % 2 == 0:
            nature, reason, giver = _PUNISHMENTS[raw[24] % len(_PUNISHMENTS)]
            life.punishments.append(Punishment(self.today - timedelta(days=9), nature, reason, giver))
        return life


# -- csv (the plugin's tables) ----------------------------------------------------------------------------


def period_id(school_year: str, period: str) -> str:
    return f"{school_year}|{period}"


class CsvAdapter:
    """The rows imported by the school. Every method is one query; archived years stay listed."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def periods(self, student: Any) -> list[Period]:
        rows = self.session.execute(
            select(ImportedGrade.school_year, ImportedGrade.period, func.min(ImportedGrade.day),
                   func.max(ImportedGrade.day), func.max(ImportedGrade.archived.cast(Integer)))
            .where(ImportedGrade.student_id == student.id)
            .group_by(ImportedGrade.school_year, ImportedGrade.period)).all()
        periods = [Period(period_id(year, name), name if not archived else f"{name} ({year})", first, last,
                          bool(archived)) for year, name, first, last, archived in rows]
        return sorted(periods, key=lambda p: (p.archived, p.start))

    def _grade_rows(self, student: Any, period: str | None = None, limit: int | None = None) -> list[Grade]:
        query = select(ImportedGrade).where(ImportedGrade.student_id == student.id)
        if period is not None:
            year, _, name = period.partition("|")
            query = query.where(ImportedGrade.school_year == year, ImportedGrade.period == name)
        else:
            query = query.where(ImportedGrade.archived.is_(False))
        query = query.order_by(ImportedGrade.day.desc(), ImportedGrade.id.desc()).limit(limit)
        return [Grade(r.subject, r.value, r.out_of, r.coefficient, r.day, r.comment, r.class_average)
                for r in self.session.scalars(query)]

    def grades(self, student: Any, period_id: str) -> list[Grade]:
        return self._grade_rows(student, period_id)

    def averages(self, student: Any, period_id: str) -> list[SubjectAverage]:
        return compute_averages(self.grades(student, period_id))

    def latest_grades(self, student: Any, limit: int) -> list[Grade]:
        return self._grade_rows(student, limit=limit)

    def skills(self, student: Any) -> list[Skill]:
        query = (select(ImportedSkill).where(ImportedSkill.student_id == student.id, ImportedSkill.archived.is_(False))
                 .order_by(ImportedSkill.day.desc(), ImportedSkill.id.desc()))
        return [Skill(r.domain, r.label, r.level, r.day, r.subject) for r in self.session.scalars(query)]

    def school_life(self, student: Any, include_archived: bool = False) -> SchoolLife:
        query = select(ImportedEvent).where(ImportedEvent.student_id == student.id)
        if not include_archived:
            query = query.where(ImportedEvent.archived.is_(False))
        life = SchoolLife()
        for row in self.session.scalars(query.order_by(ImportedEvent.start.desc(), ImportedEvent.id.desc())):
            if row.kind == "absence":
                life.absences.append(Absence(row.start, row.end or row.start, row.justified, row.reason))
            elif row.kind == "retard":
                life.lateness.append(Lateness(row.start, row.minutes or 0, row.justified, row.reason))
            else:
                life.punishments.append(Punishment(row.start.date(), row.nature, row.reason, row.given_by))
        return life


# -- pronote (pronotepy) ----------------------------------------------------------------------------------


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time())


def _number(value: Any) -> float | None:
    return grade_number(str(value)) if value not in (None, "") else None


def grade_from_pronotepy(grade: Any) -> Grade:
    """A ``pronotepy.Grade``: the pronote plugin's converter for the common fields, plus coefficient and class
    average."""
    from preau_plugins.pronote.api import grade_from_pronotepy as pronote_grade  # optional requirement

    base = pronote_grade(grade)
    return Grade(base.subject, base.value, _number(base.out_of) or 20.0, _number(grade.coefficient) or 1.0,
                 base.date, base.comment, _number(grade.average))


def average_from_pronotepy(average: Any) -> SubjectAverage:
    out_of = _number(average.out_of) or 20.0
    student, group = _number(average.student), _number(average.class_average)
    return SubjectAverage(average.subject.name, None if student is None else round(student * 20 / out_of, 2),
                          None if group is None else round(group * 20 / out_of, 2))


def skills_from_pronotepy(evaluation: Any) -> list[Skill]:
    return [Skill(a.domain or evaluation.domain or "", a.name or evaluation.name, a.level, _day(evaluation.date),
                  evaluation.subject.name) for a in evaluation.acquisitions]


def absence_from_pronotepy(absence: Any) -> Absence:
    return Absence(_moment(absence.from_date), _moment(absence.to_date), bool(absence.justified),
                   ", ".join(absence.reasons))


def lateness_from_pronotepy(delay: Any) -> Lateness:
    return Lateness(_moment(delay.date), int(delay.minutes or 0), bool(delay.justified), ", ".join(delay.reasons))


def punishment_from_pronotepy(punishment: Any) -> Punishment:
    return Punishment(_day(punishment.given), punishment.nature or "Punition", ", ".join(punishment.reasons),
                      punishment.giver or "")


class PronoteAdapter:
    """Reads a real Pronote through pronotepy. ``client_for(student)`` returns a logged-in pronotepy client for
    the student (the pronote plugin's ``PRONOTEPY_CLIENTS["default"]``)."""

    def __init__(self, client_for: Any) -> None:
        if not getattr(client_for, "demo", False):  # the demo's stand-in client needs no pronotepy
            import pronotepy  # noqa: F401 - the optional extra: fail here, clearly, when it is missing

        self.client_for = client_for

    def _periods(self, student: Any) -> list[Any]:
        return list(self.client_for(student).periods)

    def _period(self, student: Any, period_id: str) -> Any:
        return next((p for p in self._periods(student) if p.id == period_id), None)

    def periods(self, student: Any) -> list[Period]:
        return [Period(p.id, p.name, _day(p.start), _day(p.end)) for p in self._periods(student)]

    def grades(self, student: Any, period_id: str) -> list[Grade]:
        period = self._period(student, period_id)
        grades = [grade_from_pronotepy(g) for g in period.grades] if period is not None else []
        return sorted(grades, key=lambda g: g.date, reverse=True)

    def averages(self, student: Any, period_id: str) -> list[SubjectAverage]:
        period = self._period(student, period_id)
        if period is None:
            return []
        try:
            given = [average_from_pronotepy(a) for a in period.averages]
        except Exception:  # noqa: BLE001 - pronotepy refuses when the school hides averages: compute them
            given = []
        return given or compute_averages(grades_of(period))

    def latest_grades(self, student: Any, limit: int) -> list[Grade]:
        period = self.client_for(student).current_period
        return sorted(grades_of(period), key=lambda g: g.date, reverse=True)[:limit]

    def skills(self, student: Any) -> list[Skill]:
        period = self.client_for(student).current_period
        skills = [s for evaluation in period.evaluations for s in skills_from_pronotepy(evaluation)]
        return sorted(skills, key=lambda s: s.date, reverse=True)

    def school_life(self, student: Any, include_archived: bool = False) -> SchoolLife:
        period = self.client_for(student).current_period
        return SchoolLife(
            sorted(map(absence_from_pronotepy, period.absences), key=lambda a: a.start, reverse=True),
            sorted(map(lateness_from_pronotepy, period.delays), key=lambda a: a.date, reverse=True),
            sorted(map(punishment_from_pronotepy, period.punishments), key=lambda a: a.date, reverse=True))


def grades_of(period: Any) -> list[Grade]:
    return [grade_from_pronotepy(g) for g in period.grades]


def adapter_named(name: str, session: Any = None, structure_id: int | None = None) -> VieScolaireAdapter:
    """The adapter a structure's ``adapter`` setting names; anything else is an :class:`AdapterError`.
    ``structure_id`` (the student's school) lets Pronote's public module give the demo's client there."""
    if name == "demo":
        return DemoAdapter()
    if name == "csv":
        return CsvAdapter(session)
    if name == PRONOTE:
        try:  # an optional requirement (the manifest's optional_requires): the plugin may be absent
            from preau_plugins.pronote.api import client_factory
        except ImportError as exc:
            raise AdapterError("pronote: the pronote plugin is not installed") from exc
        factory = client_factory(structure_id)
        if factory is None:
            raise AdapterError("pronote: no pronotepy client factory registered in PRONOTEPY_CLIENTS")
        return PronoteAdapter(factory)
    raise AdapterError(f"unknown vie_scolaire adapter {name!r}")
