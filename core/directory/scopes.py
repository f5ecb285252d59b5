"""Who administers what: an administrator of a structure administers its descendants."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AccountState, Function, Structure, User, UserFunction
from .structures import ancestor_distances, descendant_ids

ADMIN_FUNCTIONS = (Function.ADMIN_LOCAL,)


def administered_structure_ids(session: Session, user: User) -> set[int] | None:
    """The structures ``user`` administers, or ``None`` meaning all of them (super administrator)."""
    if user.is_super_admin:
        return None
    roots = [f.structure_id for f in user.functions if f.code in ADMIN_FUNCTIONS and f.structure_id]
    return descendant_ids(session, roots)


def can_administer(session: Session, user: User, structure_id: int) -> bool:
    """Whether ``user`` administers the structure: an ADML of it or of a structure above it, or a super
    administrator."""
    scope = administered_structure_ids(session, user)
    return scope is None or structure_id in scope


def is_admin(user: User) -> bool:
    return user.is_super_admin or any(f.code in ADMIN_FUNCTIONS for f in user.functions)


def can_administer_user(session: Session, admin: User, target: User) -> bool:
    """Every role of ``target`` lies in ``admin``'s scope: acting on an account (reset code, block, activation
    code) acts on all its roles, so a school's ADML cannot take over a teacher of another school who is merely a
    parent in theirs — an administrator whose scope covers both must do it."""
    scope = administered_structure_ids(session, admin)
    if scope is None:
        return True
    return bool(target.roles) and all(role.structure_id in scope for role in target.roles)


def administered_structures(session: Session, user: User) -> list[Structure]:
    """The structures ``user`` administers (those of their ADML functions and every one below), by name; all
    of them for a super administrator."""
    scope = administered_structure_ids(session, user)
    query = select(Structure).order_by(Structure.name)
    if scope is not None:
        query = query.where(Structure.id.in_(scope))
    return list(session.scalars(query))


def structure_ids_of(user: User) -> set[int]:
    return {role.structure_id for role in user.roles}




def local_administrators(session: Session, structure_ids: set[int]) -> list[tuple[User, Structure]]:
    """The local administrators (ADML) whom a member of ``structure_ids`` may ask for an app: those of each of
    these structures, else of the nearest structure above that has some. Each person once, with the structure they
    administer, by structure then name; blocked and deleted accounts are left out."""
    found: dict[int, tuple[User, Structure]] = {}
    for structure_id in sorted(structure_ids):
        for ring in _rings_upward(session, structure_id):
            rows = session.execute(
                select(User, Structure).join(UserFunction, UserFunction.user_id == User.id)
                .join(Structure, Structure.id == UserFunction.structure_id)
                .where(UserFunction.code.in_(ADMIN_FUNCTIONS), UserFunction.structure_id.in_(ring),
                       User.state == AccountState.ACTIVE)).all()
            if rows:
                for user, structure in rows:
                    found.setdefault(user.id, (user, structure))
                break
    return sorted(found.values(), key=lambda pair: (pair[1].name, pair[0].last_name, pair[0].first_name))


def _rings_upward(session: Session, structure_id: int) -> list[set[int]]:
    """The structure, then its parents, then theirs…: each distance upward as one set of ids."""
    rings: dict[int, set[int]] = {}
    for ancestor, distance in ancestor_distances(session, structure_id).items():
        rings.setdefault(distance, set()).add(ancestor)
    return [rings[d] for d in sorted(rings)]
