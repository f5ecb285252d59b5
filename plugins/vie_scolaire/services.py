"""The rules of the app: which adapter feeds a student, who may import for which structure, the CSV import
(read, check, apply), and the lifecycle of the imported rows (year transition, merge, deletion, export)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

import preau
from preau import (
    Structure,
    User,
    administered_structures,
    app_enabled,
    children_of,
    people_of,
    record_audit,
    setting,
)

from .adapters import PRONOTE, SKILL_LEVELS, AdapterError, InPronote, Period, VieScolaireAdapter, adapter_named
from .models import PERIOD_MAX, SUBJECT_MAX, TEXT_MAX, ImportedEvent, ImportedGrade, ImportedSkill

APP_ID = "vie_scolaire"
ACCESS, IMPORT = f"{APP_ID}.access", f"{APP_ID}.import"
MAX_IMPORT_BYTES = 2 * 1024 * 1024  # a school's term of grades is a few hundred kilobytes
MAX_IMPORT_LINES = 50_000
SCHOOL_KINDS = ("ecole", "college", "lycee", "autre")
KINDS = ("notes", "vie_scolaire", "competences")
SPECIAL_GRADES = {"abs": "Abs", "absent": "Abs", "disp": "Disp", "dispense": "Disp", "nn": "NN",
                  "non note": "NN"}
YES, NO = ("oui", "o", "yes", "vrai", "1", "x"), ("non", "n", "no", "faux", "0", "")
EVENT_TYPES = {"absence": "absence", "retard": "retard", "punition": "punition", "sanction": "punition"}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# -- the adapter of a student ------------------------------------------------------------------------------


def student_structure_id(student: User) -> int | None:
    role = next((r for r in student.roles if r.profile == "student"), None)
    return role.structure_id if role else None


NOTES, COMPETENCES = "notes", "competences"  # the ``notation`` setting: grades on /20, or competences only


def _memo(memo: dict | None, key: tuple, compute: Any) -> Any:
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def uses_pronote(session: Session, student: User, memo: dict | None = None) -> bool:
    """Whether the student's school has Pronote on: then Pronote is the one source of their grades and school
    life, and this app never shows its own next to it."""
    structure_id = student_structure_id(student)
    return structure_id is not None and _memo(memo, ("vie_scolaire.pronote", structure_id),
                                              lambda: app_enabled(session, PRONOTE, structure_id))


def notation_of(session: Session, student: User, memo: dict | None = None) -> str:
    """``notes`` (grades on /20 with averages) or ``competences`` (levels of mastery only, an école): the
    ``notation`` setting of the student's school; a school on Pronote follows Pronote (``notes``)."""
    structure_id = student_structure_id(student)
    value = _memo(memo, ("vie_scolaire.notation", structure_id),
                  lambda: setting(APP_ID, "notation", structure_id=structure_id, session=session))
    return COMPETENCES if value == COMPETENCES and not uses_pronote(session, student, memo) else NOTES


def adapter_for(session: Session, student: User, memo: dict | None = None) -> VieScolaireAdapter:
    """Where the student's data comes from: Pronote where the school has it on (one source: the ``adapter``
    setting is not read there; :class:`InPronote` when this deployment cannot read Pronote), else the adapter the
    ``adapter`` setting of the student's structure names. ``memo`` (a per-request dict) spares the queries when
    two widgets of one page ask for the same structure."""
    if uses_pronote(session, student, memo):
        try:
            return adapter_named(PRONOTE, session, student_structure_id(student))
        except AdapterError as error:
            raise InPronote(str(error)) from error
    structure_id = student_structure_id(student)
    name = _memo(memo, ("vie_scolaire.adapter", structure_id),
                 lambda: setting(APP_ID, "adapter", structure_id=structure_id, session=session))
    if name == PRONOTE:
        # Pronote is an optional requirement: where it is off, nothing read from it is shown.
        raise AdapterError("pronote: the Pronote app is off for the student's structure")
    return adapter_named(name, session)


def sees_own_source_student(session: Session, user: User, roles: list[Any]) -> bool:
    """Whether ``user`` (acting with ``roles``) sees a student whose school does not use Pronote: themself, or
    one of their children. The widgets are for them; where every child's school uses Pronote, the Pronote
    block is the one block of grades."""
    students = [user] if any(r.profile == "student" for r in roles) else []
    if any(r.profile == "relative" for r in roles):
        students += children_of(session, user)
    memo: dict = {}
    return any(not uses_pronote(session, s, memo) for s in students)


def latest_period_with_grades(adapter: VieScolaireAdapter, student: User, periods: list[Period],
                              today: date | None = None) -> Period | None:
    """The period "Toutes les notes" opens: the current one when it has grades, else the latest started one that
    has some (a term just begun is empty while the widget shows last term's grades), else the current one."""
    today = today or date.today()
    current = current_period(periods, today)
    if current is None or adapter.grades(student, current.id):
        return current
    started = sorted((p for p in periods if not p.archived and p.start <= today), key=lambda p: p.start,
                     reverse=True)
    return next((p for p in started if p is not current and adapter.grades(student, p.id)), current)


def allowed_student(session: Session, user: User, raw_id: str) -> User | None:
    """The student ``raw_id`` names if ``user`` may see them (themself as a student, or one of their
    children); ``None`` for anything else — a forged id never reaches a stranger."""
    if not (raw_id.isascii() and raw_id.isdigit()):
        return None
    wanted = int(raw_id)
    if wanted == user.id and any(r.profile == "student" for r in user.roles):
        return user
    return next((c for c in children_of(session, user) if c.id == wanted), None)


def current_period(periods: list[Period], today: date | None = None) -> Period | None:
    """The period containing today, else the latest that started, else the first."""
    today = today or date.today()
    current = [p for p in periods if not p.archived]
    for period in current:
        if period.start <= today <= period.end:
            return period
    started = [p for p in current if p.start <= today]
    return started[-1] if started else (current[0] if current else (periods[-1] if periods else None))


# -- who may import where ----------------------------------------------------------------------------------


def importable_structures(session: Session, user: User, has_import_right: bool) -> list[Structure]:
    """Schools where ``user`` is staff holding the import right, and the schools they administer (ADML)."""
    found = {s.id: s for s in administered_structures(session, user) if s.kind in SCHOOL_KINDS}
    if has_import_right:
        for role in user.roles:
            if role.profile == "personnel" and role.structure.kind in SCHOOL_KINDS:
                found.setdefault(role.structure_id, role.structure)
    return sorted(found.values(), key=lambda s: s.name)


# -- CSV reading -------------------------------------------------------------------------------------------


class CsvImportError(preau.PreauError, ValueError):
    """A file that cannot be read at all (encoding, no header, missing columns): nothing is imported."""


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Ligne %(line)d, colonne « %(column)s » : %(message)s", line=self.line, column=self.column,
                 message=self.message)


@dataclass
class Preview:
    kind: str
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    periods: Counter = field(default_factory=Counter)  # (school_year, period) -> rows in the file
    replaced: int = 0
    students: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def normalise(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


ALIASES = {
    "identifiant": ("identifiant eleve", "identifiant", "id eleve", "login"),
    "nom": ("nom", "nom eleve"), "prenom": ("prenom", "prenom eleve"),
    "naissance": ("date de naissance", "naissance", "ne le", "ne e le"),
    "periode": ("periode",), "matiere": ("matiere",), "note": ("note",), "sur": ("sur", "bareme"),
    "coefficient": ("coefficient", "coef"), "date": ("date",), "appreciation": ("appreciation", "commentaire"),
    "moyenne_classe": ("moyenne classe", "moyenne de la classe"),
    "type": ("type",), "debut": ("debut", "date debut", "du"), "fin": ("fin", "date fin", "au"),
    "minutes": ("minutes", "duree"), "justifie": ("justifie", "justifiee"), "motif": ("motif",),
    "nature": ("nature",), "donne_par": ("donne par", "donnee par", "demandeur"),
    "domaine": ("domaine", "domaine du socle"), "competence": ("competence", "item", "element du programme"),
    "niveau": ("niveau", "niveau de maitrise", "positionnement", "evaluation"),
}
REQUIRED = {"notes": ("periode", "matiere", "note", "date"), "vie_scolaire": ("periode", "type"),
            "competences": ("periode", "matiere", "competence", "niveau", "date")}
# The four levels of the LSU, and the school's "atteint" scale some écoles use, to the LSU's wording.
_VERY_GOOD, _GOOD, _FRAGILE, _INSUFFICIENT = SKILL_LEVELS
LEVELS = {"tres bonne maitrise": _VERY_GOOD, "4": _VERY_GOOD, "depasse": _VERY_GOOD,
          "maitrise satisfaisante": _GOOD, "3": _GOOD, "atteint": _GOOD,
          "maitrise fragile": _FRAGILE, "2": _FRAGILE, "partiellement atteint": _FRAGILE,
          "maitrise insuffisante": _INSUFFICIENT, "1": _INSUFFICIENT, "non atteint": _INSUFFICIENT}
COLUMN_LABELS = {"identifiant": "identifiant élève", "naissance": "date de naissance", "periode": "période",
                 "matiere": "matière", "appreciation": "appréciation", "moyenne_classe": "moyenne classe",
                 "debut": "début", "justifie": "justifié", "donne_par": "donné par", "prenom": "prénom",
                 "competence": "compétence"}


def label(column: str) -> str:
    return COLUMN_LABELS.get(column, column)


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Latin-1; a binary file is refused."""
    if b"\x00" in raw:
        raise CsvImportError(_("Le fichier n'est pas un fichier CSV (contenu binaire)."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def read_table(raw: bytes) -> tuple[dict[str, int], list[list[str]]]:
    """The header (canonical column -> index) and the data lines of a ``;`` or ``,`` separated file."""
    text = decode(raw)
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise CsvImportError(_("Le fichier est vide ou sa première ligne (les intitulés de colonnes) est vide."))
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        lines = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as error:
        raise CsvImportError(_("Le fichier CSV est mal formé : %(error)s.", error=error)) from error
    if len(lines) - 1 > MAX_IMPORT_LINES:
        raise CsvImportError(_("Le fichier dépasse %(num)d lignes : découpez-le.", num=MAX_IMPORT_LINES))
    header: dict[str, int] = {}
    known = {alias: canonical for canonical, aliases in ALIASES.items() for alias in aliases}
    for index, title in enumerate(lines[0]):
        canonical = known.get(normalise(title))
        if canonical and canonical not in header:
            header[canonical] = index
    return header, lines[1:]


def check_columns(header: dict[str, int], kind: str) -> None:
    missing = [label(c) for c in REQUIRED[kind] if c not in header]
    if kind == "vie_scolaire" and "debut" not in header and "date" not in header:
        missing.append("début")
    if "identifiant" not in header and not {"nom", "prenom", "naissance"} <= header.keys():
        missing.append("identifiant élève (ou nom, prénom et date de naissance)")
    if missing:
        raise CsvImportError(_("Colonnes manquantes : %(columns)s. Voir la documentation du format.",
                               columns=", ".join(missing)))


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y")


def parse_moment(text: str) -> datetime:
    text = text.strip()
    for fmt in DATE_FORMATS:
        for suffix in (" %H:%M", " %Hh%M", "T%H:%M", ""):
            try:
                return datetime.strptime(text, fmt + suffix)
            except ValueError:
                continue
    raise ValueError(text)


def parse_number(text: str) -> float:
    value = float(text.strip().replace(",", "."))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def school_year_of(day: date) -> str:
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


class _Line:
    """One data line: cells by canonical column, and the problems found in it."""

    def __init__(self, number: int, cells: list[str], header: dict[str, int], problems: list[Problem]):
        self.line_no, self.cells, self.header, self.problems = number, cells, header, problems

    def get(self, column: str) -> str:
        index = self.header.get(column)
        return self.cells[index].strip() if index is not None and index < len(self.cells) else ""

    def fail(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.line_no, label(column), message))

    def text(self, column: str, limit: int, required: bool = False) -> str:
        value = self.get(column)
        if required and not value:
            self.fail(column, _("valeur obligatoire manquante"))
        elif len(value) > limit:
            self.fail(column, _("texte trop long (%(length)d caractères, au plus %(limit)d)", length=len(value),
                                limit=limit))
        return value[:limit]

    def moment(self, column: str, required: bool = True) -> datetime | None:
        value = self.get(column)
        if not value:
            if required:
                self.fail(column, _("date manquante"))
            return None
        try:
            return parse_moment(value)
        except ValueError:
            self.fail(column, _("date invalide « %(value)s » (attendu JJ/MM/AAAA)", value=value))
            return None

    def number(self, column: str, default: float, low: float, high: float) -> float:
        value = self.get(column)
        if not value:
            return default
        try:
            number = parse_number(value)
        except ValueError:
            self.fail(column, _("nombre invalide « %(value)s »", value=value))
            return default
        if not low <= number <= high:
            self.fail(column, _("valeur hors limites « %(value)s » (entre %(low)s et %(high)s)", value=value,
                                low=f"{low:g}", high=f"{high:g}"))
        return number

    def flag(self, column: str) -> bool:
        value = normalise(self.get(column))
        if value in YES:
            return True
        if value not in NO:
            self.fail(column, _("valeur invalide « %(value)s » (oui ou non)", value=self.get(column)))
        return False


class _Students:
    """The students of a structure, found by login / external id or by names and birth date (one query)."""

    def __init__(self, session: Session, structure: Structure):
        users = people_of(session, structure, ["student"])
        self.by_id: dict[str, User] = {}
        self.by_names: dict[tuple[str, str, date | None], User] = {}
        for user in users:
            self.by_id[user.login.lower()] = user
            if user.external_id:
                self.by_id.setdefault(user.external_id.lower(), user)
            self.by_names[(normalise(user.last_name), normalise(user.first_name), user.birth_date)] = user

    def find(self, line: _Line, structure: Structure) -> User | None:
        ident = line.get("identifiant")
        if ident:
            user = self.by_id.get(ident.lower())
            if user is None:
                line.fail("identifiant", _("aucun élève de %(school)s n'a l'identifiant « %(ident)s »",
                                                 school=structure.name, ident=ident))
            return user
        birth = line.moment("naissance")
        key = (normalise(line.get("nom")), normalise(line.get("prenom")), birth.date() if birth else None)
        user = self.by_names.get(key)
        if user is None and birth is not None:
            line.fail("nom", _("aucun élève de %(school)s ne s'appelle « %(first)s %(last)s » né(e) le %(birth)s",
                               school=structure.name, first=line.get("prenom"), last=line.get("nom"),
                               birth=f"{birth:%d/%m/%Y}"))
        return user


def _grade_row(line: _Line) -> dict:
    out_of = line.number("sur", 20.0, 1, 1000)
    raw = line.get("note")
    special = SPECIAL_GRADES.get(normalise(raw))
    value = special
    if special is None:
        if not raw:
            line.fail("note", _("note manquante"))
        else:
            try:
                number = parse_number(raw)
                if not 0 <= number <= out_of:
                    line.fail("note", _("note hors barème « %(raw)s » (entre 0 et %(max)s)", raw=raw,
                                        max=f"{out_of:g}"))
                value = raw.replace(".", ",")
            except ValueError:
                line.fail("note", _("note invalide « %(raw)s » (un nombre, Abs, Disp ou NN)", raw=raw))
    day = line.moment("date")
    average = line.get("moyenne_classe")
    return {"subject": line.text("matiere", SUBJECT_MAX, required=True), "value": (value or "")[:16],
            "out_of": out_of, "coefficient": line.number("coefficient", 1.0, 0, 100),
            "day": day.date() if day else None, "comment": line.text("appreciation", TEXT_MAX),
            "class_average": line.number("moyenne_classe", 0.0, 0, out_of) if average else None}


def _event_row(line: _Line) -> dict:
    raw_type = line.get("type")
    kind = EVENT_TYPES.get(normalise(raw_type))
    if kind is None:
        line.fail("type", _("type inconnu « %(raw)s » (absence, retard ou punition)", raw=raw_type))
    start_column = "debut" if "debut" in line.header else "date"
    start = line.moment(start_column)
    end = line.moment("fin", required=False) if kind == "absence" else None
    if start and end and end < start:
        line.fail("fin", _("la fin précède le début"))
    minutes = line.number("minutes", 0, 0, 600) if kind == "retard" else None
    return {"kind": kind or "", "start": start, "end": end, "minutes": int(minutes) if minutes is not None else None,
            "justified": line.flag("justifie") if kind != "punition" else False,
            "reason": line.text("motif", TEXT_MAX), "nature": line.text("nature", SUBJECT_MAX),
            "given_by": line.text("donne_par", SUBJECT_MAX)}


def _skill_row(line: _Line) -> dict:
    raw = line.get("niveau")
    level = LEVELS.get(normalise(raw))
    if level is None:
        line.fail("niveau", _("niveau inconnu « %(raw)s » (Maîtrise insuffisante, fragile, satisfaisante, Très bonne "
                              "maîtrise, ou de 1 à 4, ou Non atteint, Partiellement atteint, Atteint, Dépassé)",
                              raw=raw))
    day = line.moment("date")
    return {"subject": line.text("matiere", SUBJECT_MAX, required=True), "domain": line.text("domaine", TEXT_MAX),
            "label": line.text("competence", TEXT_MAX, required=True), "level": level or "",
            "day": day.date() if day else None}


ROW_READERS = {"notes": _grade_row, "vie_scolaire": _event_row, "competences": _skill_row}


def read_import(session: Session, structure: Structure, kind: str, raw: bytes) -> Preview:
    """Read and check a whole file without writing: the rows to insert, or the problems naming line and
    column. Raises :class:`CsvImportError` for a file that cannot be read at all."""
    if kind not in KINDS:
        raise CsvImportError(_("Type de fichier inconnu : choisissez « notes », « vie scolaire » ou « compétences »."))
    if len(raw) > MAX_IMPORT_BYTES:
        raise CsvImportError(_("Le fichier est trop volumineux."))
    header, lines = read_table(raw)
    check_columns(header, kind)
    preview, students = Preview(kind), _Students(session, structure)
    seen: set[int] = set()
    for number, cells in enumerate(lines, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        line = _Line(number, cells, header, preview.problems)
        student = students.find(line, structure)
        period = line.text("periode", PERIOD_MAX, required=True)
        row = ROW_READERS[kind](line)
        moment = row.get("day") or row.get("start")
        if student is None or moment is None or not period:
            continue
        seen.add(student.id)
        day = moment.date() if isinstance(moment, datetime) else moment
        year = school_year_of(day)
        preview.periods[(year, period)] += 1
        preview.rows.append({**row, "student_id": student.id, "period": period, "school_year": year})
    if not preview.rows and not preview.problems:
        raise CsvImportError(_("Le fichier ne contient aucune ligne de données."))
    preview.students = len(seen)
    preview.replaced = _existing_rows(session, structure, kind, preview.periods)
    return preview


def _table(kind: str) -> Any:
    return {"notes": ImportedGrade, "competences": ImportedSkill}.get(kind, ImportedEvent)


def _period_filter(model: Any, structure: Structure, periods: Any) -> list:
    pairs = [and_(model.school_year == year, model.period == name) for year, name in periods]
    return [model.structure_id == structure.id, model.archived.is_(False), or_(*pairs)]


def _existing_rows(session: Session, structure: Structure, kind: str, periods: Any) -> int:
    if not periods:
        return 0
    model = _table(kind)
    return session.execute(select(func.count()).select_from(model)
                           .where(*_period_filter(model, structure, periods))).scalar_one()


def apply_import(session: Session, structure: Structure, actor: User, preview: Preview) -> int:
    """Replace the current rows of the file's periods by the file's rows (the caller commits once)."""
    if not preview.ok:
        raise CsvImportError(_("Le fichier contient des erreurs : rien n'a été importé."))
    model, now = _table(preview.kind), utcnow()
    session.execute(delete(model).where(*_period_filter(model, structure, preview.periods)))
    session.execute(insert(model), [{**row, "structure_id": structure.id, "imported_by": actor.id,
                                     "imported_at": now, "archived": False} for row in preview.rows])
    record_audit(session, "vie_scolaire.import", actor=actor, structure_id=structure.id, kind=preview.kind,
                 rows=len(preview.rows), replaced=preview.replaced, students=preview.students,
                 periods=sorted(f"{year} {name}" for year, name in preview.periods))
    return len(preview.rows)


# -- lifecycle ---------------------------------------------------------------------------------------------

TABLES = (ImportedGrade, ImportedEvent, ImportedSkill)


def archive_year(session: Session, structure_id: int) -> None:
    """The year transition: the structure's imported rows become archived; nothing is deleted."""
    for model in TABLES:
        session.execute(update(model).where(model.structure_id == structure_id, model.archived.is_(False))
                        .values(archived=True))


def move_rows(session: Session, from_id: int, to_id: int) -> None:
    for model in TABLES:
        session.execute(update(model).where(model.student_id == from_id).values(student_id=to_id))


def delete_rows(session: Session, user_id: int) -> None:
    for model in TABLES:
        session.execute(delete(model).where(model.student_id == user_id))


def export_rows(session: Session, user_id: int) -> dict | None:
    grades = session.scalars(select(ImportedGrade).where(ImportedGrade.student_id == user_id)
                             .order_by(ImportedGrade.day)).all()
    events = session.scalars(select(ImportedEvent).where(ImportedEvent.student_id == user_id)
                             .order_by(ImportedEvent.start)).all()
    skills = session.scalars(select(ImportedSkill).where(ImportedSkill.student_id == user_id)
                             .order_by(ImportedSkill.day)).all()
    if not grades and not events and not skills:
        return None
    return {"grades": [{"school_year": g.school_year, "period": g.period, "subject": g.subject, "value": g.value,
                        "out_of": g.out_of, "coefficient": g.coefficient, "date": g.day.isoformat(),
                        "comment": g.comment, "archived": g.archived} for g in grades],
            "events": [{"school_year": e.school_year, "period": e.period, "kind": e.kind,
                        "start": e.start.isoformat(), "end": e.end.isoformat() if e.end else None,
                        "minutes": e.minutes, "justified": e.justified, "reason": e.reason, "nature": e.nature,
                        "given_by": e.given_by, "archived": e.archived} for e in events],
            "skills": [{"school_year": k.school_year, "period": k.period, "subject": k.subject, "domain": k.domain,
                        "competence": k.label, "level": k.level, "date": k.day.isoformat(), "archived": k.archived}
                       for k in skills]}
