"""The rules of menus. Services take a SQLAlchemy session and never read the request: test them without Flask."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from preau import N_
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import DISH_MAX_LENGTH, CantineMenu

# The 14 allergens a canteen must display (EU regulation 1169/2011, "INCO"): id stored, label shown.
ALLERGENS = {
    "gluten": N_("Gluten"), "crustaces": N_("Crustacés"), "oeufs": N_("Œufs"), "poissons": N_("Poissons"),
    "arachides": N_("Arachides"), "soja": N_("Soja"), "lait": N_("Lait"), "fruits_a_coque": N_("Fruits à coque"),
    "celeri": N_("Céleri"), "moutarde": N_("Moutarde"), "sesame": N_("Sésame"), "sulfites": N_("Sulfites"),
    "lupin": N_("Lupin"), "mollusques": N_("Mollusques"),
}
DAY_NAMES = (N_("Lundi"), N_("Mardi"), N_("Mercredi"), N_("Jeudi"), N_("Vendredi"))
COURSES = {"starter": N_("Entrée"), "main": N_("Plat"), "dessert": N_("Dessert")}
WEDNESDAY = 2


class MenuError(ValueError):
    """A week that breaks a rule; ``errors`` maps each faulty form field to its message, nothing is saved."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(str(message) for message in errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class DayInput:
    """One day of the edit form, as typed."""

    day: date
    starter: str = ""
    main: str = ""
    dessert: str = ""
    allergens: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.starter or self.main or self.dessert or self.allergens)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def school_days(monday: date, *, wednesday: bool = True) -> list[date]:
    """Monday to Friday of the week, without Wednesday where the canteen is closed that day."""
    return [monday + timedelta(days=n) for n in range(5) if wednesday or n != WEDNESDAY]


def allergen_ids(menu: CantineMenu) -> list[str]:
    return [a for a in menu.allergens.split(",") if a in ALLERGENS]


def menus_of_week(session: Session, structure_id: int, monday: date) -> dict[date, CantineMenu]:
    rows = session.scalars(select(CantineMenu).where(
        CantineMenu.structure_id == structure_id, CantineMenu.day.between(monday, monday + timedelta(days=4))))
    return {row.day: row for row in rows}


def menus_of_day(session: Session, structure_ids: Iterable[int], day: date) -> dict[int, CantineMenu]:
    """The menu of ``day`` of each structure that published one (one query)."""
    rows = session.scalars(select(CantineMenu).where(
        CantineMenu.structure_id.in_(list(structure_ids)), CantineMenu.day == day))
    return {row.structure_id: row for row in rows}


def _text_error(value: str) -> str | None:
    if len(value) > DISH_MAX_LENGTH:
        return _l("%(max)d caractères au plus.", max=DISH_MAX_LENGTH)
    if any(ord(ch) < 32 for ch in value):
        return _l("Retirez les caractères de contrôle.")
    return None


def check_day(entry: DayInput) -> dict[str, str]:
    """The day's faulty fields (``starter``, ``main``, ``dessert``, ``allergens``) and why."""
    errors = {course: error for course in COURSES if (error := _text_error(getattr(entry, course)))}
    if not entry.main and not entry.is_empty():
        errors.setdefault("main", _l("Indiquez le plat : une entrée, un dessert ou des allergènes seuls ne font "
                                     "pas un menu."))
    unknown = [a for a in entry.allergens if a not in ALLERGENS]
    if unknown:
        errors["allergens"] = _l("Allergène inconnu : %(names)s.", names=", ".join(unknown)[:100])
    return errors


def save_week(session: Session, structure_id: int, entries: list[DayInput], author_id: int) -> int:
    """Write the menus of the given days: an empty day removes its menu. Every day is checked before anything
    is written (:class:`MenuError`). Returns the number of days that have a menu afterwards."""
    errors = {f"{entry.day.isoformat()}-{field}": message
              for entry in entries for field, message in check_day(entry).items()}
    if errors:
        raise MenuError(errors)
    existing = {row.day: row for row in session.scalars(select(CantineMenu).where(
        CantineMenu.structure_id == structure_id, CantineMenu.day.in_([entry.day for entry in entries])))}
    published = 0
    for entry in entries:
        row = existing.get(entry.day)
        if entry.is_empty():
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = CantineMenu(structure_id=structure_id, day=entry.day)
            session.add(row)
        row.starter, row.main, row.dessert = entry.starter, entry.main, entry.dessert
        row.allergens = ",".join(a for a in ALLERGENS if a in entry.allergens)
        row.updated_by_id = author_id
        published += 1
    session.flush()
    return published
