"""Hello: an example Préau plugin — one page, one right, one widget, one link connector and one table.

Préau finds this module through the ``preau.plugins`` entry point of pyproject.toml and calls the functions
marked ``@hookimpl`` below. Every hook is described in Préau's docs/plugins.md (and by ``preau hooks``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint
from preau import AppManifest, Connector, Profile, Right, Widget, db_session, hookimpl

from .models import HelloNote
from .notes import delete_notes_of, export_notes_of
from .views import bp
from .widget import render_notes_widget

__version__ = "0.1.0"
APP_ID = "hello"
ACCESS = f"{APP_ID}.access"
# Who gets the app when an administrator enables it for a structure (they may change the grants later).
DEFAULT_PROFILES = (Profile.TEACHER, Profile.PERSONNEL)

__all__ = ["APP_ID", "ACCESS", "HelloNote", "__version__"]


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(
        id=APP_ID,
        name="Hello",
        version=__version__,
        editor="Votre organisation",
        theme="Outils",
        description="Une extension d'exemple : des notes personnelles et un lien vers Éduscol.",
        # the tile: an icon of preau.icon_names() in white on a colour readable under white text (4.5:1)
        icon="sticky-note",
        colour="#6b3fa0",
        requires_preau=">=1.0,<2",  # the plugin API (preau.API_VERSION), not the package version
        default_profiles=DEFAULT_PROFILES,
        entry_endpoint="hello.index",
    )


@hookimpl
def preau_rights() -> list[Right]:
    # label and description: what administrators read in "Applications et connecteurs" (never the raw id)
    return [Right(ACCESS, "Utiliser l'application Hello", DEFAULT_PROFILES,
                  description="Écrire et relire ses notes personnelles dans Hello.")]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_widgets() -> list[Widget]:
    return [Widget(f"{APP_ID}.notes", "Mes notes", render_notes_widget, right=ACCESS,
                   default_profiles=DEFAULT_PROFILES)]


@hookimpl
def preau_connectors() -> list[Connector]:
    return [Connector(f"{APP_ID}.eduscol", "Éduscol", kind="link", url="https://eduscol.education.fr/",
                      right=ACCESS)]


@hookimpl
def preau_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def preau_export_user_data(user: Any) -> dict[str, Any]:
    return {"notes": export_notes_of(db_session(), user.id)}


@hookimpl
def preau_user_deleted(user_id: int) -> None:
    delete_notes_of(db_session(), user_id)
