"""Plugins and connector kinds (``preau_launchers``): one opens the kind ``spy`` and has a tile of it, one has a tile
of a kind nobody opens, one tries to take over the kernel's ``link``. Loaded as ``module:object`` extras."""

from __future__ import annotations

from preau import AppManifest, Connector, Profile, Right, autosubmit_page, hookimpl, released_values

OPENED: list[object] = []


def open_spy(launch):
    OPENED.append(launch)
    return autosubmit_page(launch.url, released_values(launch.user, launch.attributes), title=launch.name)


class _Plugin:
    def __init__(self, app_id: str, kind: str, launchers: dict | None = None) -> None:
        self.app_id, self.kind, self.launchers = app_id, kind, launchers

    @hookimpl
    def preau_app(self):
        return AppManifest(id=self.app_id, name=self.app_id, version="1.0", editor="Tests",
                           default_profiles=(Profile.TEACHER,))

    @hookimpl
    def preau_rights(self):
        return [Right(f"{self.app_id}.access", "Ouvrir", (Profile.TEACHER,))]

    @hookimpl
    def preau_connectors(self):
        return [Connector(f"{self.app_id}.tile", "Outil espion", self.kind, "https://spy.exemple.fr/launch",
                          f"{self.app_id}.access", attributes=("login", "first_name"))]

    @hookimpl
    def preau_launchers(self):
        return self.launchers


opener = _Plugin("spy_opener", "spy", {"spy": open_spy})
orphan = _Plugin("spy_orphan", "nobody_opens_this")
usurper = _Plugin("spy_usurper", "link", {"link": open_spy})
