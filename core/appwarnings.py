"""Settings that silently do nothing in a structure: ``app_warnings`` lists them, in French, each with a fix.

- an app activated here (by its own decision or inherited) whose rights reach nobody: no grant here, below, or
  above that this structure did not exclude;
- a right granted to a profile, group or class that has no member in this structure (nor below it);
- a connector of the structure whose required configuration (address, keys…) is still empty.

The applications page lists them; the structure page shows their count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .appmatrix import COLUMN_NAMES, reaching_grants
from .directory.enablement import enabled_apps
from .directory.structures import descendant_ids
from .models import Group, GroupKind, GroupMember, RightGrant, Role, SchoolClass, Structure, StructureConnector
from .plugins import PluginRegistry
from .portal.catalogue import catalogue
from .portal.services import missing_values
from .types import Profile


@dataclass(frozen=True)
class AppWarning:
    """One warning: ``kind`` ("granted_to_nobody", "no_members", "connector_unconfigured"), the French
    ``message``, and where to fix it: ``endpoint`` + ``params`` for ``url_for``, an optional ``anchor``."""

    kind: str
    message: str
    fix_label: str
    endpoint: str
    params: dict[str, Any] = field(default_factory=dict)
    anchor: str = ""


def app_warnings(session: Session, registry: PluginRegistry, structure: Structure) -> list[AppWarning]:
    """Everything in ``structure``'s apps and connectors that reaches nobody or cannot work (see the module)."""
    return (_granted_to_nobody(session, registry, structure) + _empty_targets(session, registry, structure)
            + _unconfigured_connectors(session, structure))


def _matrix(structure: Structure, anchor: str) -> tuple[str, dict[str, Any], str]:
    return "admin.apps", {"structure_id": structure.id}, anchor


def _granted_to_nobody(session: Session, registry: PluginRegistry, structure: Structure) -> list[AppWarning]:
    core = registry.core_app_ids()
    records = [r for r in registry.apps() if r.manifest and r.manifest.is_app and r.rights and r.app_id not in core]
    enabled = enabled_apps(session, structure.id, {r.app_id for r in records})
    names = {r.app_id: _(r.manifest.name) if r.manifest else r.app_id for r in records}
    found = []
    for record in sorted(records, key=lambda r: names[r.app_id].lower()):
        if record.app_id in enabled and not reaching_grants(session, registry, structure, record.app_id):
            endpoint, params, anchor = _matrix(structure, f"row-app-{record.app_id}")
            found.append(AppWarning(
                "granted_to_nobody",
                _("%(app)s est activée mais n'est ouverte à personne : aucun profil ni groupe n'y a accès.",
                  app=names[record.app_id]),
                _("Choisir qui y a accès"), endpoint, params, anchor))
    return found


def _empty_targets(session: Session, registry: PluginRegistry, structure: Structure) -> list[AppWarning]:
    below = descendant_ids(session, [structure.id])
    profiles_present = set(session.scalars(select(Role.profile).where(Role.structure_id.in_(below)).distinct()))
    declared = registry.all_rights()
    found = []
    rows = session.execute(
        select(RightGrant.right_id, Group.id, Group.kind, Group.profile, Group.name, SchoolClass.name,
               RightGrant.class_id)
        .outerjoin(Group, Group.id == RightGrant.group_id).outerjoin(SchoolClass, SchoolClass.id == RightGrant.class_id)
        .where(RightGrant.structure_id == structure.id).order_by(RightGrant.id)).all()
    sizes = _member_counts(session, {r[1] for r in rows if r[1] and r[2] != GroupKind.PROFILE},
                           {r[6] for r in rows if r[6]})
    for right_id, group_id, kind, profile, group_name, class_name, class_id in rows:
        right = declared.get(right_id)
        if right is None:
            continue
        if kind == GroupKind.PROFILE:
            if profile is None or profile in profiles_present:
                continue
            who = _(COLUMN_NAMES[Profile(profile)])
        elif group_id is not None and not sizes.get(("g", group_id)):
            who = group_name
        elif class_id is not None and not sizes.get(("c", class_id)):
            who = _("Classe %(name)s", name=class_name)
        else:
            continue
        endpoint, params, anchor = _matrix(structure, f"row-app-{right.app_id}")
        found.append(AppWarning(
            "no_members",
            _("%(right)s est donné à « %(who)s », qui n'a aucun membre dans %(structure)s.",
              right=_(right.label), who=who, structure=structure.name),
            _("Revoir les accès"), endpoint, params, anchor))
    return found


def _member_counts(session: Session, group_ids: set[int], class_ids: set[int]) -> dict[tuple[str, int], int]:
    counts = {("g", g): n for g, n in session.execute(
        select(GroupMember.group_id, func.count()).where(GroupMember.group_id.in_(group_ids))
        .group_by(GroupMember.group_id))}
    counts.update({("c", c): n for c, n in session.execute(
        select(Group.class_id, func.count()).join(GroupMember, GroupMember.group_id == Group.id)
        .where(Group.class_id.in_(class_ids)).group_by(Group.class_id)) if c is not None})
    return counts


def _unconfigured_connectors(session: Session, structure: Structure) -> list[AppWarning]:
    found = []
    entries = catalogue()
    for connector in session.scalars(select(StructureConnector).where(
            StructureConnector.structure_id == structure.id).order_by(StructureConnector.id)):
        missing = missing_values(connector)
        if not missing:
            continue
        entry = entries.get(connector.catalogue_id)
        found.append(AppWarning(
            "connector_unconfigured",
            _("Le connecteur %(name)s n'est pas configuré : %(fields)s à renseigner.",
              name=entry.name if entry else connector.catalogue_id, fields=", ".join(_(f) for f in missing)),
            _("Configurer le connecteur"), "admin.connector",
            {"structure_id": structure.id, "connector_id": connector.id}))
    return found
