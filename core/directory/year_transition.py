"""The year transition (la bascule d'année): a school closes its school year before the next feed arrives.

Nothing is deleted: the year's classes are archived (renamed with their year, no longer offered, their content
kept), everyone leaves the class groups and the imported teaching groups, so what was shared with a class is no
longer reached through it, and each plugin cuts its own class-based shares (``preau_year_transition``).
Accounts that leave the school are the ones the next import no longer carries: they go through the lifecycle
(pending deletion, then pre-deleted for ``LIFECYCLE_PRE_DELETED_DAYS`` — 90 days, 3 months — with their
export "Mes données", then deleted)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .. import audit, events
from ..models import AuditEvent, Group, GroupKind, GroupMember, SchoolClass, Structure
from ..models._time import utcnow
from .enablement import enabled_apps
from .structures import DirectoryError, descendant_ids

ACTION = "directory.year_transition"


def school_year(now: datetime) -> str:
    """The school year a transition closes: run from January to August, the one that started last September."""
    start = now.year - 1 if now.month <= 8 else now.year
    return f"{start}-{start + 1}"


@dataclass
class StructurePlan:
    structure: Structure
    classes: list[SchoolClass]
    class_members: int
    teaching_members: int
    already_done: bool


@dataclass
class TransitionPlan:
    school_year: str
    structures: list[StructurePlan] = field(default_factory=list)

    @property
    def classes(self) -> int:
        return sum(len(s.classes) for s in self.structures if not s.already_done)

    @property
    def memberships(self) -> int:
        return sum(s.class_members + s.teaching_members for s in self.structures if not s.already_done)


def _class_groups(class_ids: list[int]):
    return select(Group.id).where(Group.class_id.in_(class_ids))


def _imported_teaching_groups(structure_id: int):
    return select(Group.id).where(Group.structure_id == structure_id, Group.kind == GroupKind.TEACHING,
                                  Group.source != "manual")


def _members(session: Session, groups) -> int:
    return session.execute(select(func.count()).select_from(GroupMember)
                           .where(GroupMember.group_id.in_(groups))).scalar_one()


def _done_this_year(session: Session, structure_id: int, year: str) -> bool:
    events_here = session.scalars(select(AuditEvent.detail).where(
        AuditEvent.action == ACTION, AuditEvent.structure_id == structure_id)).all()
    return any(detail.get("school_year") == year for detail in events_here)


def plan_transition(session: Session, structure: Structure, now: datetime | None = None) -> TransitionPlan:
    """What the transition would do to the structure and every structure below it (reads only)."""
    year = school_year(now or utcnow())
    plan = TransitionPlan(year)
    ids = sorted(descendant_ids(session, [structure.id]))
    for target in session.scalars(select(Structure).where(Structure.id.in_(ids)).order_by(Structure.name)):
        classes = list(session.scalars(select(SchoolClass).where(
            SchoolClass.structure_id == target.id, SchoolClass.archived_at.is_(None)).order_by(SchoolClass.name)))
        teaching = _members(session, _imported_teaching_groups(target.id))
        if not classes and not teaching:
            continue
        plan.structures.append(StructurePlan(
            target, classes, _members(session, _class_groups([c.id for c in classes])) if classes else 0,
            teaching, _done_this_year(session, target.id, year)))
    return plan


def apply_transition(session: Session, structure: Structure, *, actor=None, ip: str | None = None,
                     now: datetime | None = None) -> TransitionPlan:
    """Carry the plan out in the caller's transaction (the caller commits); one audit event per structure."""
    now = now or utcnow()
    plan = plan_transition(session, structure, now)
    todo = [s for s in plan.structures if not s.already_done]
    if not todo:
        raise DirectoryError(_("La bascule de l'année %(year)s est déjà faite : il n'y a rien à basculer.",
                               year=plan.school_year))
    for part in todo:
        _close_year(session, part, plan.school_year, now)
        events.emit("preau_year_transition", apps=enabled_apps(session, part.structure.id), session=session,
                    structure=part.structure)
        audit.record(session, ACTION, actor=actor, structure_id=part.structure.id, ip=ip,
                     school_year=plan.school_year, classes=len(part.classes),
                     memberships=part.class_members + part.teaching_members)
    session.flush()
    return plan


def _close_year(session: Session, part: StructurePlan, year: str, now: datetime) -> None:
    class_ids = [c.id for c in part.classes]
    suffix = f" ({year})"
    renamed = {c.id: c.name[:100 - len(suffix)] + suffix for c in part.classes}
    taken = session.scalars(select(SchoolClass.name).where(SchoolClass.structure_id == part.structure.id,
                                                          SchoolClass.name.in_(renamed.values()))).all()
    if taken:
        raise DirectoryError(_("Une classe s'appelle déjà « %(name)s » dans %(structure)s : renommez-la avant la "
                               "bascule.", name=taken[0], structure=part.structure.name))
    if class_ids:
        session.execute(delete(GroupMember).where(GroupMember.group_id.in_(_class_groups(class_ids))))
    session.execute(delete(GroupMember).where(GroupMember.group_id.in_(_imported_teaching_groups(part.structure.id))))
    for school_class in part.classes:
        school_class.name = renamed[school_class.id]
        school_class.external_id = None  # next year's feed makes new classes, even with the same codes
        school_class.archived_at = now
    for group in session.scalars(select(Group).where(Group.class_id.in_(class_ids))):
        group.name = group.name[:200 - len(suffix)] + suffix
    session.flush()
