"""The plugin manager: built-in and third-party plugins, loaded the same way.

Plugins are found through the entry-point group ``preau.plugins`` (Préau's own built-ins are declared there
too) plus any module named in the ``PLUGINS_EXTRA`` setting. Loading happens only inside ``create_app()``. A
plugin that fails to import, breaks the contract or raises in a metadata hook is quarantined: its error is
recorded and shown by ``preau plugins`` and to administrators, and everything else keeps working.
"""

from __future__ import annotations

import importlib
import logging
import re
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from . import hooks
from .types import (
    KERNEL_CONNECTOR_KINDS,
    AdminLink,
    AppManifest,
    Connector,
    ManifestError,
    MenuItem,
    Right,
    SettingSpec,
    Widget,
)
from .version import API_VERSION

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "preau.plugins"
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class HookFailure:
    """What a robust hook call returns in place of a plugin's result when it raised."""

    app_id: str
    hook: str
    error: str
    at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))


class PluginState:
    ACTIVE = "active"
    BROKEN = "broken"
    DENIED = "denied"


@dataclass
class PluginRecord:
    """Everything the kernel knows about one plugin, loaded or not."""

    name: str
    module: str
    source: str
    version: str = "?"
    state: str = PluginState.ACTIVE
    error: str | None = None
    plugin: Any = None
    manifest: AppManifest | None = None
    rights: list[Right] = field(default_factory=list)
    widgets: list[Widget] = field(default_factory=list)
    connectors: list[Connector] = field(default_factory=list)
    menu_items: list[MenuItem] = field(default_factory=list)
    settings: list[SettingSpec] = field(default_factory=list)
    blueprints: list[Any] = field(default_factory=list)
    api_blueprints: list[Any] = field(default_factory=list)
    migrations: str | None = None
    launchers: dict[str, Callable[..., Any]] = field(default_factory=dict)  # connector kind → launcher
    # The latest failures of robustly called hooks in this process (newest last), shown to administrators.
    runtime_errors: deque[HookFailure] = field(default_factory=lambda: deque(maxlen=10))

    @property
    def app_id(self) -> str:
        return self.manifest.id if self.manifest else self.name

    @property
    def active(self) -> bool:
        return self.state == PluginState.ACTIVE


class _KernelWide:
    """The scope of a kernel-wide hook call: every active plugin, wherever it is enabled."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "KERNEL_WIDE"


KERNEL_WIDE = _KernelWide()
"""``apps=KERNEL_WIDE``: the call reaches every active plugin (metadata, blueprints, CLI, jobs, accounts…)."""

AppScope = Iterable[str] | _KernelWide
"""What a dispatch may reach: app ids (core apps are always added) or :data:`KERNEL_WIDE`."""


def _api_version() -> Version:
    return Version(API_VERSION)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _import_object(spec: str) -> Any:
    """``package.module`` or ``package.module:object`` (an entry point's syntax)."""
    module, _sep, attribute = spec.partition(":")
    value = importlib.import_module(module)
    for part in attribute.split(".") if attribute else ():
        value = getattr(value, part)
    return value


class PluginRegistry:
    """Loads plugins into a pluggy manager and keeps one :class:`PluginRecord` per plugin."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hooks.PROJECT)
        self.pm.add_hookspecs(hooks)
        self.records: dict[str, PluginRecord] = {}
        self._callers: dict[tuple[str, frozenset[str]], Any] = {}

    # -- loading -------------------------------------------------------------------------------------

    def load(self, *, extra: Iterable[str] = (), deny: Iterable[str] = ()) -> None:
        """Import every plugin, register them all, then collect each one's metadata in load order.

        Registering all before asking any lets a hook wrapper wrap the metadata of every plugin. They are
        registered in reverse load order because pluggy calls the last registered first: so plugins answer in
        load order (built-ins, then third parties, each by name), unless ``tryfirst``/``trylast`` say otherwise.
        """
        denied = set(deny)
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=self._entry_point_order):
            self._load_one(ep.name, ep.value, self._source_of(ep), lambda ep=ep: ep.load(), denied)
        for module in extra:
            name = (module.partition(":")[2] or module).rsplit(".", 1)[-1]  # "pkg.mod" → mod, "pkg.mod:obj" → obj
            self._load_one(name, module, "extra", lambda m=module: _import_object(m), denied)
        self._admit()

    def _admit(self) -> None:
        """Register the imported plugins, then collect and check their metadata (see :meth:`load`)."""
        imported = [r for r in self.records.values() if r.active and r.plugin is not None]
        for record in reversed(imported):
            self._guarded(record, partial(self.pm.register, record.plugin, name=record.name))
        self._callers.clear()
        for record in imported:
            if record.active:
                self._guarded(record, partial(self._check_and_collect, record))
        self._resolve_requirements()
        self._check_connector_kinds()

    @classmethod
    def _entry_point_order(cls, ep: EntryPoint) -> tuple[int, str]:
        # Built-ins (the preau distribution's own entry points) first, then third parties, each in name order:
        # dispatch order is deterministic.
        return (0 if cls._source_of(ep) == "builtin" else 1, ep.name)

    @staticmethod
    def _source_of(ep: EntryPoint) -> str:
        dist = getattr(ep, "dist", None)
        if dist is not None and dist.metadata["Name"] != "preau":
            return f"{dist.metadata['Name']} {dist.version}"
        return "builtin"

    def _load_one(self, name: str, module: str, source: str, importer: Any, denied: set[str]) -> None:
        if name in self.records:
            return
        record = PluginRecord(name=name, module=module, source=source)
        self.records[name] = record
        if name in denied:
            record.state = PluginState.DENIED
            return
        self._guarded(record, lambda: setattr(record, "plugin", importer()))

    def _guarded(self, record: PluginRecord, step: Callable[[], Any]) -> None:
        """Run one loading step of ``record``; any failure quarantines the plugin."""
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - any failure quarantines the plugin
            self._quarantine(record, _describe(exc))
            log.warning("plugin %s quarantined: %s\n%s", record.name, record.error, traceback.format_exc())

    def _check_and_collect(self, record: PluginRecord) -> None:
        self._check_hooks_known(record)
        self._collect_metadata(record)

    def _check_hooks_known(self, record: PluginRecord) -> None:
        for caller in self.pm.get_hookcallers(record.plugin) or []:
            if caller.spec is None:
                raise ManifestError(f"unknown hook {caller.name!r} (not in the Préau plugin contract)")
        if not any(i.plugin is record.plugin for i in self.pm.hook.preau_app.get_hookimpls()):
            raise ManifestError("the plugin does not implement preau_app (its manifest)")

    def _collect_metadata(self, record: PluginRecord) -> None:
        manifest = self._metadata(record, "preau_app")
        if not isinstance(manifest, AppManifest):
            raise ManifestError("preau_app must return an AppManifest")
        manifest.validate()
        self._check_compatible(manifest)
        if any(r.manifest and r.manifest.id == manifest.id for r in self.records.values() if r.active):
            raise ManifestError(f"another plugin already uses the app id {manifest.id!r}")
        record.manifest, record.version = manifest, manifest.version
        record.rights = self._validated(record, "preau_rights", Right)
        record.widgets = self._validated(record, "preau_widgets", Widget)
        record.connectors = self._validated(record, "preau_connectors", Connector)
        record.menu_items = self._validated(record, "preau_menu_items", MenuItem)
        record.settings = self._listed(record, "preau_settings", SettingSpec)
        record.blueprints = list(self._metadata(record, "preau_blueprints") or [])
        record.api_blueprints = list(self._metadata(record, "preau_api_blueprints") or [])
        record.migrations = self._metadata(record, "preau_migrations")
        record.launchers = self._launchers(record)
        declared = {r.id for r in record.rights}
        guarded: list[Widget | Connector | MenuItem] = [*record.widgets, *record.connectors, *record.menu_items]
        for item in guarded:
            if item.right not in declared:
                raise ManifestError(f"{item.id} needs the undeclared right {item.right!r}")

    def _launchers(self, record: PluginRecord) -> dict[str, Callable[..., Any]]:
        launchers = self._metadata(record, "preau_launchers") or {}
        if not isinstance(launchers, dict):
            raise ManifestError("preau_launchers must return a dict of connector kind → launcher")
        for kind, function in launchers.items():
            if not isinstance(kind, str) or not _KIND.match(kind) or not callable(function):
                raise ManifestError(f"preau_launchers: {kind!r} must be a lower-case kind with a callable launcher")
            if kind in KERNEL_CONNECTOR_KINDS:
                raise ManifestError(f"preau_launchers: the kernel opens {kind!r} connectors itself")
            owner = next((r for r in self.active() if r is not record and kind in r.launchers), None)
            if owner is not None:
                raise ManifestError(f"preau_launchers: {kind!r} connectors are already opened by {owner.app_id}")
        return dict(launchers)

    def _check_connector_kinds(self) -> None:
        """Quarantine the plugins with a connector of a kind nobody opens (the kernel or an active plugin),
        once every plugin's launchers are known; their dependents follow."""
        quarantined = False
        for record in self.active():
            opened = set(KERNEL_CONNECTOR_KINDS) | set(self.launchers())
            unknown = sorted({c.kind for c in record.connectors} - opened)
            if unknown:
                self._quarantine(record, f"connector kind {', '.join(map(repr, unknown))} is opened by no active "
                                         "plugin (declare the plugin that gives its launcher in requires)")
                quarantined = True
        if quarantined:
            self._resolve_requirements()

    def launchers(self) -> dict[str, Callable[..., Any]]:
        """The launchers the active plugins give, by connector kind (``preau_launchers``)."""
        return {kind: function for record in self.active() for kind, function in record.launchers.items()}

    def _metadata(self, record: PluginRecord, hook: str) -> Any:
        """``record``'s answer to a metadata hook: kernel-wide, so every registered wrapper wraps it."""
        return self._call_plugin(record, hook, None, {})

    @staticmethod
    def _check_compatible(manifest: AppManifest) -> None:
        try:
            spec = SpecifierSet(manifest.requires_preau)
        except InvalidSpecifier as exc:
            raise ManifestError(f"requires_preau {manifest.requires_preau!r} is invalid") from exc
        # Checked against the plugin API's version, not the package's: the contract is what a plugin relies on.
        if not spec.contains(_api_version(), prereleases=True):
            raise ManifestError(f"needs Préau {manifest.requires_preau} (plugin API), this Préau offers API "
                                f"{_api_version()}")

    def _resolve_requirements(self) -> None:
        """Quarantine the plugins whose requirement is missing, then order the rest requirements first."""
        changed = True
        while changed:  # a quarantined requirement takes its dependents along, and theirs
            changed = False
            for record in self.active():
                problem = self._unmet_requirement(record)
                if problem:
                    self._quarantine(record, problem)
                    changed = True
        self._order_by_requirements()

    def _unmet_requirement(self, record: PluginRecord) -> str | None:
        assert record.manifest is not None
        for required in record.manifest.requires:
            if self.by_app_id(required) is not None:
                continue
            other = next((r for r in self.records.values() if required in (r.app_id, r.name)), None)
            if other is None:
                return f"requires the plugin {required!r}, which is not installed"
            if other.state == PluginState.DENIED:
                return f"requires the plugin {required!r}, which is denied here (PLUGINS_DENY)"
            return f"requires the plugin {required!r}, which is quarantined ({other.error})"
        return None

    def _order_by_requirements(self) -> None:
        """Requirements load (and answer hooks) before the plugins that name them, soft ones included; the
        order is otherwise kept. A requirement cycle quarantines the plugins in it."""
        records = list(self.records.values())
        by_app = {r.app_id: r for r in records if r.active}
        placed: list[PluginRecord] = []
        done: set[str] = set()

        def place(record: PluginRecord, path: tuple[str, ...]) -> None:
            if record.name in done or not record.active:
                return
            if record.name in path:
                cycle = " → ".join([*path[path.index(record.name):], record.name])
                for name in path[path.index(record.name):]:
                    self._quarantine(self.records[name], f"requirement cycle: {cycle}")
                return
            manifest = record.manifest
            for required in (*manifest.requires, *manifest.optional_requires) if manifest else ():
                if required in by_app:
                    place(by_app[required], (*path, record.name))
            if record.active and record.name not in done:
                done.add(record.name)
                placed.append(record)

        for record in records:
            place(record, ())
        ordered = placed + [r for r in records if r.name not in done]
        if [r.name for r in ordered] == [r.name for r in records]:
            return
        self.records = {r.name: r for r in ordered}
        active = [r for r in ordered if r.active]
        for record in active:
            self.pm.unregister(record.plugin)
        for record in reversed(active):  # pluggy calls the last registered first: answers in load order
            self.pm.register(record.plugin, name=record.name)
        self._callers.clear()

    def _listed(self, record: PluginRecord, hook: str, kind: type) -> list[Any]:
        items = list(self._metadata(record, hook) or [])
        for item in items:
            if not isinstance(item, kind):
                raise ManifestError(f"{hook} must return {kind.__name__} values, got {type(item).__name__}")
        return items

    def _validated(self, record: PluginRecord, hook: str, kind: type) -> list[Any]:
        items = self._listed(record, hook, kind)
        assert record.manifest is not None  # preau_app answered before the other metadata hooks are read
        for item in items:
            item.validate(record.manifest.id)
        return items

    def _quarantine(self, record: PluginRecord, error: str) -> None:
        record.state, record.error = PluginState.BROKEN, error
        if record.plugin is not None and self.pm.is_registered(record.plugin):
            self.pm.unregister(record.plugin)
        self._callers.clear()

    # -- calling ------------------------------------------------------------------------------------
    #
    # Every call goes through pluggy (firstresult, tryfirst/trylast and hook wrappers hold) and names the apps
    # it may reach: ``apps=`` a set of app ids (core apps always answer), or ``apps=KERNEL_WIDE``. The sets
    # come from the enablement helpers (preau.web.apps_for_request, preau.rights.apps_for_user,
    # preau.directory.enablement.enabled_apps).

    def call(self, hook: str, *, apps: AppScope, **kwargs: Any) -> Any:
        """Call ``hook`` once on the plugins ``apps`` reaches and return pluggy's result: the list of their
        non-``None`` answers, or the first non-``None`` one for a ``firstresult`` hook. An error propagates:
        this is the call of rules, whose caller fails closed."""
        reached = self._reached(apps)
        return self._caller(hook, frozenset(r.name for r in reached))(**kwargs)

    def call_each(self, hook: str, *, apps: AppScope, guard: Callable[[], Any] | None = None,
                  **kwargs: Any) -> Iterator[tuple[PluginRecord, Any]]:
        """Call ``hook`` plugin by plugin on those ``apps`` reaches that implement it, never raising.

        Each plugin is called through a pluggy caller restricted to it and to the hook wrappers in reach, so a
        wrapper wraps each plugin's call (and sees a list of that one answer). ``guard()``, if given, returns a
        context manager around each call (a database savepoint, so that a plugin failing half-way leaves
        nothing behind). Yields ``(record, answer)`` in call order; a plugin that raised yields a
        :class:`HookFailure` instead, also kept for administrators.
        """
        reached = self._reached(apps)
        for record in self._implementers(hook, reached):
            try:
                with guard() if guard else nullcontext():
                    result = self._call_plugin(record, hook, reached, kwargs)
                yield record, result
            except Exception as exc:  # noqa: BLE001 - robust by contract
                log.exception("plugin %s failed in %s", record.name, hook)
                yield record, self.note_failure(record.app_id, hook, exc)

    def implementers(self, hook: str, *, apps: AppScope) -> list[PluginRecord]:
        """The active plugins ``apps`` reaches that implement ``hook`` (not only wrap it), in call order."""
        return self._implementers(hook, self._reached(apps))

    def links(self, hook: str, *, apps: AppScope, **kwargs: Any) -> list[AdminLink]:
        """The ``AdminLink`` values a links hook gives (``preau_structure_admin_links``, ``preau_account_links``):
        an invalid one is left out and noted for the plugins' health page, a plugin that fails adds none."""
        links: list[AdminLink] = []
        for record, answer in self.call_each(hook, apps=apps, **kwargs):
            for link in answer if isinstance(answer, list) else []:
                try:
                    if not isinstance(link, AdminLink):
                        raise ManifestError(f"{link!r} is not an AdminLink")
                    link.validate(record.app_id)
                except ManifestError as error:
                    self.note_failure(record.app_id, hook, error)
                    continue
                links.append(link)
        return links

    def note_failure(self, app_id: str, hook: str, exc: BaseException) -> HookFailure:
        """Remember a runtime failure of a plugin (a hook or a widget) so that administrators see it."""
        failure = HookFailure(app_id, hook, _describe(exc))
        record = self.by_app_id(app_id)
        if record is not None:
            record.runtime_errors.append(failure)
        return failure

    def _reached(self, apps: AppScope) -> list[PluginRecord]:
        if isinstance(apps, _KernelWide):
            return self.active()
        if isinstance(apps, str):
            raise TypeError("apps= takes a set of app ids or KERNEL_WIDE")
        keep = set(apps) | self.core_app_ids()
        return [r for r in self.active() if r.app_id in keep]

    def _implementers(self, hook: str, reached: list[PluginRecord]) -> list[PluginRecord]:
        by_plugin = {id(r.plugin): r for r in reached}
        ordered = reversed(getattr(self.pm.hook, hook).get_hookimpls())  # pluggy calls the list's end first
        return [by_plugin[id(i.plugin)] for i in ordered
                if not (i.wrapper or i.hookwrapper) and id(i.plugin) in by_plugin]

    def _wrappers(self, hook: str, reached: list[PluginRecord] | None) -> set[str]:
        """Names of the plugins (among ``reached``, or all registered) holding a wrapper of ``hook``."""
        names = {r.name for r in reached} if reached is not None else None
        return {self.pm.get_name(i.plugin) or "" for i in getattr(self.pm.hook, hook).get_hookimpls()
                if (i.wrapper or i.hookwrapper) and (names is None or self.pm.get_name(i.plugin) in names)}

    def _call_plugin(self, record: PluginRecord, hook: str, reached: list[PluginRecord] | None,
                     kwargs: dict[str, Any]) -> Any:
        """One plugin's answer to ``hook``, its call wrapped by the wrappers of ``reached`` (``None``: all)."""
        caller = self._caller(hook, frozenset({record.name} | self._wrappers(hook, reached)))
        outcome = caller(**kwargs)
        if caller.spec is not None and caller.spec.opts.get("firstresult"):
            return outcome
        if len(outcome) > 1:
            raise TypeError(f"{hook}: {len(outcome)} answers for the one plugin {record.name} (a hook wrapper?)")
        return outcome[0] if outcome else None

    def _caller(self, hook: str, keep: frozenset[str]) -> Any:
        """A pluggy caller of ``hook`` reaching only the registered plugins named in ``keep`` (cached until a
        plugin is registered or quarantined)."""
        key = (hook, keep)
        if key not in self._callers:
            remove = [plugin for name, plugin in self.pm.list_name_plugin() if name not in keep]
            self._callers[key] = self.pm.subset_hook_caller(hook, remove_plugins=remove)
        return self._callers[key]

    # -- queries ------------------------------------------------------------------------------------

    def active(self) -> list[PluginRecord]:
        return [r for r in self.records.values() if r.active]

    def broken(self) -> list[PluginRecord]:
        return [r for r in self.records.values() if r.state == PluginState.BROKEN]

    def by_app_id(self, app_id: str) -> PluginRecord | None:
        return next((r for r in self.active() if r.app_id == app_id), None)

    def all_rights(self) -> dict[str, Right]:
        return {right.id: right for record in self.active() for right in record.rights}

    def core_app_ids(self) -> set[str]:
        return {r.app_id for r in self.active() if r.manifest and r.manifest.core}

    def apps(self) -> list[PluginRecord]:
        """The active plugins that are apps (``kind="app"``): those administrators enable per structure."""
        return [r for r in self.active() if r.manifest is not None and r.manifest.is_app]

    def with_requirements_met(self, app_ids: Iterable[str]) -> set[str]:
        """``app_ids`` (apps enabled somewhere) less those an app they ``require`` is missing from: an app whose
        requirement is off in a structure is off there too. Non-app requirements are always on."""
        kept = set(app_ids)
        needs = {r.app_id: [q for q in r.manifest.requires if (d := self.by_app_id(q)) and d.manifest
                            and d.manifest.is_app] for r in self.active() if r.manifest and r.manifest.requires}
        changed = True
        while changed:
            changed = False
            for app_id in [a for a in kept if needs.get(a)]:
                if any(required not in kept for required in needs[app_id]):
                    kept.discard(app_id)
                    changed = True
        return kept

    def missing_requirements(self, app_id: str, enabled: Iterable[str]) -> tuple[list[str], list[str]]:
        """For the services administration: the apps ``app_id`` requires, then those it optionally requires,
        that are not among ``enabled`` (the apps on in a structure)."""
        record = self.by_app_id(app_id)
        if record is None or record.manifest is None:
            return [], []
        on = set(enabled)

        def off(names: tuple[str, ...]) -> list[str]:
            return [n for n in names if (d := self.by_app_id(n)) is not None and d.manifest is not None
                    and d.manifest.is_app and n not in on]

        return off(record.manifest.requires), off(record.manifest.optional_requires)
