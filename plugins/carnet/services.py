"""The carnet de liaison's rules: who writes a mot to whom, who reads it, the signature (an explicit act of a
parent, never a side effect of opening the mot), reminders, the export and replies.

Every function takes a SQLAlchemy ``Session`` and never reads the request. A refusal raises
:class:`CarnetError` (a French msgid, an HTTP status and a machine reason) before anything is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, exists, func, insert, select, update
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
    affected_rows,
    classes_of,
    csv_safe,
    html_to_text,
    record_audit,
    sanitize_html,
    send_mail,
)

from .models import TITLE_MAX, Mot, Recipient, Reminder, Reply, utcnow

REMIND_EVERY = timedelta(hours=1)
BODY_MAX = 50_000
REPLY_MAX = 5_000
class CarnetError(PreauError):
    """A refused action: the msgid (translated when shown, ``params`` filled in), the HTTP status, a reason."""


@dataclass(frozen=True)
class Target:
    """Who a mot goes to: the parents of a class, of a teaching group or of one student."""

    kind: str  # "class", "group" or "student"
    id: int
    name: str
    structure_id: int

    @property
    def key(self) -> str:
        return f"{self.kind[0]}{self.id}"


def _has_profile(user: User, profile: str, structure_id: int | None = None) -> bool:
    return any(r.profile == profile and (structure_id is None or r.structure_id == structure_id)
               for r in user.roles)


def _teaching_groups(session: Session, user_id: int) -> list[Group]:
    return list(session.scalars(select(Group).join(GroupMember, GroupMember.group_id == Group.id)
                                .where(GroupMember.user_id == user_id, Group.kind == GroupKind.TEACHING)
                                .order_by(Group.name)))


def person_name(user: User) -> str:
    """« Claire Colin »: how a signature or a reply is signed."""
    return f"{user.first_name} {user.last_name}".strip() or user.display_name


def is_author(user: User) -> bool:
    return _has_profile(user, "teacher") or _has_profile(user, "personnel")


def author_targets(session: Session, user: User) -> list[Target]:
    """The classes and groups a person may write to: the classes they teach and their teaching groups, plus
    every class of the structures where they are staff (Personnel)."""
    targets: dict[str, Target] = {}
    if _has_profile(user, "teacher"):
        for c in classes_of(session, user, "teacher"):
            targets[f"c{c.id}"] = Target("class", c.id, c.name, c.structure_id)
        for g in _teaching_groups(session, user.id):
            targets[f"g{g.id}"] = Target("group", g.id, g.name, g.structure_id)
    staff_of = {r.structure_id for r in user.roles if r.profile == "personnel"}
    if staff_of:
        for c in session.scalars(select(SchoolClass).where(SchoolClass.structure_id.in_(staff_of),
                                                           SchoolClass.archived_at.is_(None))
                                 .order_by(SchoolClass.name)):
            targets.setdefault(f"c{c.id}", Target("class", c.id, c.name, c.structure_id))
    return sorted(targets.values(), key=lambda t: (t.kind != "class", t.name))


def _student_class(session: Session, student_id: int) -> SchoolClass | None:
    return session.scalar(select(SchoolClass).join(Group, Group.class_id == SchoolClass.id)
                          .join(GroupMember, GroupMember.group_id == Group.id)
                          .where(GroupMember.user_id == student_id, Group.profile == "student")
                          .order_by(SchoolClass.archived_at.is_not(None), SchoolClass.id.desc()).limit(1))


def resolve_target(session: Session, author: User, key: str) -> Target:
    """The target named by ``c12`` (class), ``g5`` (teaching group) or ``s42`` (student), checked against what
    the author may write to: unknown → 404, not theirs → 403 with the reason."""
    key = (key or "").strip()
    if len(key) < 2 or len(key) > 19 or key[0] not in "cgs" or not key[1:].isascii() or not key[1:].isdigit():
        raise CarnetError(N_("Choisissez les destinataires du mot."), 422, "missing_target")
    allowed = {t.key: t for t in author_targets(session, author)}
    kind, ident = key[0], int(key[1:])
    if kind == "s":
        student = session.get(User, ident)
        if student is None or not _has_profile(student, "student"):
            raise CarnetError(N_("Cet élève n'existe pas."), 404, "unknown_target")
        school_class = _student_class(session, ident)
        in_groups = {f"g{g.id}" for g in _teaching_groups(session, ident)}
        if not ((school_class and f"c{school_class.id}" in allowed) or in_groups & allowed.keys()):
            raise CarnetError(N_("Vous n'enseignez pas à cet élève : vous ne pouvez pas écrire à ses parents."),
                              403, "not_your_student")
        structure_id = school_class.structure_id if school_class else next(
            allowed[k].structure_id for k in in_groups & allowed.keys())
        return Target("student", ident, student.display_name, structure_id)
    exists_row = session.get(SchoolClass, ident) if kind == "c" else session.get(Group, ident)
    if exists_row is None or (isinstance(exists_row, Group) and exists_row.kind != GroupKind.TEACHING):
        raise CarnetError(N_("Cette classe ou ce groupe n'existe pas."), 404, "unknown_target")
    if key not in allowed:
        raise CarnetError(N_("Vous n'enseignez pas dans « %(name)s » : vous ne pouvez pas y envoyer de mot."),
                          403, "not_your_class", name=exists_row.name)
    return allowed[key]


def _recipient_rows(session: Session, target: Target) -> list[tuple[int, int | None, str]]:
    """(student id, class id, class name) of every student of the target, in one query."""
    class_group = (select(GroupMember.user_id.label("uid"), SchoolClass.id.label("cid"),
                          SchoolClass.name.label("cname"))
                   .join(Group, Group.id == GroupMember.group_id).join(SchoolClass, SchoolClass.id == Group.class_id)
                   .where(Group.profile == "student", SchoolClass.archived_at.is_(None)))
    if target.kind == "class":
        found = session.execute(class_group.where(SchoolClass.id == target.id))
        return [(uid, cid, cname) for uid, cid, cname in found]
    if target.kind == "student":
        for uid, cid, cname in session.execute(class_group.where(GroupMember.user_id == target.id)):
            return [(uid, cid, cname)]  # the first class found
        return [(target.id, None, "")]
    sub = class_group.subquery()  # the group's students are its members who are students of a class
    query = (select(GroupMember.user_id, func.min(sub.c.cid), func.min(sub.c.cname))
             .join(sub, sub.c.uid == GroupMember.user_id)
             .where(GroupMember.group_id == target.id).group_by(GroupMember.user_id))
    return [(uid, cid, cname or "") for uid, cid, cname in session.execute(query)]


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise CarnetError(N_("Le titre du mot est obligatoire."), 422, "empty_title")
    if len(title) > TITLE_MAX:
        raise CarnetError(N_("Le titre est trop long (%(max)d caractères au plus)."), 422, "title_too_long",
                          max=TITLE_MAX)
    return title


def _clean_body(body: str) -> str:
    if len(body or "") > BODY_MAX:
        raise CarnetError(N_("Le message est trop long."), 413, "body_too_long")
    clean = sanitize_html(body or "")
    if not html_to_text(clean).strip():
        raise CarnetError(N_("Le message du mot est vide."), 422, "empty_body")
    return clean


def send_mot(session: Session, author: User, target_key: str, title: str, body: str, *,
             requires_signature: bool = False, replies_allowed: bool = False) -> Mot:
    """Send a mot: one insert for the mot, one executemany for the recipients (the class snapshot), the audit."""
    if not is_author(author):
        raise CarnetError(N_("Seuls les enseignants et les personnels écrivent des mots."), 403, "not_author")
    title, clean = _clean_title(title), _clean_body(body)
    target = resolve_target(session, author, target_key)
    rows = _recipient_rows(session, target)
    if not rows:
        raise CarnetError(N_("Aucun élève dans « %(name)s » : le mot n'aurait aucun destinataire."), 409,
                          "no_recipient", name=target.name)
    mot = Mot(structure_id=target.structure_id, author_id=author.id, author_name=person_name(author), title=title,
              body_html=clean, target_kind=target.kind, target_id=target.id, target_name=target.name,
              requires_signature=requires_signature, replies_allowed=replies_allowed, recipient_count=len(rows),
              sent_at=utcnow())
    session.add(mot)
    session.flush()
    session.execute(insert(Recipient), [{"mot_id": mot.id, "student_id": sid, "class_id": cid, "class_name": cname}
                                        for sid, cid, cname in rows])
    record_audit(session, "carnet.mot.send", actor=author, target=mot, structure_id=mot.structure_id,
                 recipients=len(rows), target_kind=target.kind, target_id=target.id)
    return mot


# -- reading ------------------------------------------------------------------------------------------


def children_ids(session: Session, parent_id: int) -> list[int]:
    return list(session.scalars(select(RelativeLink.child_id).where(RelativeLink.parent_id == parent_id)))


def mots_of_student(session: Session, student_id: int, limit: int | None = None) -> list[tuple[Mot, Recipient]]:
    """The mots sent to a student's parents: unsigned ones (that need a signature) first, then newest first."""
    unsigned_first = case((Mot.requires_signature & Recipient.signed_at.is_(None), 0), else_=1)
    query = (select(Mot, Recipient).join(Recipient, Recipient.mot_id == Mot.id)
             .where(Recipient.student_id == student_id).order_by(unsigned_first, Mot.sent_at.desc(), Mot.id.desc()))
    return [(mot, recipient) for mot, recipient in session.execute(query.limit(limit) if limit else query)]


def mots_of_author(session: Session, author_id: int, limit: int | None = None) -> list[tuple[Mot, int]]:
    """An author's mots, newest first, with their signature count (one query)."""
    signed = (select(func.count()).where(Recipient.mot_id == Mot.id, Recipient.signed_at.is_not(None))
              .correlate(Mot).scalar_subquery())
    query = select(Mot, signed).where(Mot.author_id == author_id).order_by(Mot.sent_at.desc(), Mot.id.desc())
    return [tuple(r) for r in session.execute(query.limit(limit) if limit else query)]


@dataclass
class Opened:
    mot: Mot
    recipient: Recipient | None  # None for the author
    as_parent: bool = False
    just_signed: bool = False


def open_mot(session: Session, user: User, mot_id: int, preferred_student_id: int | None = None) -> Opened:
    """Find a mot for its reader, writing nothing: the author sees it, a parent of a recipient student or the
    student reads it. Anyone else: 404. Opening is not signing (a link or a prefetch must not sign for a parent):
    see :func:`sign_mot` and :func:`mark_read`."""
    mot = session.get(Mot, mot_id)
    if mot is None:
        raise CarnetError(N_("Ce mot n'existe pas ou ne vous est pas adressé."), 404, "not_found")
    if mot.author_id == user.id:
        return Opened(mot, None)
    candidates = []
    if preferred_student_id is not None:
        candidates.append(preferred_student_id)
    own_children = children_ids(session, user.id)
    candidates += [c for c in own_children if c not in candidates]
    if _has_profile(user, "student"):
        candidates.append(user.id)
    recipients = {r.student_id: r for r in session.scalars(select(Recipient).where(
        Recipient.mot_id == mot.id, Recipient.student_id.in_(candidates)))}
    student_id = next((c for c in candidates if c in recipients and (c == user.id or c in own_children)), None)
    if student_id is None:
        raise CarnetError(N_("Ce mot n'existe pas ou ne vous est pas adressé."), 404, "not_found")
    return Opened(mot, recipients[student_id], as_parent=student_id != user.id)


def sign_mot(session: Session, user: User, mot_id: int, student_id: int | None = None) -> Opened:
    """A parent of a recipient signs the mot for that student (who, when; once: signing again changes nothing).
    A student, a mot without signature or an archived one are refused before anything is written."""
    if student_id is not None and student_id == user.id or (
            student_id is None and _has_profile(user, "student") and not children_ids(session, user.id)):
        raise CarnetError(N_("Seul un responsable de l'élève peut signer un mot."), 403, "not_a_parent")
    opened = open_mot(session, user, mot_id, student_id)
    mot, recipient = opened.mot, opened.recipient
    if recipient is None or not opened.as_parent:
        raise CarnetError(N_("Seul un responsable de l'élève peut signer un mot."), 403, "not_a_parent")
    if not mot.requires_signature:
        raise CarnetError(N_("Ce mot ne demande pas de signature."), 409, "no_signature")
    if recipient.signed_at is not None:
        return opened
    if mot.archived_at is not None:
        raise CarnetError(N_("Ce mot est archivé : il ne peut plus être signé."), 409, "archived")
    recipient.signed_at, recipient.signed_by_id = utcnow(), user.id
    recipient.signed_by_name = person_name(user)
    record_audit(session, "carnet.mot.sign", actor=user, target=mot, structure_id=mot.structure_id,
                 student_id=recipient.student_id)
    return Opened(mot, recipient, as_parent=True, just_signed=True)


def mark_read(session: Session, user: User, mot_id: int) -> Opened:
    """The student notes that they have read a mot sent to their parents (once); anyone else is refused."""
    opened = open_mot(session, user, mot_id)
    recipient = opened.recipient
    if recipient is None or recipient.student_id != user.id:
        raise CarnetError(N_("Seul l'élève destinataire note sa lecture d'un mot."), 403, "not_the_student")
    if recipient.student_read_at is None:
        recipient.student_read_at = utcnow()
        record_audit(session, "carnet.mot.read", actor=user, target=opened.mot, structure_id=opened.mot.structure_id)
    return opened


def author_mot(session: Session, user: User, mot_id: int) -> Mot:
    mot = session.get(Mot, mot_id)
    if mot is None or mot.author_id != user.id:
        raise CarnetError(N_("Ce mot n'existe pas ou vous n'en êtes pas l'auteur."), 404, "not_found")
    return mot


def recipients_of(session: Session, mot_id: int) -> list[tuple[Recipient, str, str]]:
    """Each recipient with the student's name and their parents' names (two queries)."""
    rows = list(session.execute(select(Recipient, User.display_name).join(User, User.id == Recipient.student_id)
                                .where(Recipient.mot_id == mot_id)
                                .order_by(Recipient.class_name, User.last_name, User.first_name)))
    parents: dict[int, list[str]] = {}
    for child_id, name in session.execute(
            select(RelativeLink.child_id, User.display_name).join(User, User.id == RelativeLink.parent_id)
            .join(Recipient, Recipient.student_id == RelativeLink.child_id).where(Recipient.mot_id == mot_id)
            .order_by(User.last_name)):
        parents.setdefault(child_id, []).append(name)
    return [(r, name, ", ".join(parents.get(r.student_id, []))) for r, name in rows]


# -- reminders, export -------------------------------------------------------------------------------------


def remind(session: Session, author: User, mot_id: int, now: datetime | None = None) -> int:
    """E-mail the parents (with an address) of the students whose mot is not signed, mark them in the app;
    at most once an hour per mot (429 otherwise). Returns the number of e-mails queued."""
    mot = author_mot(session, author, mot_id)
    now = now or utcnow()
    if not mot.requires_signature:
        raise CarnetError(N_("Ce mot ne demande pas de signature : rien à relancer."), 409, "no_signature")
    if mot.archived_at is not None:
        raise CarnetError(N_("Ce mot est archivé."), 409, "archived")
    last = session.scalar(select(func.max(Reminder.at)).where(Reminder.mot_id == mot.id))
    if last is not None and now - last < REMIND_EVERY:
        raise CarnetError(N_("Une relance a déjà été envoyée il y a moins d'une heure : réessayez plus tard."),
                          429, "too_soon")
    unsigned = select(Recipient.student_id).where(Recipient.mot_id == mot.id, Recipient.signed_at.is_(None))
    addresses = sorted({email for email in session.scalars(
        select(User.email).join(RelativeLink, RelativeLink.parent_id == User.id)
        .where(RelativeLink.child_id.in_(unsigned), User.email.is_not(None), User.email != "")) if email})
    for address in addresses:
        send_mail(session, address, f"Mot à signer : {mot.title}"[:150],
                  f"{mot.author_name} vous rappelle le mot « {mot.title} » à signer dans le carnet de liaison.\n\n"
                  f"{html_to_text(mot.body_html)}", structure_id=mot.structure_id)
    session.execute(update(Recipient).where(Recipient.mot_id == mot.id, Recipient.signed_at.is_(None))
                    .values(reminded_at=now))
    session.add(Reminder(mot_id=mot.id, at=now, by_id=author.id, count=len(addresses)))
    record_audit(session, "carnet.mot.remind", actor=author, target=mot, structure_id=mot.structure_id,
                 emails=len(addresses))
    return len(addresses)


def export_csv(session: Session, author: User, mot_id: int, header: list[str]) -> str:
    """The signature list as CSV: UTF-8 with a BOM, ``;`` separated, formula cells defused. Audited."""
    mot = author_mot(session, author, mot_id)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for recipient, student, parents in recipients_of(session, mot.id):
        signed = recipient.signed_at.strftime("%d/%m/%Y %H:%M") if recipient.signed_at else ""
        writer.writerow([csv_safe(v) for v in (student, recipient.class_name, parents, signed,
                                                recipient.signed_by_name or "")])
    record_audit(session, "carnet.mot.export", actor=author, target=mot, structure_id=mot.structure_id)
    return buffer.getvalue()


# -- replies ---------------------------------------------------------------------------------------------


def replies_of(session: Session, mot_id: int, student_id: int | None = None) -> list[Reply]:
    query = select(Reply).where(Reply.mot_id == mot_id)
    if student_id is not None:
        query = query.where(Reply.student_id == student_id)
    return list(session.scalars(query.order_by(Reply.student_id, Reply.created_at, Reply.id)))


def add_reply(session: Session, user: User, mot_id: int, body: str, student_id: int | None = None) -> Reply:
    """A parent replies about their child (when the author allows it); the author answers a student's parents.
    Plain text: the reply is stored as typed and escaped on display."""
    mot = session.get(Mot, mot_id)
    if mot is None:
        raise CarnetError(N_("Ce mot n'existe pas ou ne vous est pas adressé."), 404, "not_found")
    if mot.author_id == user.id:
        if student_id is None or not session.scalar(select(exists().where(
                Recipient.mot_id == mot.id, Recipient.student_id == student_id))):
            raise CarnetError(N_("Cet élève n'est pas destinataire du mot."), 404, "unknown_student")
    else:
        family = children_ids(session, user.id)
        if student_id is None:
            student_id = next(iter(session.scalars(select(Recipient.student_id).where(
                Recipient.mot_id == mot.id, Recipient.student_id.in_(family)))), None)
        if student_id not in family or not session.scalar(select(exists().where(
                Recipient.mot_id == mot.id, Recipient.student_id == student_id))):
            raise CarnetError(N_("Ce mot n'existe pas ou ne vous est pas adressé."), 404, "not_found")
        if not mot.replies_allowed:
            raise CarnetError(N_("L'auteur de ce mot n'accepte pas de réponse."), 403, "replies_off")
    if mot.archived_at is not None:
        raise CarnetError(N_("Ce mot est archivé."), 409, "archived")
    text = (body or "").strip()
    if not text:
        raise CarnetError(N_("La réponse est vide."), 422, "empty_reply")
    if len(text) > REPLY_MAX:
        raise CarnetError(N_("La réponse est trop longue (%(max)d caractères au plus)."), 413, "reply_too_long",
                          max=REPLY_MAX)
    reply = Reply(mot_id=mot.id, student_id=student_id, author_id=user.id, author_name=person_name(user),
                  body=text, created_at=utcnow())
    session.add(reply)
    session.flush()
    record_audit(session, "carnet.reply.create", actor=user, target=mot, structure_id=mot.structure_id,
                 student_id=student_id)
    return reply


# -- lifecycle -------------------------------------------------------------------------------------------


def archive_year(session: Session, structure_id: int) -> int:
    """The year transition: the structure's mots are archived (still readable), nothing is deleted."""
    result = session.execute(update(Mot).where(Mot.structure_id == structure_id, Mot.archived_at.is_(None))
                             .values(archived_at=utcnow()).execution_options(synchronize_session="fetch"))
    return affected_rows(result)


def move_user(session: Session, old_id: int, new_id: int) -> None:
    """A merged account keeps the mots, signatures and replies of the absorbed one."""
    session.execute(update(Mot).where(Mot.author_id == old_id).values(author_id=new_id))
    session.execute(update(Recipient).where(Recipient.signed_by_id == old_id).values(signed_by_id=new_id))
    session.execute(update(Reply).where(Reply.author_id == old_id).values(author_id=new_id))
    taken = select(Recipient.mot_id).where(Recipient.student_id == new_id)
    session.execute(update(Recipient).where(Recipient.student_id == old_id, Recipient.mot_id.not_in(taken))
                    .values(student_id=new_id))
    session.execute(update(Reply).where(Reply.student_id == old_id).values(student_id=new_id))


def export_of(session: Session, user_id: int) -> dict[str, Any] | None:
    """« Mes données »: the mots one wrote, the signatures one gave and the replies one wrote."""
    mots = [{"titre": m.title, "envoyé le": m.sent_at.isoformat(), "destinataires": m.target_name,
             "message": m.body_html} for m in session.scalars(select(Mot).where(Mot.author_id == user_id))]
    signatures = [{"mot": title, "élève": r.student_id, "signé le": r.signed_at.isoformat() if r.signed_at else None}
                  for r, title in session.execute(select(Recipient, Mot.title).join(Mot, Mot.id == Recipient.mot_id)
                                                  .where(Recipient.signed_by_id == user_id))]
    replies = [{"mot": title, "écrite le": r.created_at.isoformat(), "réponse": r.body}
               for r, title in session.execute(select(Reply, Mot.title).join(Mot, Mot.id == Reply.mot_id)
                                               .where(Reply.author_id == user_id))]
    if not (mots or signatures or replies):
        return None
    return {"mots": mots, "signatures": signatures, "réponses": replies}
