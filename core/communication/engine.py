"""Who may write to whom: the one place that decides, for every plugin.

A user's reach is the union over the groups they belong to of: the groups linked from it (``comm_links``), the
group itself when its members communicate, and — outside groups — their own children and parents. Plugins add
groups (``preau_communication_groups``) or veto a pair (``preau_communication``); a plugin error is a veto.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, or_, select, union
from sqlalchemy.orm import Session

from ..models import AccountState, CommLink, CommSettings, Group, GroupKind, GroupMember, RelativeLink, User
from ..plugins import HookFailure

GONE = (AccountState.DELETED.value, AccountState.PRE_DELETED.value)


class CommunicationError(ValueError):
    """A message or a search that the rules refuse; ``str()`` is a French sentence for the person."""


# -- reach ------------------------------------------------------------------------------------------------


def _disabled_group_ids(session: Session) -> list[int]:
    """The "Tous" groups of structures where the administrator switched "Tous" off (usually none)."""
    return list(session.scalars(
        select(Group.id).join(CommSettings, CommSettings.structure_id == Group.structure_id)
        .where(CommSettings.tous_enabled.is_(False), Group.kind == GroupKind.PROFILE, Group.profile.is_(None))))


def _groups_of(user_id: int) -> Select:
    return select(GroupMember.group_id).where(GroupMember.user_id == user_id)


def _reach(session: Session, user: User) -> Select:
    """The ids of the groups whose every member ``user`` may write to, as SQL to nest in a bigger query."""
    mine, disabled = _groups_of(user.id), _disabled_group_ids(session)
    linked = select(CommLink.to_group_id.label("id")).where(CommLink.from_group_id.in_(mine))
    own = select(Group.id.label("id")).where(Group.id.in_(mine), Group.members_communicate.is_(True))
    if disabled:  # a switched-off "Tous" gives no reach, as source or as target
        linked = linked.where(CommLink.from_group_id.not_in(disabled), CommLink.to_group_id.not_in(disabled))
        own = own.where(Group.id.not_in(disabled))
    extra = _plugin_groups(user)
    parts = [linked, own] + ([select(Group.id.label("id")).where(Group.id.in_(extra))] if extra else [])
    return union(*parts)


def reachable_group_ids(session: Session, user: User) -> set[int]:
    """The groups whose every member ``user`` may write to."""
    return set(session.scalars(_reach(session, user)))


def _relative_selects(user_id: int) -> tuple[Select, Select]:
    return (select(RelativeLink.child_id).where(RelativeLink.parent_id == user_id),
            select(RelativeLink.parent_id).where(RelativeLink.child_id == user_id))


def _relatives(user_id: int) -> Select:
    return union(*_relative_selects(user_id))


def filter_reachable(session: Session, sender: User, user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` that ``sender`` may write to (one query, for checking many recipients at once)."""
    wanted = {int(i) for i in user_ids} - {sender.id}
    if not wanted:
        return set()
    via_groups = select(GroupMember.user_id).where(GroupMember.group_id.in_(_reach(session, sender)),
                                                   GroupMember.user_id.in_(wanted))
    found = set(session.scalars(
        select(User.id).where(User.id.in_(wanted), User.state.not_in(GONE),
                              or_(User.id.in_(via_groups), User.id.in_(_relatives(sender.id))))))
    return _without_vetoed(session, sender, found)


def can_communicate(session: Session, sender: User, recipient: User) -> bool:
    """May ``sender`` write to ``recipient``? Checked on the server for every send and every search."""
    return recipient.id in filter_reachable(session, sender, [recipient.id])


# -- searching the people and groups one may reach ---------------------------------------------------------


def _prefix(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def _visible_query(session: Session, user: User, query: str, profile: str | None,
                   class_id: int | None) -> Select:
    reach = reachable_group_ids(session, user)
    members = select(GroupMember.user_id).where(GroupMember.group_id.in_(reach))
    ids = union(members, *_relative_selects(user.id)).subquery()
    stmt = (select(User).join(ids, ids.c[0] == User.id)
            .where(User.id != user.id, User.state.not_in(GONE)))
    text = (query or "").strip()
    if text:
        like = _prefix(text)
        stmt = stmt.where(or_(func.lower(User.last_name).like(like, escape="\\"),
                              func.lower(User.first_name).like(like, escape="\\"),
                              func.lower(User.login).like(like, escape="\\")))
    if profile:
        from ..models import Role  # noqa: PLC0415 - keeps the import list of the module short
        stmt = stmt.where(select(Role.id).where(Role.user_id == User.id, Role.profile == profile).exists())
    if class_id is not None:
        stmt = stmt.where(select(GroupMember.user_id).join(Group, Group.id == GroupMember.group_id).where(
            GroupMember.user_id == User.id, Group.class_id == class_id).exists())
    return stmt


def visible_users(session: Session, user: User, query: str = "", profile: str | None = None,
                  class_id: int | None = None, limit: int = 20, offset: int = 0) -> list[User]:
    """The people ``user`` may write to whose last name, first name or login starts with ``query``, ordered
    by name, one page of ``limit`` from ``offset``. Nobody outside the rules is ever returned."""
    limit = max(1, min(int(limit), 200))
    stmt = _visible_query(session, user, query, profile, class_id).order_by(
        User.last_name, User.first_name, User.id)
    if not _has_vetoes():
        return list(session.scalars(stmt.limit(limit).offset(max(0, int(offset)))))
    # A veto can drop people from a page: read on until the page is full, skipping the earlier pages' people.
    kept: list[User] = []
    skipped, position, batch = 0, 0, max(limit, 50)
    while len(kept) < limit:
        chunk = list(session.scalars(stmt.limit(batch).offset(position)))
        if not chunk:
            break
        position += len(chunk)
        allowed = _without_vetoed(session, user, {u.id for u in chunk})
        for person in chunk:
            if person.id in allowed:
                if skipped < offset:
                    skipped += 1
                elif len(kept) < limit:
                    kept.append(person)
    return kept


def _addressable_group_query(session: Session, user: User) -> Select:
    reach = reachable_group_ids(session, user)
    # A class group is a part of its structure's profile group: reaching the whole reaches the part.
    reached_profiles = select(Group.structure_id, Group.profile).where(
        Group.id.in_(reach), Group.kind == GroupKind.PROFILE).subquery()
    class_parts = select(Group.id).join(reached_profiles, and_(
        reached_profiles.c.structure_id == Group.structure_id, reached_profiles.c.profile == Group.profile)
    ).where(Group.kind == GroupKind.CLASS)
    return select(Group).where(or_(Group.id.in_(reach), Group.id.in_(class_parts)),
                               Group.id.not_in(_disabled_group_ids(session)))


def visible_groups(session: Session, user: User) -> list[Group]:
    """The groups ``user`` may address as a whole, by name."""
    return list(session.scalars(_addressable_group_query(session, user).order_by(Group.name, Group.id)))


def reachable_members(session: Session, sender: User, group: Group) -> list[int]:
    """The members a message from ``sender`` to ``group`` goes to, expanded now; raises
    :class:`CommunicationError` when ``sender`` may not address the group."""
    allowed = session.scalar(_addressable_group_query(session, sender).where(Group.id == group.id)
                             .with_only_columns(Group.id))
    if allowed is None:
        raise CommunicationError(_("Vous ne pouvez pas écrire au groupe « %(name)s ».", name=group.name))
    members = set(session.scalars(
        select(GroupMember.user_id).join(User, User.id == GroupMember.user_id)
        .where(GroupMember.group_id == group.id, GroupMember.user_id != sender.id, User.state.not_in(GONE))))
    return sorted(_without_vetoed(session, sender, members))


# -- plugins ---------------------------------------------------------------------------------------------


def _registry() -> Any:
    return current_app.extensions.get("preau.plugins") if has_app_context() else None


def _has_impls(hook: str) -> bool:
    registry = _registry()
    return bool(registry and getattr(registry.pm.hook, hook).get_hookimpls())


def _has_vetoes() -> bool:
    return _has_impls("preau_communication")


def _plugin_groups(user: User) -> set[int]:
    if not _has_impls("preau_communication_groups"):
        return set()
    extra: set[int] = set()
    for _record, result in _registry().call_robust("preau_communication_groups", user=user):
        if not isinstance(result, HookFailure) and result:
            extra.update(int(group_id) for group_id in result)
    return extra


def _without_vetoed(session: Session, sender: User, user_ids: set[int]) -> set[int]:
    """Apply the plugins' verdicts: any veto (or error) removes a person, a ``True`` keeps one the groups
    did not give is handled by ``preau_communication_groups``, not here."""
    if not user_ids or not _has_vetoes():
        return user_ids
    kept = set()
    for person in session.scalars(select(User).where(User.id.in_(user_ids))):
        verdicts = [result for _record, result in
                    _registry().call_robust("preau_communication", sender=sender, recipient=person)]
        if not any(v is False or isinstance(v, HookFailure) for v in verdicts):
            kept.add(person.id)
    return kept
