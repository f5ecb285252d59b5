"""The "Messages flash" plugin (tableau d'affichage): a structure's administrators post short messages, shown as
a banner at the top of every page to the profiles they target in that structure and below it, between two dates,
optionally in one language and announced by e-mail; readers mark them read, administrators see how many did.

An app enabled per structure (as in ONE/NEO): its readers hold ``flash.read`` (every profile by default), its
publishers are the structure's administrators (``preau.require_admin``). See docs/flash.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, url_for
from markupsafe import Markup
from sqlalchemy.orm import Session

from preau import (
    N_,
    AdminLink,
    AppManifest,
    DemoDirectory,
    Job,
    Profile,
    Right,
    Structure,
    User,
    __version__,
    hookimpl,
)

from . import models  # noqa: F401 - the plugin's tables, for the metadata
from .services import NOTIFY_JOB, notify_job
from .views import APP_ID, READ, bp, render_banner

READERS = tuple(Profile)


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id=APP_ID, name=N_("Messages flash"), version=__version__, editor="Préau",
                       theme="Communication",
                       description=N_("Le tableau d'affichage : des messages courts en bandeau sur toutes les pages."),
                       icon="megaphone",
                       colour="#b3261e", default_profiles=READERS, entry_endpoint="flash.my_flash_messages")


@hookimpl
def preau_rights() -> list[Right]:
    return [Right(READ, N_("Lire les messages flash de ses structures"), READERS,
              description=N_("Voir le bandeau des messages flash destinés à son profil."))]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def preau_job_handlers() -> dict[str, Callable[[Session, Job], None]]:
    return {NOTIFY_JOB: notify_job}


@hookimpl
def preau_demo_data(session: Session, demo: DemoDirectory) -> None:
    from .demo import add_demo_data

    add_demo_data(session, demo)


@hookimpl
def preau_page_banners(user: User) -> list[Markup]:
    banner = render_banner(user)
    return [banner] if banner else []


@hookimpl
def preau_structure_admin_links(structure: Structure) -> list[AdminLink]:
    return [AdminLink(f"{APP_ID}.admin", N_("Tableau d'affichage : messages flash"),
                      url_for("flash.admin_messages", structure_id=structure.id))]
