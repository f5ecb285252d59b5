"""Typed values that plugins return from their hooks.

Hooks return these dataclasses, never bare dicts or HTML strings: the kernel validates them at load time and
templates render them through named slots.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .errors import PreauError
from .icons import DEFAULT_ICON, colour_problem, icon_hint, is_icon

_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_RIGHT_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}\.[a-z][a-z0-9_.]{1,60}$")


class Profile(enum.StrEnum):
    """The five profiles of an ENT. The value is stored in the database."""

    TEACHER = "teacher"
    STUDENT = "student"
    RELATIVE = "relative"
    PERSONNEL = "personnel"
    GUEST = "guest"


def N_(message: str) -> str:
    """Mark a msgid for extraction (``pybabel extract``); it is translated where it is displayed."""
    return message


PROFILE_LABELS: dict[str, str] = {  # keyed by Profile, looked up with stored values too
    Profile.TEACHER: N_("Enseignant"),
    Profile.STUDENT: N_("Élève"),
    Profile.RELATIVE: N_("Parent"),
    Profile.PERSONNEL: N_("Personnel"),
    Profile.GUEST: N_("Invité"),
}

THEMES = (N_("Pédagogie"), N_("Vie scolaire"), N_("Communication"), N_("Ressources"), N_("Orientation"),
          N_("Outils"))
WIDGET_SIZES = ("miniature", "apercu", "large")
# The connector kinds the kernel opens itself; plugins open others (``preau_launchers``).
KERNEL_CONNECTOR_KINDS = ("link", "cas", "saml")
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class ManifestError(PreauError, ValueError):
    """A plugin returned a value that breaks the plugin contract (a fault of that plugin: 500)."""

    status = 500


# What a plugin is: an app (enabled per structure, reaching people through its rights), a directory source (an
# importer run by administrators) or a service (kernel-wide hooks only: commands, jobs, rules). Only apps are
# listed in the services administration.
PLUGIN_KINDS = ("app", "directory_source", "service")


def check_look(where: str, icon: str, colour: str) -> None:
    """A manifest's icon must be one of the bundled set, its colour (if any) readable under white text."""
    if not is_icon(icon):
        raise ManifestError(f"{where}: icon {icon!r} is not in Préau's icon set; {icon_hint(icon)}")
    problem = colour_problem(colour) if colour else None
    if problem:
        raise ManifestError(f"{where}: {problem}")


@dataclass(frozen=True)
class AppManifest:
    """The one metadata object of a plugin (returned by ``preau_app``).

    ``requires_preau`` is a PEP 440 range checked against :data:`preau.API_VERSION` (the plugin API, not the
    package version). ``requires`` names the app ids this plugin cannot work without: it is quarantined when one
    is not installed or quarantined, loads after them, and is off in a structure where one of them is off.
    ``optional_requires`` names plugins it uses when they are there (it loads without them and hides what needs
    them where they are off). A plugin imports another only if it names it in one of the two, and only that
    plugin's public module. ``kind`` says what the plugin is (:data:`PLUGIN_KINDS`): only ``"app"`` plugins are
    enabled per structure and shown in the services administration.

    ``icon`` names an icon of the bundled set (:func:`preau.icon_names`, e.g. ``"school"``); ``colour`` is the
    CSS hex colour of its tile (white text on it must reach a contrast of 4.5:1), empty for its theme's colour.
    """

    id: str
    name: str
    version: str
    editor: str
    theme: str = "Outils"
    description: str = ""
    icon: str = DEFAULT_ICON
    colour: str = ""
    requires_preau: str = ">=1.0,<2"
    default_profiles: tuple[Profile, ...] = ()
    entry_endpoint: str | None = None
    core: bool = False  # core apps answer for everyone, whatever the enablement
    requires: tuple[str, ...] = ()
    optional_requires: tuple[str, ...] = ()
    kind: str = "app"

    def __post_init__(self) -> None:
        # Lists are welcome in a manifest (requires=["pronote"]); stored as tuples, the manifest stays hashable.
        for name in ("requires", "optional_requires", "default_profiles"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    @property
    def is_app(self) -> bool:
        return self.kind == "app"

    def validate(self) -> None:
        if not _ID.match(self.id):
            raise ManifestError(f"app id {self.id!r} must match {_ID.pattern}")
        if self.theme not in THEMES:
            raise ManifestError(f"app {self.id}: theme {self.theme!r} is not one of {THEMES}")
        if not self.name or not self.version or not self.editor:
            raise ManifestError(f"app {self.id}: name, version and editor are required")
        if self.kind not in PLUGIN_KINDS:
            raise ManifestError(f"app {self.id}: kind {self.kind!r} is not one of {PLUGIN_KINDS}")
        if not self.is_app and (self.default_profiles or self.entry_endpoint or self.core):
            raise ManifestError(f"app {self.id}: a {self.kind} has no default profiles, entry point or core flag")
        check_look(f"app {self.id}", self.icon, self.colour)
        self._validate_requirements()

    def _validate_requirements(self) -> None:
        for required in (*self.requires, *self.optional_requires):
            if not isinstance(required, str) or not _ID.match(required):
                raise ManifestError(f"app {self.id}: requirement {required!r} is not an app id")
            if required == self.id:
                raise ManifestError(f"app {self.id}: a plugin cannot require itself")
        named = (*self.requires, *self.optional_requires)
        if len(set(named)) != len(named):
            raise ManifestError(f"app {self.id}: each requirement is named once, in requires or optional_requires")


@dataclass(frozen=True)
class Right:
    """A right a plugin declares, e.g. ``messaging.access``. The app id prefixes the right id.

    ``label`` names it in French (a msgid) and ``description`` (a msgid, default ``""``) says in one sentence what
    it lets a person do: administrators read both in the "Applications et connecteurs" page, never the raw id."""

    id: str
    label: str
    default_profiles: tuple[Profile, ...] = ()
    description: str = ""

    @property
    def app_id(self) -> str:
        return self.id.split(".", 1)[0]

    def validate(self, app_id: str) -> None:
        if not _RIGHT_ID.match(self.id) or self.app_id != app_id:
            raise ManifestError(f"right {self.id!r} must look like '{app_id}.something'")


@dataclass(frozen=True)
class Widget:
    """A dashboard widget. ``render(user, size)`` returns an HTML fragment (already escaped) for that
    :class:`preau.User` and one of its ``sizes``."""

    id: str
    title: str
    render: Callable[[Any, str], str]  # (a preau.User, a size): Any, as this module sits below the models
    right: str
    sizes: tuple[str, ...] = WIDGET_SIZES
    default_profiles: tuple[Profile, ...] = ()
    placeable: bool = True  # False: users may not add it themselves (it comes only if mandatory)
    mandatory: bool = False  # always on the dashboard of those it reaches, first; cannot be removed nor moved
    # Beyond the grant, whether the widget is for this person: ``shown_to(user, roles)`` (the roles they act
    # with) → bool, e.g. parents only, or only where a child's school uses some source. ``None``: whoever the
    # right reaches. Called once per request that lists the person's widgets; it may query (keep it to one).
    shown_to: Callable[[Any, list[Any]], bool] | None = None

    def validate(self, app_id: str) -> None:
        if not self.id.startswith(app_id + "."):
            raise ManifestError(f"widget {self.id!r} must be prefixed with '{app_id}.'")
        bad = set(self.sizes) - set(WIDGET_SIZES)
        if bad or not self.sizes:
            raise ManifestError(f"widget {self.id}: sizes must be among {WIDGET_SIZES}")


@dataclass(frozen=True)
class Connector:
    """An SSO connector or link tile towards an external service."""

    id: str
    name: str
    kind: str
    url: str
    right: str
    attributes: tuple[str, ...] = ("login",)
    reauthenticate: bool = False
    launch_urls: dict[str, str] = field(default_factory=dict)  # per profile value, overrides url

    def validate(self, app_id: str) -> None:
        # Whether some plugin opens the kind is checked by the registry, once every plugin's launchers are known.
        if not _KIND.match(self.kind):
            raise ManifestError(f"connector {self.id}: kind {self.kind!r} must be a lower-case name")
        for url in (self.url, *self.launch_urls.values()):
            # "{url}…": the whole base comes from a setting, checked when the launch page fills it
            if not url.startswith(("https://", "http://", "{")):
                raise ManifestError(f"connector {self.id}: {url!r} must be an http(s) URL")

    def url_for_profile(self, profiles: set[str]) -> str:
        for profile, url in self.launch_urls.items():
            if profile in profiles:
                return url
        return self.url


MENU_PLACEMENTS = ("apps", "bar")


@dataclass(frozen=True)
class MenuItem:
    """An entry in "Mes Applis" (``placement="apps"``) or the permanent bar (``placement="bar"``).

    ``badge(user) -> int``, if given, is a count shown next to the entry (e.g. unread messages); it is called
    robustly: a badge that raises shows nothing."""

    id: str
    label: str
    url: str
    right: str
    theme: str = "Outils"
    icon: str = DEFAULT_ICON  # a name of preau.icon_names()
    colour: str = ""  # a CSS hex colour readable under white text; empty: the theme's
    placement: str = "apps"
    badge: Callable[[Any], int] | None = None  # (a preau.User): Any, see Widget.render

    def validate(self, app_id: str) -> None:
        if not self.id.startswith(app_id + "."):
            raise ManifestError(f"menu item {self.id!r} must be prefixed with '{app_id}.'")
        if self.placement not in MENU_PLACEMENTS:
            raise ManifestError(f"menu item {self.id}: placement {self.placement!r} not in {MENU_PLACEMENTS}")
        local = self.url.startswith("/") and not self.url.startswith("//")
        if not (local or self.url.startswith(("https://", "http://"))):
            raise ManifestError(f"menu item {self.id}: {self.url!r} must be a local path or an http(s) URL")
        if self.theme not in THEMES:
            raise ManifestError(f"menu item {self.id}: theme {self.theme!r} is not one of {THEMES}")
        check_look(f"menu item {self.id}", self.icon, self.colour)


@dataclass(frozen=True)
class AdminLink:
    """A link a plugin adds to a structure's administration page (``preau_structure_admin_links``), under the
    kernel's own links: e.g. the GAR plugin's "export the directory to the GAR" of a school.

    ``id`` is prefixed with the app id; ``label`` is a msgid (``N_``), translated when the page shows it; ``url``
    is a local path (usually under ``/apps/<app id>/``), whose view checks the administrator's scope itself."""

    id: str
    label: str
    url: str

    def validate(self, app_id: str) -> None:
        if not self.id.startswith(app_id + "."):
            raise ManifestError(f"admin link {self.id!r} must be prefixed with '{app_id}.'")
        if not self.url.startswith("/") or self.url.startswith("//"):
            raise ManifestError(f"admin link {self.id}: {self.url!r} must be a local path")
        if not self.label:
            raise ManifestError(f"admin link {self.id}: a label is required")


@dataclass(frozen=True)
class SettingSpec:
    """A setting a plugin declares, looked up profile → structure → platform."""

    key: str
    label: str
    default: Any
    kind: str = "str"  # str, int, bool


@dataclass(frozen=True)
class CommunicationLink:
    """An extra "from group → to group" link contributed by a plugin."""

    from_group_id: int
    to_group_id: int


@dataclass(frozen=True)
class SourceOption:
    """An option a directory source asks the administrator for (shown on the imports page, ``--option`` in the
    command line). ``kind``: str, bool, choice (one of ``choices``, pairs of value and label) or structure."""

    id: str
    label: str
    kind: str = "str"
    default: Any = None
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""


@dataclass(frozen=True)
class DirectorySource:
    """An importer of directory data (AAF, CSV, ONDE…).

    ``read(paths, options)`` reads files (a list of :class:`pathlib.Path`: files, directories or zip archives)
    into a :class:`preau.Feed` without touching the database; the kernel's import engine plans and applies it.
    It raises ``preau.FeedError`` (a fatal problem naming the file and line) or records problems in the feed.
    ``accepts`` lists the file suffixes the upload form takes; ``academy_wide`` sources (AAF) are run by super
    administrators only, the others by the administrators of the target structure. ``inspect(name, data)``, if
    given, describes one uploaded file for the column mapping page (:mod:`preau.admin.csv_import`).
    """

    id: str
    label: str
    read: Callable[..., Any]
    accepts: tuple[str, ...] = (".xml", ".zip")
    multiple: bool = True
    options: tuple[SourceOption, ...] = ()
    academy_wide: bool = False
    description: str = ""
    inspect: Callable[..., Any] | None = None


class Recipient(NamedTuple):
    """A person a message would reach, as ``preau_communication_vetoes`` sees them: the public fields of their
    account, read-only and without roles (a rule that needs more reads it in one query for the whole set)."""

    id: int
    login: str
    first_name: str
    last_name: str
    display_name: str
    state: str
    source: str
    external_id: str | None


class Recipients(tuple[Recipient, ...]):
    """The people a sender wants to reach, given to ``preau_communication_vetoes``: a tuple of :class:`Recipient`
    and their ``ids`` (a rule by id reads nothing else)."""

    __slots__ = ()

    @property
    def ids(self) -> frozenset[int]:
        return frozenset(person.id for person in self)
