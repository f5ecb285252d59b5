"""The "Éléa" plugin: the Moodle of the bassin (https://<instance>.elea.apps.education.fr/) opened by LTI 1.3,
with an LTI 1.1 fallback connector (off unless its own right is granted), and the export of a school's accounts
and classes in Moodle's upload-users CSV format for the "import users to get classes" step.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint, Response, render_template

import preau
from preau import N_, AppManifest, Connector, MenuItem, Profile, Right, SettingSpec, Structure, __version__, hookimpl

from .export import export_structure

URL = "https://{instance}.elea.apps.education.fr/"
PROFILES = (Profile.TEACHER, Profile.STUDENT)
RELEASED = ("login", "display_name", "first_name", "last_name", "email", "profile", "uai", "classes",
            "external_id")
bp = Blueprint("elea", __name__, template_folder="templates")


@bp.route("/export/")
@preau.require_right("elea.export")
def export_index():
    preau.require_admin()  # the kernel's 403 page for someone who administers nothing
    structures = preau.administered_structures(preau.db_session(), preau.current_user._get_current_object())
    return render_template("elea/export.html", structures=structures)


@bp.route("/export/<int:structure_id>.csv")
@preau.require_right("elea.export")
def export_download(structure_id: int):
    structure = preau.require_admin(structure_id)  # 404, or 403 audited outside the actor's scope
    text = export_structure(preau.db_session(), structure)
    name = f"elea-{(structure.uai or str(structure.id)).lower()}.csv"
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(
        id="elea", name="Éléa", version=__version__, editor="Ministère de l'Éducation nationale",
        theme="Pédagogie", icon="graduation-cap", colour="#a8431c", default_profiles=PROFILES, entry_endpoint=None,
        requires=("lti",),  # the plugin that opens its lti13 connector
        description=N_("La plateforme de parcours pédagogiques (Moodle) du bassin, ouverte par LTI."))


@hookimpl
def preau_rights() -> list[Right]:
    return [Right("elea.access", N_("Ouvrir Éléa (LTI 1.3)"), PROFILES,
              description=N_("Se connecter à la plateforme Éléa (Moodle du bassin) sans second mot de passe.")),
            Right("elea.export", N_("Exporter les comptes et les classes pour Éléa"), (Profile.PERSONNEL,),
              description=N_("Télécharger les comptes et les classes de l'établissement au format qu'Éléa importe."))]


@hookimpl
def preau_settings() -> list[SettingSpec]:
    return [SettingSpec("instance", N_("Nom de l'instance Éléa du bassin (ex. : paris-est)"), "")]


@hookimpl
def preau_connectors() -> list[Connector]:
    # LTI 1.1 instances use the catalogue's "Plateforme LTI 1.1" connector: its shared secret is structure data.
    return [Connector("elea.lti13", "Éléa", "lti13", URL, "elea.access", attributes=RELEASED)]


@hookimpl
def preau_menu_items() -> list[MenuItem]:
    return [MenuItem("elea.export", N_("Export pour Éléa"), "/apps/elea/export/", "elea.export", theme="Pédagogie",
                     icon="download")]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_cli(cli: click.Group) -> None:
    @cli.group("elea")
    def elea() -> None:
        """Éléa : export des comptes et des classes."""

    @elea.command("export-users")
    @click.argument("structure_id", type=int)
    @click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
    @click.option("--db", "database_url", help="URL SQLAlchemy (sinon PREAU_DATABASE_URL ou SQLite local).")
    def export_users(structure_id: int, file: Path, database_url: str | None) -> None:
        """Écrit le CSV « Importer des utilisateurs » de Moodle pour une structure (cohortes = classes)."""
        with preau.cli_app(database_url).app_context():
            session = preau.db_session()
            structure = session.get(Structure, structure_id)
            if structure is None:
                raise click.ClickException(f"structure {structure_id} introuvable")
            text = export_structure(session, structure)
        file.write_text(text, encoding="utf-8")
        click.echo(f"{text.count(chr(10)) - 1} comptes exportés dans {file}")
