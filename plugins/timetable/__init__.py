"""The "Emploi du temps" plugin: lessons as concrete occurrences (weekly series entered once, week A/B), week and
day views for a class, a teacher, a student or a room, manual entry by staff, iCalendar import and a private
iCalendar feed. See docs/timetable.md."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint

from preau import N_, AppManifest, Profile, Right, SettingSpec, Widget, __version__, db_session, hookimpl

from . import models  # noqa: F401 - the plugin's tables, for the metadata
from .api import blp
from .demo import add_demo_data
from .services import archive_year, export_of, move_user
from .views import ACCESS, MANAGE, bp
from .widget import render_today

APP_ID = "timetable"
USERS = (Profile.TEACHER, Profile.STUDENT, Profile.RELATIVE, Profile.PERSONNEL)


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id=APP_ID, name=N_("Emploi du temps"), version=__version__, editor="Préau",
                       theme="Vie scolaire", default_profiles=USERS, entry_endpoint="timetable.index",
                       icon="calendar-days",
                       colour="#1d6470", optional_requires=("pronote",),  # the Pronote source of a student's week
                       description=N_("L'emploi du temps de la classe, de l'enseignant, de l'élève et des salles."))


@hookimpl
def preau_rights() -> list[Right]:
    return [Right(ACCESS, N_("Consulter l'emploi du temps"), USERS,
              description=N_("Voir l'emploi du temps de sa classe, de ses enfants ou le sien.")),
            Right(MANAGE, N_("Saisir et importer l'emploi du temps"), (Profile.PERSONNEL,),
              description=N_("Saisir les cours, importer l'emploi du temps de l'établissement et gérer les salles."))]


@hookimpl
def preau_settings() -> list[SettingSpec]:
    return [SettingSpec("week_a_monday", N_("Lundi d'une semaine A (AAAA-MM-JJ ; vide = pas de semaines A/B)"), ""),
            SettingSpec("source", N_("Source des cours (vide = Préau)"), "")]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_api_blueprints() -> list:
    return [blp]


@hookimpl
def preau_widgets() -> list[Widget]:
    return [Widget(f"{APP_ID}.today", N_("Emploi du temps du jour"), render_today, right=ACCESS,
                   default_profiles=(Profile.RELATIVE, Profile.STUDENT, Profile.TEACHER))]


@hookimpl
def preau_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def preau_year_transition(structure) -> None:
    archive_year(db_session(), structure.id, datetime.now(UTC).replace(tzinfo=None))


@hookimpl
def preau_user_merged(user, merged_user_id: int) -> None:
    move_user(db_session(), merged_user_id, user.id)


@hookimpl
def preau_export_user_data(user) -> dict[str, Any] | None:
    return export_of(db_session(), user.id)


@hookimpl
def preau_demo_data(session, demo) -> None:
    add_demo_data(session, demo)
