"""Plugins that require others (``AppManifest.requires`` / ``optional_requires``), loaded by
tests/test_plugin_manifest.py as ``tests.fixtures_plugins.requirements:<object>`` extras (an extra named
``module:object`` is named after the object)."""

from __future__ import annotations

from preau import AppManifest, Profile, Right, hookimpl


class Plugin:
    """A small app (or a non-app plugin) with one right, ``<id>.access``, for teachers."""

    def __init__(self, app_id: str, requires: tuple[str, ...] = (), optional: tuple[str, ...] = (),
                 kind: str = "app", requires_preau: str = ">=1.0,<2") -> None:
        self.app_id, self.requires, self.optional, self.kind = app_id, requires, optional, kind
        self.requires_preau = requires_preau

    @hookimpl
    def preau_app(self) -> AppManifest:
        app = self.kind == "app"
        return AppManifest(id=self.app_id, name=self.app_id.capitalize(), version="1.0", editor="Tests",
                           requires=self.requires, optional_requires=self.optional, kind=self.kind,
                           requires_preau=self.requires_preau, default_profiles=(Profile.TEACHER,) if app else ())

    @hookimpl
    def preau_rights(self) -> list[Right]:
        return [Right(f"{self.app_id}.access", "Ouvrir", (Profile.TEACHER,))] if self.kind == "app" else []


# loaded in this order: a dependent before what it requires
aa_dependent = Plugin("aa_dependent", requires=("zz_base",))
zz_base = Plugin("zz_base")
soft_user = Plugin("soft_user", optional=("zz_base", "not_installed"))
needs_missing = Plugin("needs_missing", requires=("not_installed",))
needs_broken = Plugin("needs_broken", requires=("raising_manifest",))
needs_needs_missing = Plugin("needs_needs_missing", requires=("needs_missing",))
cycle_a = Plugin("cycle_a", requires=("cycle_b",))
cycle_b = Plugin("cycle_b", requires=("cycle_a",))
source_only = Plugin("source_only", kind="directory_source")
needs_source = Plugin("needs_source", requires=("source_only",))
api_one = Plugin("api_one", requires_preau=">=1.0,<2")  # Préau's package is 0.x, its plugin API 1.x
api_zero = Plugin("api_zero", requires_preau=">=0.1,<1.0")  # written for the package's version: refused

ALL = ["aa_dependent", "zz_base", "soft_user", "needs_missing", "needs_broken", "needs_needs_missing", "cycle_a",
       "cycle_b", "source_only", "needs_source", "api_one", "api_zero"]
