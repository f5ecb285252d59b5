"""What the "Qui voit qui" pages show and how their forms become a :class:`RuleChange`.

Services for the admin views: they read the rules of one structure (the matrix of its profile groups, each
group's links, the links coming from the structures above it) and turn submitted form values into a change.
They never save anything: saving goes through :func:`rules.apply_change` after a preview.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased
from werkzeug.datastructures import MultiDict

from ..directory.default_links import ALL, GUEST, RELATIVE, STAFF, STUDENT, TEACHER
from ..directory.structures import ancestor_ids
from ..models import CommLink, CommVersion, Group, GroupKind, GroupMember, Structure, User
from ..types import N_
from .engine import CommunicationError
from .rules import Link, RuleChange, current_state, profile_groups

# Rows and columns in the order of DESIGN.md §2; the "Tous" group is one more column.
MATRIX_PROFILES = (STAFF, TEACHER, STUDENT, RELATIVE, GUEST)
SWITCHABLE_KINDS = (GroupKind.MANUAL, GroupKind.TEACHING)
# The matrix's short headers (translated where shown).
MATRIX_LABELS = {STAFF: N_("Personnels"), TEACHER: N_("Enseignants"), STUDENT: N_("Élèves"),
                 RELATIVE: N_("Parents"), GUEST: N_("Invités"), ALL: N_("Tous")}


@dataclass(frozen=True)
class Matrix:
    rows: list[Group]
    columns: list[Group]  # the rows' groups, then "Tous"
    links: frozenset[Link]
    members: dict[int, bool]
    tous: bool
    tous_group: Group | None

    def on(self, source: Group, target: Group) -> bool:
        if source.id == target.id:
            return self.members.get(source.id, False)
        return (source.id, target.id) in self.links

    @property
    def cells(self) -> set[Link]:
        """Every editable off-diagonal cell as a (from, to) pair."""
        return {(r.id, c.id) for r in self.rows for c in self.columns if r.id != c.id}


@dataclass(frozen=True)
class GroupLinks:
    group: Group
    incoming: list[Group]  # groups whose members may write to this group's members
    outgoing: list[Group]  # groups this group's members may write to


@dataclass(frozen=True)
class ParentLink:
    source: Group
    source_structure: str
    target: Group


def matrix(session: Session, structure_id: int) -> Matrix:
    groups = profile_groups(session, structure_id)
    rows = [groups[p] for p in MATRIX_PROFILES if p in groups]
    tous_group = groups.get(ALL)
    columns = rows + ([tous_group] if tous_group else [])
    state = current_state(session, structure_id)
    return Matrix(rows, columns, state.links, state.members, state.tous, tous_group)


def switchable_groups(session: Session, structure_id: int) -> list[Group]:
    """Manual and teaching groups, whose "members communicate" switch is the administrator's."""
    return list(session.scalars(select(Group).where(Group.structure_id == structure_id,
                                                    Group.kind.in_(SWITCHABLE_KINDS)).order_by(Group.name)))


def structure_groups(session: Session, structure_id: int) -> list[Group]:
    """Every group of the structure: profile groups first, then classes', manual and teaching groups."""
    order: dict[str, int] = {GroupKind.PROFILE: 0, GroupKind.CLASS: 1, GroupKind.TEACHING: 2, GroupKind.MANUAL: 3}
    groups = session.scalars(select(Group).where(Group.structure_id == structure_id))
    return sorted(groups, key=lambda g: (order.get(g.kind, 9), g.name, g.id))


def link_sources(session: Session, structure: Structure) -> list[tuple[Structure, list[Group]]]:
    """The groups that may be given a link to a group of ``structure``: its own and its ancestors' (the city's
    staff, say), structure by structure, the structure itself first."""
    above = ancestor_ids(session, [structure.id]) - {structure.id}
    result = [(structure, structure_groups(session, structure.id))]
    for parent in session.scalars(select(Structure).where(Structure.id.in_(above)).order_by(Structure.name)):
        result.append((parent, structure_groups(session, parent.id)))
    return result


def group_in_structure(session: Session, structure_id: int, group_id: int) -> Group | None:
    group = session.get(Group, group_id)
    return group if group is not None and group.structure_id == structure_id else None


def group_links(session: Session, group: Group) -> GroupLinks:
    incoming = session.scalars(select(Group).join(CommLink, CommLink.from_group_id == Group.id)
                               .where(CommLink.to_group_id == group.id).order_by(Group.name))
    outgoing = session.scalars(select(Group).join(CommLink, CommLink.to_group_id == Group.id)
                               .where(CommLink.from_group_id == group.id).order_by(Group.name))
    return GroupLinks(group, list(incoming), list(outgoing))


def links_from_above(session: Session, structure_id: int) -> list[ParentLink]:
    """Links reaching the structure's groups from groups of other structures (the city's staff…)."""
    source, target = aliased(Group), aliased(Group)
    rows = session.execute(
        select(source, Structure.name, target)
        .join(CommLink, CommLink.from_group_id == source.id).join(target, target.id == CommLink.to_group_id)
        .join(Structure, Structure.id == source.structure_id)
        .where(target.structure_id == structure_id, source.structure_id != structure_id)
        .order_by(Structure.name, source.name, target.name))
    return [ParentLink(s, name, t) for s, name, t in rows]


def class_link_count(session: Session, structure_id: int) -> int:
    """How many links between class groups the structure has (students and parents → the class's teachers)."""
    target = aliased(Group)
    return session.scalar(select(func.count()).select_from(CommLink)
                          .join(target, target.id == CommLink.to_group_id)
                          .where(target.structure_id == structure_id, target.kind == GroupKind.CLASS)) or 0


def group_sizes(session: Session, group_ids: Iterable[int]) -> dict[int, int]:
    ids = list(set(group_ids))
    return {gid: n for gid, n in session.execute(
        select(GroupMember.group_id, func.count()).where(GroupMember.group_id.in_(ids))
        .group_by(GroupMember.group_id))}


def actors_of(session: Session, versions: Iterable[CommVersion]) -> dict[int, User]:
    """Who made each version (an account deleted since then is simply missing)."""
    ids = {v.actor_id for v in versions if v.actor_id}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


# -- forms → changes ---------------------------------------------------------------------------------------


def _ints(values: Iterable[str], what: str) -> list[int]:
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError):
        raise CommunicationError(_("Valeur invalide pour %(what)s.", what=what)) from None


def _link(value: str) -> Link:
    source, sep, target = (value or "").partition("-")
    if not sep:
        raise CommunicationError(_("Lien invalide : %(value)s.", value=value[:40]))
    a, b = _ints([source, target], _("un lien"))
    return a, b


def _flag(value: str) -> bool:
    if value not in ("0", "1"):
        raise CommunicationError(_("Valeur invalide : %(value)s.", value=value[:40]))
    return value == "1"


def matrix_change(session: Session, structure_id: int, form: MultiDict[str, str]) -> RuleChange:
    """The change asked by the matrix form: ``link`` = every ticked "from-to" cell, ``members`` = every
    ticked group whose members communicate, ``tous`` = "1" when ticked. An unticked cell means "no link"."""
    grid = matrix(session, structure_id)
    switchable = {g.id for g in switchable_groups(session, structure_id)} | {g.id for g in grid.rows}
    ticked = {_link(v) for v in form.getlist("link")}
    if ticked - grid.cells:
        raise CommunicationError(_("Une case cochée ne fait pas partie du tableau de cette structure."))
    members = set(_ints(form.getlist("members"), _("un groupe")))
    if members - switchable:
        raise CommunicationError(_("Un groupe coché ne relève pas de cette structure."))
    return RuleChange(add=ticked - grid.links, remove=(grid.cells & grid.links) - ticked,
                      members={g: g in members for g in switchable}, tous=form.get("tous") == "1")


def explicit_change(form: MultiDict[str, str]) -> RuleChange:
    """A change spelled out field by field: ``add`` / ``remove`` ("from-to"), ``members`` ("group:0|1"),
    ``tous`` ("0|1"), or one link to add given as ``add_from`` and ``add_to`` (the group page's selects)."""
    add, remove = {_link(v) for v in form.getlist("add")}, {_link(v) for v in form.getlist("remove")}
    if form.get("add_from") or form.get("add_to"):
        a, b = _ints([form.get("add_from", ""), form.get("add_to", "")], _("un lien"))
        add.add((a, b))
    change = RuleChange(add=add, remove=remove)
    for value in form.getlist("members"):
        group, _sep, flag = value.partition(":")
        change.members[_ints([group], _("un groupe"))[0]] = _flag(flag)
    tous = form.get("tous")
    if tous is not None:
        change.tous = _flag(tous)
    if change.add & change.remove:
        raise CommunicationError(_("Un même lien ne peut pas être ajouté et retiré à la fois."))
    return change


def change_fields(change: RuleChange) -> list[tuple[str, str]]:
    """The hidden fields that carry ``change`` from the preview to the confirmation (read by
    :func:`explicit_change`)."""
    fields = [("add", f"{a}-{b}") for a, b in sorted(change.add)]
    fields += [("remove", f"{a}-{b}") for a, b in sorted(change.remove)]
    fields += [("members", f"{g}:{int(v)}") for g, v in sorted(change.members.items())]
    if change.tous is not None:
        fields.append(("tous", str(int(change.tous))))
    return fields
