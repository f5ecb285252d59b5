"""Which apps, rights, widgets and connectors reach a user: one function, ``access_for``.

An app reaches a role (a profile in a structure) when it is enabled there — the nearest explicit decision up
the structure graph wins — and one of its rights is granted to a group the role reaches: the profile group of
that structure or of an ancestor, a class or manual group the user belongs to, or a class of theirs. A user's
access is the union over their roles. Core apps answer for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .directory.structures import ancestor_distances, profile_group
from .models import AppEnablement, Group, GroupKind, GroupMember, RightGrant, SchoolClass, Structure, User
from .plugins import PluginRegistry
from .types import Connector, MenuItem, Widget


@dataclass
class Access:
    apps: set[str] = field(default_factory=set)
    rights: set[str] = field(default_factory=set)
    widgets: list[Widget] = field(default_factory=list)
    connectors: list[Connector] = field(default_factory=list)
    menu_items: list[MenuItem] = field(default_factory=list)

    def has(self, right_id: str) -> bool:
        return right_id in self.rights


def enabled_apps(session: Session, structure_id: int, app_ids: set[str]) -> set[str]:
    """Apps enabled for a structure: its own decision, else the nearest ancestor's (ties: enabled)."""
    distances = ancestor_distances(session, structure_id)
    decisions: dict[str, tuple[int, bool]] = {}
    rows = session.execute(select(AppEnablement).where(AppEnablement.structure_id.in_(distances))).scalars()
    for row in rows:
        distance = distances[row.structure_id]
        best = decisions.get(row.app_id)
        if best is None or distance < best[0] or (distance == best[0] and row.enabled):
            decisions[row.app_id] = (distance, row.enabled)
    return {app for app, (_d, enabled) in decisions.items() if enabled and app in app_ids}


def _granted_rights(session: Session, user: User, structure_id: int, profile: str,
                    ancestors: set[int], member_of: set[int], class_ids: set[int]) -> set[str]:
    profile_groups = select(Group.id).where(
        Group.kind == GroupKind.PROFILE, Group.profile == profile, Group.structure_id.in_(ancestors))
    own_groups = select(Group.id).where(Group.id.in_(member_of), Group.structure_id.in_(ancestors))
    query = select(RightGrant.right_id).where(
        RightGrant.group_id.in_(profile_groups.union(own_groups)) | RightGrant.class_id.in_(class_ids))
    return set(session.scalars(query))


def access_for(session: Session, registry: PluginRegistry, user: User) -> Access:
    """Everything that reaches ``user``: the union over their roles, plus the core apps."""
    access = Access()
    installed = {r.app_id for r in registry.active()}
    member_of = set(session.scalars(select(GroupMember.group_id).where(GroupMember.user_id == user.id)))
    class_ids = set(session.scalars(select(Group.class_id).where(
        Group.id.in_(member_of), Group.class_id.is_not(None))))
    for role in user.roles:
        distances = ancestor_distances(session, role.structure_id)
        apps = enabled_apps(session, role.structure_id, installed)
        rights = _granted_rights(session, user, role.structure_id, role.profile, set(distances),
                                 member_of, class_ids)
        access.rights |= {r for r in rights if r.split(".", 1)[0] in apps}
    core = registry.core_app_ids()
    for record in registry.active():
        if record.app_id in core:
            access.rights |= {r.id for r in record.rights}
    access.apps = {r.split(".", 1)[0] for r in access.rights}
    for record in registry.active():
        if record.app_id not in access.apps:
            continue
        access.widgets += [w for w in record.widgets if w.right in access.rights]
        access.connectors += [c for c in record.connectors if c.right in access.rights]
        access.menu_items += [m for m in record.menu_items if m.right in access.rights]
    return access


# -- administration --------------------------------------------------------------------------------------


def set_enabled(session: Session, structure: Structure, app_id: str, enabled: bool) -> None:
    row = session.get(AppEnablement, (structure.id, app_id))
    if row is None:
        session.add(AppEnablement(structure_id=structure.id, app_id=app_id, enabled=enabled))
    else:
        row.enabled = enabled
    session.flush()


def grant(session: Session, right_id: str, structure: Structure, *, group: Group | None = None,
          school_class: SchoolClass | None = None) -> RightGrant:
    existing = session.scalar(select(RightGrant).where(
        RightGrant.right_id == right_id,
        RightGrant.group_id == (group.id if group else None) if group else RightGrant.group_id.is_(None),
        RightGrant.class_id == school_class.id if school_class else RightGrant.class_id.is_(None)))
    if existing:
        return existing
    row = RightGrant(right_id=right_id, structure_id=structure.id, group_id=group.id if group else None,
                     class_id=school_class.id if school_class else None)
    session.add(row)
    session.flush()
    return row


def revoke(session: Session, grant_id: int) -> None:
    session.execute(delete(RightGrant).where(RightGrant.id == grant_id))


def enable_with_defaults(session: Session, registry: PluginRegistry, structure: Structure, app_id: str) -> None:
    """Enable an app for a structure and grant each right to its default profiles' groups."""
    record = registry.by_app_id(app_id)
    if record is None:
        raise KeyError(app_id)
    set_enabled(session, structure, app_id, True)
    for right in record.rights:
        for profile in right.default_profiles:
            grant(session, right.id, structure, group=profile_group(session, structure.id, profile))
