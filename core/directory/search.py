"""Searching the directory: pages of users by name prefix, scoped to an administrator."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from ..models import Role, User
from . import scopes


@dataclass(frozen=True)
class PageRequest:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size



def _prefix_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def _users_query(scope: set[int] | None, structure_id: int | None, profile: str | None, q: str | None) -> Select:
    role_filter = [Role.user_id == User.id]
    if scope is not None:
        role_filter.append(Role.structure_id.in_(scope))
    if structure_id is not None:
        role_filter.append(Role.structure_id == structure_id)
    if profile:
        role_filter.append(Role.profile == profile)
    query = select(User)
    if scope is not None or structure_id is not None or profile:
        query = query.where(exists().where(*role_filter))
    if q:
        like = _prefix_pattern(q)
        query = query.where(or_(func.lower(User.last_name).like(like, escape="\\"),
                                func.lower(User.first_name).like(like, escape="\\"),
                                func.lower(User.login).like(like, escape="\\")))
    return query


def search_users(
    session: Session, admin: User, page: PageRequest, *, structure_id: int | None = None,
    profile: str | None = None, q: str | None = None,
) -> tuple[list[User], int]:
    """One page of the users ``admin`` administers (by name), filtered, and their total count.

    The caller checks beforehand that ``structure_id``, if given, is inside the administrator's scope.
    """
    query = _users_query(scopes.administered_structure_ids(session, admin), structure_id, profile, q)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    users = list(session.scalars(query.order_by(User.last_name, User.first_name, User.id)
                                 .limit(page.page_size).offset(page.offset)))
    return users, total
