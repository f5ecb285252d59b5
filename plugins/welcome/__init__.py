"""The "Bienvenue" app: a welcome widget and a getting-started page. A built-in written as a plugin."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from markupsafe import escape

from preau import N_, AppManifest, Profile, Right, Widget, __version__, hookimpl

ALL_PROFILES = tuple(Profile)
bp = Blueprint("welcome", __name__, template_folder="templates")


@bp.route("/")
def index():
    return render_template("welcome/index.html")


def render_welcome(user, size: str) -> str:
    greeting = escape(_("Bonjour %(name)s !", name=user.first_name))
    if size == "miniature":
        return f"<p>{greeting}</p>"
    roles = ", ".join(sorted({r.structure.name for r in user.roles})) or "Préau"
    welcome = escape(_("Bienvenue sur l’ENT, %(name)s.", name=user.first_name))
    schools = escape(_("Vos établissements : %(names)s.", names=roles))
    discover = escape(_("Découvrir l’ENT"))
    return f'<p>{welcome}</p><p>{schools}</p><p><a href="{url_for("welcome.index")}">{discover}</a></p>'


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(
        id="welcome", name=N_("Bienvenue"), version=__version__, editor="Préau", theme="Outils",
        description=N_("Un mot d'accueil et une visite guidée de l'ENT."), icon="house", colour="#44546a",
        default_profiles=ALL_PROFILES, entry_endpoint="welcome.index",
    )


@hookimpl
def preau_rights() -> list[Right]:
    return [Right("welcome.access", N_("Voir la page d'accueil et le widget Bienvenue"), ALL_PROFILES,
              description=N_("Voir la page d'accueil de l'ENT et le widget de bienvenue."))]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_widgets() -> list[Widget]:
    return [Widget("welcome.hello", N_("Bienvenue"), render_welcome, right="welcome.access",
                   default_profiles=ALL_PROFILES)]


