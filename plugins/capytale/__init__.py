"""The "Capytale" plugin: a link towards Capytale's activity list (programming activities distributed to
students), for teachers and students. Capytale also opens from Éléa; this tile is the direct way."""

from __future__ import annotations

from preau import AppManifest, Connector, Profile, Right, __version__, hookimpl

URL = "https://capytale2.ac-paris.fr/web/c-auth/list"
PROFILES = (Profile.TEACHER, Profile.STUDENT)


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(
        id="capytale", name="Capytale", version=__version__, editor="Académie de Paris", theme="Pédagogie",
        description="Activités de programmation (Python, HTML, bases de données) à distribuer aux élèves.",
        icon="code", default_profiles=PROFILES)


@hookimpl
def preau_rights() -> list[Right]:
    return [Right("capytale.access", "Ouvrir Capytale", PROFILES)]


@hookimpl
def preau_connectors() -> list[Connector]:
    return [Connector("capytale.link", "Capytale", "link", URL, "capytale.access")]
