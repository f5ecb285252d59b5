"""Administering the rules of a structure ("Qui voit qui"): the matrix, each link, the switches, a "what if"
preview, reset to defaults and the versioned history with rollback. Every change is audited."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.orm import Session

from .. import audit
from ..directory.default_links import insert_links, rules_for_structures
from ..directory.structures import ancestor_ids, descendant_ids
from ..models import CommLink, CommSettings, CommVersion, Group, GroupKind, GroupMember, Structure
from .engine import CommunicationError

Link = tuple[int, int]


@dataclass
class RuleChange:
    """What an administrator asks for; ``normalised`` keeps only what differs from the current state."""

    add: AbstractSet[Link] = field(default_factory=set)
    remove: AbstractSet[Link] = field(default_factory=set)
    members: dict[int, bool] = field(default_factory=dict)
    tous: bool | None = None

    def is_empty(self) -> bool:
        return not (self.add or self.remove or self.members or self.tous is not None)


@dataclass(frozen=True)
class RuleState:
    links: frozenset[Link]
    members: dict[int, bool]
    tous: bool


class StaleRules(CommunicationError):
    """The rules changed since the administrator looked at them (another administrator saved meanwhile)."""

    status = 409


@dataclass(frozen=True)
class Effect:
    """One line of the "what if" preview: the members of ``source`` gain or lose ``target``'s members."""

    gained: bool
    source: str
    source_size: int
    target: str
    target_size: int


# -- reading ---------------------------------------------------------------------------------------------


def tous_enabled(session: Session, structure_id: int) -> bool:
    value = session.scalar(select(CommSettings.tous_enabled).where(CommSettings.structure_id == structure_id))
    return True if value is None else value


def current_state(session: Session, structure_id: int) -> RuleState:
    """The links the structure owns (those reaching its groups), its groups' switches and "Tous"."""
    links = {(source, target) for source, target in session.execute(
        select(CommLink.from_group_id, CommLink.to_group_id).join(Group, Group.id == CommLink.to_group_id)
        .where(Group.structure_id == structure_id))}
    members = {gid: flag for gid, flag in session.execute(select(Group.id, Group.members_communicate)
                                                          .where(Group.structure_id == structure_id))}
    return RuleState(frozenset(links), members, tous_enabled(session, structure_id))


def profile_groups(session: Session, structure_id: int) -> dict[str | None, Group]:
    """The structure's five profile groups and its "Tous" group (key ``None``)."""
    groups = session.scalars(select(Group).where(Group.structure_id == structure_id,
                                                 Group.kind == GroupKind.PROFILE))
    return {g.profile: g for g in groups}


def latest_version(session: Session, structure_id: int) -> int:
    """The number of the structure's last recorded change (0 before any)."""
    return session.scalar(select(func.max(CommVersion.number))
                          .where(CommVersion.structure_id == structure_id)) or 0


def check_base_version(session: Session, structure: Structure, base_version: int | None) -> None:
    """Refuse a change prepared on rules that have changed since (``None``: no check)."""
    if base_version is not None and base_version != latest_version(session, structure.id):
        raise StaleRules(_("Les règles de %(name)s ont changé depuis votre aperçu (un autre administrateur vient "
                           "d'enregistrer) : vérifiez à nouveau avant d'enregistrer.", name=structure.name))


def versions(session: Session, structure_id: int) -> list[CommVersion]:
    return list(session.scalars(select(CommVersion).where(CommVersion.structure_id == structure_id)
                                .order_by(CommVersion.number.desc())))


# -- changing --------------------------------------------------------------------------------------------


def _check(session: Session, structure: Structure, change: RuleChange) -> None:
    """Links must reach a group of ``structure`` and come from it or a structure above or below it."""
    ids = {g for link in change.add | change.remove for g in link} | set(change.members)
    groups = {g.id: g for g in session.scalars(select(Group).where(Group.id.in_(ids)))}
    missing = ids - set(groups)
    if missing:
        raise CommunicationError(_("Groupe inconnu : %(id)s.", id=min(missing)))
    near = ancestor_ids(session, [structure.id]) | descendant_ids(session, [structure.id])
    for source, target in change.add | change.remove:
        if groups[target].structure_id != structure.id or groups[source].structure_id not in near:
            raise CommunicationError(_("Le lien de « %(source)s » vers « %(target)s » ne relève pas de %(name)s.",
                                       source=groups[source].name, target=groups[target].name,
                                       name=structure.name))
        if source == target:
            raise CommunicationError(_("Un groupe ne se relie pas à lui-même : utilisez « les membres "
                                       "communiquent entre eux »."))
    for group_id in change.members:
        if groups[group_id].structure_id != structure.id:
            raise CommunicationError(_("Le groupe « %(name)s » ne relève pas de cette structure.",
                                       name=groups[group_id].name))


def normalised(state: RuleState, change: RuleChange) -> RuleChange:
    return RuleChange(
        add=change.add - state.links,
        remove=change.remove & state.links,
        members={g: v for g, v in change.members.items() if state.members.get(g) != v},
        tous=change.tous if change.tous is not None and change.tous != state.tous else None,
    )


def _apply(session: Session, structure_id: int, change: RuleChange, state: RuleState) -> None:
    if change.remove:
        session.execute(delete(CommLink).where(
            tuple_(CommLink.from_group_id, CommLink.to_group_id).in_(sorted(change.remove))))
    insert_links(session, change.add)
    for value in (True, False):
        ids = [g for g, v in change.members.items() if v is value]
        if ids:
            session.execute(update(Group).where(Group.id.in_(ids)).values(members_communicate=value))
    if change.tous is not None:
        settings = session.get(CommSettings, structure_id) or CommSettings(structure_id=structure_id)
        settings.tous_enabled = change.tous
        session.add(settings)
    session.flush()


def _as_record(change: RuleChange, state: RuleState) -> dict[str, Any]:
    return {"add": sorted(map(list, change.add)), "remove": sorted(map(list, change.remove)),
            "members": {str(g): [state.members.get(g), v] for g, v in sorted(change.members.items())},
            "tous": [state.tous, change.tous] if change.tous is not None else None}


def apply_change(session: Session, structure: Structure, change: RuleChange, *, actor: Any,
                 action: str = "edit", summary: str = "", base_version: int | None = None) -> CommVersion | None:
    """Check, apply and record ``change`` as the structure's next version; ``None`` when nothing changes.

    ``base_version``: the version the administrator saw; if another change was saved since, nothing is applied
    and :class:`StaleRules` is raised."""
    check_base_version(session, structure, base_version)
    _check(session, structure, change)
    state = current_state(session, structure.id)
    change = normalised(state, change)
    if change.is_empty():
        return None
    _apply(session, structure.id, change, state)
    number = latest_version(session, structure.id) + 1
    record = _as_record(change, state)
    version = CommVersion(structure_id=structure.id, number=number, actor_id=getattr(actor, "id", actor),
                          action=action, summary=summary or describe(session, change), changes=record)
    session.add(version)
    audit.record(session, f"communication.{action}", actor=actor, target=structure, structure_id=structure.id,
                 version=number, **{k: v for k, v in record.items() if v})
    session.flush()
    return version


def defaults_change(session: Session, structure: Structure) -> RuleChange:
    """The change that brings the structure back to the default rules (for a preview or a reset)."""
    state = current_state(session, structure.id)
    defaults = rules_for_structures(session, [structure.id])
    return RuleChange(add=defaults.links - state.links, remove=state.links - defaults.links,
                      members=defaults.members, tous=True)


def reset_to_defaults(session: Session, structure: Structure, *, actor: Any,
                      base_version: int | None = None) -> CommVersion | None:
    check_base_version(session, structure, base_version)
    change = defaults_change(session, structure)
    return apply_change(session, structure, change, actor=actor, action="reset",
                        summary=_("Retour aux règles par défaut"))


def inverse(record: dict[str, Any]) -> RuleChange:
    return RuleChange(
        add={tuple(link) for link in record["remove"]}, remove={tuple(link) for link in record["add"]},
        members={int(g): old for g, (old, _new) in record["members"].items() if old is not None},
        tous=record["tous"][0] if record.get("tous") else None)


def rollback_change(session: Session, structure: Structure, number: int) -> RuleChange:
    """The change that returns to the rules as they were right after version ``number`` (0: before any
    recorded change); raises :class:`CommunicationError` for an unknown version."""
    later = [v for v in versions(session, structure.id) if v.number > number]
    if number < 0 or (number > 0 and not any(v.number == number for v in versions(session, structure.id))):
        raise CommunicationError(_("La version %(number)s n'existe pas.", number=number))
    state = current_state(session, structure.id)
    links, members, tous = set(state.links), dict(state.members), state.tous
    for version in later:  # newest first
        undo = inverse(version.changes)
        links = (links - undo.remove) | undo.add
        members.update(undo.members)
        tous = tous if undo.tous is None else undo.tous
    existing = set(members) & set(state.members)  # groups deleted since then stay deleted
    return RuleChange(add={link for link in links - state.links if set(link) <= _live(session, link)},
                      remove=state.links - links, members={g: members[g] for g in existing}, tous=tous)


def rollback(session: Session, structure: Structure, number: int, *, actor: Any,
             base_version: int | None = None) -> CommVersion | None:
    """Return to the rules as they were right after version ``number`` (0: before any recorded change)."""
    check_base_version(session, structure, base_version)
    change = rollback_change(session, structure, number)
    return apply_change(session, structure, change, actor=actor, action="rollback",
                        summary=_("Retour à la version %(number)s", number=number))


def _live(session: Session, link: Link) -> set[int]:
    return set(session.scalars(select(Group.id).where(Group.id.in_(link))))


# -- explaining ------------------------------------------------------------------------------------------


def _sizes(session: Session, ids: set[int]) -> dict[int, int]:
    return {gid: n for gid, n in session.execute(select(GroupMember.group_id, func.count())
                                                 .where(GroupMember.group_id.in_(ids)).group_by(GroupMember.group_id))}


def preview(session: Session, structure: Structure, change: RuleChange) -> list[Effect]:
    """Who gains or loses reach if ``change`` is saved, link by link, with the number of people on each side."""
    _check(session, structure, change)
    state = current_state(session, structure.id)
    change = normalised(state, change)
    pairs = [(True, link) for link in sorted(change.add)] + [(False, link) for link in sorted(change.remove)]
    pairs += [(value, (g, g)) for g, value in sorted(change.members.items())]
    ids = {g for _gained, link in pairs for g in link}
    if change.tous is not None:
        tous_group = profile_groups(session, structure.id).get(None)
        linked = {link for link in state.links if tous_group and tous_group.id in link}
        pairs += [(change.tous, link) for link in sorted(linked)]
        ids |= {g for link in linked for g in link}
    names = {gid: name for gid, name in session.execute(select(Group.id, Group.name).where(Group.id.in_(ids)))}
    sizes = _sizes(session, ids)
    return [Effect(gained, names[a], sizes.get(a, 0), names[b], sizes.get(b, 0)) for gained, (a, b) in pairs]


def describe(session: Session, change: RuleChange) -> str:
    """A one-line French summary of a change for the history."""
    parts = []
    if change.add:
        parts.append(_("%(n)s lien(s) ajouté(s)", n=len(change.add)))
    if change.remove:
        parts.append(_("%(n)s lien(s) retiré(s)", n=len(change.remove)))
    if change.members:
        parts.append(_("%(n)s groupe(s) : communication entre membres modifiée", n=len(change.members)))
    if change.tous is not None:
        parts.append(_("« Tous » activé") if change.tous else _("« Tous » désactivé"))
    return ", ".join(parts)
