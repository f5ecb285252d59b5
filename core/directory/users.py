"""Accounts and their attachments: roles, functions, classes, groups and parent–child links.

Memberships of the automatic groups are kept consistent here, and only here:

- a role (profile in a structure) ⇔ membership of that structure's profile group;
- a teacher or student attached to a class ⇔ membership of the class's group for that profile;
- a parent is in the parents' group of a class exactly when one of their children is a student of the class
  and they hold the parent profile in the class's school (``_sync_relatives``): parents follow their children,
  they are never attached to a class by hand.

Removing a role removes what it brought (the profile group, the classes of that structure for that profile,
and the manual groups of the structure once no role is left there). Parent–child links are facts about a
family and survive the removal of roles: a child who leaves the school keeps their parents, who simply stop
being in that school's class groups. Functions (ADML…) are independent of roles and are revoked separately.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, joinedload, lazyload

from .. import audit, events
from ..models import (
    AccountState,
    Function,
    Group,
    GroupKind,
    GroupMember,
    RelativeLink,
    Role,
    SchoolClass,
    Structure,
    User,
    UserFunction,
)
from ..types import PROFILE_LABELS, Profile
from .codes import LOGIN_PATTERN, login_base, new_code
from .structures import DirectoryError, ancestor_ids, descendant_ids, profile_group

CLASS_ATTACHABLE = (Profile.TEACHER, Profile.STUDENT)


def _profile_name(profile: str) -> str:
    return _(PROFILE_LABELS.get(profile, profile))


def unique_login(session: Session, first_name: str, last_name: str) -> str:
    """``prenom.nom`` in ASCII; homonyms get ``prenom.nom2``, ``prenom.nom3``…"""
    base = login_base(first_name, last_name)
    taken = set(session.scalars(select(User.login).where(User.login.like(f"{base}%"))))
    if base not in taken:
        return base
    return next(f"{base}{n}" for n in range(2, len(taken) + 3) if f"{base}{n}" not in taken)


def create_user(
    session: Session,
    *,
    first_name: str,
    last_name: str,
    login: str | None = None,
    birth_date: date | None = None,
    email: str | None = None,
    external_id: str | None = None,
    source: str = "manual",
    activation_expires_at: datetime | None = None,
) -> User:
    """Create an inactive account with an activation code (the way imports leave accounts)."""
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    if not first_name or not last_name:
        raise DirectoryError(_("Le prénom et le nom sont obligatoires."))
    login = (login or unique_login(session, first_name, last_name)).strip().lower()
    if not LOGIN_PATTERN.match(login):
        raise DirectoryError(_("L'identifiant %(login)s n'est pas valide (lettres sans accent, chiffres, « . », "
                               "« - » et « _ »).", login=login))
    if session.scalar(select(User.id).where(User.login == login)):
        raise DirectoryError(_("L'identifiant %(login)s est déjà pris.", login=login))
    if external_id and session.scalar(select(User.id).where(User.source == source,
                                                           User.external_id == external_id)):
        raise DirectoryError(_("L'identifiant externe %(id)s existe déjà pour la source %(source)s.",
                               id=external_id, source=source))
    user = User(
        login=login, first_name=first_name, last_name=last_name,  # display_name follows (models.User)
        birth_date=birth_date, email=email,
        external_id=external_id, source=source, state=AccountState.INACTIVE,
        activation_code=new_code(), activation_code_expires_at=activation_expires_at,
    )
    session.add(user)
    session.flush()
    events.emit("preau_user_created", apps=events.KERNEL_WIDE, user=user)
    return user


# -- roles -----------------------------------------------------------------------------------------------


def _find_role(session: Session, user: User, structure: Structure, profile: str) -> Role | None:
    return session.scalar(select(Role).where(
        Role.user_id == user.id, Role.structure_id == structure.id, Role.profile == profile))


def add_role(session: Session, user: User, structure: Structure, profile: str, *, actor: Any = None) -> Role:
    """Give ``user`` a profile in ``structure`` and put them in the structure's profile group."""
    if profile not in set(Profile):
        raise DirectoryError(_("Profil inconnu : %(profile)s.", profile=profile))
    role = _find_role(session, user, structure, profile)
    if role is None:
        role = Role(user_id=user.id, structure_id=structure.id, profile=profile)
        session.add(role)
        _join(session, profile_group(session, structure.id, profile).id, user.id)
        _join(session, profile_group(session, structure.id, None).id, user.id)  # "Tous"
        session.flush()
        session.refresh(user, ["roles"])
        if profile == Profile.RELATIVE:  # their children's classes in this school now take them in
            _sync_relatives(session, [user.id], _class_ids_of_children(session, [user.id]))
        audit.record(session, "directory.role_added", actor=actor, target=user, structure_id=structure.id,
                     profile=str(profile))
        events.emit("preau_user_updated", apps=events.KERNEL_WIDE, user=user,
                    changes={"roles": (None, f"{profile}@{structure.id}")})
    return role


def remove_role(session: Session, user: User, structure: Structure, profile: str, *, actor: Any = None) -> None:
    """Take a profile in a structure away from ``user`` with the memberships it brought (see module doc)."""
    role = _find_role(session, user, structure, profile)
    if role is None:
        raise DirectoryError(_("%(name)s n'a pas le profil %(profile)s dans %(structure)s.",
                               name=user.display_name, profile=_profile_name(profile), structure=structure.name))
    left_classes = _class_ids(session, user.id, structure.id, profile)
    session.delete(role)
    session.execute(delete(GroupMember).where(GroupMember.user_id == user.id, GroupMember.group_id.in_(
        select(Group.id).where(Group.structure_id == structure.id, Group.profile == profile,
                               Group.kind.in_((GroupKind.PROFILE, GroupKind.CLASS))))))
    session.flush()
    session.refresh(user, ["roles"])
    if not any(r.structure_id == structure.id for r in user.roles):  # no role left here: out of "Tous"
        everyone = profile_group(session, structure.id, None).id
        session.execute(delete(GroupMember).where(GroupMember.user_id == user.id, GroupMember.group_id == everyone))
    # Manual and teaching groups admit people with a role in their structure or below it: leave those the
    # remaining roles no longer justify (a city group once no role is left in the city's schools, say).
    still_reached = ancestor_ids(session, {r.structure_id for r in user.roles})
    session.execute(delete(GroupMember).where(GroupMember.user_id == user.id, GroupMember.group_id.in_(
        select(Group.id).where(Group.structure_id.not_in(still_reached),
                               Group.kind.in_((GroupKind.MANUAL, GroupKind.TEACHING))))))
    if profile == Profile.STUDENT:
        _sync_relatives(session, _parent_ids(session, [user.id]), left_classes)
    session.flush()
    audit.record(session, "directory.role_removed", actor=actor, target=user, structure_id=structure.id,
                 profile=str(profile))
    events.emit("preau_user_updated", apps=events.KERNEL_WIDE, user=user,
                changes={"roles": (f"{profile}@{structure.id}", None)})


# -- functions -------------------------------------------------------------------------------------------


def grant_function(session: Session, user: User, code: str, structure: Structure | None = None, *,
                   actor: Any = None) -> UserFunction:
    if code not in set(Function):
        raise DirectoryError(_("Fonction inconnue : %(code)s.", code=code))
    if (code == Function.SUPER_ADMIN) != (structure is None):
        raise DirectoryError(_("Seule la fonction super-administrateur est sans structure."))
    sid = structure.id if structure else None
    existing = session.scalar(select(UserFunction).where(
        UserFunction.user_id == user.id, UserFunction.code == code,
        UserFunction.structure_id.is_(None) if sid is None else UserFunction.structure_id == sid))
    if existing:
        return existing
    function = UserFunction(user_id=user.id, structure_id=sid, code=code)
    session.add(function)
    session.flush()
    session.refresh(user, ["functions"])
    audit.record(session, "directory.function_granted", actor=actor, target=user, structure_id=sid, function=str(code))
    return function


def revoke_function(session: Session, user: User, code: str, structure: Structure | None = None, *,
                    actor: Any = None) -> None:
    sid = structure.id if structure else None
    session.execute(delete(UserFunction).where(
        UserFunction.user_id == user.id, UserFunction.code == code,
        UserFunction.structure_id.is_(None) if sid is None else UserFunction.structure_id == sid))
    session.flush()
    session.refresh(user, ["functions"])
    audit.record(session, "directory.function_revoked", actor=actor, target=user, structure_id=sid, function=str(code))


# -- classes and groups ----------------------------------------------------------------------------------


def _join(session: Session, group_id: int, user_id: int) -> None:
    if not session.get(GroupMember, (group_id, user_id)):
        session.add(GroupMember(group_id=group_id, user_id=user_id))


def class_group(session: Session, school_class: SchoolClass, profile: str) -> Group:
    return session.scalars(select(Group).where(
        Group.class_id == school_class.id, Group.kind == GroupKind.CLASS, Group.profile == profile)).one()


def _check_class_profile(user: User, school_class: SchoolClass, profile: str) -> None:
    if profile == Profile.RELATIVE:
        raise DirectoryError(_("Les parents rejoignent automatiquement les classes de leurs enfants."))
    if profile not in CLASS_ATTACHABLE:
        raise DirectoryError(_("Seuls les enseignants et les élèves sont rattachés à une classe."))
    if not any(r.structure_id == school_class.structure_id and r.profile == profile for r in user.roles):
        raise DirectoryError(_("%(name)s n'a pas le profil %(profile)s dans l'établissement de la classe.",
                               name=user.display_name, profile=_profile_name(profile)))


def attach_to_class(session: Session, user: User, school_class: SchoolClass, profile: str) -> None:
    """Put a teacher or a student into a class (its group for that profile); a student's parents follow."""
    _check_class_profile(user, school_class, profile)
    if school_class.archived_at is not None:
        raise DirectoryError(_("La classe %(name)s est archivée : elle appartient à une année passée.",
                               name=school_class.name))
    _join(session, class_group(session, school_class, profile).id, user.id)
    session.flush()
    if profile == Profile.STUDENT:
        _sync_relatives(session, _parent_ids(session, [user.id]), [school_class.id])


def detach_from_class(session: Session, user: User, school_class: SchoolClass, profile: str) -> None:
    """Take a teacher or a student out of a class; parents without another child in it leave it too."""
    _check_class_profile(user, school_class, profile)
    session.execute(delete(GroupMember).where(
        GroupMember.user_id == user.id, GroupMember.group_id == class_group(session, school_class, profile).id))
    session.flush()
    if profile == Profile.STUDENT:
        _sync_relatives(session, _parent_ids(session, [user.id]), [school_class.id])


def _check_manual(group: Group) -> None:
    if group.kind in (GroupKind.PROFILE, GroupKind.CLASS):
        raise DirectoryError(_("Les groupes de profil et de classe sont tenus à jour automatiquement."))


def add_to_group(session: Session, user: User, group: Group) -> None:
    """Add a member to a manual or teaching group; they must hold a role in its structure or below it."""
    _check_manual(group)
    below = descendant_ids(session, [group.structure_id])
    if not any(r.structure_id in below for r in user.roles):
        raise DirectoryError(_("%(name)s n'a aucun rôle dans la structure du groupe %(group)s.",
                               name=user.display_name, group=group.name))
    _join(session, group.id, user.id)
    session.flush()


def remove_from_group(session: Session, user: User, group: Group) -> None:
    """Take a member out of a manual or teaching group (nothing happens if they were not in it)."""
    _check_manual(group)
    session.execute(delete(GroupMember).where(GroupMember.user_id == user.id, GroupMember.group_id == group.id))
    session.flush()


# -- parents and children --------------------------------------------------------------------------------


def link_relative(session: Session, parent: User, child: User, *, actor: Any = None) -> None:
    """Link a parent to a child; the parent joins the parents' group of the child's classes."""
    if parent.id == child.id:
        raise DirectoryError(_("Une personne ne peut pas être son propre parent."))
    if Profile.STUDENT not in child.profiles:
        raise DirectoryError(_("%(name)s n'est pas élève.", name=child.display_name))
    if Profile.RELATIVE not in parent.profiles:
        raise DirectoryError(_("%(name)s n'a pas le profil parent.", name=parent.display_name))
    if not session.get(RelativeLink, (parent.id, child.id)):
        session.add(RelativeLink(parent_id=parent.id, child_id=child.id))
        session.flush()
        audit.record(session, "directory.relative_linked", actor=actor, target=child, parent_id=parent.id)
    _sync_relatives(session, [parent.id], _class_ids(session, child.id, None, Profile.STUDENT))


def unlink_relative(session: Session, parent: User, child: User, *, actor: Any = None) -> None:
    """Remove a parent–child link; the parent leaves the child's classes unless another child is there."""
    link = session.get(RelativeLink, (parent.id, child.id))
    if link is None:
        raise DirectoryError(_("%(parent)s n'est pas parent de %(child)s.", parent=parent.display_name,
                               child=child.display_name))
    session.delete(link)
    session.flush()
    audit.record(session, "directory.relative_unlinked", actor=actor, target=child, parent_id=parent.id)
    _sync_relatives(session, [parent.id], _class_ids(session, child.id, None, Profile.STUDENT))


def _parent_ids(session: Session, child_ids: Iterable[int]) -> set[int]:
    return set(session.scalars(select(RelativeLink.parent_id).where(RelativeLink.child_id.in_(list(child_ids)))))


def _class_ids(session: Session, user_id: int, structure_id: int | None, profile: str) -> set[int]:
    """Classes where ``user_id`` is in the group of ``profile`` (optionally within one structure)."""
    query = select(Group.class_id).join(GroupMember, GroupMember.group_id == Group.id).where(
        GroupMember.user_id == user_id, Group.kind == GroupKind.CLASS, Group.profile == profile)
    if structure_id is not None:
        query = query.where(Group.structure_id == structure_id)
    return set(session.scalars(query))


def _class_ids_of_children(session: Session, parent_ids: Iterable[int]) -> set[int]:
    return set(session.scalars(
        select(Group.class_id).join(GroupMember, GroupMember.group_id == Group.id)
        .join(RelativeLink, RelativeLink.child_id == GroupMember.user_id)
        .where(RelativeLink.parent_id.in_(list(parent_ids)), Group.kind == GroupKind.CLASS,
               Group.profile == Profile.STUDENT)))


def _sync_relatives(session: Session, parent_ids: Iterable[int], class_ids: Iterable[int]) -> None:
    """Make the parents' groups of ``class_ids`` hold, among ``parent_ids``, exactly the parents who have a
    child among the class's students and the parent profile in the class's school."""
    parent_ids, class_ids = set(parent_ids), set(class_ids)
    if not parent_ids or not class_ids:
        return
    session.flush()
    groups = session.execute(select(Group.id, Group.class_id, Group.profile, Group.structure_id).where(
        Group.class_id.in_(class_ids), Group.kind == GroupKind.CLASS,
        Group.profile.in_((Profile.STUDENT, Profile.RELATIVE)))).all()
    student_group = {g.class_id: g.id for g in groups if g.profile == Profile.STUDENT}
    parents_group = {g.class_id: (g.id, g.structure_id) for g in groups if g.profile == Profile.RELATIVE}
    class_of_student_group = {gid: cid for cid, gid in student_group.items()}
    with_child = session.execute(
        select(RelativeLink.parent_id, GroupMember.group_id)
        .join(GroupMember, GroupMember.user_id == RelativeLink.child_id)
        .where(RelativeLink.parent_id.in_(parent_ids), GroupMember.group_id.in_(list(class_of_student_group)))
    ).all()
    parent_roles = set(session.execute(select(Role.user_id, Role.structure_id).where(
        Role.user_id.in_(parent_ids), Role.profile == Profile.RELATIVE)).all())
    wanted = set()
    for parent_id, student_group_id in with_child:
        group_id, structure_id = parents_group[class_of_student_group[student_group_id]]
        if (parent_id, structure_id) in parent_roles:
            wanted.add((group_id, parent_id))
    present = set(session.execute(select(GroupMember.group_id, GroupMember.user_id).where(
        GroupMember.user_id.in_(parent_ids),
        GroupMember.group_id.in_([gid for gid, _sid in parents_group.values()]))).all())
    if wanted - present:
        session.execute(insert(GroupMember), [{"group_id": g, "user_id": u} for g, u in wanted - present])
    for group_id, user_id in present - wanted:
        session.execute(delete(GroupMember).where(GroupMember.group_id == group_id, GroupMember.user_id == user_id))
    session.flush()


# -- queries ---------------------------------------------------------------------------------------------


def classes_of(session: Session, user: User, profile: str | None = None) -> list[SchoolClass]:
    """The classes ``user`` belongs to (as a student, a teacher, or a parent through a child), optionally for
    one ``profile`` only; archived classes included, ordered by name."""
    query = (select(SchoolClass).join(Group, Group.class_id == SchoolClass.id)
             .join(GroupMember, GroupMember.group_id == Group.id).where(GroupMember.user_id == user.id))
    if profile:
        query = query.where(Group.profile == profile)
    return list(session.scalars(query.order_by(SchoolClass.name)).unique())


def structures_of(session: Session, user: User, profile: str | None = None) -> list[Structure]:
    """The structures where ``user`` holds a role (with ``profile``, if given), ordered by name: a teacher of one
    school who is a parent in another has both."""
    query = select(Structure).join(Role, Role.structure_id == Structure.id).where(Role.user_id == user.id)
    if profile:
        query = query.where(Role.profile == profile)
    return list(session.scalars(query.order_by(Structure.name, Structure.id)).unique())


def people_of(session: Session, structure: Structure | int, profiles: Iterable[str] | None = None, *,
              active_only: bool = False) -> list[User]:
    """The people holding a role in ``structure`` (a :class:`Structure` or its id), with one of ``profiles`` if
    given, each once, ordered by last and first name; ``active_only`` keeps the active accounts."""
    structure_id = structure if isinstance(structure, int) else structure.id
    holders = select(Role.user_id).where(Role.structure_id == structure_id)
    if profiles is not None:
        holders = holders.where(Role.profile.in_(list(profiles)))
    query = select(User).where(User.id.in_(holders))
    if active_only:
        query = query.where(User.state == AccountState.ACTIVE)
    return list(session.scalars(query.order_by(User.last_name, User.first_name, User.id)))


def members_of(session: Session, group: Group | int) -> list[User]:
    """The members of a group (a :class:`Group` or its id: a profile group, a class group, a manual or teaching
    group), ordered by last and first name. No communication rule applies: see ``reachable_members``."""
    group_id = group if isinstance(group, int) else group.id
    return list(session.scalars(select(User).join(GroupMember, GroupMember.user_id == User.id)
                                .where(GroupMember.group_id == group_id)
                                .order_by(User.last_name, User.first_name, User.id)))


def children_of(session: Session, parent: User) -> list[User]:
    """A parent's children, by first name. With their roles in the same query (the bar and every app of a parent
    ask on each page); their functions are loaded only if asked for."""
    query = (select(User).join(RelativeLink, RelativeLink.child_id == User.id)
             .where(RelativeLink.parent_id == parent.id).order_by(User.first_name)
             .options(joinedload(User.roles), lazyload(User.functions)))
    return list(session.scalars(query).unique())


def parents_of(session: Session, child: User) -> list[User]:
    """A child's parents (responsables), by last name."""
    return list(session.scalars(select(User).join(RelativeLink, RelativeLink.parent_id == User.id)
                                .where(RelativeLink.child_id == child.id).order_by(User.last_name)))


def group_ids_of(session: Session, user_id: int) -> set[int]:
    return set(session.scalars(select(GroupMember.group_id).where(GroupMember.user_id == user_id)))


def find_by_login(session: Session, login: str) -> User | None:
    return session.scalar(select(User).where(User.login == login.strip().lower()))
