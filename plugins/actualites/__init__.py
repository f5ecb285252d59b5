"""The "Actualités" plugin: news of a school and of its classes in threads (« fils d'actualités ») with roles
(Visiteur, Rédacteur, Rédacteur avec mise en ligne, Modérateur, Gestionnaire), a submit → publish workflow,
scheduling, sanitised rich text with images, comments, the school's public page and a dashboard block.
See docs/actualites.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint
from sqlalchemy.orm import object_session

from preau import N_, AppManifest, Profile, Right, Widget, __version__, db_session, hookimpl

from . import (
    models,  # noqa: F401 - the plugin's tables, for the metadata
    services,
)
from .api import blp
from .demo import add_demo_news
from .views import ACCESS, bp
from .widget import render_latest

APP_ID = "actualites"
READERS = (Profile.TEACHER, Profile.STUDENT, Profile.RELATIVE, Profile.PERSONNEL)


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id=APP_ID, name=N_("Actualités"), version=__version__, editor="Préau",
                       theme="Communication", icon="newspaper", colour="#b0304a", default_profiles=READERS,
                       entry_endpoint="actualites.index",
                       description=N_("Les actualités de l'établissement et des classes."))


@hookimpl
def preau_rights() -> list[Right]:
    return [Right(ACCESS, N_("Lire les actualités et écrire selon son rôle sur chaque fil"), READERS,
              description=N_("Lire les actualités de l'établissement et de la classe ; y publier selon son rôle."))]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_api_blueprints() -> list:
    return [blp]


@hookimpl
def preau_widgets() -> list[Widget]:
    return [Widget(f"{APP_ID}.latest", N_("Actualités"), render_latest, right=ACCESS, default_profiles=READERS)]


@hookimpl
def preau_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def preau_export_user_data(user: Any) -> dict[str, Any] | None:
    return services.export_of(object_session(user) or db_session(), user)


@hookimpl
def preau_year_transition(structure: Any) -> None:
    services.archive_class_threads(object_session(structure) or db_session(), structure.id)


@hookimpl
def preau_user_merged(user: Any, merged_user_id: int) -> None:
    services.merge_user(object_session(user) or db_session(), user.id, merged_user_id)


@hookimpl
def preau_user_deleted(user_id: int) -> None:
    services.forget_user(db_session(), user_id)


@hookimpl
def preau_demo_data(session: Any, demo: Any) -> None:
    add_demo_news(session, demo)
