"""The cahier de textes' rules: who writes and reads which cahier, visas, workload, homework of a student.

Every function takes a SQLAlchemy ``Session`` and never reads the request. A refusal raises
:class:`CahierError` (a French msgid, an HTTP status and a machine reason) before anything is written.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from preau import (
    ALL_KINDS,
    N_,
    Function,
    Group,
    GroupKind,
    GroupMember,
    PreauError,
    SchoolClass,
    UploadError,
    User,
    can_administer,
    check_upload,
    children_of,
    classes_of,
    record_audit,
    sanitize_html,
    storage,
)

from .models import SUBJECT_MAX, Attachment, CahierSession, Homework, HomeworkDone, Visa, utcnow

MAX_FILES = 10
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_LINKS = 20
MAX_MINUTES = 600
WORKLOAD_DAYS = 14
PAGE_SIZE = 20


class CahierError(PreauError):
    """A refused action: the msgid (translated when shown, ``params`` filled in), the HTTP status, a reason."""


@dataclass(frozen=True)
class Target:
    """A cahier: the one of a class or of a teaching group."""

    kind: str  # "class" or "group"
    id: int
    name: str
    structure_id: int
    archived: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind[0]}{self.id}"

    def owns(self, row: Any) -> bool:
        return (row.class_id if self.kind == "class" else row.group_id) == self.id

    def where(self, model: Any) -> Any:
        return model.class_id == self.id if self.kind == "class" else model.group_id == self.id

    def columns(self) -> dict[str, int | None]:
        return {"class_id": self.id if self.kind == "class" else None,
                "group_id": self.id if self.kind == "group" else None}


def _class_target(c: SchoolClass) -> Target:
    return Target("class", c.id, c.name, c.structure_id, c.archived_at is not None)


def _group_target(g: Group) -> Target:
    return Target("group", g.id, g.name, g.structure_id)


def target_of(session: Session, key: str) -> Target | None:
    """The cahier named by a key such as ``c12`` (class 12) or ``g5`` (teaching group 5), or None."""
    if len(key) < 2 or key[0] not in "cg" or not key[1:].isascii() or not key[1:].isdigit() or len(key) > 19:
        return None
    if key[0] == "c":
        school_class = session.get(SchoolClass, int(key[1:]))
        return _class_target(school_class) if school_class else None
    group = session.get(Group, int(key[1:]))
    return _group_target(group) if group and group.kind == GroupKind.TEACHING else None


def target_of_row(session: Session, row: Any) -> Target:
    """The cahier a session or homework row belongs to."""
    target = target_of(session, f"c{row.class_id}" if row.class_id else f"g{row.group_id}")
    assert target is not None  # the row's class or teaching group exists (foreign keys, deleted with it)
    return target


def _teaching_groups(session: Session, user_id: int) -> list[Group]:
    return list(session.scalars(select(Group).join(GroupMember, GroupMember.group_id == Group.id)
                                .where(GroupMember.user_id == user_id, Group.kind == GroupKind.TEACHING)
                                .order_by(Group.name)))


def teacher_targets(session: Session, user: User) -> list[Target]:
    """The cahiers a teacher writes: the classes they teach and the teaching groups they belong to."""
    if not any(role.profile == "teacher" for role in user.roles):
        return []
    return ([_class_target(c) for c in classes_of(session, user, "teacher")]
            + [_group_target(g) for g in _teaching_groups(session, user.id)])


def student_targets(session: Session, student: User | None) -> list[Target]:
    """The cahiers a student reads: their classes and teaching groups."""
    if student is None:
        return []
    return ([_class_target(c) for c in classes_of(session, student, "student")]
            + [_group_target(g) for g in _teaching_groups(session, student.id)])


def is_head(session: Session, user: User, structure_id: int) -> bool:
    """The head of a structure: its directeur (function) or an administrator of it (ADML)."""
    if any(f.code == Function.DIRECTEUR and f.structure_id == structure_id for f in user.functions):
        return True
    return bool(user.functions) and can_administer(session, user, structure_id)


def head_targets(session: Session, user: User) -> list[Target]:
    """The classes of the structures a person heads, for the visa."""
    ids = {f.structure_id for f in user.functions if f.code in (Function.DIRECTEUR, Function.ADMIN_LOCAL)
           and f.structure_id is not None}
    if not ids:
        return []
    classes = session.scalars(select(SchoolClass).where(SchoolClass.structure_id.in_(ids),
                                                        SchoolClass.archived_at.is_(None))
                              .order_by(SchoolClass.name))
    return [_class_target(c) for c in classes]


def can_write(session: Session, user: User, target: Target) -> bool:
    return any(t.key == target.key for t in teacher_targets(session, user))


def archived_targets(session: Session, user: User) -> list[Target]:
    """The archived cahiers a teacher wrote in: the year transition took them out of the class, not out of
    their own cahier."""
    keys: set[str] = set()
    for model in (CahierSession, Homework):
        rows = session.execute(select(model.class_id, model.group_id).where(
            model.author_id == user.id, model.archived_at.is_not(None)).distinct())
        keys.update(f"c{c}" if c else f"g{g}" for c, g in rows)
    found = [target_of(session, key) for key in sorted(keys)]
    return [t for t in found if t is not None]


def can_read(session: Session, user: User, target: Target, student: User | None) -> bool:
    return (any(t.key == target.key for t in student_targets(session, student))
            or can_write(session, user, target) or is_head(session, user, target.structure_id)
            or any(t.key == target.key for t in archived_targets(session, user)))


def check_child(session: Session, parent: User, student_id: int | None, selected: User | None) -> User | None:
    """The student a person may look at: ``selected`` by default; a forged id of someone who is not one's own
    child (or oneself) is refused with 403."""
    if student_id is None or (selected is not None and selected.id == student_id):
        return selected
    if student_id == parent.id and any(role.profile == "student" for role in parent.roles):
        return parent
    child = next((c for c in children_of(session, parent) if c.id == student_id), None)
    if child is None:
        raise CahierError(N_("Cet élève n'est pas l'un de vos enfants."), 403, "not_your_child")
    return child


# -- visas ---------------------------------------------------------------------------------------------------


def latest_visa(session: Session, target: Target) -> Visa | None:
    return session.scalar(select(Visa).where(target.where(Visa)).order_by(Visa.frozen_until.desc(), Visa.id.desc())
                          .limit(1))


def check_open(session: Session, target: Target, *days: date, visa: Visa | None = None) -> None:
    """Nothing may be dated on or before the day a visa froze the cahier (409), nor written in an archive."""
    if target.archived:
        raise CahierError(N_("Ce cahier est archivé : il se lit mais ne se modifie plus."), 409, "archived")
    visa = visa or latest_visa(session, target)
    if visa is not None and any(day <= visa.frozen_until for day in days):
        raise CahierError(N_("Le cahier est visé jusqu'au %(day)s : rien ne peut y être daté ou modifié avant "
                             "cette date."), 409, "frozen", day=visa.frozen_until.strftime("%d/%m/%Y"))


def sign_visa(session: Session, head: User, target: Target, until: date, comment: str = "") -> Visa:
    if not is_head(session, head, target.structure_id):
        raise CahierError(N_("Seule la direction de l'établissement vise le cahier de textes."), 403, "not_head")
    previous = latest_visa(session, target)
    if previous is not None and until <= previous.frozen_until:
        raise CahierError(N_("Le cahier est déjà visé jusqu'au %(day)s."), 409, "already_signed",
                          day=previous.frozen_until.strftime("%d/%m/%Y"))
    if until > date.today():
        raise CahierError(N_("Un visa ne peut pas porter sur une date future."), 422, "future_visa")
    visa = Visa(**target.columns(), frozen_until=until, signed_by=head.id, signer_name=head.display_name,
                comment=(comment or "").strip()[:500])
    session.add(visa)
    session.flush()
    record_audit(session, "cahier.visa", actor=head, target=visa, structure_id=target.structure_id,
                 cahier=target.key, frozen_until=until.isoformat())
    return visa


# -- input checks ----------------------------------------------------------------------------------------------


@dataclass
class Upload:
    filename: str
    mime: str
    data: bytes


@dataclass
class ItemInput:
    subject: str
    html: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    files: list[Upload] = field(default_factory=list)


def clean_subject(subject: str) -> str:
    subject = (subject or "").strip()
    if not subject:
        raise CahierError(N_("Indiquez la matière."), 422, "subject_missing")
    if len(subject) > SUBJECT_MAX:
        raise CahierError(N_("La matière est trop longue (%(max)d caractères au plus)."), 422, "subject_too_long",
                          max=SUBJECT_MAX)
    return subject


def clean_links(links: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Only http(s) addresses: a javascript: or data: link is refused, not silently dropped."""
    cleaned = []
    for url, label in links:
        url, label = (url or "").strip(), (label or "").strip()
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or len(url) > 2000:
            raise CahierError(N_("Lien refusé : seules les adresses http:// ou https:// sont acceptées."), 422,
                              "bad_link")
        cleaned.append({"url": url, "label": label[:200] or url})
    if len(cleaned) > MAX_LINKS:
        raise CahierError(N_("Trop de liens (%(max)d au plus)."), 422, "too_many_links", max=MAX_LINKS)
    return cleaned


def check_files(files: list[Upload], already: int = 0) -> list[Upload]:
    """The files as the kernel's upload validation gives them back (safe name, type read from the content)."""
    if len(files) + already > MAX_FILES:
        raise CahierError(N_("Trop de pièces jointes : %(max)d au plus."), 413, "too_many_files", max=MAX_FILES)
    checked = []
    for upload in files:
        try:
            ok = check_upload(upload.data, upload.filename, kinds=ALL_KINDS, max_bytes=MAX_FILE_BYTES)
        except UploadError as error:  # already a French sentence: shown as it is
            raise CahierError(str(error), error.status, error.reason) from error
        checked.append(Upload(ok.filename, ok.mime, ok.data))
    return checked


def _store_files(session: Session, files: list[Upload], **owner: int) -> None:
    for upload in files:
        key = storage().put(upload.data)
        session.add(Attachment(**owner, filename=upload.filename[:200] or "fichier", mime=upload.mime[:100],
                               size=len(upload.data), storage_key=key))


def _clean(item: ItemInput, already_files: int = 0) -> tuple[str, list[dict[str, str]]]:
    subject, links = clean_subject(item.subject), clean_links(item.links)
    item.files = check_files(item.files, already_files)  # what is stored: checked names and sniffed types
    return subject, links


def _check_writer(session: Session, user: User, target: Target) -> None:
    if not can_write(session, user, target):
        raise CahierError(N_("Vous n'enseignez pas dans cette classe ou ce groupe."), 403, "not_your_class")


def _attachment_count(session: Session, **owner: int) -> int:
    column, value = next(iter(owner.items()))
    return session.scalar(select(func.count()).select_from(Attachment)
                          .where(getattr(Attachment, column) == value)) or 0


# -- sessions --------------------------------------------------------------------------------------------------


def save_session(session: Session, author: User, target: Target, item: ItemInput, day: date,
                 start: time | None = None, end: time | None = None,
                 existing: CahierSession | None = None) -> CahierSession:
    _check_writer(session, author, target)
    if existing is not None and not target.owns(existing):
        raise CahierError(N_("Cette séance n'appartient pas à ce cahier."), 404, "not_found")
    if existing is not None and existing.archived_at is not None:
        raise CahierError(N_("Ce cahier est archivé : il se lit mais ne se modifie plus."), 409, "archived")
    check_open(session, target, day, *([existing.day] if existing else []))
    if start and end and end <= start:
        raise CahierError(N_("L'heure de fin doit suivre l'heure de début."), 422, "bad_times")
    subject, links = _clean(item, _attachment_count(session, session_id=existing.id) if existing else 0)
    content = sanitize_html(item.html)
    if existing is None:
        existing = CahierSession(structure_id=target.structure_id, **target.columns(), author_id=author.id)
        session.add(existing)
        action = "cahier.session.create"
    else:
        action = "cahier.session.update"
    existing.subject, existing.day, existing.start_time, existing.end_time = subject, day, start, end
    existing.content_html, existing.links, existing.updated_at = content, links, utcnow()
    session.flush()
    _store_files(session, item.files, session_id=existing.id)
    record_audit(session, action, actor=author, target=existing, structure_id=target.structure_id,
                 cahier=target.key, day=day.isoformat())
    return existing


def sessions_of(session: Session, target: Target, page: int = 1) -> tuple[list[CahierSession], int]:
    """One page of a cahier's sessions, newest first, and the number of pages."""
    total = session.scalar(select(func.count()).select_from(CahierSession).where(target.where(CahierSession))) or 0
    rows = list(session.scalars(select(CahierSession).where(target.where(CahierSession))
                                .order_by(CahierSession.day.desc(), CahierSession.start_time.desc(),
                                          CahierSession.id.desc())
                                .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return rows, max(1, -(-total // PAGE_SIZE))


def homework_of_target(session: Session, target: Target, since: date | None = None) -> list[Homework]:
    query = select(Homework).where(target.where(Homework))
    if since is not None:
        query = query.where(Homework.due_on >= since)
    return list(session.scalars(query.order_by(Homework.due_on, Homework.id)))


def attachments_of(session: Session, session_ids: list[int], homework_ids: list[int]) -> dict[tuple[str, int],
                                                                                              list[Attachment]]:
    found: dict[tuple[str, int], list[Attachment]] = {}
    if not session_ids and not homework_ids:
        return found
    rows = session.scalars(select(Attachment).where(or_(Attachment.session_id.in_(session_ids or [-1]),
                                                        Attachment.homework_id.in_(homework_ids or [-1])))
                           .order_by(Attachment.id))
    for a in rows:
        owner = a.session_id or a.homework_id
        assert owner is not None  # an attachment belongs to a session or to a homework
        found.setdefault(("s" if a.session_id else "h", owner), []).append(a)
    return found


# -- homework --------------------------------------------------------------------------------------------------


def save_homework(session: Session, author: User, target: Target, item: ItemInput, given_on: date, due_on: date,
                  minutes: int = 0, session_id: int | None = None, existing: Homework | None = None) -> Homework:
    _check_writer(session, author, target)
    if existing is not None and not target.owns(existing):
        raise CahierError(N_("Ce devoir n'appartient pas à ce cahier."), 404, "not_found")
    if existing is not None and existing.archived_at is not None:
        raise CahierError(N_("Ce cahier est archivé : il se lit mais ne se modifie plus."), 409, "archived")
    if session_id is not None:
        linked = session.get(CahierSession, session_id)
        if linked is None or not target.owns(linked):
            raise CahierError(N_("Cette séance n'appartient pas à ce cahier."), 404, "session_not_found")
        if due_on < linked.day:
            raise CahierError(N_("La date « À faire pour le » ne peut pas précéder la séance du %(day)s."), 422,
                              "due_before_session", day=linked.day.strftime("%d/%m/%Y"))
    if due_on < given_on:
        raise CahierError(N_("La date « À faire pour le » ne peut pas précéder la date où le devoir est donné."),
                          422, "due_before_given")
    if not 0 <= minutes <= MAX_MINUTES:
        raise CahierError(N_("La durée estimée doit être comprise entre 0 et %(max)d minutes."), 422,
                          "bad_minutes", max=MAX_MINUTES)
    check_open(session, target, given_on, *([existing.given_on] if existing else []))
    subject, links = _clean(item, _attachment_count(session, homework_id=existing.id) if existing else 0)
    instructions = sanitize_html(item.html)
    if not instructions:
        raise CahierError(N_("Décrivez le travail à faire."), 422, "instructions_missing")
    if existing is None:
        existing = Homework(structure_id=target.structure_id, **target.columns(), author_id=author.id)
        session.add(existing)
        action = "cahier.homework.create"
    else:
        action = "cahier.homework.update"
    existing.subject, existing.given_on, existing.due_on, existing.estimated_minutes = (subject, given_on, due_on,
                                                                                        minutes)
    existing.session_id, existing.instructions_html, existing.links = session_id, instructions, links
    existing.updated_at = utcnow()
    session.flush()
    _store_files(session, item.files, homework_id=existing.id)
    record_audit(session, action, actor=author, target=existing, structure_id=target.structure_id,
                 cahier=target.key, due_on=due_on.isoformat())
    return existing


def delete_item(session: Session, user: User, item: CahierSession | Homework) -> None:
    """Delete a session or a homework of an open period (the files go with it)."""
    target = target_of_row(session, item)
    if item.archived_at is not None and can_read(session, user, target, None):
        raise CahierError(N_("Ce cahier est archivé : il se lit mais ne se modifie plus."), 409, "archived")
    _check_writer(session, user, target)
    check_open(session, target, item.day if isinstance(item, CahierSession) else item.given_on)
    owner = {"session_id": item.id} if isinstance(item, CahierSession) else {"homework_id": item.id}
    keys = list(session.scalars(select(Attachment.storage_key).filter_by(**owner)))
    kind = "session" if isinstance(item, CahierSession) else "homework"
    record_audit(session, f"cahier.{kind}.delete", actor=user, target=item, structure_id=target.structure_id,
                 cahier=target.key, subject=item.subject)
    session.delete(item)
    session.flush()
    for key in keys:  # after the rows: a failure here leaves an orphan file, never a dangling row
        with contextlib.suppress(OSError):
            storage().delete(key)


# -- what a student has to do ---------------------------------------------------------------------------------


def _student_scope(student_ids: Any) -> tuple[Any, Any]:
    """Subqueries: the classes and the teaching groups of the students ``student_ids`` (a subquery or list)."""
    classes = (select(Group.class_id).join(GroupMember, GroupMember.group_id == Group.id)
               .where(GroupMember.user_id.in_(student_ids), Group.kind == GroupKind.CLASS,
                      Group.profile == "student", Group.class_id.is_not(None)))
    groups = (select(Group.id).join(GroupMember, GroupMember.group_id == Group.id)
              .where(GroupMember.user_id.in_(student_ids), Group.kind == GroupKind.TEACHING))
    return classes, groups


# Plain rows rather than ORM objects: a year's list holds about 1,000 of them.
HOMEWORK_COLUMNS = (Homework.id, Homework.structure_id, Homework.class_id, Homework.group_id, Homework.subject,
                    Homework.given_on, Homework.due_on, Homework.estimated_minutes, Homework.instructions_html,
                    Homework.links)


def homework_of_student(session: Session, student_id: int, since: date | None = None,
                        until: date | None = None) -> list[tuple[Any, bool]]:
    """The student's homework (their classes and groups) with whether they marked it done: one query."""
    classes, groups = _student_scope([student_id])
    done = exists().where(HomeworkDone.homework_id == Homework.id, HomeworkDone.student_id == student_id)
    query = select(*HOMEWORK_COLUMNS, done.label("done")).where(or_(Homework.class_id.in_(classes),
                                                           Homework.group_id.in_(groups)))
    if since is not None:
        query = query.where(Homework.due_on >= since)
    if until is not None:
        query = query.where(Homework.due_on <= until)
    rows = session.execute(query.order_by(Homework.due_on, Homework.subject, Homework.id))
    return [(row, bool(row.done)) for row in rows]


def visible_homework(session: Session, student_id: int, homework_id: int) -> Homework:
    classes, groups = _student_scope([student_id])
    found = session.scalar(select(Homework).where(Homework.id == homework_id, or_(
        Homework.class_id.in_(classes), Homework.group_id.in_(groups))))
    if found is None:
        raise CahierError(N_("Ce devoir n'existe pas ou ne vous concerne pas."), 404, "not_found")
    return found


def set_done(session: Session, user: User, homework_id: int, done: bool) -> bool:
    """The student marks their own homework done or not done; parents read only (the mark is the child's)."""
    if not any(role.profile == "student" for role in user.roles):
        raise CahierError(N_("Seul l'élève coche ses devoirs faits ; les parents les consultent."), 403,
                          "student_only")
    homework = visible_homework(session, user.id, homework_id)
    row = session.get(HomeworkDone, (homework.id, user.id))
    if done and row is None:
        session.add(HomeworkDone(homework_id=homework.id, student_id=user.id))
    elif not done and row is not None:
        session.delete(row)
    else:
        return done
    session.flush()
    record_audit(session, "cahier.homework.done" if done else "cahier.homework.undone", actor=user,
                 target=homework, structure_id=homework.structure_id)
    return done


# -- workload --------------------------------------------------------------------------------------------------


def workload(session: Session, target: Target, start: date, days: int = WORKLOAD_DAYS) -> list[dict[str, Any]]:
    """Homework due each day from ``start`` for the students of ``target``: the class's and the groups' of its
    students (one query). A row per day, zero included, so the teacher sees the free days too."""
    if target.kind == "class":
        students = (select(GroupMember.user_id).join(Group, Group.id == GroupMember.group_id)
                    .where(Group.class_id == target.id, Group.kind == GroupKind.CLASS, Group.profile == "student"))
    else:
        students = select(GroupMember.user_id).where(GroupMember.group_id == target.id)
    classes, groups = _student_scope(students)
    end = start + timedelta(days=days - 1)
    own = target.where(Homework)
    rows = session.execute(
        select(Homework.due_on, func.count(Homework.id), func.coalesce(func.sum(Homework.estimated_minutes), 0))
        .where(Homework.due_on >= start, Homework.due_on <= end,
               or_(own, Homework.class_id.in_(classes), Homework.group_id.in_(groups)))
        .group_by(Homework.due_on))
    by_day = {day: (count, int(minutes)) for day, count, minutes in rows}
    return [{"day": start + timedelta(days=i), "count": by_day.get(start + timedelta(days=i), (0, 0))[0],
             "minutes": by_day.get(start + timedelta(days=i), (0, 0))[1]} for i in range(days)]


# -- lifecycle -------------------------------------------------------------------------------------------------


def archive_year(session: Session, structure_id: int) -> None:
    """The year's cahiers become archives: still readable, no longer editable. Nothing is deleted."""
    now = utcnow()
    for model in (CahierSession, Homework):
        session.execute(update(model).where(model.structure_id == structure_id, model.archived_at.is_(None))
                        .values(archived_at=now))


def move_done_marks(session: Session, merged_id: int, kept_id: int) -> None:
    kept = select(HomeworkDone.homework_id).where(HomeworkDone.student_id == kept_id)
    session.execute(delete(HomeworkDone).where(HomeworkDone.student_id == merged_id,
                                               HomeworkDone.homework_id.in_(kept)))
    session.execute(update(HomeworkDone).where(HomeworkDone.student_id == merged_id).values(student_id=kept_id))


def delete_done_marks(session: Session, user_id: int) -> None:
    session.execute(delete(HomeworkDone).where(HomeworkDone.student_id == user_id))


def export_of(session: Session, user_id: int) -> dict[str, Any] | None:
    """"Mes données": a teacher's sessions and homework, a student's done marks."""
    sessions = session.scalars(select(CahierSession).where(CahierSession.author_id == user_id)
                               .order_by(CahierSession.day))
    homework = session.scalars(select(Homework).where(Homework.author_id == user_id).order_by(Homework.due_on))
    done = session.execute(select(HomeworkDone.homework_id, HomeworkDone.done_at, Homework.subject, Homework.due_on)
                           .join(Homework, Homework.id == HomeworkDone.homework_id)
                           .where(HomeworkDone.student_id == user_id).order_by(Homework.due_on))
    data = {
        "seances": [{"id": s.id, "matiere": s.subject, "date": s.day.isoformat(), "contenu": s.content_html,
                     "liens": s.links} for s in sessions],
        "devoirs_donnes": [{"id": h.id, "matiere": h.subject, "donne_le": h.given_on.isoformat(),
                            "a_faire_pour_le": h.due_on.isoformat(), "consignes": h.instructions_html,
                            "duree_minutes": h.estimated_minutes} for h in homework],
        "devoirs_faits": [{"devoir": hid, "matiere": subject, "a_faire_pour_le": due.isoformat(),
                           "fait_le": at.isoformat()} for hid, at, subject, due in done],
    }
    return data if any(data.values()) else None


def frozen_flags(visas: dict[str, Visa | None], rows: list[Any], session: Session) -> dict[int, Visa]:
    """Which rows a visa covers (for the « Visé le … par … » mark)."""
    marks = {}
    for row in rows:
        key = f"c{row.class_id}" if row.class_id else f"g{row.group_id}"
        visa = visas.get(key)
        day = row.day if isinstance(row, CahierSession) else row.given_on
        if visa is not None and day <= visa.frozen_until:
            marks[row.id] = visa
    return marks


def visas_for(session: Session, targets: list[Target]) -> dict[str, Visa | None]:
    """The latest visa of each cahier (one query)."""
    if not targets:
        return {}
    class_ids = [t.id for t in targets if t.kind == "class"] or [-1]
    group_ids = [t.id for t in targets if t.kind == "group"] or [-1]
    found: dict[str, Visa | None] = {t.key: None for t in targets}
    rows = session.scalars(select(Visa).where(or_(Visa.class_id.in_(class_ids), Visa.group_id.in_(group_ids)))
                           .order_by(Visa.frozen_until))
    for visa in rows:
        found[f"c{visa.class_id}" if visa.class_id else f"g{visa.group_id}"] = visa
    return found

