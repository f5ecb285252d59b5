"""The timetable's rules: who sees which timetable, the week A/B, manual entry, iCalendar import and feed.
Functions take a SQLAlchemy ``Session``, never read ``request``; a refusal raises :class:`TimetableError`.

Visibility (documented in docs/timetable.md): staff, teachers and administrators of a structure see every class,
teacher and room timetable of that structure; a student sees their own classes and groups; a parent sees only
their children's classes and groups.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import and_, delete, func, insert, or_, select, union_all, update
from sqlalchemy.orm import Session

from preau import (
    N_,
    Group,
    GroupKind,
    GroupMember,
    PreauError,
    RelativeLink,
    SchoolClass,
    User,
    administered_structure_ids,
    affected_rows,
    children_of,
    record_audit,
)

from .models import NOTE_MAX, ROOM_MAX, SUBJECT_MAX, FeedToken, Lesson

APP_ID = "timetable"
MAX_EVENTS = 5000
MAX_ICS_BYTES = 2 * 1024 * 1024
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 1, 1)
MAX_SERIES_DAYS = 400


class TimetableError(PreauError):
    """A refused action: the msgid (translated when shown, ``params`` filled in) and the HTTP status."""


@dataclass
class Scope:
    """What a timetable view shows: lessons of some classes and groups, of a teacher, or of a room."""

    label: str
    class_ids: list[int] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    teacher_id: int | None = None
    room: str | None = None
    structure_id: int | None = None
    student: Any = None  # the student whose own week this is (a Pronote source reads it by student)


# -- weeks ------------------------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_kind(day: date, reference_monday: str | None) -> str:
    """'A' or 'B' from the structure's setting (the Monday of a week A), '' when the school has no A/B weeks."""
    try:
        reference = date.fromisoformat((reference_monday or "").strip())
    except ValueError:
        return ""
    weeks = (monday_of(day) - monday_of(reference)).days // 7
    return "A" if weeks % 2 == 0 else "B"


# -- who sees what ------------------------------------------------------------------------------------------


def _profiles(user: User) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for role in user.roles:
        found.setdefault(role.profile, set()).add(role.structure_id)
    return found


def staff_structure_ids(session: Session, user: User) -> set[int] | None:
    """Structures where the user sees everything: staff, teacher, administrator (None = all, super admin)."""
    administered = administered_structure_ids(session, user)
    if administered is None:
        return None
    roles = _profiles(user)
    return set(administered) | roles.get("personnel", set()) | roles.get("teacher", set())


def manageable_structure_ids(session: Session, user: User) -> set[int] | None:
    """Structures where the user may enter lessons: staff (Personnel) and ADML (the right is checked by the view)."""
    administered = administered_structure_ids(session, user)
    if administered is None:
        return None
    return set(administered) | _profiles(user).get("personnel", set())


def student_scope(session: Session, student: User, label: str) -> Scope:
    """The student's classes and teaching groups, in one query on their group memberships."""
    rows = session.execute(select(Group.id, Group.kind, Group.profile, Group.class_id, Group.structure_id)
                           .join(GroupMember, GroupMember.group_id == Group.id)
                           .where(GroupMember.user_id == student.id).order_by(Group.id)).all()
    classes = [row for row in rows if row.profile == "student" and row.class_id is not None]
    groups = [row.id for row in rows if row.kind == GroupKind.TEACHING]
    return Scope(label, sorted({row.class_id for row in classes}), groups,
                 structure_id=classes[0].structure_id if classes else None, student=student)


def own_scope(session: Session, user: User, student: User | None) -> Scope | None:
    """The default view: the child in view (parent) or oneself as a student, else a teacher's own lessons."""
    if student is not None:
        return student_scope(session, student, student.display_name)
    if "teacher" in _profiles(user):
        return Scope(user.display_name, teacher_id=user.id)
    return None


def visible_classes(session: Session, user: User) -> list[SchoolClass]:
    """The classes whose timetable the user may open, in one query: every class of the structures they see
    whole, plus the classes of themself and of their children."""
    staff = staff_structure_ids(session, user)
    query = select(SchoolClass).where(SchoolClass.archived_at.is_(None)).order_by(SchoolClass.name)
    if staff is None:
        return list(session.scalars(query))
    # two index-driven branches (oneself, one's children): an OR inside one subquery made PostgreSQL scan
    mine = (select(Group.class_id).join(GroupMember, GroupMember.group_id == Group.id)
            .where(GroupMember.user_id == user.id, Group.profile == "student"))
    children = (select(Group.class_id).join(GroupMember, GroupMember.group_id == Group.id)
                .join(RelativeLink, RelativeLink.child_id == GroupMember.user_id)
                .where(RelativeLink.parent_id == user.id, Group.profile == "student"))
    own = SchoolClass.id.in_(union_all(mine, children).scalar_subquery())
    return list(session.scalars(query.where(or_(SchoolClass.structure_id.in_(staff), own) if staff else own)))


def class_scope(session: Session, user: User, class_id: int, visible: list[SchoolClass] | None = None) -> Scope:
    """``visible``: the user's visible classes when the caller already has them (one query less)."""
    visible = visible_classes(session, user) if visible is None else visible
    school_class = next((c for c in visible if c.id == class_id), None)
    if school_class is None:
        raise TimetableError(N_("Vous ne pouvez pas consulter l'emploi du temps de cette classe."), 404)
    groups = list(session.scalars(select(Group.id).where(Group.class_id == class_id,
                                                         Group.kind == GroupKind.TEACHING)))
    return Scope(school_class.name, [class_id], groups, structure_id=school_class.structure_id)


def teacher_scope(session: Session, user: User, teacher_id: int) -> Scope:
    teacher = session.get(User, teacher_id)
    staff = staff_structure_ids(session, user)
    teaches = set() if teacher is None else {r.structure_id for r in teacher.roles if r.profile == "teacher"}
    if teacher is None or not teaches or (teacher_id != user.id and staff is not None and not teaches & staff):
        raise TimetableError(N_("Vous ne pouvez pas consulter l'emploi du temps de cet enseignant."), 404)
    return Scope(teacher.display_name, teacher_id=teacher_id)


def room_scope(session: Session, user: User, structure_id: int, room: str) -> Scope:
    staff = staff_structure_ids(session, user)
    if staff is not None and structure_id not in staff:
        raise TimetableError(N_("Vous ne pouvez pas consulter l'occupation des salles de cet établissement."), 404)
    return Scope(room, room=room, structure_id=structure_id)


def picker_choices(session: Session, user: User) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The teachers (id, name) and rooms (structure, room) the week page offers to people who see the whole
    structure (staff, teachers, administrators), taken from the lessons themselves; nothing for families."""
    staff = staff_structure_ids(session, user)
    if staff is not None and not staff:
        return [], []
    where = [] if staff is None else [Lesson.structure_id.in_(staff)]
    teachers = session.execute(select(Lesson.teacher_id, func.max(Lesson.teacher_name)).where(
        Lesson.teacher_id.is_not(None), *where).group_by(Lesson.teacher_id).order_by(func.max(Lesson.teacher_name)))
    rooms = session.execute(select(Lesson.structure_id, Lesson.room).where(Lesson.room != "", *where)
                            .group_by(Lesson.structure_id, Lesson.room).order_by(Lesson.room))
    return ([(teacher, name) for teacher, name in teachers if teacher is not None],  # none is None: the query's
            [(structure, room) for structure, room in rooms])


# -- reading ------------------------------------------------------------------------------------------------


def _scope_filter(scope: Scope):
    if scope.teacher_id is not None:
        return Lesson.teacher_id == scope.teacher_id
    if scope.room is not None:
        return and_(Lesson.structure_id == scope.structure_id, Lesson.room == scope.room)
    return or_(Lesson.class_id.in_(scope.class_ids or [-1]), Lesson.group_id.in_(scope.group_ids or [-1]))


def lessons_between(session: Session, scope: Scope, start: date, end: date) -> list[Lesson]:
    """The lessons of ``scope`` from ``start`` (included) to ``end`` (excluded), one query."""
    return list(session.scalars(select(Lesson).where(
        _scope_filter(scope), Lesson.starts_at >= datetime.combine(start, time()),
        Lesson.starts_at < datetime.combine(end, time())).order_by(Lesson.starts_at, Lesson.id)))


# -- manual entry -------------------------------------------------------------------------------------------


@dataclass
class LessonInput:
    subject: str
    class_id: int | None
    group_id: int | None
    teacher_id: int | None
    teacher_name: str
    room: str
    starts: time
    ends: time


def _check_target(session: Session, user: User, data: LessonInput) -> int:
    """The structure of the lesson's class or group, after checking the user may manage it."""
    if not data.subject.strip() or len(data.subject) > SUBJECT_MAX:
        raise TimetableError(N_("Indiquez la matière (%(max)d caractères au plus)."), 400, max=SUBJECT_MAX)
    if len(data.room) > ROOM_MAX:
        raise TimetableError(N_("Le nom de la salle est trop long."), 400)
    if data.ends <= data.starts:
        raise TimetableError(N_("L'heure de fin doit être après l'heure de début."), 400)
    target: SchoolClass | Group | None
    if data.class_id is not None:
        target = session.get(SchoolClass, data.class_id)
    elif data.group_id is not None:
        target = session.get(Group, data.group_id)
    else:
        raise TimetableError(N_("Choisissez une classe ou un groupe."), 400)
    allowed = manageable_structure_ids(session, user)
    if target is None or (allowed is not None and target.structure_id not in allowed):
        raise TimetableError(N_("Vous ne gérez pas l'emploi du temps de cette classe."), 403)
    if data.teacher_id is not None:
        teacher = session.get(User, data.teacher_id)
        if teacher is None or not any(r.profile == "teacher" and r.structure_id == target.structure_id
                                      for r in teacher.roles):
            raise TimetableError(N_("Cet enseignant n'enseigne pas dans cet établissement."), 400)
        data.teacher_name = teacher.display_name
    return target.structure_id


def _check_dates(first: date, last: date) -> None:
    if not (EARLIEST <= first <= LATEST and EARLIEST <= last <= LATEST):
        raise TimetableError(N_("Les dates doivent être comprises entre 2000 et 2100."), 400)
    if last < first:
        raise TimetableError(N_("La date de fin doit être après la date de début."), 400)
    if (last - first).days > MAX_SERIES_DAYS:
        raise TimetableError(N_("Une série couvre au plus une année scolaire."), 400)


def add_series(session: Session, user: User, data: LessonInput, weekday: int, first: date, last: date,
               weeks: str, reference_monday: str | None) -> int:
    """A weekly series (every week, week A or week B) from ``first`` to ``last``; a single lesson is a series
    of one day. Returns the number of occurrences created (bulk insert)."""
    structure_id = _check_target(session, user, data)
    _check_dates(first, last)
    if weeks not in ("", "A", "B"):
        raise TimetableError(N_("Choisissez chaque semaine, semaine A ou semaine B."), 400)
    if not 0 <= weekday <= 5:
        raise TimetableError(N_("Choisissez un jour du lundi au samedi."), 400)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    series_id, rows = uuid.uuid4().hex, []
    while day <= last:
        kind = week_kind(day, reference_monday)
        if not weeks or kind == weeks:
            rows.append({"structure_id": structure_id, "starts_at": datetime.combine(day, data.starts),
                         "ends_at": datetime.combine(day, data.ends), "subject": data.subject.strip(),
                         "teacher_id": data.teacher_id, "teacher_name": data.teacher_name.strip()[:200],
                         "class_id": data.class_id, "group_id": data.group_id, "room": data.room.strip(),
                         "week_kind": weeks, "status": "normal", "change_note": "", "series_id": series_id,
                         "source": "manual", "external_uid": None, "created_by_id": user.id, "archived": False})
        day += timedelta(days=7)
    if not rows:
        raise TimetableError(N_("Aucun cours dans cette période : vérifiez le jour et les dates."), 400)
    session.execute(insert(Lesson), rows)
    record_audit(session, "timetable.series_added", actor=user, structure_id=structure_id, series=series_id,
                 count=len(rows), subject=data.subject.strip())
    return len(rows)


def managed_lesson(session: Session, user: User, lesson_id: int) -> Lesson:
    lesson = session.get(Lesson, lesson_id)
    allowed = manageable_structure_ids(session, user)
    if lesson is None or (allowed is not None and lesson.structure_id not in allowed):
        raise TimetableError(N_("Ce cours n'existe pas ou vous ne le gérez pas."), 404)
    if lesson.archived:
        raise TimetableError(N_("Ce cours appartient à une année archivée."), 409)
    return lesson


def change_lesson(session: Session, user: User, lesson_id: int, *, room: str | None = None,
                  teacher_id: int | None = None, teacher_name: str | None = None, starts: time | None = None,
                  ends: time | None = None, note: str = "") -> Lesson:
    """Change one occurrence: the lesson is marked « Modifié » with a note naming what changed."""
    lesson = managed_lesson(session, user, lesson_id)
    changes = []
    if room is not None and room.strip() != lesson.room:
        if len(room) > ROOM_MAX:
            raise TimetableError(N_("Le nom de la salle est trop long."), 400)
        lesson.room = room.strip()
        changes.append(f"salle {lesson.room}")
    if teacher_id is not None and teacher_id != lesson.teacher_id:
        teacher = session.get(User, teacher_id)
        if teacher is None or not any(r.profile == "teacher" and r.structure_id == lesson.structure_id
                                      for r in teacher.roles):
            raise TimetableError(N_("Cet enseignant n'enseigne pas dans cet établissement."), 400)
        lesson.teacher_id, lesson.teacher_name = teacher.id, teacher.display_name
        changes.append(teacher.display_name)
    elif teacher_name is not None and teacher_name.strip() and teacher_name.strip() != lesson.teacher_name:
        if len(teacher_name.strip()) > 200:
            raise TimetableError(N_("Le nom de l'enseignant est trop long."), 400)
        # a replacement named in text (no account here): the lesson leaves the absent teacher's own week
        lesson.teacher_id, lesson.teacher_name = None, teacher_name.strip()
        changes.append(lesson.teacher_name)
    if starts is not None or ends is not None:
        new_start = datetime.combine(lesson.starts_at.date(), starts or lesson.starts_at.time())
        new_end = datetime.combine(lesson.starts_at.date(), ends or lesson.ends_at.time())
        if new_end <= new_start:
            raise TimetableError(N_("L'heure de fin doit être après l'heure de début."), 400)
        if (new_start, new_end) != (lesson.starts_at, lesson.ends_at):
            lesson.starts_at, lesson.ends_at = new_start, new_end
            changes.append(f"{new_start:%H:%M}–{new_end:%H:%M}")
    if not changes and not note.strip():
        raise TimetableError(N_("Rien à modifier."), 400)
    if len(note.strip()) > NOTE_MAX:
        raise TimetableError(N_("La note dépasse %(max)d caractères."), 400, max=NOTE_MAX)
    lesson.status = "changed"
    lesson.change_note = (note.strip() or ", ".join(changes))[:NOTE_MAX]
    record_audit(session, "timetable.lesson_changed", actor=user, target=lesson, structure_id=lesson.structure_id,
                 note=lesson.change_note)
    return lesson


def cancel_lesson(session: Session, user: User, lesson_id: int, note: str = "") -> Lesson:
    lesson = managed_lesson(session, user, lesson_id)
    if lesson.status == "cancelled":
        raise TimetableError(N_("Ce cours est déjà annulé."), 409)
    lesson.status, lesson.change_note = "cancelled", note.strip()[:NOTE_MAX]
    record_audit(session, "timetable.lesson_cancelled", actor=user, target=lesson, structure_id=lesson.structure_id)
    return lesson


def delete_series(session: Session, user: User, lesson_id: int) -> int:
    """Delete the not-yet-archived occurrences of the series the lesson belongs to (or the lesson alone)."""
    lesson = managed_lesson(session, user, lesson_id)
    where = (Lesson.series_id == lesson.series_id) if lesson.series_id else (Lesson.id == lesson.id)
    count = affected_rows(session.execute(delete(Lesson).where(where, Lesson.archived.is_(False))))
    record_audit(session, "timetable.series_deleted", actor=user, structure_id=lesson.structure_id,
                 series=lesson.series_id, count=count)
    return count


# -- iCalendar import ---------------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    rows: list[dict[str, Any]]
    first: date | None
    last: date | None


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(ZoneInfo("Europe/Paris")).replace(tzinfo=None)
        return value
    return None


def parse_ics(data: bytes, structure_id: int, class_id: int | None, group_id: int | None,
              user_id: int) -> ImportPlan:
    """Read VEVENTs into lesson rows. A bad event raises a 400 naming it; too many events a 413."""
    if len(data) > MAX_ICS_BYTES:
        raise TimetableError(N_("Le fichier dépasse %(size)d Mo."), 413, size=MAX_ICS_BYTES // (1024 * 1024))
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise TimetableError(N_("Ce fichier n'est pas un calendrier iCalendar lisible (%(detail)s)."), 400,
                             detail=str(exc)[:120]) from exc
    events = list(calendar.walk("VEVENT"))
    if len(events) > MAX_EVENTS:
        raise TimetableError(N_("Le fichier contient %(count)d cours : %(max)d au plus par import."), 413,
                             count=len(events), max=MAX_EVENTS)
    rows: list[dict[str, Any]] = []
    for number, event in enumerate(events, start=1):
        uid = str(event.get("UID") or "")[:255]
        name = uid or f"n° {number}"
        if event.get("RRULE") is not None:
            raise TimetableError(N_("L'événement %(name)s est récurrent (RRULE) : exportez les cours un par un."),
                                 400, name=name)
        try:
            starts = _as_datetime(event.decoded("DTSTART")) if event.get("DTSTART") is not None else None
            ends = _as_datetime(event.decoded("DTEND")) if event.get("DTEND") is not None else None
        except (ValueError, TypeError):
            starts = ends = None
        if starts is None or ends is None or ends <= starts or not EARLIEST <= starts.date() <= LATEST:
            raise TimetableError(N_("L'événement %(name)s a des dates absentes ou invalides (DTSTART/DTEND)."), 400,
                                 name=name)
        rows.append({"structure_id": structure_id, "starts_at": starts, "ends_at": ends,
                     "subject": str(event.get("SUMMARY") or "Cours")[:SUBJECT_MAX], "teacher_id": None,
                     "teacher_name": "", "class_id": class_id, "group_id": group_id,
                     "room": str(event.get("LOCATION") or "")[:ROOM_MAX], "week_kind": "", "status": "normal",
                     "change_note": "", "series_id": None, "source": "ical", "external_uid": uid or None,
                     "created_by_id": user_id, "archived": False})
    days = [r["starts_at"].date() for r in rows]
    return ImportPlan(rows, min(days, default=None), max(days, default=None))


def import_target(session: Session, user: User, target: str) -> tuple[int, int | None, int | None]:
    """(structure, class, group) from a form value ``c<id>`` or ``g<id>`` the user may manage."""
    kind, raw = target[:1], target[1:]
    if kind not in ("c", "g") or not raw.isdigit() or len(raw) > 12:
        raise TimetableError(N_("Choisissez une classe ou un groupe."), 400)
    obj = session.get(SchoolClass, int(raw)) if kind == "c" else session.get(Group, int(raw))
    allowed = manageable_structure_ids(session, user)
    if obj is None or (allowed is not None and obj.structure_id not in allowed):
        raise TimetableError(N_("Vous ne gérez pas l'emploi du temps de cette classe."), 403)
    return obj.structure_id, obj.id if kind == "c" else None, obj.id if kind == "g" else None


def apply_import(session: Session, user: User, plan: ImportPlan, class_id: int | None,
                 group_id: int | None) -> tuple[int, int]:
    """Replace the target's iCalendar lessons of the covered dates by the plan (idempotent). (deleted, added)"""
    if not plan.rows:
        raise TimetableError(N_("Le fichier ne contient aucun cours."), 400)
    assert plan.first is not None and plan.last is not None  # a plan with rows has their dates
    target = Lesson.class_id == class_id if class_id is not None else Lesson.group_id == group_id
    window = and_(Lesson.starts_at >= datetime.combine(plan.first, time()),
                  Lesson.starts_at < datetime.combine(plan.last + timedelta(days=1), time()))
    deleted = affected_rows(session.execute(delete(Lesson).where(
        target, Lesson.source == "ical", window, Lesson.archived.is_(False))))
    session.execute(insert(Lesson), plan.rows)
    record_audit(session, "timetable.ical_imported", actor=user, structure_id=plan.rows[0]["structure_id"],
                 class_id=class_id, group_id=group_id, added=len(plan.rows), replaced=deleted)
    return deleted, len(plan.rows)


# -- iCalendar feed -----------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def regenerate_feed(session: Session, user: User) -> str:
    """A new random token (256 bits); the previous URL stops working. Only the hash is stored."""
    token = secrets.token_urlsafe(32)
    session.execute(delete(FeedToken).where(FeedToken.user_id == user.id))
    session.execute(insert(FeedToken), [{"user_id": user.id, "token_hash": _hash(token)}])
    record_audit(session, "timetable.feed_regenerated", actor=user)
    return token


def has_feed(session: Session, user_id: int) -> bool:
    return session.execute(select(func.count()).select_from(FeedToken)
                           .where(FeedToken.user_id == user_id)).scalar_one() > 0


def feed_owner(session: Session, token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    row = session.scalar(select(FeedToken).where(FeedToken.token_hash == _hash(token)))
    return session.get(User, row.user_id) if row else None


def feed_lessons(session: Session, user: User, today: date, read=None) -> list[tuple[str, Any]]:
    """(prefix, lesson) from 2 weeks back to 8 weeks ahead: a parent's children prefixed by their first name.
    ``read(session, scope, start, end)`` reads the lessons (default: Préau's own; the view passes the source's)."""
    read = read or lessons_between
    start, end = today - timedelta(weeks=2), today + timedelta(weeks=8)
    scopes: list[tuple[str, Scope]] = []
    children = children_of(session, user)
    for child in children:
        scopes.append((child.first_name, student_scope(session, child, child.display_name)))
    if not children:
        scope = own_scope(session, user, user if "student" in _profiles(user) else None)
        if scope is not None:
            scopes.append(("", scope))
    return [(prefix, lesson) for prefix, scope in scopes for lesson in read(session, scope, start, end)]


def render_ics(items: list[tuple[str, Any]], host: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Préau//Emploi du temps//FR")
    calendar.add("version", "2.0")
    stamp = datetime.now(UTC).replace(tzinfo=None)
    for prefix, lesson in items:
        event = icalendar.Event()
        uid = lesson.id if lesson.id is not None else f"{lesson.source}-{lesson.starts_at:%Y%m%dT%H%M}-{prefix}"
        event.add("uid", f"timetable-{uid}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", lesson.starts_at)
        event.add("dtend", lesson.ends_at)
        event.add("summary", f"{prefix} : {lesson.subject}" if prefix else lesson.subject)
        if lesson.room:
            event.add("location", lesson.room)
        if lesson.status == "cancelled":
            event.add("status", "CANCELLED")
        if lesson.change_note:
            event.add("description", lesson.change_note)
        calendar.add_component(event)
    return calendar.to_ical()


# -- year transition, merge, export -------------------------------------------------------------------------


def archive_year(session: Session, structure_id: int, before: datetime) -> int:
    return affected_rows(session.execute(update(Lesson).where(
        Lesson.structure_id == structure_id, Lesson.starts_at < before, Lesson.archived.is_(False))
        .values(archived=True)))


def move_user(session: Session, old_id: int, new_id: int) -> None:
    session.execute(update(Lesson).where(Lesson.teacher_id == old_id).values(teacher_id=new_id))
    session.execute(update(Lesson).where(Lesson.created_by_id == old_id).values(created_by_id=new_id))
    session.execute(delete(FeedToken).where(FeedToken.user_id == old_id))


def export_of(session: Session, user_id: int) -> dict[str, Any] | None:
    entered = session.scalar(select(func.count()).select_from(Lesson).where(Lesson.created_by_id == user_id))
    taught = session.scalar(select(func.count()).select_from(Lesson).where(Lesson.teacher_id == user_id))
    feed = has_feed(session, user_id)
    if not (entered or taught or feed):
        return None
    return {"ical_feed_active": feed, "lessons_entered": entered, "lessons_taught": taught}


def checked_student(session: Session, user: User, student_id: int | None, selected: User | None) -> User | None:
    """The student whose week a person may read: ``selected`` by default (the child in view, or oneself);
    another id must be one's own child (or oneself), else 403 — never someone else's week."""
    if student_id is None or (selected is not None and selected.id == student_id):
        return selected
    if student_id == user.id and "student" in _profiles(user):
        return user
    child = next((c for c in children_of(session, user) if c.id == student_id), None)
    if child is None:
        raise TimetableError(N_("Cet élève n'est pas l'un de vos enfants."), 403)
    return child
