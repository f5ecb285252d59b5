"""Who may write to whom: the one place that decides, for every plugin.

A user's reach is the union over the groups they belong to of: the groups linked from it (``comm_links``), the
group itself when its members communicate, and — outside groups — their own children and parents. Plugins add
groups (``preau_communication_groups``) or refuse recipients (``preau_communication_vetoes``); a plugin error is
a veto.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import BindParameter, CompoundSelect, Select, and_, bindparam, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from ..errors import PreauError
from ..models import AccountState, CommLink, CommSettings, Group, GroupKind, GroupMember, RelativeLink, Role, User
from ..plugins import KERNEL_WIDE, HookFailure
from ..rights import apps_for_user
from ..types import Recipient, Recipients

GONE = (AccountState.DELETED.value, AccountState.PRE_DELETED.value)


class CommunicationError(PreauError, ValueError):
    """A message or a search that the rules refuse; ``str()`` is a French sentence for the person."""


# -- reach ------------------------------------------------------------------------------------------------


def _disabled_group_ids(session: Session) -> list[int]:
    """The "Tous" groups of structures where the administrator switched "Tous" off (usually none)."""
    return list(session.scalars(
        select(Group.id).join(CommSettings, CommSettings.structure_id == Group.structure_id)
        .where(CommSettings.tous_enabled.is_(False), Group.kind == GroupKind.PROFILE, Group.profile.is_(None))))


def _groups_of(user_id: int) -> Select:
    return select(GroupMember.group_id).where(GroupMember.user_id == user_id)


def _reach(session: Session, user: User) -> CompoundSelect:
    """The ids of the groups whose every member ``user`` may write to, as SQL to nest in a bigger query."""
    mine, disabled = _groups_of(user.id), _disabled_group_ids(session)
    linked = select(CommLink.to_group_id.label("id")).where(CommLink.from_group_id.in_(mine))
    own = select(Group.id.label("id")).where(Group.id.in_(mine), Group.members_communicate.is_(True))
    if disabled:  # a switched-off "Tous" gives no reach, as source or as target
        linked = linked.where(CommLink.from_group_id.not_in(disabled), CommLink.to_group_id.not_in(disabled))
        own = own.where(Group.id.not_in(disabled))
    extra = _plugin_groups(session, user)
    parts = [linked, own] + ([select(Group.id.label("id")).where(Group.id.in_(extra))] if extra else [])
    return union(*parts)


def reachable_group_ids(session: Session, user: User) -> set[int]:
    """The groups whose every member ``user`` may write to."""
    return set(session.scalars(_reach(session, user)))


def _relative_selects(user_id: int) -> tuple[Select, Select]:
    return (select(RelativeLink.child_id).where(RelativeLink.parent_id == user_id),
            select(RelativeLink.parent_id).where(RelativeLink.child_id == user_id))


def _relatives(user_id: int) -> CompoundSelect:
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


# -- which of a person's roles a viewer may see -------------------------------------------------------------


def _visible_role_pairs(session: Session, viewer: User, user_ids: set[int]) -> dict[int, set[tuple[int, str | None]]]:
    """(structure, profile) pairs through which ``viewer`` reaches each person: a reachable group with a profile
    shows that profile in its structure; one without (manual, teaching, "Tous") shows the structure."""
    pairs: dict[int, set[tuple[int, str | None]]] = {user_id: set() for user_id in user_ids}
    if not user_ids:
        return pairs
    rows = session.execute(
        select(GroupMember.user_id, Group.structure_id, Group.profile).join(Group, Group.id == GroupMember.group_id)
        .where(GroupMember.user_id.in_(user_ids), Group.id.in_(_reach(session, viewer))).distinct())
    for user_id, structure_id, profile in rows:
        pairs[user_id].add((structure_id, profile))
    return pairs


def visible_roles(session: Session, viewer: User, people: Iterable[User]) -> dict[int, list[Role]]:
    """For each person, the roles (profile in a structure) through which ``viewer`` may write to them, so that a
    role held elsewhere stays hidden: a parent reaching a teacher of their child does not learn that the teacher
    is also a parent in another school. The viewer sees all their own roles; someone they may not write to,
    none. Their own children are seen as students, their own parents as parents (a fixed number of queries,
    whatever the number of people)."""
    people = list(people)
    reachable = filter_reachable(session, viewer, {p.id for p in people})
    pairs = _visible_role_pairs(session, viewer, reachable)
    children, parents = (set(session.scalars(q)) for q in _relative_selects(viewer.id))
    shown: dict[int, list[Role]] = {}
    for person in people:
        if person.id == viewer.id:
            shown[person.id] = sorted(person.roles, key=_role_order)
            continue
        seen = pairs.get(person.id, set()) if person.id in reachable else None
        shown[person.id] = [] if seen is None else sorted(
            (role for role in person.roles
             if (role.structure_id, role.profile) in seen or (role.structure_id, None) in seen
             or (role.profile == "student" and person.id in children)
             or (role.profile == "relative" and person.id in parents)), key=_role_order)
    return shown


def _role_order(role: Role) -> tuple[int, str]:
    return role.structure_id, role.profile


def _role_seen_by(session: Session, viewer: User, profile: str) -> Any:
    """SQL: the candidate ``User`` holds ``profile`` through a role ``viewer`` may see (as :func:`visible_roles`)."""
    reach = _reach(session, viewer)
    via_group = (select(Role.id).join(GroupMember, GroupMember.user_id == Role.user_id)
                 .join(Group, Group.id == GroupMember.group_id)
                 .where(Role.user_id == User.id, Role.profile == profile, Group.id.in_(reach),
                        Group.structure_id == Role.structure_id,
                        or_(Group.profile == Role.profile, Group.profile.is_(None))).exists())
    children, parents = _relative_selects(viewer.id)
    kin = {"student": children, "relative": parents}.get(profile)
    if kin is None:
        return via_group
    holds = select(Role.id).where(Role.user_id == User.id, Role.profile == profile).exists()
    return or_(via_group, and_(User.id.in_(kin), holds))


def _class_seen_by(session: Session, viewer: User, class_id: int) -> Any:
    """SQL: the candidate ``User`` is in the class through a role ``viewer`` may see (a teacher of a viewer's
    child is found in the classes they teach, not in their own child's class)."""
    class_group, class_member = aliased(Group), aliased(GroupMember)
    via_group = (select(class_member.user_id).join(class_group, class_group.id == class_member.group_id)
                 .join(GroupMember, GroupMember.user_id == class_member.user_id)
                 .join(Group, Group.id == GroupMember.group_id)
                 .where(class_member.user_id == User.id, class_group.class_id == class_id,
                        Group.id.in_(_reach(session, viewer)), Group.structure_id == class_group.structure_id,
                        or_(Group.profile == class_group.profile, Group.profile.is_(None))).exists())
    children, parents = _relative_selects(viewer.id)
    kin = (select(GroupMember.user_id).join(Group, Group.id == GroupMember.group_id)
           .where(GroupMember.user_id == User.id, Group.class_id == class_id,
                  or_(and_(Group.profile == "student", User.id.in_(children)),
                      and_(Group.profile == "relative", User.id.in_(parents)))).exists())
    return or_(via_group, kin)


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
    if profile:  # only through a role the user may see: a profile held elsewhere stays hidden
        stmt = stmt.where(_role_seen_by(session, user, profile))
    if class_id is not None:  # only through a role the user may see: a parent's child's class stays hidden
        stmt = stmt.where(_class_seen_by(session, user, class_id))
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
#
# Both hooks are dispatched to the plugins enabled for the person who writes or searches (rights.apps_for_user):
# a rule plugin disabled in their schools says nothing about them.

VETOES, GROUPS = "preau_communication_vetoes", "preau_communication_groups"


def _registry() -> Any:
    return current_app.extensions.get("preau.plugins") if has_app_context() else None


def _has_impls(hook: str) -> bool:
    """Whether any active plugin implements ``hook`` at all: a fast path, most installations have none."""
    registry = _registry()
    return bool(registry and registry.implementers(hook, apps=KERNEL_WIDE))


def _has_vetoes() -> bool:
    return _has_impls(VETOES)


def _plugin_groups(session: Session, user: User) -> set[int]:
    if not _has_impls(GROUPS):
        return set()
    registry = _registry()
    extra: set[int] = set()
    for _record, result in registry.call_each(GROUPS, apps=apps_for_user(session, registry, user), user=user):
        if not isinstance(result, HookFailure) and result:
            extra.update(int(group_id) for group_id in result)
    return extra


def _without_vetoed(session: Session, sender: User, user_ids: set[int]) -> set[int]:
    """Apply the vetoes of the plugins enabled for ``sender``: each is asked once for the whole set; a person
    any of them refuses is removed, and a plugin that fails (or answers nonsense) refuses the whole set."""
    if not user_ids or not _has_vetoes():
        return user_ids
    registry = _registry()
    apps = apps_for_user(session, registry, sender)
    if not registry.implementers(VETOES, apps=apps):
        return user_ids
    # The ids inline (integers: nothing to escape), not a thousand bound parameters, which cost more than the
    # query.
    ids: BindParameter[list[int]] = bindparam("ids", sorted(int(i) for i in user_ids), expanding=True,
                                              literal_execute=True)
    recipients = Recipients(map(Recipient._make, session.execute(
        select(*RECIPIENT_COLUMNS).where(User.id.in_(ids)).order_by(User.id))))
    refused: set[int] = set()
    for record, result in registry.call_each(VETOES, apps=apps, sender=sender, recipients=recipients):
        vetoed = None if isinstance(result, HookFailure) else _user_ids(result)
        if vetoed is None:
            if not isinstance(result, HookFailure):
                registry.note_failure(record.app_id, VETOES, TypeError(f"not ids or users: {result!r:.80}"))
            return set()
        refused |= vetoed
    return {person.id for person in recipients} - refused


# Rows, not User objects: building a thousand ORM instances cost a send to a group three times the rest of it.
RECIPIENT_COLUMNS = tuple(getattr(User, name) for name in Recipient._fields)


def _user_ids(answer: Any) -> set[int] | None:
    """The ids in a veto answer (ids, users or recipients, or ``None`` for no veto); ``None`` when it is not
    that."""
    if answer is None:
        return set()
    if isinstance(answer, str | bytes) or not isinstance(answer, Iterable):
        return None
    ids = set()
    for item in answer:
        if isinstance(item, User | Recipient):
            ids.add(item.id)
        elif isinstance(item, int) and not isinstance(item, bool):
            ids.add(item)
        else:
            return None
    return ids
