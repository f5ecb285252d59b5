"""The marketplace: installed plugins, and a plugin index telling what could be installed (docs/plugin-index.md).

Reading an index never installs anything: installing code stays an operator action (pip), enabling it stays an
administrator action. Errors name the line and the field, for ``preau plugins index FILE`` and for the page.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from ..errors import PreauError

SAMPLE_INDEX = Path(__file__).with_name("plugin-index.sample.json")
MAX_INDEX_BYTES = 2 * 1024 * 1024
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_DISTRIBUTION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_FIELDS = {"name": str, "distribution": str, "version": str, "description": str, "editor": str, "preau": str,
           "homepage": str, "screenshots": list}
_OPTIONAL = {"homepage", "screenshots"}


@dataclass(frozen=True)
class IndexIssue:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line}, champ {self.field} : {self.message}"


@dataclass(frozen=True)
class IndexEntry:
    name: str
    distribution: str
    version: str
    description: str
    editor: str
    preau: str
    homepage: str = ""
    screenshots: tuple[str, ...] = ()

    @property
    def pip_command(self) -> str:
        return f"pip install '{self.distribution}=={self.version}'"

    def compatible_with(self, version: str) -> bool:
        return Version(version) in SpecifierSet(self.preau)


class IndexError_(PreauError, ValueError):  # noqa: N801 - "IndexError" is a builtin
    """A plugin index that breaks its format: every issue found, with its line."""

    def __init__(self, issues: list[IndexIssue]) -> None:
        super().__init__("; ".join(map(str, issues)))
        self.issues = issues


class _Located(dict):
    """A JSON object that remembers the line of each of its keys."""

    line: int = 1
    key_lines: dict[str, int]


def _loads_located(text: str) -> Any:
    """``json.loads`` whose objects know the line of their keys (pure-Python scanner, small files only)."""
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, *args, **kwargs):
        s, end = s_and_end
        obj, new_end = json.decoder.JSONObject(s_and_end, *args, **kwargs)
        located = _Located(obj)
        located.line = s.count("\n", 0, end) + 1
        located.key_lines = {}
        for key in obj:
            match = re.compile(re.escape(json.dumps(key)) + r"\s*:").search(s, end - 1, new_end)
            located.key_lines[key] = s.count("\n", 0, match.start()) + 1 if match else located.line
        return located, new_end

    # The stdlib's pure-Python scanner reads these two attributes; typeshed declares neither.
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


def _is_url(value: str) -> bool:
    return bool(re.match(r"^https?://[^\s/]+\.[^\s]*$", value))


def _check_entry(raw: Any, position: int, issues: list[IndexIssue]) -> IndexEntry | None:
    where = f"plugins[{position}]"
    if not isinstance(raw, _Located):
        issues.append(IndexIssue(1, where, "doit être un objet"))
        return None
    before = len(issues)

    def issue(key: str, message: str) -> None:
        issues.append(IndexIssue(raw.key_lines.get(key, raw.line), f"{where}.{key}", message))

    for key, kind in _FIELDS.items():
        if key not in raw:
            if key not in _OPTIONAL:
                issues.append(IndexIssue(raw.line, f"{where}.{key}", "champ obligatoire manquant"))
        elif not isinstance(raw[key], kind):
            issue(key, "doit être " + ("une liste" if kind is list else "une chaîne"))
    for key in sorted(set(raw) - set(_FIELDS)):
        issue(key, "champ inconnu")
    if len(issues) > before:
        return None
    if not _NAME.match(raw["name"]):
        issue("name", f"doit respecter {_NAME.pattern}")
    if not _DISTRIBUTION.match(raw["distribution"]):
        issue("distribution", "nom de paquet PyPI invalide")
    try:
        Version(raw["version"])
    except InvalidVersion:
        issue("version", f"version invalide : {raw['version']!r}")
    try:
        SpecifierSet(raw["preau"])
    except InvalidSpecifier:
        issue("preau", f"contrainte de version invalide : {raw['preau']!r}")
    for key in ("description", "editor"):
        if not raw[key].strip():
            issue(key, "ne doit pas être vide")
    if raw.get("homepage") and not _is_url(raw["homepage"]):
        issue("homepage", "doit être une adresse http(s)")
    if any(not isinstance(s, str) or not _is_url(s) for s in raw.get("screenshots", [])):
        issue("screenshots", "doit être une liste d'adresses http(s)")
    if len(issues) > before:
        return None
    return IndexEntry(raw["name"], raw["distribution"], raw["version"], raw["description"], raw["editor"],
                      raw["preau"], raw.get("homepage", ""), tuple(raw.get("screenshots", [])))


def parse_index(text: str) -> list[IndexEntry]:
    """The entries of an index, or :class:`IndexError_` listing every issue with its line and field."""
    try:
        data = _loads_located(text)
    except json.JSONDecodeError as error:
        raise IndexError_([IndexIssue(error.lineno, "(JSON)", f"JSON invalide : {error.msg}")]) from None
    if not isinstance(data, _Located):
        raise IndexError_([IndexIssue(1, "(racine)", 'doit être un objet {"format": 1, "plugins": [...]}')])
    issues: list[IndexIssue] = []
    if data.get("format") != 1:
        issues.append(IndexIssue(data.key_lines.get("format", data.line), "format", "doit valoir 1"))
    plugins = data.get("plugins")
    if not isinstance(plugins, list):
        issues.append(IndexIssue(data.key_lines.get("plugins", data.line), "plugins", "doit être une liste"))
        raise IndexError_(issues)
    entries, seen = [], set()
    for position, raw in enumerate(plugins):
        entry = _check_entry(raw, position, issues)
        if entry is None:
            continue
        if entry.name in seen:
            issues.append(IndexIssue(raw.key_lines["name"], f"plugins[{position}].name",
                                     f"{entry.name!r} apparaît deux fois"))
        seen.add(entry.name)
        entries.append(entry)
    if issues:
        raise IndexError_(issues)
    return entries


def read_index_text(source: str | None) -> str:
    """The index text from a file path or an http(s) URL (``PLUGIN_INDEX``); the sample by default."""
    if not source:
        return SAMPLE_INDEX.read_text(encoding="utf-8")
    if source.startswith(("https://", "http://")):
        with urllib.request.urlopen(source, timeout=5) as response:  # noqa: S310 - scheme checked above
            return response.read(MAX_INDEX_BYTES + 1)[:MAX_INDEX_BYTES].decode("utf-8")
    return Path(source).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Offer:
    """An index entry as the marketplace shows it."""

    entry: IndexEntry
    installed_version: str | None
    compatible: bool


def offers(entries: list[IndexEntry], installed: dict[str, str], api_version: str) -> list[Offer]:
    """Each entry with the installed version of that plugin (by name), and whether this Préau's plugin API
    (``preau.API_VERSION``, what a manifest's ``requires_preau`` is checked against) suits it."""
    return [Offer(e, installed.get(e.name), e.compatible_with(api_version)) for e in entries]
