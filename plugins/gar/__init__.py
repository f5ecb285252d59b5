"""The "Médiacentre" plugin (GAR, Gestionnaire d'accès aux ressources): the directory export to the GAR, the
assignment of resources by the responsable d'affectation, the Médiacentre page and block, and the launch of a
resource through the GAR without a new sign-in. See docs/gar.md.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint, url_for
from sqlalchemy.orm import Session

from preau import (
    N_,
    AdminLink,
    AppManifest,
    DemoDirectory,
    Profile,
    Right,
    SettingSpec,
    Structure,
    Widget,
    __version__,
    hookimpl,
)

from . import models  # noqa: F401 - the plugin's table, for the metadata
from .cli import register
from .demo import add_demo_assignments
from .export import RESP_AFFECT  # noqa: F401 - the function code, re-exported for administrators' tools
from .views import ACCESS, bp
from .widget import render_mediacentre

APP_ID = "gar"
USERS = (Profile.STUDENT, Profile.TEACHER, Profile.PERSONNEL)


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(
        id=APP_ID, name=N_("Médiacentre"), version=__version__, editor="Préau", theme="Ressources",
        description=N_("Les ressources numériques du GAR attribuées par l'établissement, sans nouvelle connexion."),
        icon="library", colour="#6b3fa0", default_profiles=USERS, entry_endpoint="gar.mediacentre")


@hookimpl
def preau_rights() -> list[Right]:
    return [Right(ACCESS, N_("Ouvrir le Médiacentre et ses ressources"), USERS,
              description=N_("Ouvrir le Médiacentre du GAR et les ressources numériques attribuées."))]


@hookimpl
def preau_settings() -> list[SettingSpec]:
    return [SettingSpec("ent_id", N_("Identifiant de l'ENT auprès du GAR (préfixe des fichiers d'export)"), "PREAU"),
            SettingSpec("adapter", N_("Source de la liste des ressources (vide ou demo)"), "")]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_widgets() -> list[Widget]:
    return [Widget(f"{APP_ID}.mediacentre", N_("Médiacentre"), render_mediacentre, right=ACCESS,
                   default_profiles=(Profile.STUDENT, Profile.TEACHER))]


@hookimpl
def preau_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def preau_structure_admin_links(structure: Structure) -> list[AdminLink]:
    """A school's directory export to the GAR, on its administration page (a school has a UAI)."""
    if not structure.uai:
        return []
    return [AdminLink(f"{APP_ID}.export", N_("Export de l'annuaire vers le GAR (Médiacentre, fichiers XML)"),
                      url_for("gar.export_zip", structure_id=structure.id))]


@hookimpl
def preau_demo_data(session: Session, demo: DemoDirectory) -> None:
    """The demo's Médiacentre: its sample resource list for the city, a responsable and assignments per school."""
    add_demo_assignments(session, demo.city, demo.ferry, demo.curie)


@hookimpl
def preau_cli(cli: click.Group) -> None:
    register(cli)
