"""The "Applications et connecteurs" matrix of a structure: apps and connectors × profile groups and groups.

A **cell** is one right of an app (or one connector) for one **column**: a profile (``p:teacher``), a group of the
structure (``g:12``) or a class (``c:3``). Turning a cell on activates the app here if it is not, lifts a local
exclusion, and grants the right locally unless a parent structure's grant already reaches the profile; turning it
off revokes the local grant and, when a parent's grant still reaches the profile, records a
:class:`~preau.models.RightExclusion` ("not for this profile here"), which :func:`preau.rights.access_for`
respects. A connector cell adds or removes the profile or target of a connector the structure owns (a connector
inherited from a parent is changed there: the nearest copy of a connector wins, so a school may add its own).

Changes are checked first (:class:`MatrixError`, French message, nothing changed), previewed ("who gains or
loses access", computed by applying them in a savepoint then rolling it back), and saved as one numbered
:class:`~preau.models.AccessVersion` that can be rolled back (itself a new version). Everything is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from . import audit, rights
from .db import forget_memo
from .directory.enablement import enabled_apps
from .directory.structures import ancestor_distances, descendant_ids, profile_group
from .icons import DEFAULT_ICON, tile_colour
from .models import (
    AccessVersion,
    AppEnablement,
    Group,
    GroupKind,
    GroupMember,
    RightExclusion,
    RightGrant,
    Role,
    SchoolClass,
    ServiceTarget,
    Structure,
    StructureConnector,
    User,
)
from .plugins import PluginRegistry
from .portal import services as connector_rules
from .portal.catalogue import catalogue
from .types import Profile, Right

# The profile columns, in the order administrators read them.
PROFILE_COLUMNS = (Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER, Profile.PERSONNEL, Profile.GUEST)
COLUMN_NAMES = {Profile.STUDENT: "Élèves", Profile.RELATIVE: "Parents", Profile.TEACHER: "Enseignants",
                Profile.PERSONNEL: "Personnels", Profile.GUEST: "Invités"}
MAX_CHANGES = 200
NAMES_SHOWN = 5


class MatrixError(rights.GrantError):
    """A cell or change set that cannot be applied (French message; nothing changed)."""


@dataclass(frozen=True)
class Column:
    key: str  # "p:teacher", "g:12", "c:3"
    name: str  # "Enseignants", "Regroupement ULIS", "Classe CM2 A"
    profile: str | None = None
    group_id: int | None = None
    class_id: int | None = None


@dataclass
class Cell:
    on: bool
    local: bool = False  # a grant (or a connector target) made in this structure
    inherited_from: list[str] = field(default_factory=list)  # structures above whose grant reaches the column
    excluded: bool = False  # this structure said "not for this profile" to an inherited grant
    editable: bool = True


@dataclass
class Row:
    key: str  # "app:capytale", "connector:7"
    name: str
    theme: str
    description: str
    kind: str  # "app" or "connector"
    right: Right | None  # the right the row's cells grant (the app's access right); None for a connector
    finer: list[Right]  # the app's other rights, shown in the side panel
    enabled: bool  # the app is active here (own decision or inherited); the connector is switched on
    decision: bool | None = None  # the structure's own decision for an app
    owner: str | None = None  # the structure a connector is inherited from (cells then read only)
    app_id: str = ""
    editor: str = ""
    version: str = ""
    technical: str = ""  # raw ids, for the "Détails techniques" disclosure
    connector: StructureConnector | None = None
    icon: str = DEFAULT_ICON  # the manifest's or catalogue entry's icon (preau.icon_names)
    colour: str = ""  # the colour the row's tile is drawn with (its own, else its theme's)
    cells: dict[str, Cell] = field(default_factory=dict)  # column key → cell (right = the row's right)
    finer_cells: dict[str, dict[str, Cell]] = field(default_factory=dict)  # right id → column key → cell


@dataclass(frozen=True)
class Change:
    """Turn one cell on or off: ``row`` ("app:<id>" or "connector:<id>"), ``right`` (for an app), ``column``."""

    row: str
    column: str
    on: bool
    right: str = ""


# -- columns ---------------------------------------------------------------------------------------------


def profile_columns() -> list[Column]:
    return [Column(f"p:{p.value}", _(COLUMN_NAMES[p]), profile=p.value) for p in PROFILE_COLUMNS]


def extra_columns(session: Session, structure: Structure) -> list[Column]:
    """The structure's own groups (manual and teaching) and classes, which may be added as columns."""
    groups = session.scalars(select(Group).where(Group.structure_id == structure.id,
                                                 Group.kind.in_((GroupKind.MANUAL, GroupKind.TEACHING)))
                             .order_by(Group.name)).all()
    classes = session.scalars(select(SchoolClass).where(SchoolClass.structure_id == structure.id,
                                                          SchoolClass.archived_at.is_(None))
                              .order_by(SchoolClass.name)).all()
    return ([Column(f"g:{g.id}", g.name, group_id=g.id) for g in groups]
            + [Column(f"c:{c.id}", _("Classe %(name)s", name=c.name), class_id=c.id) for c in classes])


def columns_in_use(session: Session, structure: Structure) -> set[str]:
    """Extra columns that already hold a grant or a connector target here (always shown)."""
    used = {f"g:{g}" if g else f"c:{c}" for g, c in session.execute(
        select(RightGrant.group_id, RightGrant.class_id).where(RightGrant.structure_id == structure.id)).all()}
    used |= {f"g:{g}" if g else f"c:{c}" for g, c in session.execute(
        select(ServiceTarget.group_id, ServiceTarget.class_id).join(
            StructureConnector, StructureConnector.id == ServiceTarget.connector_id)
        .where(StructureConnector.structure_id == structure.id)).all()}
    return {key for key in used if not key.startswith("g:") or key[2:] not in _profile_group_ids(session, structure)}


def _profile_group_ids(session: Session, structure: Structure) -> set[str]:
    return {str(i) for i in session.scalars(select(Group.id).where(Group.structure_id == structure.id,
                                                                   Group.kind == GroupKind.PROFILE))}


def columns(session: Session, structure: Structure, wanted: Iterable[str] = ()) -> list[Column]:
    """The five profile columns, then the extra columns in use or ``wanted`` (unknown keys are ignored)."""
    shown = columns_in_use(session, structure) | set(wanted)
    return profile_columns() + [c for c in extra_columns(session, structure) if c.key in shown]


def column_of(session: Session, structure: Structure, key: str) -> Column:
    """The column ``key`` names, checked to belong to ``structure`` (else :class:`MatrixError`)."""
    for column in profile_columns():
        if column.key == key:
            return column
    for column in extra_columns(session, structure):
        if column.key == key:
            return column
    raise MatrixError(_("Colonne inconnue dans %(name)s : %(column)s.", name=structure.name, column=key[:40]))


# -- rows ------------------------------------------------------------------------------------------------


def main_right(rights_: list[Right], app_id: str) -> Right | None:
    """The right a row's cells grant: ``<app>.access`` when declared, else the app's first right."""
    return next((r for r in rights_ if r.id == f"{app_id}.access"), rights_[0] if rights_ else None)


def _matrix_apps(registry: PluginRegistry) -> list[Any]:
    core = registry.core_app_ids()
    return [r for r in registry.apps() if r.manifest and r.manifest.is_app and r.app_id not in core and r.rights]


def rows(session: Session, registry: PluginRegistry, structure: Structure,
         cols: list[Column] | None = None) -> list[Row]:
    """Every app (not core, with a right) and every connector of the structure, with its cells for ``cols``."""
    cols = cols if cols is not None else columns(session, structure)
    state = _GrantState.load(session, structure)
    # An app whose required app is off here is off too (AppManifest.requires), as access_for decides.
    effective = registry.with_requirements_met(enabled_apps(session, structure.id, {r.app_id for r in registry.apps()}))
    result = []
    for record in _matrix_apps(registry):
        m, right = record.manifest, main_right(record.rights, record.app_id)
        assert right is not None  # _matrix_apps keeps apps with rights
        row = Row(f"app:{record.app_id}", _(m.name), _(m.theme), _(m.description) if m.description else "",
                  "app", right, [r for r in record.rights if r.id != right.id], record.app_id in effective,
                  state.decisions.get(record.app_id), app_id=record.app_id, editor=m.editor, version=m.version,
                  technical=", ".join(r.id for r in record.rights), icon=m.icon, colour=tile_colour(m.colour, m.theme))
        for r in record.rights:
            cells = {c.key: state.cell(r.id, c, row.enabled) for c in cols}
            if r.id == right.id:
                row.cells = cells
            else:
                row.finer_cells[r.id] = cells
        result.append(row)
    result.sort(key=lambda r: r.name.lower())
    return result + connector_rows(session, structure, cols)


def other_apps(session: Session, registry: PluginRegistry, structure: Structure) -> list[Row]:
    """Apps with nothing to grant (no right; or a core app, open to everyone) that still have an activation or
    settings: shown below the matrix with their settings."""
    core = registry.core_app_ids()
    decisions = {row.app_id: row.enabled for row in session.scalars(
        select(AppEnablement).where(AppEnablement.structure_id == structure.id))}
    records = [r for r in registry.apps() if r.manifest and r.manifest.is_app
               and (not r.rights or (r.app_id in core and r.settings))]
    effective = enabled_apps(session, structure.id, {r.app_id for r in records}) | core
    result = []
    for record in records:
        m = record.manifest
        assert m is not None  # kept above
        result.append(Row(f"app:{record.app_id}", _(m.name), _(m.theme), _(m.description) if m.description else "",
                          "app", None, list(record.rights), record.app_id in effective,
                          decisions.get(record.app_id), app_id=record.app_id, editor=m.editor, version=m.version,
                          icon=m.icon, colour=tile_colour(m.colour, m.theme)))
    return sorted(result, key=lambda row: row.name.lower())


def connector_rows(session: Session, structure: Structure, cols: list[Column]) -> list[Row]:
    links, connectors = connector_rules.structure_services(session, structure.id)
    names = dict(session.execute(select(Structure.id, Structure.name)).all())
    targets = connector_rules._all_targets(session, [], [c.id for c in connectors])
    entries, result = catalogue(), []
    for connector in connectors:
        entry = entries.get(connector.catalogue_id)
        groups, classes = targets[("connector", connector.id)]
        own = connector.structure_id == structure.id
        row = Row(f"connector:{connector.id}", entry.name if entry else connector.catalogue_id,
                  _(entry.theme) if entry else "", entry.help if entry else "", "connector", None, [],
                  connector.enabled, owner=None if own else names.get(connector.structure_id),
                  editor=entry.editor if entry else "", technical=f"{connector.catalogue_id} ({entry.kind})"
                  if entry else connector.catalogue_id, connector=connector,
                  icon=entry.icon if entry else DEFAULT_ICON,
                  colour=tile_colour(entry.colour, entry.theme) if entry else tile_colour(None, ""))
        for c in cols:
            on = ((c.profile in (connector.profiles or [])) if c.profile else
                  (c.group_id in groups) if c.group_id else (c.class_id in classes))
            row.cells[c.key] = Cell(on=on and connector.enabled, local=on, editable=own,
                                    inherited_from=[] if own else [names.get(connector.structure_id, "?")])
        result.append(row)
    return result


@dataclass
class _GrantState:
    """The grants, exclusions and app decisions that decide the cells of one structure (four queries)."""

    structure: Structure
    local: set[tuple[str, str]]  # (right id, column key)
    inherited: dict[tuple[str, str], list[str]]  # (right id, "p:<profile>") → structures above granting it
    excluded: set[tuple[str, str]]
    decisions: dict[str, bool]

    @classmethod
    def load(cls, session: Session, structure: Structure) -> _GrantState:
        profile_groups = {g.id: g.profile for g in session.scalars(select(Group).where(
            Group.structure_id == structure.id, Group.kind == GroupKind.PROFILE))}
        local = set()
        for right_id, group_id, class_id in session.execute(select(
                RightGrant.right_id, RightGrant.group_id, RightGrant.class_id)
                .where(RightGrant.structure_id == structure.id)):
            if group_id in profile_groups:
                if profile_groups[group_id]:
                    local.add((right_id, f"p:{profile_groups[group_id]}"))
            else:
                local.add((right_id, f"g:{group_id}" if group_id else f"c:{class_id}"))
        above = set(ancestor_distances(session, structure.id)) - {structure.id}
        inherited: dict[tuple[str, str], list[str]] = {}
        for right_id, profile, name in session.execute(
                select(RightGrant.right_id, Group.profile, Structure.name)
                .join(Group, Group.id == RightGrant.group_id).join(Structure, Structure.id == Group.structure_id)
                .where(RightGrant.structure_id.in_(above), Group.kind == GroupKind.PROFILE,
                       Group.profile.is_not(None)).order_by(Structure.name)):
            inherited.setdefault((right_id, f"p:{profile}"), []).append(name)
        excluded = {(r, f"p:{p}") for r, p in session.execute(select(RightExclusion.right_id, RightExclusion.profile)
                                                               .where(RightExclusion.structure_id == structure.id))}
        decisions = {row.app_id: row.enabled for row in session.scalars(
            select(AppEnablement).where(AppEnablement.structure_id == structure.id))}
        return cls(structure, local, inherited, excluded, decisions)

    def cell(self, right_id: str, column: Column, app_on: bool) -> Cell:
        key = (right_id, column.key)
        local, inherited, excluded = key in self.local, self.inherited.get(key, []), key in self.excluded
        return Cell(on=app_on and (local or (bool(inherited) and not excluded)), local=local,
                    inherited_from=inherited, excluded=excluded)


# -- checking input --------------------------------------------------------------------------------------


def parse_changes(raw: Any) -> list[Change]:
    """The JSON body of the matrix's save/preview: ``{"changes": [{"row", "right", "column", "on"}…]}``."""
    items = raw.get("changes") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise MatrixError(_("Aucun changement à enregistrer."))
    if len(items) > MAX_CHANGES:
        raise MatrixError(_("Trop de changements à la fois (%(max)d au plus).", max=MAX_CHANGES))
    changes = []
    for item in items:
        if (not isinstance(item, dict) or not isinstance(item.get("on"), bool)
                or not all(isinstance(item.get(k, ""), str) for k in ("row", "right", "column"))):
            raise MatrixError(_("Le changement envoyé est mal formé."))
        changes.append(Change(item["row"][:80], item["column"][:40], item["on"], item.get("right", "")[:100]))
    return changes


def change_from_form(form: Mapping[str, str]) -> Change:
    """One cell's no-JavaScript form: ``row``, ``right``, ``column``, ``on`` ("1" or "0")."""
    if form.get("on") not in ("0", "1"):
        raise MatrixError(_("Valeur de case inconnue : cochée (1) ou non (0)."))
    return Change(form.get("row", "")[:80], form.get("column", "")[:40], form.get("on") == "1",
                  form.get("right", "")[:100])


@dataclass(frozen=True)
class _Target:
    change: Change
    column: Column
    app_id: str = ""
    right: Right | None = None
    connector: StructureConnector | None = None


def _checked(session: Session, registry: PluginRegistry, structure: Structure, change: Change) -> _Target:
    column = column_of(session, structure, change.column)
    kind, _sep, ident = change.row.partition(":")
    if kind == "app":
        record = next((r for r in _matrix_apps(registry) if r.app_id == ident), None)
        right = next((r for r in record.rights if r.id == change.right), None) if record else None
        if record is None or right is None:
            raise MatrixError(_("Application ou droit inconnu : %(right)s.", right=(change.right or ident)[:100]))
        return _Target(change, column, ident, right)
    if kind == "connector" and ident.isascii() and ident.isdigit():
        connector = session.get(StructureConnector, int(ident))
        if connector is None or connector.structure_id not in ancestor_distances(session, structure.id):
            raise MatrixError(_("Connecteur inconnu dans %(name)s.", name=structure.name))
        if connector.structure_id != structure.id:
            raise MatrixError(_("Ce connecteur est hérité : modifiez-le depuis la structure qui l'a ajouté."))
        return _Target(change, column, connector=connector)
    raise MatrixError(_("Ligne inconnue : %(row)s.", row=change.row[:80]))


def check(session: Session, registry: PluginRegistry, structure: Structure,
          changes: Iterable[Change]) -> list[_Target]:
    targets = [_checked(session, registry, structure, c) for c in changes]
    seen = {(t.change.row, t.change.right, t.change.column) for t in targets}
    if len(seen) != len(targets):
        raise MatrixError(_("La même case est envoyée deux fois."))
    return targets


# -- cell states and applying them -----------------------------------------------------------------------


def _grant_row(session: Session, structure: Structure, right_id: str, column: Column) -> RightGrant | None:
    if column.profile:
        group_id: int | None = profile_group(session, structure.id, column.profile).id
        class_id = None
    else:
        group_id, class_id = column.group_id, column.class_id
    return session.scalar(select(RightGrant).where(
        RightGrant.right_id == right_id, RightGrant.structure_id == structure.id,
        RightGrant.group_id.is_(None) if group_id is None else RightGrant.group_id == group_id,
        RightGrant.class_id.is_(None) if class_id is None else RightGrant.class_id == class_id))


def _state(session: Session, structure: Structure, target: _Target) -> dict[str, Any]:
    """The stored facts a cell depends on (what a version records before and after)."""
    column = target.column
    if target.connector is not None:
        connector = target.connector
        groups, classes = connector_rules.targets_of(session, connector_id=connector.id)
        local = ((column.profile in (connector.profiles or [])) if column.profile else
                 (column.group_id in groups) if column.group_id else (column.class_id in classes))
        return {"local": local, "enabled": connector.enabled}
    assert target.right is not None
    decision = session.get(AppEnablement, (structure.id, target.app_id))
    excluded = bool(column.profile) and session.get(
        RightExclusion, (structure.id, target.right.id, column.profile)) is not None
    return {"local": _grant_row(session, structure, target.right.id, column) is not None, "excluded": excluded,
            "decision": None if decision is None else decision.enabled}


def _is_on(session: Session, structure: Structure, target: _Target) -> bool:
    state = _state(session, structure, target)
    if target.connector is not None:
        return bool(state["local"] and state["enabled"])
    assert target.right is not None
    if target.app_id not in enabled_apps(session, structure.id, {target.app_id}):
        return False
    return state["local"] or (_inherited(session, structure, target) and not state["excluded"])


def _inherited(session: Session, structure: Structure, target: _Target) -> bool:
    if not target.column.profile or target.right is None:
        return False
    above = set(ancestor_distances(session, structure.id)) - {structure.id}
    found = session.scalar(select(func.count(RightGrant.id)).join(Group, Group.id == RightGrant.group_id).where(
        RightGrant.right_id == target.right.id, RightGrant.structure_id.in_(above),
        Group.kind == GroupKind.PROFILE, Group.profile == target.column.profile))
    return bool(found)


def _wanted_state(session: Session, structure: Structure, target: _Target) -> dict[str, Any]:
    """The state that turns the cell on or off as ``target.change`` asks."""
    state = _state(session, structure, target)
    on = target.change.on
    if target.connector is not None:
        missing = connector_rules.missing_values(target.connector)
        return {"local": on, "enabled": state["enabled"] or (on and not missing)}
    inherited = _inherited(session, structure, target)
    if on:
        enabled = target.app_id in enabled_apps(session, structure.id, {target.app_id})
        return {"local": state["local"] or not inherited, "excluded": False,
                "decision": state["decision"] if enabled else True}
    return {"local": False, "excluded": inherited, "decision": state["decision"]}


def _set_state(session: Session, structure: Structure, target: _Target, wanted: dict[str, Any],
               actor: Any) -> None:
    current = _state(session, structure, target)
    column = target.column
    if target.connector is not None:
        _set_connector(session, target.connector, column, wanted, actor)
        return
    assert target.right is not None
    if wanted["decision"] != current["decision"]:
        if wanted["decision"] is None:
            rights.inherit_enablement(session, structure, target.app_id, actor=actor)
        else:
            rights.set_enabled(session, structure, target.app_id, wanted["decision"], actor=actor)
    if wanted["local"] and not current["local"]:
        group = profile_group(session, structure.id, column.profile) if column.profile else (
            session.get(Group, column.group_id) if column.group_id else None)
        school_class = session.get(SchoolClass, column.class_id) if column.class_id else None
        rights.grant(session, target.right.id, structure, group=group, school_class=school_class, actor=actor)
    elif current["local"] and not wanted["local"]:
        row = _grant_row(session, structure, target.right.id, column)
        assert row is not None
        rights.revoke(session, row.id, actor=actor)
    if column.profile and wanted["excluded"] != current["excluded"]:
        _set_exclusion(session, structure, target.right.id, column.profile, wanted["excluded"], actor)


def _set_exclusion(session: Session, structure: Structure, right_id: str, profile: str, excluded: bool,
                   actor: Any) -> None:
    if excluded:
        session.add(RightExclusion(structure_id=structure.id, right_id=right_id, profile=profile))
    else:
        session.execute(delete(RightExclusion).where(RightExclusion.structure_id == structure.id,
                                                     RightExclusion.right_id == right_id,
                                                     RightExclusion.profile == profile))
    session.flush()
    audit.record(session, "rights.excluded" if excluded else "rights.exclusion_lifted", actor=actor,
                 target=structure, structure_id=structure.id, right=right_id, profile=profile)


def _set_connector(session: Session, connector: StructureConnector, column: Column, wanted: dict[str, Any],
                   actor: Any) -> None:
    profiles = list(connector.profiles or [])
    groups, classes = connector_rules.targets_of(session, connector_id=connector.id)
    if column.profile:
        profiles = [p for p in profiles if p != column.profile] + ([column.profile] if wanted["local"] else [])
    elif column.group_id:
        groups = (groups | {column.group_id}) if wanted["local"] else (groups - {column.group_id})
    elif column.class_id:
        classes = (classes | {column.class_id}) if wanted["local"] else (classes - {column.class_id})
    connector.profiles, connector.enabled = profiles, bool(wanted["enabled"])
    connector_rules._replace_targets(session, connector_id=connector.id, group_ids=sorted(groups),
                                     class_ids=sorted(classes))
    session.flush()
    audit.record(session, "services.connector_targets", actor=actor, target=connector,
                 structure_id=connector.structure_id, catalogue_id=connector.catalogue_id, profiles=profiles,
                 group_ids=sorted(groups), class_ids=sorted(classes), enabled=connector.enabled)


def _apply(session: Session, structure: Structure, targets: list[_Target], actor: Any) -> list[dict[str, Any]]:
    entries = []
    for target in targets:
        before = _state(session, structure, target)
        was_on = _is_on(session, structure, target)
        _set_state(session, structure, target, _wanted_state(session, structure, target), actor)
        entries.append({"row": target.change.row, "right": target.change.right, "column": target.change.column,
                        "before": before, "after": _state(session, structure, target),
                        "was_on": was_on, "on": _is_on(session, structure, target)})
    return entries


# -- preview ---------------------------------------------------------------------------------------------


@dataclass
class Effect:
    """Who gains or loses access through one changed cell."""

    sentence: str
    gained: int
    lost: int
    gained_names: list[str]
    lost_names: list[str]
    note: str = ""  # e.g. "Capytale ne sera plus donnée à personne ici"


def _people(session: Session, structure: Structure, column: Column) -> list[User]:
    if column.profile:
        below = descendant_ids(session, [structure.id])
        query = select(User).join(Role, Role.user_id == User.id).where(
            Role.structure_id.in_(below), Role.profile == column.profile)
    elif column.group_id:
        query = select(User).join(GroupMember, GroupMember.user_id == User.id).where(
            GroupMember.group_id == column.group_id)
    else:
        query = select(User).join(GroupMember, GroupMember.user_id == User.id).join(
            Group, Group.id == GroupMember.group_id).where(Group.class_id == column.class_id)
    return list(session.scalars(query.distinct().order_by(User.last_name, User.first_name, User.id)))


def _reaches(session: Session, registry: PluginRegistry, user: User, target: _Target) -> bool:
    if target.connector is not None:
        return bool(connector_rules.reached_connectors(session, user,
                                                        catalogue_ids={target.connector.catalogue_id}))
    assert target.right is not None
    return rights.access_for(session, registry, user).has(target.right.id)


def preview(session: Session, registry: PluginRegistry, structure: Structure,
            changes: Iterable[Change]) -> list[Effect]:
    """Per changed cell, who would gain or lose access (the changes are applied in a savepoint that is then
    rolled back: the very rules of :func:`preau.rights.access_for` decide, exclusions included)."""
    targets = check(session, registry, structure, changes)
    people = {t.change: _people(session, structure, t.column) for t in targets}
    before = {t.change: {u.id for u in people[t.change] if _reaches(session, registry, u, t)} for t in targets}
    savepoint = session.begin_nested()
    try:
        _apply(session, structure, targets, actor=None)
        forget_memo(session)
        after = {t.change: {u.id for u in people[t.change] if _reaches(session, registry, u, t)} for t in targets}
        nobody = {t.change for t in targets if t.right is not None and not t.change.on
                  and not _granted_anywhere(session, registry, structure, t.app_id)}
    finally:
        savepoint.rollback()
        forget_memo(session)
    effects = []
    for target in targets:
        change, users = target.change, people[target.change]
        gained = [u for u in users if u.id in after[change] - before[change]]
        lost = [u for u in users if u.id in before[change] - after[change]]
        effects.append(Effect(describe(session, registry, structure, change), len(gained), len(lost),
                              [u.display_name for u in gained[:NAMES_SHOWN]],
                              [u.display_name for u in lost[:NAMES_SHOWN]],
                              _("%(app)s ne sera plus donnée à personne ici : elle restera activée sans "
                                "utilisateur.", app=_row_name(session, registry, change.row))
                              if change in nobody else ""))
    return effects


def _granted_anywhere(session: Session, registry: PluginRegistry, structure: Structure, app_id: str) -> bool:
    return bool(reaching_grants(session, registry, structure, app_id))


def reaching_grants(session: Session, registry: PluginRegistry, structure: Structure, app_id: str) -> int:
    """How many grants of the app's rights count here: made here, below, or above and not excluded here."""
    record = registry.by_app_id(app_id)
    right_ids = [r.id for r in record.rights] if record else []
    here_and_below = descendant_ids(session, [structure.id])
    above = set(ancestor_distances(session, structure.id)) - {structure.id}
    count = session.scalar(select(func.count(RightGrant.id)).where(
        RightGrant.right_id.in_(right_ids), RightGrant.structure_id.in_(here_and_below))) or 0
    excluded = set(session.execute(select(RightExclusion.right_id, RightExclusion.profile).where(
        RightExclusion.structure_id == structure.id, RightExclusion.right_id.in_(right_ids))))
    for right_id, profile in session.execute(select(RightGrant.right_id, Group.profile).join(
            Group, Group.id == RightGrant.group_id).where(RightGrant.right_id.in_(right_ids),
                                                          RightGrant.structure_id.in_(above))):
        count += (right_id, profile) not in excluded
    return count


# -- saving, versions, rollback --------------------------------------------------------------------------


def save(session: Session, registry: PluginRegistry, structure: Structure, changes: Iterable[Change], *,
         actor: Any) -> AccessVersion:
    """Check then apply the changes as one new version (audited)."""
    targets = check(session, registry, structure, changes)
    entries = [e for e in _apply(session, structure, targets, actor) if e["before"] != e["after"]]
    return _new_version(session, registry, structure, entries, actor, rollback_of=None)


def _new_version(session: Session, registry: PluginRegistry, structure: Structure, entries: list[dict[str, Any]],
                 actor: Any, rollback_of: int | None) -> AccessVersion:
    number = (session.scalar(select(func.max(AccessVersion.number))
                             .where(AccessVersion.structure_id == structure.id)) or 0) + 1
    for entry in entries:  # the sentence as it reads today: a group renamed later keeps its old name here
        entry["sentence"] = describe(session, registry, structure, Change(entry["row"], entry["column"],
                                                                          entry["on"], entry["right"]))
    version = AccessVersion(structure_id=structure.id, number=number, changes=entries, rollback_of=rollback_of,
                            actor_id=getattr(actor, "id", actor))
    session.add(version)
    session.flush()
    audit.record(session, "rights.matrix_rollback" if rollback_of else "rights.matrix_saved", actor=actor,
                 target=structure, structure_id=structure.id, version=number, rollback_of=rollback_of,
                 changes=[e["sentence"] for e in entries])
    return version


def versions(session: Session, structure: Structure) -> list[AccessVersion]:
    return list(session.scalars(select(AccessVersion).where(AccessVersion.structure_id == structure.id)
                                .order_by(AccessVersion.number.desc())))


def rollback(session: Session, registry: PluginRegistry, structure: Structure, number: int, *,
             actor: Any) -> AccessVersion:
    """Put every cell of version ``number`` back as it was before it, as a new version."""
    version = session.scalar(select(AccessVersion).where(AccessVersion.structure_id == structure.id,
                                                         AccessVersion.number == number))
    if version is None:
        raise MatrixError(_("Version inconnue : %(number)s.", number=number))
    entries = []
    for entry in version.changes:
        try:
            target = _checked(session, registry, structure, Change(entry["row"], entry["column"], entry["was_on"],
                                                                   entry["right"]))
        except MatrixError:
            continue  # a group, connector or plugin gone since: nothing to restore there
        before, was_on = _state(session, structure, target), _is_on(session, structure, target)
        _set_state(session, structure, target, entry["before"], actor)
        entries.append({**{k: entry[k] for k in ("row", "right", "column")}, "before": before,
                        "after": _state(session, structure, target), "was_on": was_on,
                        "on": _is_on(session, structure, target)})
    return _new_version(session, registry, structure, entries, actor, rollback_of=number)


# -- French sentences ------------------------------------------------------------------------------------


def _row_name(session: Session, registry: PluginRegistry, row: str) -> str:
    kind, _sep, ident = row.partition(":")
    if kind == "app":
        record = registry.by_app_id(ident)
        return _(record.manifest.name) if record and record.manifest else ident
    connector = session.get(StructureConnector, int(ident)) if ident.isdigit() else None
    entry = catalogue().get(connector.catalogue_id) if connector else None
    return entry.name if entry else _("connecteur retiré")


def _column_name(session: Session, structure: Structure, key: str) -> str:
    try:
        return column_of(session, structure, key).name
    except MatrixError:
        return _("groupe supprimé")


def describe(session: Session, registry: PluginRegistry, structure: Structure, change: Change) -> str:
    """"Capytale pour les Enseignants : ouvert" — a changed cell as an administrator reads it."""
    name, column = _row_name(session, registry, change.row), _column_name(session, structure, change.column)
    right = registry.all_rights().get(change.right) if change.right else None
    record = registry.by_app_id(change.row.partition(":")[2]) if change.row.startswith("app:") else None
    main = main_right(record.rights, record.app_id) if record else None
    what = name if right is None or main is None or right.id == main.id else f"{name} — {_(right.label)}"
    if change.on:
        return _("%(what)s : ouvert à « %(column)s »", what=what, column=column)
    return _("%(what)s : retiré à « %(column)s »", what=what, column=column)
