"""What the API lists, scoped to the caller. Services: they take a session and never read ``request``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..directory import scopes
from ..directory.search import PageRequest, search_users
from ..models import Structure, StructureLink, User


@dataclass
class StructureView:
    """A structure with the ids of its neighbours in the structure graph."""

    id: int
    name: str
    kind: str
    uai: str | None
    parent_ids: list[int]
    child_ids: list[int]


def visible_structure_ids(session: Session, user: User) -> set[int] | None:
    """The structures ``user`` belongs to or administers; ``None`` means all (super administrator)."""
    administered = scopes.administered_structure_ids(session, user)
    if administered is None:
        return None
    return administered | scopes.structure_ids_of(user)


def _with_links(session: Session, structures: list[Structure]) -> list[StructureView]:
    ids = [s.id for s in structures]
    parents: dict[int, list[int]] = {i: [] for i in ids}
    children: dict[int, list[int]] = {i: [] for i in ids}
    links = session.execute(
        select(StructureLink.parent_id, StructureLink.child_id)
        .where(or_(StructureLink.parent_id.in_(ids), StructureLink.child_id.in_(ids)))
        .order_by(StructureLink.parent_id, StructureLink.child_id))
    for parent_id, child_id in links:
        if child_id in parents:
            parents[child_id].append(parent_id)
        if parent_id in children:
            children[parent_id].append(child_id)
    return [StructureView(s.id, s.name, s.kind, s.uai, parents[s.id], children[s.id]) for s in structures]


def list_structures(session: Session, user: User, page: PageRequest) -> tuple[list[StructureView], int]:
    """One page of the structures ``user`` may see, by name, and their total count."""
    query = select(Structure)
    visible = visible_structure_ids(session, user)
    if visible is not None:
        query = query.where(Structure.id.in_(visible))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(Structure.name, Structure.id)
                                .limit(page.page_size).offset(page.offset)))
    return _with_links(session, rows), total


def structure_view(session: Session, structure: Structure) -> StructureView:
    return _with_links(session, [structure])[0]


def can_see_structure(session: Session, user: User, structure_id: int) -> bool:
    visible = visible_structure_ids(session, user)
    return visible is None or structure_id in visible


__all__ = ["PageRequest", "search_users", "list_structures", "structure_view", "can_see_structure"]
