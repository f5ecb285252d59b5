"""Which schools' menus a person sees, and whether a school shows allergens and serves on Wednesdays."""

from __future__ import annotations

from typing import Any

from preau import Structure, current_access, db_session, setting, structures_of

from .menus import WEDNESDAY


def schools_for(user: Any, right: str) -> list[Structure]:
    """The structures where ``user`` has a role and ``right`` reaches them there, by name: a staff member who
    publishes the menus of one school and is a parent at another only edits the first."""
    access = current_access()
    return [s for s in structures_of(db_session(), user) if access.has(right, structure=s)]


def shows_allergens(structure: Structure) -> bool:
    return bool(setting("cantine", "show_allergens", structure_id=structure.id))


def serves_on_wednesday(structure: Structure) -> bool:
    return bool(setting("cantine", "wednesday", structure_id=structure.id))


def served(structure: Structure, weekday: int) -> bool:
    return weekday != WEDNESDAY or serves_on_wednesday(structure)
