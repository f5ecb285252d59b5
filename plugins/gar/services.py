"""The rules of the Médiacentre: who assigns resources (the responsable d'affectation of a structure), to whom,
and which resources reach a person. Every function takes a SQLAlchemy session; the ``adapter`` setting is read
through it (an app context is needed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from preau import (
    N_,
    Group,
    GroupKind,
    GroupMember,
    PreauError,
    Profile,
    Role,
    SchoolClass,
    Structure,
    User,
    UserFunction,
    record_audit,
    setting,
)

from .adapters import adapter_named
from .export import RESP_AFFECT
from .models import Assignment, Target

APP_ID = "gar"
ASSIGNABLE_PROFILES = (Profile.STUDENT, Profile.TEACHER, Profile.PERSONNEL)


class GarError(PreauError, ValueError):
    """A refused assignment; the message is for people (French)."""


@dataclass(frozen=True)
class Reached:
    """A resource as it reaches one person: through which structure and profile."""

    resource: dict[str, Any]
    structure_id: int
    profile: str


# -- who is the responsable d'affectation -----------------------------------------------------------------


def is_responsable(session: Session, user: User, structure_id: int) -> bool:
    return session.scalar(select(UserFunction.id).where(
        UserFunction.user_id == user.id, UserFunction.code == RESP_AFFECT,
        UserFunction.structure_id == structure_id).limit(1)) is not None


def responsable_structures(session: Session, user: User) -> list[Structure]:
    return list(session.scalars(
        select(Structure).join(UserFunction, UserFunction.structure_id == Structure.id)
        .where(UserFunction.user_id == user.id, UserFunction.code == RESP_AFFECT).order_by(Structure.name)))


# -- the structure's resources ------------------------------------------------------------------------------


def structure_resources(session: Session, structure: Structure) -> list[dict[str, Any]]:
    """The resources the structure holds at the GAR (empty when no adapter is set or it has no UAI)."""
    adapter = adapter_named(setting(APP_ID, "adapter", structure_id=structure.id, session=session) or "")
    if adapter is None or not structure.uai:
        return []
    return adapter.resources(structure.uai)


# -- assignments --------------------------------------------------------------------------------------------


def assignments_of(session: Session, structure_id: int) -> list[Assignment]:
    return list(session.scalars(select(Assignment).where(Assignment.structure_id == structure_id)
                                .order_by(Assignment.resource_id, Assignment.id)))


def _target_columns(session: Session, structure: Structure, target: str, value: str) -> dict[str, Any]:
    if target == Target.STRUCTURE:
        return {}
    if target == Target.PROFILE:
        if value not in ASSIGNABLE_PROFILES:
            raise GarError(N_("Ce profil ne peut pas recevoir de ressource du GAR."))
        return {"profile": value}
    if not value.isdigit():
        raise GarError(N_("Choisissez une classe ou un groupe."))
    if target == Target.CLASS:
        school_class = session.get(SchoolClass, int(value))
        if school_class is None or school_class.structure_id != structure.id:
            raise GarError(N_("Cette classe n'appartient pas à l'établissement."))
        return {"class_id": school_class.id}
    if target == Target.GROUP:
        group = session.get(Group, int(value))
        if group is None or group.structure_id != structure.id or group.kind != GroupKind.TEACHING:
            raise GarError(N_("Ce groupe n'est pas un groupe d'enseignement de l'établissement."))
        return {"group_id": group.id}
    raise GarError(N_("Choisissez à qui attribuer la ressource."))


def assign(session: Session, actor: User, structure: Structure, resource_id: str, target: str,
           value: str = "") -> Assignment:
    """Assign one of the structure's resources to the structure, a profile, a class or a teaching group."""
    if not is_responsable(session, actor, structure.id):
        raise PermissionError("not the responsable d'affectation of this structure")
    if resource_id not in {r["idRessource"] for r in structure_resources(session, structure)}:
        raise GarError(N_("Cette ressource n'est pas disponible pour l'établissement."))
    columns = {"profile": None, "class_id": None, "group_id": None,
               **_target_columns(session, structure, target, value)}
    existing = session.scalar(select(Assignment).where(
        Assignment.structure_id == structure.id, Assignment.resource_id == resource_id,
        Assignment.target == target, *[getattr(Assignment, name).is_(None) if v is None
                                       else getattr(Assignment, name) == v for name, v in columns.items()]))
    if existing is not None:
        raise GarError(N_("Cette ressource est déjà attribuée à ce public."))
    assignment = Assignment(structure_id=structure.id, resource_id=resource_id, target=target,
                            assigned_by=actor.id, **columns)
    session.add(assignment)
    session.flush()
    record_audit(session, "gar.assign", actor=actor.id, target=structure, structure_id=structure.id,
                 resource=resource_id, audience=target, value=value)
    return assignment


def unassign(session: Session, actor: User, structure: Structure, assignment_id: int) -> None:
    if not is_responsable(session, actor, structure.id):
        raise PermissionError("not the responsable d'affectation of this structure")
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.structure_id != structure.id:
        raise GarError(N_("Cette attribution n'existe plus."))
    session.execute(delete(Assignment).where(Assignment.id == assignment.id))
    record_audit(session, "gar.unassign", actor=actor.id, target=structure, structure_id=structure.id,
                 resource=assignment.resource_id, audience=assignment.target)


# -- what reaches a person ------------------------------------------------------------------------------------


def _memberships(session: Session, user_id: int) -> tuple[set[int], set[int]]:
    """The person's class ids and group ids."""
    rows = session.execute(select(Group.id, Group.class_id).join(GroupMember, GroupMember.group_id == Group.id)
                           .where(GroupMember.user_id == user_id)).all()
    return {row.class_id for row in rows if row.class_id}, {row.id for row in rows}


def user_resources(session: Session, user: User) -> list[Reached]:
    """The resources assigned to the person through one of their roles: to its structure, its profile, one of
    their classes or groups. Each resource once, with the first role that reaches it."""
    roles: list[Role] = [r for r in user.roles if r.profile in ASSIGNABLE_PROFILES]
    if not roles:
        return []
    class_ids, group_ids = _memberships(session, user.id)
    reached: list[Reached] = []
    seen: set[str] = set()
    for role in roles:
        wanted = set(session.scalars(select(Assignment.resource_id).where(
            Assignment.structure_id == role.structure_id,
            or_(Assignment.target == Target.STRUCTURE,
                (Assignment.target == Target.PROFILE) & (Assignment.profile == role.profile),
                Assignment.class_id.in_(class_ids or [-1]), Assignment.group_id.in_(group_ids or [-1])))))
        if not wanted - seen:
            continue
        for resource in structure_resources(session, role.structure):
            if resource["idRessource"] in wanted and resource["idRessource"] not in seen:
                seen.add(resource["idRessource"])
                reached.append(Reached(resource, role.structure_id, role.profile))
    return reached


def find_user_resource(session: Session, user: User, resource_id: str) -> Reached | None:
    return next((r for r in user_resources(session, user) if r.resource["idRessource"] == resource_id), None)


def grant_responsable(session: Session, user: User, structure: Structure, *, actor: Any = None) -> UserFunction:
    """Make ``user`` the responsable d'affectation of ``structure`` (the code is the plugin's own: the kernel
    stores function codes as free strings)."""
    existing = session.scalar(select(UserFunction).where(
        UserFunction.user_id == user.id, UserFunction.code == RESP_AFFECT, UserFunction.structure_id == structure.id))
    if existing is not None:
        return existing
    function = UserFunction(user_id=user.id, structure_id=structure.id, code=RESP_AFFECT)
    session.add(function)
    session.flush()
    record_audit(session, "directory.function_granted", actor=actor, target=user, structure_id=structure.id,
                 function=RESP_AFFECT)
    return function
