"""Accounts and their attachments: roles, functions, classes, groups and parent–child links."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import events
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
from ..types import Profile
from .codes import login_base, new_code
from .structures import DirectoryError, profile_group


def unique_login(session: Session, first_name: str, last_name: str) -> str:
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
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name or not last_name:
        raise DirectoryError("le prénom et le nom sont obligatoires")
    login = (login or unique_login(session, first_name, last_name)).strip().lower()
    if session.scalar(select(User.id).where(User.login == login)):
        raise DirectoryError(f"l'identifiant {login} est déjà pris")
    user = User(
        login=login, first_name=first_name, last_name=last_name,
        display_name=f"{first_name} {last_name.upper()}", birth_date=birth_date, email=email,
        external_id=external_id, source=source, state=AccountState.INACTIVE,
        activation_code=new_code(), activation_code_expires_at=activation_expires_at,
    )
    session.add(user)
    session.flush()
    events.emit("preau_user_created", user=user)
    return user


def add_role(session: Session, user: User, structure: Structure, profile: str) -> Role:
    """Give ``user`` a profile in ``structure`` and put them in the structure's profile group."""
    if profile not in set(Profile):
        raise DirectoryError(f"profil inconnu : {profile}")
    role = session.scalar(select(Role).where(
        Role.user_id == user.id, Role.structure_id == structure.id, Role.profile == profile))
    if role is None:
        role = Role(user_id=user.id, structure_id=structure.id, profile=profile)
        session.add(role)
        _join(session, profile_group(session, structure.id, profile).id, user.id)
        session.flush()
        session.refresh(user, ["roles"])
        events.emit("preau_user_updated", user=user, changes={"roles": (None, f"{profile}@{structure.id}")})
    return role


def grant_function(session: Session, user: User, code: str, structure: Structure | None = None) -> UserFunction:
    if code not in set(Function):
        raise DirectoryError(f"fonction inconnue : {code}")
    if (code == Function.SUPER_ADMIN) != (structure is None):
        raise DirectoryError("seule la fonction super-administrateur est sans structure")
    sid = structure.id if structure else None
    existing = session.scalar(select(UserFunction).where(
        UserFunction.user_id == user.id, UserFunction.code == code, UserFunction.structure_id.is_(sid)
        if sid is None else UserFunction.structure_id == sid))
    if existing:
        return existing
    function = UserFunction(user_id=user.id, structure_id=sid, code=code)
    session.add(function)
    session.flush()
    session.refresh(user, ["functions"])
    return function


def revoke_function(session: Session, user: User, code: str, structure: Structure) -> None:
    session.execute(delete(UserFunction).where(
        UserFunction.user_id == user.id, UserFunction.code == code, UserFunction.structure_id == structure.id))
    session.refresh(user, ["functions"])


def _join(session: Session, group_id: int, user_id: int) -> None:
    if not session.get(GroupMember, (group_id, user_id)):
        session.add(GroupMember(group_id=group_id, user_id=user_id))


def class_group(session: Session, school_class: SchoolClass, profile: str) -> Group:
    return session.scalars(select(Group).where(
        Group.class_id == school_class.id, Group.kind == GroupKind.CLASS, Group.profile == profile)).one()


def attach_to_class(session: Session, user: User, school_class: SchoolClass, profile: str) -> None:
    """Put a student, teacher or relative into a class (its profile group for that class)."""
    if not any(r.structure_id == school_class.structure_id and r.profile == profile for r in user.roles):
        raise DirectoryError(f"{user.login} n'a pas le profil {profile} dans l'établissement de la classe")
    _join(session, class_group(session, school_class, profile).id, user.id)
    session.flush()


def add_to_group(session: Session, user: User, group: Group) -> None:
    if group.kind in (GroupKind.PROFILE, GroupKind.CLASS):
        raise DirectoryError("les groupes de profil sont tenus à jour automatiquement")
    _join(session, group.id, user.id)
    session.flush()


def link_relative(session: Session, parent: User, child: User) -> None:
    """Link a parent to a child; the parent joins the parents' group of the child's classes."""
    if Profile.STUDENT not in child.profiles:
        raise DirectoryError(f"{child.login} n'est pas élève")
    if Profile.RELATIVE not in parent.profiles:
        raise DirectoryError(f"{parent.login} n'a pas le profil parent")
    if not session.get(RelativeLink, (parent.id, child.id)):
        session.add(RelativeLink(parent_id=parent.id, child_id=child.id))
    for school_class in classes_of(session, child, Profile.STUDENT):
        if any(r.structure_id == school_class.structure_id and r.profile == Profile.RELATIVE
               for r in parent.roles):
            _join(session, class_group(session, school_class, Profile.RELATIVE).id, parent.id)
    session.flush()


def classes_of(session: Session, user: User, profile: str | None = None) -> list[SchoolClass]:
    query = (select(SchoolClass).join(Group, Group.class_id == SchoolClass.id)
             .join(GroupMember, GroupMember.group_id == Group.id).where(GroupMember.user_id == user.id))
    if profile:
        query = query.where(Group.profile == profile)
    return list(session.scalars(query.order_by(SchoolClass.name)).unique())


def children_of(session: Session, parent: User) -> list[User]:
    return list(session.scalars(select(User).join(RelativeLink, RelativeLink.child_id == User.id)
                                .where(RelativeLink.parent_id == parent.id).order_by(User.first_name)))


def parents_of(session: Session, child: User) -> list[User]:
    return list(session.scalars(select(User).join(RelativeLink, RelativeLink.parent_id == User.id)
                                .where(RelativeLink.child_id == child.id).order_by(User.last_name)))


def group_ids_of(session: Session, user_id: int) -> set[int]:
    return set(session.scalars(select(GroupMember.group_id).where(GroupMember.user_id == user_id)))


def find_by_login(session: Session, login: str) -> User | None:
    return session.scalar(select(User).where(User.login == login.strip().lower()))
