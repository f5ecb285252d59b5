"""Which apps, rights, widgets and connectors reach a user: one function, ``access_for``.

Access is computed **per role** (a profile held in a structure), then united:

- an app reaches a role when it is enabled for the role's structure — the nearest explicit decision up the
  structure graph wins, a school's "disabled" beats its city's "enabled", and between equally near parents
  "enabled" wins;
- a right reaches a role when it is granted to a group the role reaches: the profile group of that profile in
  the role's structure or any ancestor (a grant to a city's teachers reaches the teachers of its schools), a
  class group of that profile in the role's structure that the user belongs to, a manual or teaching group the
  user belongs to in the role's structure or an ancestor — or when it is granted to a class of the role (in
  its structure, for its profile: students and teachers of the class, parents through their children).

So a right granted to the teachers of school A reaches a teacher of A who is also a parent in school B only
as a teacher, and only with the apps enabled in A. The role switch computes one role (``roles=``); without it
the user gets the union over all roles. Core apps (manifest ``core=True``) answer for everyone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, literal, select, union_all
from sqlalchemy.orm import Session

from . import audit
from .db import session_memo
from .directory.enablement import enabled_apps, nearest_app_decisions
from .directory.structures import DirectoryError, ancestor_distances, profile_group
from .models import (
    AppEnablement,
    AuditEvent,
    Group,
    GroupKind,
    GroupMember,
    RightExclusion,
    RightGrant,
    Role,
    SchoolClass,
    Structure,
    User,
    WidgetPolicy,
)
from .plugins import PluginRegistry
from .types import Connector, MenuItem, Right, Widget

WIDGET_ALLOWED, WIDGET_HIDDEN, WIDGET_MANDATORY = "allowed", "hidden", "mandatory"


class GrantError(DirectoryError):
    """An enablement or grant that breaks a rule (French message, nothing changed)."""


@dataclass
class Access:
    """What reaches one person: the app ids (``apps``), the right ids (``rights``), the ``connectors``, the
    ``menu_items`` and the dashboard ``widgets`` their grants reach. ``has(right)`` checks a right through any
    role; ``has(right, structure=…)`` only through the roles held in that structure."""

    apps: set[str] = field(default_factory=set)
    rights: set[str] = field(default_factory=set)
    connectors: list[Connector] = field(default_factory=list)
    menu_items: list[MenuItem] = field(default_factory=list)
    # The rights reaching each structure where the person holds a role (through the roles held there).
    structure_rights: dict[int, set[str]] = field(default_factory=dict)
    # The apps enabled in the structures of those roles, granted or not (hook dispatch needs them).
    enabled: set[str] = field(default_factory=set)
    # The widgets need the administrators' widget policies (a query): only the dashboard asks, so they are
    # computed on first use rather than on every page.
    _widgets: list[Widget] | None = None
    _widget_loader: Callable[[], list[Widget]] | None = field(default=None, repr=False)

    def has(self, right_id: str, *, structure: Structure | int | None = None) -> bool:
        """Whether ``right_id`` reaches the person; with ``structure`` (a :class:`Structure` or its id), only
        through a role they hold in that very structure: a teacher of school A who is a parent in school B has
        ``has("cahier.write", structure=A)`` but not ``structure=B``."""
        if structure is None:
            return right_id in self.rights
        structure_id = structure if isinstance(structure, int) else structure.id
        return right_id in self.structure_rights.get(structure_id, ())

    @property
    def widgets(self) -> list[Widget]:
        if self._widgets is None:
            self._widgets = self._widget_loader() if self._widget_loader else []
        return self._widgets


def app_enabled(session: Session, app_id: str, structure: Structure | int) -> bool:
    """Whether an administrator enabled ``app_id`` for ``structure`` (a :class:`Structure` or its id), by its own
    decision or inherited from the nearest structure above. Enabled is not granted: see :class:`Access`."""
    structure_id = structure if isinstance(structure, int) else structure.id
    return app_id in enabled_apps(session, structure_id, {app_id})


@dataclass(frozen=True)
class _Reach:
    """The grant targets one role reaches."""

    group_ids: frozenset[int]
    class_ids: frozenset[int]
    # The profile groups among ``group_ids``, with their structure (a local exclusion blocks those above it).
    profile_groups: dict[int, int] = field(default_factory=dict)


def _reaches(session: Session, user: User, roles: list[Role],
             ancestors: dict[int, set[int]]) -> dict[int, _Reach]:
    """For each role id, the groups and classes whose grants reach it (two queries, remembered until the
    session writes: rights, services and connectors all ask in one request)."""
    key = ("reaches", user.id, tuple(sorted(r.id for r in roles)))
    return session_memo(session, key, lambda: _compute_reaches(session, user, roles, ancestors))


def _compute_reaches(session: Session, user: User, roles: list[Role],
                     ancestors: dict[int, set[int]]) -> dict[int, _Reach]:
    every_ancestor = set().union(*ancestors.values()) if ancestors else set()
    columns = (Group.id, Group.kind, Group.profile, Group.structure_id, Group.class_id)
    # One round trip for both: the person's own groups, and the profile groups of their structures' ancestors.
    rows = session.execute(union_all(
        select(*columns, literal(True).label("member")).join(GroupMember, GroupMember.group_id == Group.id)
        .where(GroupMember.user_id == user.id),
        select(*columns, literal(False).label("member")).where(
            Group.kind == GroupKind.PROFILE, Group.structure_id.in_(every_ancestor),
            Group.profile.in_({r.profile for r in roles})))).all()
    memberships = [row for row in rows if row.member]
    profile_groups = [row for row in rows if not row.member]
    reaches = {}
    for role in roles:
        up = ancestors[role.structure_id]
        mine = {g.id: g.structure_id for g in profile_groups if g.profile == role.profile and g.structure_id in up}
        groups = set(mine)
        classes = set()
        for m in memberships:
            if m.kind == GroupKind.CLASS and m.profile == role.profile and m.structure_id == role.structure_id:
                groups.add(m.id)
                classes.add(m.class_id)
            elif m.kind in (GroupKind.MANUAL, GroupKind.TEACHING) and m.structure_id in up:
                groups.add(m.id)
        reaches[role.id] = _Reach(frozenset(groups), frozenset(classes), mine)
    return reaches


def access_for(session: Session, registry: PluginRegistry, user: User,
               roles: Iterable[Role] | None = None) -> Access:
    """Everything that reaches ``user``: the union over ``roles`` (default: all their roles) + the core apps.

    ``roles`` serves the role switch; roles that are not the user's are ignored.
    """
    access = Access()
    chosen = list(user.roles) if roles is None else [r for r in roles if r.user_id == user.id]
    installed = {r.app_id for r in registry.active()}
    if chosen:
        distances = {sid: ancestor_distances(session, sid) for sid in {r.structure_id for r in chosen}}
        # An app is off where an app it requires is off (AppManifest.requires).
        enabled = {sid: registry.with_requirements_met(
                       app for app, on in nearest_app_decisions(session, d).items() if on and app in installed)
                   for sid, d in distances.items()}
        reaches = _reaches(session, user, chosen, {sid: set(d) for sid, d in distances.items()})
        access.enabled = set().union(*enabled.values())
        all_groups = set().union(*(r.group_ids for r in reaches.values()))
        all_classes = set().union(*(r.class_ids for r in reaches.values()))
        grants = session.execute(select(RightGrant.right_id, RightGrant.group_id, RightGrant.class_id).where(
            RightGrant.group_id.in_(all_groups) | RightGrant.class_id.in_(all_classes))).all()
        exclusions = _exclusions(session, chosen, distances)
    role_rights: dict[int, set[str]] = {}
    for role in chosen:
        reach, apps = reaches[role.id], enabled[role.structure_id]
        up, blocked = distances[role.structure_id], exclusions.get(role.id, {})
        role_rights[role.id] = {g.right_id for g in grants
                                if (g.group_id in reach.group_ids or g.class_id in reach.class_ids)
                                and g.right_id.split(".", 1)[0] in apps
                                and not _excluded(g.right_id, g.group_id, reach, up, blocked)}
    core = registry.core_app_ids()
    core_rights = {r.id for record in registry.active() if record.app_id in core for r in record.rights}
    declared = registry.all_rights()
    for rights in role_rights.values():
        rights |= core_rights
        rights &= set(declared)  # a grant left behind by an uninstalled plugin gives nothing
    access.rights = set().union(core_rights & set(declared), *role_rights.values())
    for role in chosen:
        access.structure_rights.setdefault(role.structure_id, set()).update(role_rights[role.id])
    access.apps = {declared[r].app_id for r in access.rights}
    for record in registry.active():
        if record.app_id not in access.apps:
            continue
        access.connectors += [c for c in record.connectors if c.right in access.rights]
        access.menu_items += [m for m in record.menu_items if m.right in access.rights]
    access._widget_loader = lambda: _reaching_widgets(session, registry, access, user, chosen, role_rights,
                                                      distances if chosen else {})
    return access


def _exclusions(session: Session, roles: list[Role],
                distances: dict[int, dict[int, int]]) -> dict[int, dict[str, int]]:
    """For each role id, the rights a structure on its way up excluded for its profile, with the distance of the
    nearest such structure (one query; see :class:`preau.models.RightExclusion`)."""
    every = set().union(*(set(d) for d in distances.values()))
    rows = session.execute(select(RightExclusion.structure_id, RightExclusion.right_id, RightExclusion.profile)
                           .where(RightExclusion.structure_id.in_(every),
                                  RightExclusion.profile.in_({r.profile for r in roles}))).all()
    result: dict[int, dict[str, int]] = {}
    for role in roles:
        up = distances[role.structure_id]
        for row in rows:
            if row.profile == role.profile and row.structure_id in up:
                nearest = result.setdefault(role.id, {})
                nearest[row.right_id] = min(nearest.get(row.right_id, 1 << 30), up[row.structure_id])
    return result


def _excluded(right_id: str, group_id: int | None, reach: _Reach, up: dict[int, int],
              blocked: dict[str, int]) -> bool:
    """Whether a grant to a profile group made above a structure that excluded the right for that profile."""
    if right_id not in blocked or group_id not in reach.profile_groups:
        return False
    return up[reach.profile_groups[group_id]] > blocked[right_id]


def _reaching_widgets(session: Session, registry: PluginRegistry, access: Access, user: User, chosen: list[Role],
                      role_rights: dict[int, set[str]], distances: dict[int, dict[int, int]]) -> list[Widget]:
    policies = _widget_policies(session, chosen, distances) if chosen else {}
    return [w for record in registry.active() if record.app_id in access.apps
            for w in (_apply_policy(w, chosen, role_rights, policies) for w in record.widgets
                      if w.right in access.rights) if w is not None and _shown(registry, w, user, chosen)]


def _shown(registry: PluginRegistry, widget: Widget, user: User, roles: list[Role]) -> bool:
    """The widget's own audience test (``Widget.shown_to``), robustly: a test that raises hides the widget and is
    reported to administrators."""
    if widget.shown_to is None:
        return True
    try:
        return bool(widget.shown_to(user, roles))
    except Exception as exc:  # noqa: BLE001 - a UI callback of a plugin: robust by contract
        registry.note_failure(widget.id.split(".", 1)[0], f"widget {widget.id} shown_to", exc)
        return False


def _widget_policies(session: Session, roles: list[Role],
                     distances: dict[int, dict[int, int]]) -> dict[tuple[int, str], str]:
    """For each (role id, widget id), the nearest administrator decision for the role's profile (one query)."""
    every = set().union(*(set(d) for d in distances.values()))
    rows = session.execute(select(WidgetPolicy.structure_id, WidgetPolicy.widget_id, WidgetPolicy.profile,
                                  WidgetPolicy.mode).where(WidgetPolicy.structure_id.in_(every),
                                                           WidgetPolicy.profile.in_({r.profile for r in roles}))).all()
    nearest: dict[tuple[int, str], tuple[int, str]] = {}
    for role in roles:
        up = distances[role.structure_id]
        for row in rows:
            if row.profile != role.profile or row.structure_id not in up:
                continue
            best = nearest.get((role.id, row.widget_id))
            if best is None or up[row.structure_id] < best[0]:
                nearest[(role.id, row.widget_id)] = (up[row.structure_id], row.mode)
    return {key: mode for key, (_d, mode) in nearest.items()}


def _apply_policy(widget: Widget, roles: list[Role], role_rights: dict[int, set[str]],
                  policies: dict[tuple[int, str], str]) -> Widget | None:
    """The widget as the administrators set it for the roles it reaches through: hidden when every such role's
    profile has it hidden, mandatory when one has it mandatory, placeable when one allows it."""
    modes = [policies.get((role.id, widget.id)) for role in roles if widget.right in role_rights.get(role.id, ())]
    if not modes:
        return widget
    if all(mode == WIDGET_HIDDEN for mode in modes):
        return None
    if WIDGET_MANDATORY in modes and not widget.mandatory:
        widget = replace(widget, mandatory=True)
    if WIDGET_ALLOWED in modes and not widget.placeable:
        widget = replace(widget, placeable=True)
    return widget


# -- hook dispatch -------------------------------------------------------------------------------------------


def dispatch_apps(registry: PluginRegistry, access: Access) -> set[str]:
    """The app ids a hook called for the person ``access`` describes may reach (pass them as ``apps=``): the
    apps a grant reaches them through, and the apps enabled for one of their structures that declare no right
    (a rule or an event-only plugin has nothing to grant). Core apps are added by the dispatch itself."""
    rightless = {record.app_id for record in registry.active() if not record.rights}
    return access.apps | (access.enabled & rightless)


def apps_for_user(session: Session, registry: PluginRegistry, user: User) -> set[str]:
    """:func:`dispatch_apps` for ``user`` through all their roles (remembered until the session writes)."""
    return session_memo(session, ("dispatch_apps", user.id),
                        lambda: dispatch_apps(registry, access_for(session, registry, user)))


# -- administration --------------------------------------------------------------------------------------


def set_enabled(session: Session, structure: Structure, app_id: str, enabled: bool, *, actor: Any = None) -> None:
    """Record an explicit decision for ``app_id`` in ``structure`` (inherited by its descendants)."""
    row = session.get(AppEnablement, (structure.id, app_id))
    if row is None:
        session.add(AppEnablement(structure_id=structure.id, app_id=app_id, enabled=enabled))
    else:
        row.enabled = enabled
    session.flush()
    audit.record(session, "rights.app_enabled" if enabled else "rights.app_disabled", actor=actor,
                 target=structure, structure_id=structure.id, app_id=app_id)


def inherit_enablement(session: Session, structure: Structure, app_id: str, *, actor: Any = None) -> None:
    """Drop the structure's own decision so that it follows its parents again."""
    session.execute(delete(AppEnablement).where(AppEnablement.structure_id == structure.id,
                                                AppEnablement.app_id == app_id))
    session.flush()
    audit.record(session, "rights.app_inherited", actor=actor, target=structure, structure_id=structure.id,
                 app_id=app_id)


def grant(session: Session, right_id: str, structure: Structure, *, group: Group | None = None,
          school_class: SchoolClass | None = None, actor: Any = None) -> RightGrant:
    """Grant ``right_id`` to a group or a class of ``structure`` (idempotent)."""
    if (group is None) == (school_class is None):
        raise GrantError(_("Un droit est donné à un groupe ou à une classe, pas aux deux."))
    target = group if group is not None else school_class
    assert target is not None  # exactly one of the two, checked above
    if target.structure_id != structure.id:
        raise GrantError(_("Le groupe ou la classe n'appartient pas à %(structure)s.", structure=structure.name))
    existing = session.scalar(select(RightGrant).where(
        RightGrant.right_id == right_id,
        RightGrant.group_id.is_(None) if group is None else RightGrant.group_id == group.id,
        RightGrant.class_id.is_(None) if school_class is None else RightGrant.class_id == school_class.id))
    if existing:
        return existing
    row = RightGrant(right_id=right_id, structure_id=structure.id, group_id=group.id if group else None,
                     class_id=school_class.id if school_class else None)
    session.add(row)
    session.flush()
    audit.record(session, "rights.granted", actor=actor, target=row, structure_id=structure.id, right=right_id,
                 group_id=row.group_id, class_id=row.class_id)
    return row


def revoke(session: Session, grant_id: int, *, actor: Any = None) -> None:
    row = session.get(RightGrant, grant_id)
    if row is None:
        return
    audit.record(session, "rights.revoked", actor=actor, target=row, structure_id=row.structure_id,
                 right=row.right_id, group_id=row.group_id, class_id=row.class_id)
    session.delete(row)
    session.flush()


def enable_with_defaults(session: Session, registry: PluginRegistry, structure: Structure, app_id: str, *,
                         actor: Any = None) -> list[tuple[Right, str]]:
    """Enable an app for a structure, as the services administration's "Activer" does (and the ``enable_plugin``
    test fixture: one code path). The first time the app is enabled for that structure, each of its rights is
    granted to the profile groups of its ``default_profiles`` there; enabling it again later (after a disable or
    an "inherit") grants nothing, so that what an administrator revoked stays revoked.

    :returns: the ``(right, profile)`` pairs granted now (empty when the app was enabled there before).
    """
    record = registry.by_app_id(app_id)
    if record is None or record.manifest is None or not record.manifest.is_app:
        raise KeyError(app_id)
    first = not enabled_before(session, structure, app_id)
    set_enabled(session, structure, app_id, True, actor=actor)
    granted: list[tuple[Right, str]] = []
    for right in record.rights if first else ():
        for profile in right.default_profiles:
            grant(session, right.id, structure, group=profile_group(session, structure.id, profile), actor=actor)
            granted.append((right, profile))
    return granted


def enabled_before(session: Session, structure: Structure, app_id: str) -> bool:
    """Whether ``app_id`` was ever enabled for ``structure`` itself (the audit log keeps every enablement)."""
    details = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "rights.app_enabled",
                                                              AuditEvent.structure_id == structure.id))
    return any(detail.get("app_id") == app_id for detail in details)
