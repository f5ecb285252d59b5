"""Plugins that are only a link or an SSO connector towards an outside service, declared in a few lines.

A service such as Capytale or Avenir(s) needs a manifest, one right that opens it and one connector; writing the
three hooks by hand for each is boilerplate that drifts. :func:`link_plugin` builds the plugin object; its entry
point names that object (``capytale = "<package>.capytale:plugin"``, the ``module:object`` form).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from .hooks import hookimpl
from .icons import DEFAULT_ICON
from .types import AppManifest, Connector, Profile, Right, SettingSpec


class LinkPlugin:
    """The plugin :func:`link_plugin` builds: its hooks answer with the manifest, right, connector and settings
    given (read them back from ``manifest``, ``right``, ``connector``, ``settings``)."""

    def __init__(self, manifest: AppManifest, right: Right, connector: Connector,
                 settings: tuple[SettingSpec, ...] = ()) -> None:
        self.manifest, self.right, self.connector, self.settings = manifest, right, connector, settings

    def __repr__(self) -> str:
        return f"<link plugin {self.manifest.id}: {self.connector.url}>"

    @hookimpl
    def preau_app(self) -> AppManifest:
        return self.manifest

    @hookimpl
    def preau_rights(self) -> list[Right]:
        return [self.right]

    @hookimpl
    def preau_connectors(self) -> list[Connector]:
        return [self.connector]

    @hookimpl
    def preau_settings(self) -> list[SettingSpec]:
        return list(self.settings)


def link_plugin(id: str, name: str, url: str, *, version: str, editor: str, profiles: Iterable[Profile],
                access_label: str, access_description: str = "",
                theme: str = "Outils", description: str = "", icon: str = DEFAULT_ICON, colour: str = "",
                kind: str = "link", connector: str = "link", connector_name: str | None = None,
                launch_urls: Mapping[str, str] | None = None, attributes: Iterable[str] = ("login",),
                reauthenticate: bool = False, settings: Iterable[SettingSpec] = (),
                requires_preau: str | None = None) -> LinkPlugin:
    """A whole plugin that is a tile towards an outside service: a manifest, the right ``<id>.access`` (granted to
    ``profiles`` when an administrator first enables the app) and one connector ``<id>.<connector>``.

    :param id: the app id; ``name``, ``description``, ``access_label`` (the right's label) and
        ``access_description`` (what the right lets a person do, shown to administrators) are French msgids.
    :param url: where the tile leads (``http(s)://``; placeholders as for any :class:`preau.Connector`:
        ``{uai}``, ``{email}``, ``{<setting key>}``); ``launch_urls`` gives a URL per profile value instead.
    :param kind: the connector kind: ``link`` (a plain redirect), ``cas``, ``saml``, or a kind a plugin opens
        (``lti11``, ``lti13`` with the plugin ``lti``).
    :param icon: a name of :func:`preau.icon_names`; ``colour`` the tile's CSS hex colour (see
        :class:`preau.AppManifest`).
    :param settings: :class:`preau.SettingSpec` the URL's placeholders read (filled per structure).
    :returns: a :class:`LinkPlugin`; name it in the ``preau.plugins`` entry point as ``module:object``::

        plugin = preau.link_plugin(
            "capytale", "Capytale", "https://capytale2.ac-paris.fr/web/c-auth/list", version="1.0.0",
            editor="Académie de Paris", theme="Pédagogie", icon="code-xml", colour="#2b5b84",
            profiles=(Profile.TEACHER, Profile.STUDENT), access_label=N_("Ouvrir Capytale"))
    """
    chosen = tuple(profiles)
    manifest = AppManifest(id=id, name=name, version=version, editor=editor, theme=theme, description=description,
                           icon=icon, colour=colour, default_profiles=chosen)
    if requires_preau is not None:
        manifest = replace(manifest, requires_preau=requires_preau)
    access = f"{id}.access"
    right = Right(access, access_label, chosen, access_description)
    tile = Connector(f"{id}.{connector}", connector_name or name, kind, url, access, attributes=tuple(attributes),
                     reauthenticate=reauthenticate, launch_urls=dict(launch_urls or {}))
    return LinkPlugin(manifest, right, tile, tuple(settings))
