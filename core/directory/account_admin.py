"""What an administrator does to accounts from the user card: activation codes, classes and teaching groups,
functions and the ADML delegation, parent–child links, manual creation and batch block / unblock.

Every function takes the acting administrator and checks that what it touches lies in their scope; the views
check beforehand that the user themselves is in scope (``_user_in_scope(..., acting=True)``). A refusal raises
:class:`DirectoryError` with a French message, before anything is changed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..models import (
    AccountState,
    AuditEvent,
    Function,
    Group,
    GroupKind,
    GroupMember,
    Role,
    SchoolClass,
    Structure,
    User,
    UserFunction,
)
from ..models._time import utcnow
from ..types import N_, Profile
from . import scopes
from .codes import new_code
from .structures import DirectoryError, descendant_ids
from .users import (
    add_role,
    add_to_group,
    attach_to_class,
    children_of,
    classes_of,
    create_user,
    detach_from_class,
    grant_function,
    link_relative,
    parents_of,
    remove_from_group,
    revoke_function,
    unlink_relative,
)

# Functions an administrator may grant from the UI; SUPER_ADMIN never is (it is given on the command line).
GRANTABLE = (Function.ADMIN_LOCAL, Function.DIRECTEUR, Function.CPE, Function.DOCUMENTALISTE,
             Function.GAR_RESP_AFFECT)
FUNCTION_LABELS = {
    Function.SUPER_ADMIN: N_("Super-administrateur"),
    Function.ADMIN_LOCAL: N_("Administrateur local (ADML)"),
    Function.DIRECTEUR: N_("Directeur"),
    Function.DOCUMENTALISTE: N_("Documentaliste"),
    Function.CPE: N_("CPE"),
    Function.GAR_RESP_AFFECT: N_("Responsable d'affectation (GAR)"),
}
BLOCK_HISTORY_ACTIONS = ("account.blocked", "account.active", "account.inactive")


def _in_scope(session: Session, admin: User, structure_id: int) -> bool:
    return scopes.can_administer(session, admin, structure_id)


# -- activation code -------------------------------------------------------------------------------------------


def regenerate_activation_code(session: Session, admin: User, user: User, *, ip: str | None = None) -> str:
    """A new activation code for an account that was never activated (the letter was lost)."""
    if user.state != AccountState.INACTIVE:
        raise DirectoryError(_("Seul un compte non activé reçoit un code d'activation."))
    user.activation_code = new_code()
    user.activation_code_expires_at = None
    audit.record(session, "account.activation_code_issued", actor=admin, target=user, ip=ip)
    session.flush()
    return user.activation_code


# -- classes and teaching groups -------------------------------------------------------------------------------


def _class_in_scope(session: Session, admin: User, class_id: int) -> SchoolClass:
    school_class = session.get(SchoolClass, class_id)
    if school_class is None or not _in_scope(session, admin, school_class.structure_id):
        raise DirectoryError(_("Cette classe n'existe pas ou ne relève pas de votre administration."))
    return school_class


def set_teacher_class(session: Session, admin: User, teacher: User, class_id: int, attach: bool, *,
                      ip: str | None = None) -> SchoolClass:
    """Attach a teacher to a class of a structure the administrator runs, or detach them from it."""
    school_class = _class_in_scope(session, admin, class_id)
    (attach_to_class if attach else detach_from_class)(session, teacher, school_class, Profile.TEACHER)
    audit.record(session, "directory.class_attached" if attach else "directory.class_detached", actor=admin,
                 target=teacher, structure_id=school_class.structure_id, class_id=school_class.id,
                 profile=Profile.TEACHER.value, ip=ip)
    return school_class


def _teaching_group_in_scope(session: Session, admin: User, group_id: int,
                             kinds=(GroupKind.TEACHING,)) -> Group:
    group = session.get(Group, group_id)
    if group is None or group.kind not in kinds or not _in_scope(session, admin, group.structure_id):
        raise DirectoryError(_("Ce groupe n'existe pas ou ne relève pas de votre administration."))
    return group


def set_group_membership(session: Session, admin: User, user: User, group_id: int, join: bool, *,
                         kinds=(GroupKind.TEACHING,), ip: str | None = None) -> Group:
    """Put ``user`` in (or take them out of) a teaching or manual group the administrator runs."""
    group = _teaching_group_in_scope(session, admin, group_id, kinds)
    (add_to_group if join else remove_from_group)(session, user, group)
    audit.record(session, "directory.group_joined" if join else "directory.group_left", actor=admin,
                 target=user, structure_id=group.structure_id, group_id=group.id, ip=ip)
    return group


# -- functions and ADML delegation -----------------------------------------------------------------------------


def _check_function(session: Session, admin: User, user: User, code: str, structure_id: int) -> Structure:
    if code == Function.SUPER_ADMIN:
        raise DirectoryError(_("La fonction super-administrateur ne se donne pas depuis la console."))
    if code not in GRANTABLE:
        raise DirectoryError(_("Fonction inconnue : %(code)s.", code=code[:40]))
    structure = session.get(Structure, structure_id)
    if structure is None or not _in_scope(session, admin, structure.id):
        raise DirectoryError(_("Vous n'administrez pas cette structure."))
    if not any(r.structure_id in descendant_ids(session, [structure.id]) for r in user.roles):
        raise DirectoryError(_("%(name)s n'a aucun rôle dans %(structure)s.", name=user.display_name,
                               structure=structure.name))
    return structure


def grant(session: Session, admin: User, user: User, code: str, structure_id: int, *,
          ip: str | None = None) -> None:
    """Grant a function in a structure; ADML is delegated only inside the administrator's own structures."""
    structure = _check_function(session, admin, user, code, structure_id)
    grant_function(session, user, code, structure, actor=admin)
    if code == Function.ADMIN_LOCAL:
        audit.record(session, "directory.adml_delegated", actor=admin, target=user, structure_id=structure.id,
                     ip=ip)


def revoke(session: Session, admin: User, user: User, code: str, structure_id: int, *,
           ip: str | None = None) -> None:
    structure = _check_function(session, admin, user, code, structure_id)
    if user.id == admin.id and code == Function.ADMIN_LOCAL:
        raise DirectoryError(_("Vous ne pouvez pas retirer votre propre délégation d'administration."))
    if not any(f.code == code and f.structure_id == structure.id for f in user.functions):
        raise DirectoryError(_("Cette fonction n'est pas attribuée ici."))
    revoke_function(session, user, code, structure, actor=admin)


# -- parents and children ---------------------------------------------------------------------------------------


def _pair(session: Session, admin: User, other_login: str) -> User:
    other = session.scalar(select(User).where(User.login == (other_login or "").strip().lower()[:64]))
    if other is None or not scopes.can_administer_user(session, admin, other):
        raise DirectoryError(_("Cette personne n'existe pas ou ne relève pas de votre administration."))
    return other


def set_relative_link(session: Session, admin: User, user: User, other_login: str, link: bool) -> User:
    """Link or unlink a parent and a child, ``user`` being either; both must be in the admin's scope."""
    other = _pair(session, admin, other_login)
    parent, child = (user, other) if Profile.STUDENT in other.profiles and Profile.STUDENT not in user.profiles \
        else (other, user)
    (link_relative if link else unlink_relative)(session, parent, child, actor=admin)
    return other


# -- audit trail and block history ------------------------------------------------------------------------------


def audit_trail(session: Session, user: User, page: int, page_size: int = 20) -> tuple[list[AuditEvent], int]:
    """Events about ``user`` and events ``user`` caused, newest first."""
    condition = or_(AuditEvent.actor_id == user.id,
                    (AuditEvent.target_type == User.__tablename__) & (AuditEvent.target_id == str(user.id)))
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(condition)) or 0
    events = list(session.scalars(select(AuditEvent).where(condition).order_by(AuditEvent.at.desc(),
                                                                               AuditEvent.id.desc())
                                  .limit(page_size).offset((page - 1) * page_size)))
    return events, total


def block_history(session: Session, user: User) -> list[AuditEvent]:
    """Blocks and unblocks of ``user``, newest first (an unblock is a move out of the blocked state)."""
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == User.__tablename__, AuditEvent.target_id == str(user.id),
        AuditEvent.action.in_(BLOCK_HISTORY_ACTIONS)).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    return [e for e in events if e.action == "account.blocked" or e.detail.get("previous") == AccountState.BLOCKED]


def actor_names(session: Session, events: list[AuditEvent]) -> dict[int, str]:
    ids = {e.actor_id for e in events if e.actor_id}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}


# -- manual creation ----------------------------------------------------------------------------------------------


@dataclass
class NewAccount:
    profile: str
    first_name: str
    last_name: str
    birth_date: str = ""
    email: str = ""
    class_id: str = ""
    children: list[str] = field(default_factory=list)


class FieldError(DirectoryError):
    """A refused creation, naming the form field at fault."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


def _birth_date(raw: str, required: bool) -> date | None:
    raw = raw.strip()
    if not raw:
        if required:
            raise FieldError("birth_date", _("Date de naissance : obligatoire pour un élève."))
        return None
    try:
        born = date.fromisoformat(raw)
    except ValueError:
        raise FieldError("birth_date", _("Date de naissance : date invalide (attendu : AAAA-MM-JJ).")) from None
    if not date(1900, 1, 1) <= born <= date.today():
        raise FieldError("birth_date", _("Date de naissance : date invalide (attendu : AAAA-MM-JJ)."))
    return born


def _students_of(session: Session, structure: Structure, raw_ids: list[str]) -> list[User]:
    if not raw_ids:
        raise FieldError("children", _("Enfants : choisissez au moins un élève de l'établissement."))
    if not all(r.isdigit() for r in raw_ids):
        raise FieldError("children", _("Enfants : valeur invalide."))
    ids = {int(r) for r in raw_ids}
    children = list(session.scalars(select(User).where(User.id.in_(ids), exists().where(
        Role.user_id == User.id, Role.structure_id == structure.id, Role.profile == Profile.STUDENT))))
    if len(children) != len(ids):
        raise FieldError("children", _("Enfants : un des enfants choisis n'est pas élève de l'établissement."))
    return children


def _check_new_account(session: Session, structure: Structure, data: NewAccount):
    if data.profile not in {p.value for p in Profile}:
        raise FieldError("profile", _("Profil : valeur inconnue."))
    if not data.first_name.strip():
        raise FieldError("first_name", _("Prénom : obligatoire."))
    if not data.last_name.strip():
        raise FieldError("last_name", _("Nom : obligatoire."))
    if len(data.first_name) > 100 or len(data.last_name) > 100:
        raise FieldError("last_name", _("Nom et prénom : 100 caractères au plus."))
    email = data.email.strip()
    if email and ("@" not in email or len(email) > 254 or " " in email):
        raise FieldError("email", _("Courriel : adresse invalide."))
    born = _birth_date(data.birth_date, data.profile == Profile.STUDENT)
    school_class = None
    if data.profile == Profile.STUDENT:
        if not data.class_id.strip().isdigit():
            raise FieldError("class_id", _("Classe : obligatoire pour un élève."))
        school_class = session.get(SchoolClass, int(data.class_id))
        if school_class is None or school_class.structure_id != structure.id:
            raise FieldError("class_id", _("Classe : cette classe n'est pas dans l'établissement."))
    children = _students_of(session, structure, data.children) if data.profile == Profile.RELATIVE else []
    return born, email or None, school_class, children


def create_account(session: Session, admin: User, structure: Structure, data: NewAccount, *,
                   ip: str | None = None) -> User:
    """An inactive account with an activation code and a generated login, in ``structure`` with a profile.

    Everything is checked before the first write, so a refusal leaves the directory as it was.
    """
    born, email, school_class, children = _check_new_account(session, structure, data)
    user = create_user(session, first_name=data.first_name, last_name=data.last_name, birth_date=born,
                       email=email, source="manual")
    add_role(session, user, structure, data.profile, actor=admin)
    if school_class is not None:
        attach_to_class(session, user, school_class, Profile.STUDENT)
    for child in children:
        link_relative(session, user, child, actor=admin)
    audit.record(session, "account.created", actor=admin, target=user, structure_id=structure.id,
                 profile=data.profile, ip=ip)
    return user


# -- batch block / unblock ---------------------------------------------------------------------------------------


@dataclass
class BatchPlan:
    action: str  # "block" or "unblock"
    profile: str
    user_ids: list[int]
    admins_spared: int


def _batch_candidates(session: Session, admin: User, structure: Structure, profile: str, action: str):
    """Users with ``profile`` in ``structure`` whose every role is in the admin's scope, in the right state."""
    scope = scopes.administered_structure_ids(session, admin)
    states = (AccountState.ACTIVE, AccountState.INACTIVE) if action == "block" else (AccountState.BLOCKED,)
    query = select(User.id).where(
        exists().where(Role.user_id == User.id, Role.structure_id == structure.id, Role.profile == profile),
        User.state.in_(states), User.id != admin.id)
    if scope is not None:
        query = query.where(~exists().where(Role.user_id == User.id, Role.structure_id.not_in(scope)))
    return query


def plan_batch(session: Session, admin: User, structure: Structure, profile: str, action: str) -> BatchPlan:
    """Who a batch block / unblock of ``profile`` would change; administrators are never blocked by it."""
    if action not in ("block", "unblock"):
        raise DirectoryError(_("Action inconnue : choisissez de bloquer ou de débloquer."))
    if profile not in {p.value for p in Profile}:
        raise DirectoryError(_("Profil : valeur inconnue."))
    query = _batch_candidates(session, admin, structure, profile, action)
    is_admin = exists().where(UserFunction.user_id == User.id,
                              UserFunction.code.in_((Function.ADMIN_LOCAL, Function.SUPER_ADMIN)))
    ids = list(session.scalars(query.where(~is_admin).order_by(User.id)))
    spared = session.scalar(select(func.count()).select_from(query.where(is_admin).subquery())) or 0
    return BatchPlan(action, profile, ids, spared)


def apply_batch(session: Session, admin: User, structure: Structure, plan: BatchPlan, reason: str, *,
                ip: str | None = None) -> int:
    """Block or unblock every account of the plan in a few statements: one batch event, one event per user."""
    if not plan.user_ids:
        return 0
    batch = uuid.uuid4().hex[:12]
    now = utcnow()
    previous = dict(session.execute(select(User.id, User.state).where(User.id.in_(plan.user_ids))).all())
    if plan.action == "block":
        session.execute(update(User).where(User.id.in_(plan.user_ids)).values(
            state=AccountState.BLOCKED, state_changed_at=now, session_version=User.session_version + 1))
        new_state = {uid: AccountState.BLOCKED for uid in plan.user_ids}
    else:
        with_password = set(session.scalars(select(User.id).where(User.id.in_(plan.user_ids),
                                                                  User.password_hash.is_not(None))))
        session.execute(update(User).where(User.id.in_(with_password)).values(
            state=AccountState.ACTIVE, state_changed_at=now))
        inactive = [uid for uid in plan.user_ids if uid not in with_password]
        session.execute(update(User).where(User.id.in_(inactive)).values(
            state=AccountState.INACTIVE, state_changed_at=now, session_version=User.session_version + 1))
        # An inactive account is activated with a code: give one to those who have none.
        missing = list(session.scalars(select(User.id).where(User.id.in_(inactive), User.activation_code.is_(None))))
        if missing:  # codes differ per row: one ORM bulk UPDATE by primary key (executemany)
            session.execute(update(User), [{"id": uid, "activation_code": new_code()} for uid in missing])
        new_state = {uid: AccountState.ACTIVE if uid in with_password else AccountState.INACTIVE
                     for uid in plan.user_ids}
    audit.record(session, f"account.batch_{plan.action}", actor=admin, target=structure,
                 structure_id=structure.id, ip=ip, profile=plan.profile, count=len(plan.user_ids), reason=reason,
                 batch=batch)
    session.execute(insert(AuditEvent), [
        {"at": now, "action": f"account.{new_state[uid]}", "actor_id": admin.id, "target_type": User.__tablename__,
         "target_id": str(uid), "structure_id": structure.id, "ip": ip,
         "detail": {"reason": reason, "previous": str(previous[uid]), "batch": batch}}
        for uid in plan.user_ids])
    session.flush()
    session.expire_all()
    return len(plan.user_ids)


# -- the user card --------------------------------------------------------------------------------------------


def card_details(session: Session, admin: User, user: User, trail_page: int = 1) -> dict:
    """Everything the user card shows besides the account itself, in a fixed number of queries."""
    scope = scopes.administered_structure_ids(session, admin)
    their = {r.structure_id for r in user.roles}
    mine = their if scope is None else their & scope
    teacher_in = {r.structure_id for r in user.roles if r.profile == Profile.TEACHER} & mine
    trail, trail_total = audit_trail(session, user, trail_page)
    history = block_history(session, user)
    structures = dict(session.execute(select(Structure.id, Structure.name).where(
        Structure.id.in_(their | {f.structure_id for f in user.functions if f.structure_id}))).all())
    return {
        "history": history, "trail": trail, "trail_total": trail_total, "trail_page": trail_page,
        "actors": actor_names(session, history + trail),
        "teacher_classes": classes_of(session, user, Profile.TEACHER),
        "class_choices": list(session.scalars(select(SchoolClass).where(SchoolClass.structure_id.in_(teacher_in),
                                                                         SchoolClass.archived_at.is_(None))
                                              .order_by(SchoolClass.name))) if teacher_in else [],
        "teaching_groups": list(session.scalars(select(Group).join(GroupMember, GroupMember.group_id == Group.id)
                                                .where(GroupMember.user_id == user.id,
                                                       Group.kind == GroupKind.TEACHING).order_by(Group.name))),
        "group_choices": list(session.scalars(select(Group).where(
            Group.structure_id.in_(mine), Group.kind == GroupKind.TEACHING).order_by(Group.name))) if mine else [],
        "grantable": GRANTABLE, "function_labels": FUNCTION_LABELS,
        "function_structures": [(sid, structures[sid]) for sid in sorted(mine)],
        "structure_names": structures,
        "children": children_of(session, user), "parents": parents_of(session, user),
    }


# -- manual groups ------------------------------------------------------------------------------------------------


def structure_groups(session: Session, structure_id: int) -> list[tuple[Group, int]]:
    """The manual and teaching groups of a structure with their member counts (one query)."""
    count = func.count(GroupMember.user_id)
    return [(g, n) for g, n in session.execute(
        select(Group, count).outerjoin(GroupMember, GroupMember.group_id == Group.id)
        .where(Group.structure_id == structure_id, Group.kind.in_((GroupKind.MANUAL, GroupKind.TEACHING)))
        .group_by(Group.id).order_by(Group.name))]


def rename_group(session: Session, group: Group, name: str) -> None:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise DirectoryError(_("Le nom du groupe est obligatoire (200 caractères au plus)."))
    group.name = name
    session.flush()


def delete_group(session: Session, group: Group) -> None:
    """Delete a manual or teaching group; its memberships and communication links go with it (cascade)."""
    if group.kind not in (GroupKind.MANUAL, GroupKind.TEACHING):
        raise DirectoryError(_("Les groupes de profil et de classe sont tenus à jour automatiquement."))
    session.execute(delete(GroupMember).where(GroupMember.group_id == group.id))
    session.delete(group)
    session.flush()
