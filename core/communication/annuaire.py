"""The directory a person may browse ("Annuaire"): people and groups inside the communication rules only.

Shared by the "Annuaire" app and the JSON API ``/api/v1/directory``. Nothing here widens the rules: people come
from :func:`engine.visible_users`, groups from :func:`engine.visible_groups`, a card only for someone the viewer
may write to; a class filter must be one of the classes the viewer can see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..directory.structures import descendant_ids
from ..models import Group, GroupKind, GroupMember, RelativeLink, SchoolClass, User
from ..types import Profile
from .engine import CommunicationError, can_communicate, visible_groups, visible_roles, visible_users

MAX_PER_PAGE = 50
MAX_QUERY = 100


@dataclass(frozen=True)
class PeoplePage:
    items: list[User]
    page: int
    per_page: int
    has_next: bool
    # each person's profiles the viewer may see (see engine.visible_roles), by user id
    profiles: dict[int, list[str]] = field(default_factory=dict)

    def profiles_of(self, user: User) -> list[str]:
        return self.profiles.get(user.id, [])

    def main_profile(self, user: User) -> str:
        order = [p.value for p in Profile]
        return min(self.profiles_of(user), key=order.index, default=Profile.GUEST.value)


@dataclass(frozen=True)
class CardRole:
    profile: str
    structure_id: int
    structure_name: str


@dataclass(frozen=True)
class UserCard:
    """What a person may know of someone they may write to: names, roles and classes — no login, no e-mail."""

    id: int
    first_name: str
    last_name: str
    display_name: str
    roles: list[CardRole]
    classes: list[SchoolClass]

    @property
    def main_profile(self) -> str:
        order = [p.value for p in Profile]
        return min((r.profile for r in self.roles), key=order.index, default=Profile.GUEST.value)


def _own_structure_ids(session: Session, user: User) -> set[int]:
    """The structures of the user's roles and those below them (a city's staff see the city's schools)."""
    return descendant_ids(session, {role.structure_id for role in user.roles})


def visible_classes(session: Session, user: User) -> list[SchoolClass]:
    """The classes ``user`` may filter by: their own, their children's, and every class of a structure where
    they are staff."""
    own = select(Group.class_id).join(GroupMember, GroupMember.group_id == Group.id).where(
        GroupMember.user_id == user.id, Group.kind == GroupKind.CLASS)
    children = (select(Group.class_id).join(GroupMember, GroupMember.group_id == Group.id)
                .join(RelativeLink, RelativeLink.child_id == GroupMember.user_id)
                .where(RelativeLink.parent_id == user.id, Group.kind == GroupKind.CLASS,
                       Group.profile == Profile.STUDENT))
    staff_roots = {r.structure_id for r in user.roles if r.profile == Profile.PERSONNEL}
    schools = descendant_ids(session, staff_roots) if staff_roots else set()
    return list(session.scalars(
        select(SchoolClass).where(or_(SchoolClass.id.in_(own), SchoolClass.id.in_(children),
                                      SchoolClass.structure_id.in_(schools)))
        .order_by(SchoolClass.name, SchoolClass.id)))


def search_people(session: Session, viewer: User, query: str = "", profile: str | None = None,
                  class_id: int | None = None, page: int = 1, per_page: int = 20) -> PeoplePage:
    """One page of the people ``viewer`` may write to; raises :class:`CommunicationError` for a profile that
    does not exist or a class the viewer cannot see (whatever its id)."""
    if profile and profile not in {p.value for p in Profile}:
        raise CommunicationError(_("Profil inconnu : %(profile)s.", profile=str(profile)[:20]))
    if class_id is not None and class_id not in {c.id for c in visible_classes(session, viewer)}:
        raise CommunicationError(_("Cette classe n'existe pas ou ne vous est pas accessible."))
    page, per_page = max(1, int(page)), max(1, min(int(per_page), MAX_PER_PAGE))
    found = visible_users(session, viewer, (query or "")[:MAX_QUERY], profile or None, class_id,
                          limit=per_page + 1, offset=(page - 1) * per_page)
    items = found[:per_page]
    roles = visible_roles(session, viewer, items)
    profiles = {user_id: sorted({r.profile for r in shown}) for user_id, shown in roles.items()}
    return PeoplePage(items, page, per_page, len(found) > per_page, profiles)


def search_groups(session: Session, viewer: User, query: str = "") -> list[Group]:
    """The groups ``viewer`` may address, those whose name contains ``query`` (case-insensitive)."""
    text = (query or "").strip().lower()[:MAX_QUERY]
    return [g for g in visible_groups(session, viewer) if text in g.name.lower()]


def user_card(session: Session, viewer: User, user_id: int) -> UserCard | None:
    """The card of ``user_id`` if ``viewer`` may write to them (or it is the viewer); ``None`` otherwise, the
    same answer for an id that does not exist."""
    person = session.get(User, user_id)
    if person is None or (person.id != viewer.id and not can_communicate(session, viewer, person)):
        return None
    # Only the roles through which the viewer reaches the person (a role held elsewhere stays hidden), and
    # only where the viewer has a role themself (or below it); classes only through those roles.
    shared = _own_structure_ids(session, viewer)
    seen = [r for r in visible_roles(session, viewer, [person])[person.id] if r.structure_id in shared]
    roles = [CardRole(r.profile, r.structure_id, r.structure.name) for r in seen]
    pairs = {(r.structure_id, r.profile) for r in seen}
    rows = session.execute(
        select(SchoolClass, Group.profile).join(Group, Group.class_id == SchoolClass.id)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .where(GroupMember.user_id == person.id, SchoolClass.structure_id.in_(shared))
        .order_by(SchoolClass.name, SchoolClass.id))
    classes = list({c.id: c for c, profile in rows if (c.structure_id, profile) in pairs}.values())
    return UserCard(person.id, person.first_name, person.last_name, person.display_name, roles, classes)
