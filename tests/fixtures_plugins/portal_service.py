"""A plugin whose connector URL comes from a setting each school fills (like Pronote's address)."""

from preau import AppManifest, Connector, Right, SettingSpec, hookimpl


@hookimpl
def preau_app():
    return AppManifest(id="portalsvc", name="Service de l'école", version="1.0", editor="Tests")


@hookimpl
def preau_rights():
    return [Right("portalsvc.access", "Accéder au service de l'école", default_profiles=("student", "teacher"))]


@hookimpl
def preau_settings():
    return [SettingSpec("url", "Adresse du service de l'école", "", kind="url")]


@hookimpl
def preau_connectors():
    return [Connector("portalsvc.open", "Service de l'école", kind="link", url="{url}",
                      right="portalsvc.access", launch_urls={"student": "{url}eleve/{uai}"})]
