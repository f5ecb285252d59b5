"""The default communication links of DESIGN.md §2, between the automatic groups a new structure or class gets
(the directory installs them when it creates the groups; the rule engine is :mod:`preau.communication`).

| from \\ to  | Personnels | Enseignants | Élèves                  | Parents            | Invités |
|------------|------------|-------------|-------------------------|--------------------|---------|
| Personnels | yes        | yes         | yes (all)               | yes                | yes     |
| Enseignants| yes        | yes         | yes                     | yes                | no      |
| Élèves     | school's   | their class | their class             | no                 | no      |
| Parents    | no         | children's classes | own children (kernel) | no         | no      |
| Invités    | no         | no          | no                      | no                 | no      |

Staff also write to the whole structure ("Tous"), and the staff of a city reach the teachers and parents of the
city's schools. "Yes" on the diagonal is the group's *members communicate* switch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, delete, insert, or_, select
from sqlalchemy.orm import Session

from ..models import CommLink, Group, GroupKind, Structure, StructureKind, StructureLink
from ..types import Profile

STAFF, TEACHER, STUDENT, RELATIVE, GUEST = (p.value for p in (
    Profile.PERSONNEL, Profile.TEACHER, Profile.STUDENT, Profile.RELATIVE, Profile.GUEST))
ALL = None  # the profile of a structure's "Tous" group

STRUCTURE_LINKS = [
    (STAFF, TEACHER), (STAFF, STUDENT), (STAFF, RELATIVE), (STAFF, GUEST), (STAFF, ALL),
    (TEACHER, STAFF), (TEACHER, STUDENT), (TEACHER, RELATIVE),
    (STUDENT, STAFF),
]
CLASS_LINKS = [(STUDENT, TEACHER), (RELATIVE, TEACHER)]
CITY_STAFF_REACH = (TEACHER, RELATIVE)

PROFILE_GROUPS_COMMUNICATE: dict[str | None, bool] = {STAFF: True, TEACHER: True, STUDENT: False, RELATIVE: False,
                                                       GUEST: False, ALL: False}
CLASS_GROUPS_COMMUNICATE: dict[str | None, bool] = {TEACHER: True, STUDENT: True, RELATIVE: False}


def members_communicate_by_default(kind: str, profile: str | None) -> bool:
    if kind == GroupKind.PROFILE:
        return PROFILE_GROUPS_COMMUNICATE[profile]
    if kind == GroupKind.CLASS:
        return CLASS_GROUPS_COMMUNICATE[profile]
    return True  # manual and teaching groups: on, the administrator may switch it off


@dataclass
class Rules:
    links: set[tuple[int, int]] = field(default_factory=set)
    members: dict[int, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupRow:
    id: int
    structure_id: int
    class_id: int | None
    kind: str
    profile: str | None


def default_rules(groups: Iterable[GroupRow], city_staff: dict[int, list[int]]) -> Rules:
    """The default rules owned by the structures of ``groups`` (all their groups must be given).

    ``city_staff`` maps a structure to the staff groups of the cities it hangs under."""
    by_structure: dict[int, dict[str | None, int]] = {}
    by_class: dict[int | None, dict[str | None, int]] = {}  # class groups all have a class
    rules = Rules()
    for g in groups:
        rules.members[g.id] = members_communicate_by_default(g.kind, g.profile)
        if g.kind == GroupKind.PROFILE:
            by_structure.setdefault(g.structure_id, {})[g.profile] = g.id
        elif g.kind == GroupKind.CLASS:
            by_class.setdefault(g.class_id, {})[g.profile] = g.id
    for sid, profile_groups in by_structure.items():
        rules.links |= _pairs(profile_groups, STRUCTURE_LINKS)
        for staff_group in city_staff.get(sid, ()):
            rules.links |= {(staff_group, profile_groups[p]) for p in CITY_STAFF_REACH if p in profile_groups}
    for class_groups in by_class.values():
        rules.links |= _pairs(class_groups, CLASS_LINKS)
    return rules


def _pairs(groups: dict, pairs: list[tuple]) -> set[tuple[int, int]]:
    return {(groups[a], groups[b]) for a, b in pairs if a in groups and b in groups}


def group_rows(bind: Session | Connection, structure_ids: Iterable[int]) -> list[GroupRow]:
    ids = list(structure_ids)
    rows = bind.execute(select(Group.id, Group.structure_id, Group.class_id, Group.kind, Group.profile)
                        .where(Group.structure_id.in_(ids))).all()
    return [GroupRow(*row) for row in rows]


def city_staff_groups(bind: Session | Connection, structure_ids: Iterable[int]) -> dict[int, list[int]]:
    """For each structure, the staff groups of the cities directly above it."""
    rows = bind.execute(
        select(StructureLink.child_id, Group.id)
        .join(Structure, Structure.id == StructureLink.parent_id)
        .join(Group, Group.structure_id == Structure.id)
        .where(StructureLink.child_id.in_(list(structure_ids)), Structure.kind == StructureKind.CITY,
               Group.kind == GroupKind.PROFILE, Group.profile == STAFF)
    ).all()
    result: dict[int, list[int]] = {}
    for child_id, group_id in rows:
        result.setdefault(child_id, []).append(group_id)
    return result


def rules_for_structures(bind: Session | Connection, structure_ids: Iterable[int]) -> Rules:
    ids = list(structure_ids)
    return default_rules(group_rows(bind, ids), city_staff_groups(bind, ids))


# -- installing the defaults as the directory grows (not versioned: nobody chose them) ---------------------


def insert_links(bind: Session | Connection, links: Iterable[tuple[int, int]]) -> None:
    rows = [{"from_group_id": f, "to_group_id": t} for f, t in sorted(set(links))]
    if rows:
        bind.execute(insert(CommLink), rows)


def install_structure_defaults(session: Session, structure_id: int) -> None:
    """The default links of a new structure (its profile groups, under the cities it hangs from)."""
    insert_links(session, rules_for_structures(session, [structure_id]).links)


def install_class_defaults(session: Session, class_id: int) -> None:
    groups = [GroupRow(*row) for row in session.execute(
        select(Group.id, Group.structure_id, Group.class_id, Group.kind, Group.profile)
        .where(Group.class_id == class_id)).all()]
    insert_links(session, default_rules(groups, {}).links)


def install_city_reach(session: Session, parent: Structure, child_id: int) -> None:
    """A school just attached under a city: the city's staff reach its teachers and parents."""
    if parent.kind != StructureKind.CITY:
        return
    staff = city_staff_groups(session, [child_id]).get(child_id, [])
    targets = list(session.scalars(select(Group.id).where(
        Group.structure_id == child_id, Group.kind == GroupKind.PROFILE, Group.profile.in_(CITY_STAFF_REACH))))
    wanted = {(s, t) for s in staff for t in targets}
    existing = {tuple(row) for row in session.execute(select(CommLink.from_group_id, CommLink.to_group_id).where(
        CommLink.from_group_id.in_(staff)))}
    insert_links(session, wanted - existing)


def drop_cross_links(session: Session, parent_id: int, child_id: int) -> None:
    """A school detached from a structure: links between the two structures' groups go with the edge."""
    groups_of = {sid: select(Group.id).where(Group.structure_id == sid) for sid in (parent_id, child_id)}
    session.execute(delete(CommLink).where(
        or_(and_(CommLink.from_group_id.in_(groups_of[parent_id]), CommLink.to_group_id.in_(groups_of[child_id])),
            and_(CommLink.from_group_id.in_(groups_of[child_id]), CommLink.to_group_id.in_(groups_of[parent_id])))))
