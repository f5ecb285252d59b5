"""Cantine: the school canteen's menus in Préau — today's menu on the dashboard, the week's page, and a form
where the school's staff publish the week. Written only against Préau's public API (``preau``).

Préau finds this module through the ``preau.plugins`` entry point of pyproject.toml and calls the functions
marked ``@hookimpl`` below. Every hook is described in Préau's docs/plugins.md (and by ``preau hooks``).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint
from preau import N_, AppManifest, Profile, Right, SettingSpec, Widget, hookimpl

from .models import CantineMenu
from .views import ACCESS, EDIT, bp
from .widget import render_today

__version__ = "1.0.0"
APP_ID = "cantine"
EVERYONE = tuple(Profile)

__all__ = ["ACCESS", "APP_ID", "EDIT", "CantineMenu", "__version__"]


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id=APP_ID, name=N_("Cantine"), version=__version__, editor="Exemple Préau",
                       theme="Vie scolaire", description=N_("Les menus de la cantine, du jour et de la semaine."),
                       icon="utensils", colour="#2f6f3e", requires_preau=">=1.0,<2.0", default_profiles=EVERYONE,
                       entry_endpoint="cantine.week")


@hookimpl
def preau_rights() -> list[Right]:
    # Enabling the app for a school grants each right to its default profiles; administrators may change that.
    return [Right(ACCESS, N_("Consulter les menus de la cantine"), EVERYONE),
            Right(EDIT, N_("Publier les menus de la cantine"), (Profile.PERSONNEL,))]


@hookimpl
def preau_settings() -> list[SettingSpec]:
    # Set per structure on the services administration's apps page, inherited by the structures below.
    return [SettingSpec("show_allergens", N_("Afficher les allergènes"), True, kind="bool"),
            SettingSpec("wednesday", N_("Service le mercredi"), True, kind="bool")]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_widgets() -> list[Widget]:
    return [Widget(f"{APP_ID}.today", N_("Menu du jour"), render_today, right=ACCESS,
                   default_profiles=(Profile.STUDENT, Profile.RELATIVE))]


@hookimpl
def preau_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")
