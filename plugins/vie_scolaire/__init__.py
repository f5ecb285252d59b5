"""The "Notes et vie scolaire" plugin: read-only grades by period with averages, skills, absences, lateness and
punishments of a student, for the student and their parents (following the child selector), fed by an adapter
chosen per structure — ``demo``, ``csv`` (files imported by the school's staff) or ``pronote`` (pronotepy).
See docs/vie_scolaire.md."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from preau import N_, AppManifest, Profile, Right, SettingSpec, Widget, __version__, db_session, hookimpl

from . import models  # noqa: F401 - the plugin's tables, for the metadata
from .api import blp
from .demo import add_demo_data
from .services import ACCESS, APP_ID, IMPORT, NOTES, archive_year, delete_rows, export_rows, move_rows
from .views import bp
from .widget import has_own_source_student, render_grades, render_life

READERS = (Profile.STUDENT, Profile.RELATIVE)


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id=APP_ID, name=N_("Notes et vie scolaire"), version=__version__, editor="Préau",
                       theme="Vie scolaire", icon="chart-column", colour="#9a4a00",
                       description=N_("Notes, compétences, absences, retards et punitions."),
                       default_profiles=(*READERS, Profile.PERSONNEL), entry_endpoint="vie_scolaire.index",
                       optional_requires=("pronote",))  # the "pronote" adapter reads through it


@hookimpl
def preau_rights() -> list[Right]:
    return [Right(ACCESS, N_("Voir les notes et la vie scolaire (les siennes ou celles de ses enfants)"), READERS,
              description=N_("Voir ses notes, absences et retards, ou ceux de ses enfants.")),
            Right(IMPORT, N_("Importer les notes et la vie scolaire de l'établissement (fichiers CSV)"),
                  (Profile.PERSONNEL,),
              description=N_("Importer les notes et les absences de l'établissement depuis des fichiers CSV."))]


@hookimpl
def preau_settings() -> list[SettingSpec]:
    return [SettingSpec("adapter", N_("Source des notes et de la vie scolaire (demo, csv ou pronote)"), "csv"),
            SettingSpec("notation", N_("Évaluation : notes sur 20 (notes) ou compétences seules (competences)"),
                        NOTES)]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_api_blueprints() -> list:
    return [blp]


@hookimpl
def preau_widgets() -> list[Widget]:
    # Where every student one sees is at a school on Pronote, the Pronote block is the one block: these yield.
    return [Widget(f"{APP_ID}.grades", N_("Dernières évaluations"), render_grades, right=ACCESS,
                   default_profiles=READERS, shown_to=has_own_source_student),
            Widget(f"{APP_ID}.life", N_("Vie scolaire"), render_life, right=ACCESS, default_profiles=READERS,
                   shown_to=has_own_source_student)]


@hookimpl
def preau_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def preau_year_transition(structure) -> None:
    archive_year(db_session(), structure.id)


@hookimpl
def preau_user_merged(user, merged_user_id: int) -> None:
    move_rows(db_session(), merged_user_id, user.id)


@hookimpl
def preau_user_deleted(user_id: int) -> None:
    delete_rows(db_session(), user_id)


@hookimpl
def preau_export_user_data(user) -> dict | None:
    return export_rows(db_session(), user.id)


@hookimpl
def preau_demo_data(session, demo) -> None:
    add_demo_data(session, demo)
