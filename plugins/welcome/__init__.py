"""The "Bienvenue" app: a welcome widget and a getting-started page. A built-in written as a plugin."""

from __future__ import annotations

from flask import Blueprint, render_template
from markupsafe import escape

from preau import AppManifest, Profile, Right, Widget, __version__, hookimpl

ALL_PROFILES = tuple(Profile)
bp = Blueprint("welcome", __name__, template_folder="templates")


@bp.route("/")
def index():
    return render_template("welcome/index.html")


def render_welcome(user, size: str) -> str:
    roles = ", ".join(sorted({r.structure.name for r in user.roles})) or "Préau"
    if size == "miniature":
        return f"<p>Bonjour {escape(user.first_name)} !</p>"
    return (f"<p>Bienvenue sur l'ENT, {escape(user.first_name)}.</p>"
            f"<p>Vos établissements : {escape(roles)}.</p>"
            '<p><a href="/apps/welcome/">Découvrir l\'ENT</a></p>')


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(
        id="welcome", name="Bienvenue", version=__version__, editor="Préau", theme="Outils",
        description="Un mot d'accueil et une visite guidée de l'ENT.", icon="home",
        default_profiles=ALL_PROFILES, entry_endpoint="welcome.index",
    )


@hookimpl
def preau_rights() -> list[Right]:
    return [Right("welcome.access", "Voir la page d'accueil et le widget Bienvenue", ALL_PROFILES)]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_widgets() -> list[Widget]:
    return [Widget("welcome.hello", "Bienvenue", render_welcome, right="welcome.access",
                   default_profiles=ALL_PROFILES)]


