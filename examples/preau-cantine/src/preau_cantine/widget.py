"""The « Menu du jour » widget. ``render(user, size)`` returns an HTML fragment: escape everything you insert."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from markupsafe import escape
from preau import db_session

from .menus import ALLERGENS, COURSES, allergen_ids, menus_of_day
from .models import CantineMenu
from .places import schools_for, shows_allergens
from .views import ACCESS


def _dishes(menu: CantineMenu, size: str, allergens: bool) -> str:
    if size == "miniature":
        return f'<p>{escape(menu.main)}</p>'
    # Only the kernel's CSS is on the dashboard: its components (plain-list, small), none of the plugin's.
    rows = "".join(f"<li><small>{escape(_(label))}</small> {escape(getattr(menu, course))}</li>"
                   for course, label in COURSES.items() if getattr(menu, course))
    listed = ", ".join(_(ALLERGENS[a]) for a in allergen_ids(menu))
    if not (allergens and listed):
        return f'<ul class="plain-list">{rows}</ul>'
    note = _("Allergènes : %(names)s", names=listed)
    return f'<ul class="plain-list">{rows}</ul><p><small>{escape(note)}</small></p>'


def render_today(user: Any, size: str) -> str:
    places = schools_for(user, ACCESS)
    menus = menus_of_day(db_session(), [s.id for s in places], date.today())
    # Translated outside the f-strings: message extraction does not look inside them.
    week_label, empty = _("Voir les menus de la semaine"), _("Pas de menu publié pour aujourd’hui.")
    link = f'<p><a href="{escape(url_for("cantine.week"))}">{escape(week_label)}</a></p>'
    if not menus:
        return f'<p class="empty">{escape(empty)}</p>{link}'
    parts = []
    for school in places:
        if school.id in menus:
            heading = f"<h3>{escape(school.name)}</h3>" if len(places) > 1 else ""
            parts.append(heading + _dishes(menus[school.id], size, shows_allergens(school)))
    return "".join(parts) + link
