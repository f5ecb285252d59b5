"""The connector catalogue: pre-configured French education services, shipped as data (``catalogue.json``).

An entry is checked when the file is read: a bad catalogue is a packaging bug, so it fails loudly (and a test
reads it). Placeholders such as ``{uai}`` in URL templates are either built in (``uai``: the structure's UAI in
lower case) or declared as a non-secret field the administrator fills per structure; values are restricted to
host-name characters so that no value can change the shape of the URL.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import PreauError
from ..icons import colour_problem, icon_hint, is_icon
from ..types import THEMES, Profile

CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")
BUILT_IN_PLACEHOLDERS = frozenset({"uai"})
PLACEHOLDER_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$")
CONNECTOR_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_PROFILES = {p.value for p in Profile}


class CatalogueError(PreauError, ValueError):
    """The catalogue file breaks its schema (a fault of the installation: 500)."""

    status = 500


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    secret: bool = False
    required: bool = True


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    name: str
    editor: str
    kind: str
    theme: str
    icon: str  # a name of the bundled icon set
    colour: str  # the tile's CSS hex colour, readable under white text
    url: str
    launch_urls: dict[str, str]
    default_profiles: tuple[str, ...]
    reauthenticate: bool
    help: str
    fields: tuple[Field, ...]

    @property
    def placeholders(self) -> set[str]:
        return set().union(*(placeholders_of(u) for u in (self.url, *self.launch_urls.values())))

    def template_for(self, profiles: set[str]) -> str:
        for profile, url in self.launch_urls.items():
            if profile in profiles:
                return url
        return self.url


def placeholders_of(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None}


def _check_template(where: str, template: Any, allowed: set[str]) -> None:
    if not isinstance(template, str):
        raise CatalogueError(f"{where}: URL template must be a string")
    try:
        names = placeholders_of(template)
    except ValueError as error:
        raise CatalogueError(f"{where}: malformed placeholder in {template!r} ({error})") from None
    unknown = names - allowed
    if unknown:
        raise CatalogueError(f"{where}: unknown placeholder(s) {sorted(unknown)} in {template!r}")
    sample = urlsplit(template.format(**{n: "x" for n in names}))
    if sample.scheme != "https" or not sample.netloc:
        raise CatalogueError(f"{where}: {template!r} must be an https URL")


def parse_entry(raw: Any, position: int) -> CatalogueEntry:
    where = f"connectors[{position}]"
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: must be an object")
    required = {"id": str, "name": str, "editor": str, "kind": str, "theme": str, "icon": str, "colour": str,
                "url": str,
                "default_profiles": list, "reauthenticate": bool, "help": str, "fields": list}
    for key, kind in required.items():
        if not isinstance(raw.get(key), kind):
            raise CatalogueError(f"{where}.{key}: required, a {kind.__name__}")
    extra = set(raw) - set(required) - {"launch_urls"}
    if extra:
        raise CatalogueError(f"{where}: unknown keys {sorted(extra)}")
    where = f"connectors[{position}] ({raw['id']})"
    if not _ID.match(raw["id"]):
        raise CatalogueError(f"{where}.id: must match {_ID.pattern}")
    # A kind a plugin opens (lti13…): without that plugin the entry's tiles open nothing (404).
    if not CONNECTOR_KIND.match(raw["kind"]):
        raise CatalogueError(f"{where}.kind: a lower-case connector kind")
    if raw["theme"] not in THEMES:
        raise CatalogueError(f"{where}.theme: must be one of {THEMES}")
    if not is_icon(raw["icon"]):
        raise CatalogueError(f"{where}.icon: {raw['icon']!r} is not in the icon set; {icon_hint(raw['icon'])}")
    problem = colour_problem(raw["colour"])
    if problem:
        raise CatalogueError(f"{where}.colour: {problem}")
    if not set(raw["default_profiles"]) <= _PROFILES:
        raise CatalogueError(f"{where}.default_profiles: profiles are among {sorted(_PROFILES)}")
    if not raw["name"].strip() or not raw["editor"].strip() or not raw["help"].strip():
        raise CatalogueError(f"{where}: name, editor and help must not be empty")
    fields = []
    for index, field in enumerate(raw["fields"]):
        if not isinstance(field, dict) or not _ID.match(str(field.get("key", ""))) or not field.get("label"):
            raise CatalogueError(f"{where}.fields[{index}]: needs a key ({_ID.pattern}) and a label")
        fields.append(Field(field["key"], field["label"], bool(field.get("secret", False)),
                            bool(field.get("required", True))))
    launch_urls = raw.get("launch_urls", {})
    if not isinstance(launch_urls, dict) or not set(launch_urls) <= _PROFILES:
        raise CatalogueError(f"{where}.launch_urls: an object keyed by profile")
    allowed = set(BUILT_IN_PLACEHOLDERS) | {f.key for f in fields if not f.secret}
    for key, template in [("url", raw["url"]), *((f"launch_urls.{p}", u) for p, u in launch_urls.items())]:
        _check_template(f"{where}.{key}", template, allowed)
    return CatalogueEntry(raw["id"], raw["name"], raw["editor"], raw["kind"], raw["theme"], raw["icon"], raw["colour"],
                          raw["url"],
                          dict(launch_urls), tuple(raw["default_profiles"]), raw["reauthenticate"], raw["help"],
                          tuple(fields))


def parse_catalogue(data: Any) -> dict[str, CatalogueEntry]:
    if not isinstance(data, dict) or data.get("format") != 1 or not isinstance(data.get("connectors"), list):
        raise CatalogueError('the catalogue is {"format": 1, "connectors": [...]}')
    entries: dict[str, CatalogueEntry] = {}
    for position, raw in enumerate(data["connectors"]):
        entry = parse_entry(raw, position)
        if entry.id in entries:
            raise CatalogueError(f"connectors[{position}].id: {entry.id!r} is already used")
        entries[entry.id] = entry
    return entries


@cache
def catalogue() -> dict[str, CatalogueEntry]:
    """The shipped catalogue, by id (read once per process)."""
    return parse_catalogue(json.loads(CATALOGUE_PATH.read_text(encoding="utf-8")))
