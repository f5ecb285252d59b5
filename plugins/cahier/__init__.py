"""The "Cahier de textes" plugin: the sessions (séances) and homework of each class and teaching group, the
head's visa that freezes a period, the workload per day shown to teachers, the students' « fait » marks and the
« Devoirs à faire » block. See docs/cahier.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint

from preau import N_, AppManifest, Profile, Right, Widget, __version__, db_session, hookimpl

from . import models  # noqa: F401 - the plugin's tables, for the metadata
from .api import blp
from .demo import add_demo_data
from .services import archive_year, delete_done_marks, export_of, move_done_marks
from .views import ACCESS, bp
from .widget import render_todo

APP_ID = "cahier"
USERS = (Profile.TEACHER, Profile.STUDENT, Profile.RELATIVE, Profile.PERSONNEL)


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id=APP_ID, name=N_("Cahier de textes"), version=__version__, editor="Préau",
                       theme="Pédagogie", description=N_("Les séances et les devoirs de la classe."),
                       icon="notebook-pen", colour="#2f6f3e", default_profiles=USERS, entry_endpoint="cahier.index")


@hookimpl
def preau_rights() -> list[Right]:
    return [Right(ACCESS, N_("Consulter le cahier de textes (et le remplir pour ses classes)"), USERS,
              description=N_("Voir les séances et les devoirs ; un enseignant les saisit pour ses classes."))]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_api_blueprints() -> list:
    return [blp]


@hookimpl
def preau_widgets() -> list[Widget]:
    return [Widget(f"{APP_ID}.todo", N_("Devoirs à faire"), render_todo, right=ACCESS,
                   default_profiles=(Profile.STUDENT, Profile.RELATIVE))]


@hookimpl
def preau_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def preau_year_transition(structure) -> None:
    archive_year(db_session(), structure.id)


@hookimpl
def preau_user_merged(user, merged_user_id: int) -> None:
    move_done_marks(db_session(), merged_user_id, user.id)


@hookimpl
def preau_user_deleted(user_id: int) -> None:
    delete_done_marks(db_session(), user_id)


@hookimpl
def preau_export_user_data(user) -> dict[str, Any] | None:
    return export_of(db_session(), user.id)


@hookimpl
def preau_demo_data(session, demo) -> None:
    add_demo_data(session, demo)
