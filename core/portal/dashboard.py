"""Dashboard layouts: what a user arranged, what an administrator set per profile, and the rules between them.

A layout is a list of ``{"id": widget id, "size": size}`` in display order. A user may place the widgets that
reach them and are placeable (or mandatory); mandatory widgets cannot be removed nor moved: they lead the
dashboard, in the order the widgets reach the user (only their size is the user's). Without a layout of their
own, a user gets the default of their profile in their structure (or the nearest ancestor's), else every
widget that reaches them and is meant for their profile.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit
from ..directory.structures import ancestor_distances
from ..errors import PreauError
from ..models import DashboardDefault, DashboardLayout, Structure, User, WidgetPolicy
from ..models._time import utcnow
from ..types import Profile, Widget

MAX_ITEMS = 40
PREFERRED_SIZE = "apercu"
SIZE_LABELS = {"miniature": _l("Miniature"), "apercu": _l("Aperçu"), "large": _l("Large")}


class LayoutError(PreauError, ValueError):
    """A layout that breaks a rule (422): ``reason`` is a stable code, the message is for the person."""

    status = 422

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message, reason=reason)


@dataclass(frozen=True)
class Slot:
    widget: Widget
    size: str


def installed_widgets(registry) -> dict[str, Widget]:
    """Every widget of the loaded plugins, by id."""
    return {w.id: w for record in registry.active() for w in record.widgets}


def default_size(widget: Widget) -> str:
    return PREFERRED_SIZE if PREFERRED_SIZE in widget.sizes else widget.sizes[0]


def _may_place(widget: Widget) -> bool:
    return widget.placeable or widget.mandatory


def _clean_items(raw: Any, known: dict[str, Widget]) -> list[dict[str, str]]:
    """Shape checks shared by users and administrators: a list of {id, size}, no duplicates, known widgets."""
    if not isinstance(raw, list):
        raise LayoutError(_("La disposition doit être une liste de widgets."), "invalid_layout")
    if len(raw) > MAX_ITEMS:
        raise LayoutError(_("Trop de widgets (%(max)d au plus).", max=MAX_ITEMS), "too_many_widgets")
    items, seen = [], set()
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise LayoutError(_("Chaque widget doit avoir un identifiant."), "invalid_layout")
        widget_id, size = entry["id"], entry.get("size")
        if widget_id not in known:
            raise LayoutError(_("Widget inconnu : %(id)s.", id=widget_id[:100]), "unknown_widget")
        if widget_id in seen:
            raise LayoutError(_("Le widget %(id)s figure deux fois.", id=widget_id), "duplicate_widget")
        seen.add(widget_id)
        widget = known[widget_id]
        if size is None:
            size = default_size(widget)
        if not isinstance(size, str) or size not in widget.sizes:
            raise LayoutError(_("Taille non proposée par le widget %(id)s.", id=widget_id), "invalid_size")
        items.append({"id": widget_id, "size": size})
    return items


def validate_user_items(raw: Any, reaching: Iterable[Widget], installed: dict[str, Widget]) -> list[dict[str, str]]:
    """The items of a user's layout, or :class:`LayoutError`: unknown, forbidden or missing mandatory widgets."""
    items = _clean_items(raw, installed)
    allowed = {w.id: w for w in reaching if _may_place(w)}
    for item in items:
        if item["id"] not in allowed:
            raise LayoutError(_("Vous ne pouvez pas placer le widget %(id)s.", id=item["id"]), "forbidden_widget")
    placed = {item["id"] for item in items}
    pinned = pinned_ids(allowed.values())
    missing = [widget_id for widget_id in pinned if widget_id not in placed]
    if missing:
        raise LayoutError(_("Le widget %(id)s est obligatoire : il ne peut pas être retiré.", id=missing[0]),
                          "mandatory_widget")
    leading = [item["id"] for item in items[:len(pinned)]]
    if leading != pinned:
        moved = next(w for w, got in zip(pinned, leading, strict=True) if w != got)
        raise LayoutError(_("Le widget %(id)s est obligatoire : il ne peut pas être déplacé.", id=moved),
                          "mandatory_widget_moved")
    return items


def pinned_ids(widgets: Iterable[Widget]) -> list[str]:
    """The mandatory widgets, in the order they reach the user: the fixed head of every dashboard."""
    return [w.id for w in widgets if w.mandatory]


def save_layout(session: Session, user: User, items: list[dict[str, str]]) -> None:
    row = session.get(DashboardLayout, user.id)
    if row is None:
        session.add(DashboardLayout(user_id=user.id, items=items, updated_at=utcnow()))
    else:
        row.items, row.updated_at = items, utcnow()


def reset_layout(session: Session, user: User) -> None:
    """Forget the user's arrangement: the default layout applies again."""
    session.execute(delete(DashboardLayout).where(DashboardLayout.user_id == user.id))


def _admin_default(session: Session, user: User) -> list[dict[str, str]] | None:
    """The nearest administrator default for the user's roles (their order), merged; None if there is none."""
    merged: list[dict[str, str]] = []
    found = False
    for role in user.roles:
        distances = ancestor_distances(session, role.structure_id)
        rows = session.scalars(select(DashboardDefault).where(DashboardDefault.structure_id.in_(distances),
                                                             DashboardDefault.profile == role.profile)).all()
        if not rows:
            continue
        found = True
        nearest = min(rows, key=lambda row: distances[row.structure_id])
        merged += [item for item in nearest.items if item["id"] not in {m["id"] for m in merged}]
    return merged if found else None


def _profile_default(user: User, reaching: list[Widget]) -> list[dict[str, str]]:
    profiles = {role.profile for role in user.roles}
    return [{"id": w.id, "size": default_size(w)} for w in reaching
            if not w.default_profiles or profiles & {str(p) for p in w.default_profiles}]


def effective_layout(session: Session, user: User, reaching: list[Widget]) -> list[Slot]:
    """What the dashboard shows: the mandatory widgets first (fixed), then the saved (or default) items that
    still reach the user. A widget whose grant was withdrawn simply disappears."""
    saved = session.get(DashboardLayout, user.id)
    items = saved.items if saved is not None else _admin_default(session, user)
    if items is None:
        items = _profile_default(user, reaching)
    allowed = {w.id: w for w in reaching if _may_place(w)}
    sizes = {item.get("id"): item.get("size") for item in items if isinstance(item, dict)}

    def slot(widget: Widget) -> Slot:
        size = sizes.get(widget.id)
        return Slot(widget, size if size in widget.sizes else default_size(widget))

    pinned = pinned_ids(allowed.values())
    slots, placed = [slot(allowed[widget_id]) for widget_id in pinned], set(pinned)
    for item in items:
        widget_id = item.get("id") if isinstance(item, dict) else None
        widget = allowed.get(widget_id) if isinstance(widget_id, str) else None
        if widget is None or widget.id in placed:
            continue
        placed.add(widget.id)
        slots.append(slot(widget))
    return slots


def layout_items(slots: list[Slot]) -> list[dict[str, str]]:
    return [{"id": slot.widget.id, "size": slot.size} for slot in slots]


def addable_widgets(slots: list[Slot], reaching: list[Widget]) -> list[Widget]:
    placed = {slot.widget.id for slot in slots}
    return [w for w in reaching if w.placeable and w.id not in placed]


# -- administration: default layouts per profile ---------------------------------------------------------


def default_layouts(session: Session, structure: Structure) -> dict[str, list[dict[str, str]]]:
    rows = session.scalars(select(DashboardDefault).where(DashboardDefault.structure_id == structure.id))
    return {row.profile: row.items for row in rows}


def set_default_layout(session: Session, structure: Structure, profile: str, raw: Any,
                       installed: dict[str, Widget], *, actor: Any = None, ip: str | None = None) -> None:
    """Set (or, with an empty list, remove) the default layout of ``profile`` in ``structure``."""
    if profile not in {str(p) for p in Profile}:
        raise LayoutError(_("Profil inconnu."), "unknown_profile")
    items = _clean_items(raw, installed)
    row = session.get(DashboardDefault, (structure.id, profile))
    if not items:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(DashboardDefault(structure_id=structure.id, profile=profile, items=items, updated_at=utcnow()))
    else:
        row.items, row.updated_at = items, utcnow()
    audit.record(session, "dashboard.default_layout", actor=actor, target=structure, structure_id=structure.id,
                 ip=ip, profile=profile, widgets=[item["id"] for item in items])


# -- administration: which widgets each profile sees, may place or must keep -------------------------------

POLICY_LABELS = {"inherit": _l("Hérité"), "allowed": _l("Proposé"), "hidden": _l("Masqué"),
                 "mandatory": _l("Obligatoire")}


def widget_policies(session: Session, structure: Structure) -> tuple[dict[tuple[str, str], str],
                                                                      dict[tuple[str, str], str]]:
    """The structure's own decisions and those it inherits (nearest ancestor), by (widget id, profile)."""
    distances = ancestor_distances(session, structure.id)
    rows = session.scalars(select(WidgetPolicy).where(WidgetPolicy.structure_id.in_(distances))).all()
    own = {(r.widget_id, r.profile): r.mode for r in rows if r.structure_id == structure.id}
    inherited: dict[tuple[str, str], tuple[int, str]] = {}
    for row in rows:
        distance, key = distances[row.structure_id], (row.widget_id, row.profile)
        if row.structure_id != structure.id and (key not in inherited or distance < inherited[key][0]):
            inherited[key] = (distance, row.mode)
    return own, {key: mode for key, (_d, mode) in inherited.items()}


def set_widget_policies(session: Session, structure: Structure, choices: dict[tuple[str, str], str],
                        installed: dict[str, Widget], *, actor: Any = None, ip: str | None = None) -> int:
    """Apply ``{(widget id, profile): mode or "inherit"}`` to the structure; returns how many changed.
    Everything is checked before anything is written."""
    profiles = {str(p) for p in Profile}
    for (widget_id, profile), mode in choices.items():
        if widget_id not in installed:
            raise LayoutError(_("Widget inconnu : %(id)s.", id=widget_id[:100]), "unknown_widget")
        if profile not in profiles:
            raise LayoutError(_("Profil inconnu."), "unknown_profile")
        if mode not in POLICY_LABELS:
            raise LayoutError(_("Choix inconnu pour le widget %(id)s.", id=widget_id), "invalid_mode")
    own, _inherited = widget_policies(session, structure)
    changes = {key: mode for key, mode in choices.items() if own.get(key, "inherit") != mode}
    for (widget_id, profile), mode in changes.items():
        row = session.get(WidgetPolicy, (structure.id, widget_id, profile))
        if mode == "inherit":
            session.delete(row)
        elif row is None:
            session.add(WidgetPolicy(structure_id=structure.id, widget_id=widget_id, profile=profile, mode=mode,
                                     updated_at=utcnow()))
        else:
            row.mode, row.updated_at = mode, utcnow()
    if changes:
        audit.record(session, "dashboard.widget_policies", actor=actor, target=structure, structure_id=structure.id,
                     ip=ip, changes=[{"widget": w, "profile": p, "mode": m} for (w, p), m in sorted(changes.items())])
    return len(changes)
