"""The LTI platform: Préau opens teaching tools by LTI 1.1 (a signed launch form) and LTI 1.3 Advantage (OIDC
launch, Names and Role Provisioning, Assignment and Grade Services, Deep Linking). See docs/sso-lti.md.

It opens the ``lti11`` and ``lti13`` connectors (``preau_launchers``): the catalogue's, configured by a structure's
administrators, and the plugins' (Éléa requires this plugin). Its protocol endpoints stay at ``/lti13/…``, the
addresses tools were given. An app enabled per structure: there, its administration link (the tool registrations
of the structure) shows on the structure's page, and its right reaches class members with their classes' online
activities (resources placed by teachers, grades sent by tools).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Blueprint, url_for
from sqlalchemy.orm import Session

from preau import (
    N_,
    AdminLink,
    AppManifest,
    Launch,
    MenuItem,
    Profile,
    Right,
    Structure,
    User,
    __version__,
    cli_app,
    db_session,
    hookimpl,
)

from . import models  # noqa: F401 - the plugin's tables, for the metadata
from .admin import bp as admin_bp
from .keys import rotate
from .lifecycle import export_of, forget_user, move_user
from .lti11 import launch_lti11
from .lti13 import bp as protocol_bp
from .lti13 import launch_lti13, purge_nonces

APP_ID = "lti"
ACCESS = "lti.access"
CLASS_MEMBERS = (Profile.TEACHER, Profile.STUDENT, Profile.RELATIVE)


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id=APP_ID, name=N_("LTI (outils pédagogiques)"), version=__version__, editor="Préau",
                       theme="Pédagogie", icon="presentation", colour="#2f6f3e", default_profiles=CLASS_MEMBERS,
                       description=N_("Ouvre les outils pédagogiques par LTI 1.1 et LTI 1.3 (Éléa, Moodle…) : "
                                      "ressources et notes des classes."))


@hookimpl
def preau_rights() -> list[Right]:
    return [Right(ACCESS, N_("Voir les activités en ligne de ses classes (ressources et notes des outils)"),
                  CLASS_MEMBERS,
              description=N_("Ouvrir les outils pédagogiques LTI de ses classes et en voir les notes."))]


@hookimpl
def preau_menu_items() -> list[MenuItem]:
    return [MenuItem("lti.classes", N_("Activités en ligne de mes classes"), "/lti13/classes/", ACCESS,
                     theme="Pédagogie", icon="school")]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [protocol_bp, admin_bp]


@hookimpl
def preau_launchers() -> dict[str, Callable[[Launch], object]]:
    return {"lti11": launch_lti11, "lti13": launch_lti13}


@hookimpl
def preau_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def preau_structure_admin_links(structure: Structure) -> list[AdminLink]:
    return [AdminLink("lti.tools", N_("Outils LTI 1.3"), url_for("lti.tools", structure_id=structure.id))]


@hookimpl
def preau_purge(session: Session) -> str | None:
    count = purge_nonces(session)  # used LTI 1.3 nonces and assertion ids, once expired
    return f"{count} nonce(s) LTI 1.3 expiré(s) oublié(s)." if count else None


@hookimpl
def preau_user_merged(user: User, merged_user_id: int) -> None:
    move_user(db_session(), merged_user_id, user.id)


@hookimpl
def preau_user_deleted(user_id: int) -> None:
    forget_user(db_session(), user_id)


@hookimpl
def preau_export_user_data(user: User) -> dict[str, Any] | None:
    return export_of(db_session(), user.id)


@hookimpl
def preau_cli(cli: click.Group) -> None:
    @cli.group("lti")
    def lti() -> None:
        """Plateforme LTI 1.3 : clés de signature."""

    @lti.command("rotate-keys")
    @click.option("--db", "database_url")
    def rotate_keys(database_url: str | None) -> None:
        """Crée une nouvelle clé de signature LTI 1.3 ; l'ancienne reste publiée jusqu'à l'expiration de ses
        jetons."""
        with cli_app(database_url).app_context():
            key, forgotten = rotate(db_session())
            db_session().commit()
        click.echo(f"Nouvelle clé LTI 1.3 : {key.kid} ({forgotten} ancienne(s) clé(s) supprimée(s)).")
