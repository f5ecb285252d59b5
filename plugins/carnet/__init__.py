"""The "Carnet de liaison" plugin: mots from teachers and staff to the parents of a class, a teaching group or
one student; a parent signs the mots that ask for it (an explicit POST, never by opening them); reminders,
export, replies and the « Mots à signer » block. See docs/carnet.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint

from preau import N_, AppManifest, Profile, Right, Widget, __version__, db_session, hookimpl

from . import models  # noqa: F401 - the plugin's tables, for the metadata
from .api import blp
from .demo import add_demo_data
from .services import archive_year, export_of, move_user
from .views import ACCESS, bp
from .widget import render_to_sign, signs_or_writes

APP_ID = "carnet"
USERS = (Profile.TEACHER, Profile.STUDENT, Profile.RELATIVE, Profile.PERSONNEL)


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id=APP_ID, name=N_("Carnet de liaison"), version=__version__, editor="Préau",
                       theme="Vie scolaire", description=N_("Les mots de l'école aux familles, à signer en ligne."),
                       icon="notebook-text", colour="#8a4b00", default_profiles=USERS, entry_endpoint="carnet.index")


@hookimpl
def preau_rights() -> list[Right]:
    return [Right(ACCESS, N_("Lire et signer les mots (et en écrire pour ses classes)"), USERS,
              description=N_("Lire et signer les mots ; un enseignant en écrit aux familles de ses classes."))]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_api_blueprints() -> list:
    return [blp]


@hookimpl
def preau_widgets() -> list[Widget]:
    # "Mots à signer" is for those who sign (parents) or write (teachers): a student reads the mots in the app.
    return [Widget(f"{APP_ID}.to_sign", N_("Mots à signer"), render_to_sign, right=ACCESS,
                   default_profiles=(Profile.RELATIVE, Profile.TEACHER), shown_to=signs_or_writes)]


@hookimpl
def preau_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def preau_year_transition(structure) -> None:
    archive_year(db_session(), structure.id)


@hookimpl
def preau_user_merged(user, merged_user_id: int) -> None:
    move_user(db_session(), merged_user_id, user.id)


@hookimpl
def preau_export_user_data(user) -> dict[str, Any] | None:
    return export_of(db_session(), user.id)


@hookimpl
def preau_demo_data(session, demo) -> None:
    add_demo_data(session, demo)
