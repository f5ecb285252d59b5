"""Structures form a graph: académie / syndicat > city > schools. Queries walk it with recursive CTEs."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, insert, literal, select
from sqlalchemy.orm import Session

from ..db import session_memo
from ..errors import PreauError
from ..models import Group, GroupKind, Structure, StructureKind, StructureLink
from ..types import Profile
from .default_links import (
    drop_cross_links,
    install_city_reach,
    install_structure_defaults,
    members_communicate_by_default,
)

PROFILE_GROUP_NAMES = {
    Profile.TEACHER: "Enseignants",
    Profile.STUDENT: "Élèves",
    Profile.RELATIVE: "Parents",
    Profile.PERSONNEL: "Personnels",
    Profile.GUEST: "Invités",
}
ALL_GROUP_NAME = "Tous"


UAI_PATTERN = re.compile(r"^\d{7}[A-Z]$")  # 7 digits and a check letter, e.g. 0750001A


class DirectoryError(PreauError, ValueError):
    """A directory operation that breaks a rule; the message (translated, French by default) is shown to the
    person. Services raise it before changing anything."""


def create_structure(
    session: Session,
    name: str,
    kind: str = StructureKind.ECOLE,
    *,
    uai: str | None = None,
    parents: Iterable[Structure] = (),
    external_id: str | None = None,
    source: str = "manual",
) -> Structure:
    """Create a structure, its five profile groups, and its links to parent structures."""
    name = (name or "").strip()
    uai = (uai or "").strip().upper() or None
    parents = list(parents)
    if not name:
        raise DirectoryError(_("Le nom de la structure est obligatoire."))
    if kind not in set(StructureKind):
        raise DirectoryError(_("Type de structure inconnu : %(kind)s.", kind=kind))
    if uai and not UAI_PATTERN.match(uai):
        raise DirectoryError(_("Le code UAI %(uai)s est mal formé (7 chiffres et une lettre).", uai=uai))
    if uai and session.scalar(select(Structure.id).where(Structure.uai == uai)):
        raise DirectoryError(_("Le code UAI %(uai)s est déjà utilisé.", uai=uai))
    if external_id and session.scalar(select(Structure.id).where(
            Structure.source == source, Structure.external_id == external_id)):
        raise DirectoryError(_("L'identifiant externe %(id)s existe déjà pour la source %(source)s.",
                               id=external_id, source=source))
    structure = Structure(name=name, kind=kind, uai=uai, external_id=external_id, source=source)
    session.add(structure)
    session.flush()
    session.execute(insert(Group), profile_group_rows(structure.id, structure.name, structure.source))
    install_structure_defaults(session, structure.id)
    for parent in parents:
        link_structures(session, parent, structure)
    return structure


def profile_group_rows(structure_id: int, structure_name: str, source: str) -> list[dict]:
    """The five profile groups and "Tous" (everyone with a role in the structure, profile ``None``)."""
    names = [(profile.value, label) for profile, label in PROFILE_GROUP_NAMES.items()] + [(None, ALL_GROUP_NAME)]
    return [
        {"structure_id": structure_id, "class_id": None, "kind": GroupKind.PROFILE, "profile": profile,
         "name": f"{label} — {structure_name}",
         "members_communicate": members_communicate_by_default(GroupKind.PROFILE, profile),
         "source": source}
        for profile, label in names
    ]


def link_structures(session: Session, parent: Structure, child: Structure) -> None:
    """Attach ``child`` under ``parent`` (a school may hang under a city and a syndicat); no cycles."""
    if parent.id == child.id:
        raise DirectoryError(_("Une structure ne peut pas être rattachée à elle-même."))
    if parent.id in descendant_ids(session, [child.id]):
        raise DirectoryError(_("Ce lien créerait un cycle : %(parent)s est déjà rattachée à %(child)s.",
                               parent=parent.name, child=child.name))
    if session.get(StructureLink, (parent.id, child.id)) is None:
        session.add(StructureLink(parent_id=parent.id, child_id=child.id))
        session.flush()
        install_city_reach(session, parent, child.id)


def unlink_structures(session: Session, parent: Structure, child: Structure) -> None:
    """Detach ``child`` from ``parent``; grants and enablements inherited through that edge stop reaching it."""
    link = session.get(StructureLink, (parent.id, child.id))
    if link is None:
        raise DirectoryError(_("%(child)s n'est pas rattachée à %(parent)s.", parent=parent.name, child=child.name))
    session.delete(link)
    drop_cross_links(session, parent.id, child.id)
    session.flush()


def _walk(session: Session, start: Iterable[int], up: bool) -> set[int]:
    ids = list(start)
    if not ids:
        return set()
    near, far = (StructureLink.child_id, StructureLink.parent_id) if up else (
        StructureLink.parent_id, StructureLink.child_id)
    seed = select(Structure.id.label("id")).where(Structure.id.in_(ids))
    tree = seed.cte("tree", recursive=True)
    step = select(far.label("id")).join(tree, near == tree.c.id)
    tree = tree.union(step)
    return set(session.scalars(select(tree.c.id)))


def descendant_ids(session: Session, ids: Iterable[int]) -> set[int]:
    """The given structures and everything below them."""
    return _walk(session, ids, up=False)


def ancestor_ids(session: Session, ids: Iterable[int]) -> set[int]:
    """The given structures and everything above them."""
    return _walk(session, ids, up=True)


def ancestor_distances(session: Session, structure_id: int) -> dict[int, int]:
    """Each ancestor (and the structure itself, at 0) with its shortest distance upward (remembered until the
    session writes: the structure graph only changes through a flush)."""
    return dict(session_memo(session, ("ancestors", structure_id),
                             lambda: _ancestor_distances(session, structure_id)))


def _ancestor_distances(session: Session, structure_id: int) -> dict[int, int]:
    """One recursive query (links never form a cycle: :func:`link_structures` refuses them)."""
    up = select(literal(structure_id).label("id"), literal(0).label("distance")).cte("up", recursive=True)
    up = up.union_all(select(StructureLink.parent_id, up.c.distance + 1)
                      .join(up, StructureLink.child_id == up.c.id))
    rows = session.execute(select(up.c.id, func.min(up.c.distance)).group_by(up.c.id)).all()
    return {structure_id: 0} | {row[0]: row[1] for row in rows}


def parents_of(session: Session, structure_id: int) -> list[Structure]:
    return list(session.scalars(
        select(Structure).join(StructureLink, StructureLink.parent_id == Structure.id)
        .where(StructureLink.child_id == structure_id).order_by(Structure.name)))


def children_of(session: Session, structure_id: int) -> list[Structure]:
    return list(session.scalars(
        select(Structure).join(StructureLink, StructureLink.child_id == Structure.id)
        .where(StructureLink.parent_id == structure_id).order_by(Structure.name)))


def profile_group(session: Session, structure_id: int, profile: str | None) -> Group:
    """A profile group of the structure; ``None`` gives its "Tous" group."""
    match = Group.profile.is_(None) if profile is None else Group.profile == profile
    return session.scalars(
        select(Group).where(Group.structure_id == structure_id, Group.kind == GroupKind.PROFILE, match)).one()

