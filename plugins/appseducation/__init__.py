"""The "Apps.Education" plugin: the agents' "nuage" drive as a link, with the person's e-mail as login hint.

The nuage is a Nextcloud whose login page pre-fills the account from ``?user=…``; the launch page fills
``{email}`` URL-encoded and drops the parameter for someone without an e-mail address.
"""

from __future__ import annotations

from preau import AppManifest, Connector, Profile, Right, __version__, hookimpl

NUAGE = "https://nuage.apps.education.fr/"
NUAGE_LOGIN = NUAGE + "login?user={email}"
PROFILES = (Profile.TEACHER, Profile.PERSONNEL)


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(
        id="appseducation", name="Apps.Education", version=__version__,
        editor="Ministère de l'Éducation nationale", theme="Outils",
        description="Le nuage des agents (100 Go) et les autres outils libres d'apps.education.fr.",
        icon="cloud", default_profiles=PROFILES)


@hookimpl
def preau_rights() -> list[Right]:
    return [Right("appseducation.access", "Ouvrir le nuage Apps.Education", PROFILES)]


@hookimpl
def preau_connectors() -> list[Connector]:
    return [Connector("appseducation.nuage", "Nuage Apps.Education", "link", NUAGE,
                      "appseducation.access", attributes=("email",),
                      launch_urls={"teacher": NUAGE_LOGIN, "personnel": NUAGE_LOGIN})]
