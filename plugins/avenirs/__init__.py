"""The "Avenir(s)" plugin: the Onisep guidance service. Students and parents sign in there with ÉduConnect,
staff with their academic account: each profile lands on its own authentication page."""

from __future__ import annotations

from preau import AppManifest, Connector, Profile, Right, __version__, hookimpl

BASE = "https://avenirs.onisep.fr/authentification/"
EDUCONNECT, HUBAGENT = BASE + "educonnect", BASE + "hubagent"
PROFILES = (Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER, Profile.PERSONNEL)


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(
        id="avenirs", name="Avenir(s)", version=__version__, editor="Onisep", theme="Orientation",
        description="Le service d'orientation de l'Onisep, pour les élèves, leurs parents et les équipes.",
        icon="compass", default_profiles=PROFILES)


@hookimpl
def preau_rights() -> list[Right]:
    return [Right("avenirs.access", "Ouvrir Avenir(s)", PROFILES)]


@hookimpl
def preau_connectors() -> list[Connector]:
    # Staff (teachers, personnel) get the plain URL: the agents' portal.
    return [Connector("avenirs.link", "Avenir(s)", "link", HUBAGENT, "avenirs.access",
                      launch_urls={"student": EDUCONNECT, "relative": EDUCONNECT})]
