"""CSV directory source: the ENT ONE templates (Élèves, Enseignants, Personnels, Parents, Invités).

The administrator picks ONE target structure; every person of the files belongs to it. See ``feed.py`` for the
identity rule that lets a re-import find the same people, and docs/csv_import.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from preau import (
    N_,
    PROFILE_LABELS,
    AppManifest,
    DirectorySource,
    Feed,
    FeedError,
    FeedProblem,
    Place,
    Profile,
    SourceOption,
    ZipRefused,
    __version__,
    hookimpl,
    is_zip,
    open_zip,
)

from .describe import describe_file
from .feed import CsvInput, read_feed

__all__ = ["CsvInput", "read_feed", "read", "inputs_from_paths", "parse_mapping"]

MAX_ZIP_BYTES = 20 * 1024 * 1024  # decompressed, all members together
PROFILE_CHOICES = (("", N_("Détecté (en-tête ou nom du fichier)")),
                   *((str(p), PROFILE_LABELS[p]) for p in (Profile.STUDENT, Profile.TEACHER, Profile.PERSONNEL,
                                                            Profile.RELATIVE, Profile.GUEST)))


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(
        id="csvimport", name=N_("Import CSV"), version=__version__, editor="Préau", theme="Outils",
        description=N_("Import de l'annuaire d'un établissement depuis les modèles CSV ENT ONE."),
        icon="file-spreadsheet", colour="#44546a",
        kind="directory_source")  # an importer: never an app to enable in the services administration


@hookimpl
def preau_directory_sources() -> list[DirectorySource]:
    return [DirectorySource(
        id="csv", label=N_("CSV (modèles ENT ONE)"), read=read, inspect=describe_file, accepts=(".csv", ".txt", ".zip"),
        description=N_("Un fichier par profil (Élèves, Enseignants, Personnels, Parents, Invités), en UTF-8 ou "
                       "Latin-1, séparateur « ; ». Tous les comptes sont rattachés à cette structure."),
        options=(
            SourceOption("profile", N_("Profil des fichiers"), kind="choice", default="", choices=PROFILE_CHOICES),
            SourceOption("mapping", N_("Correspondance des colonnes (JSON)"), default="",
                         help=MAPPING_HELP),
        ))]


# One msgid (translated where shown): the fields are spelt out, and a test keeps them equal to reader.FIELDS.
MAPPING_HELP = N_('Par exemple {"Prénom usuel": "first_name"} ; champs : first_name, last_name, birth_date, '
                  'classes, email, function, child_last_name, child_first_name, child_classes')


def parse_mapping(value: Any) -> dict[str, Any] | None:
    """The mapping option: a dict, or its JSON text; empty means the default mapping."""
    if value in (None, "", {}):
        return None
    if isinstance(value, dict):
        return value
    try:
        mapping = json.loads(value)
    except ValueError as exc:
        raise FeedError(_("Correspondance des colonnes : JSON invalide (%(detail)s).", detail=str(exc))) from None
    if not isinstance(mapping, dict):
        raise FeedError(_('Correspondance des colonnes : un objet JSON {"en-tête": "champ"} est attendu.'))
    return mapping


def _per_file(value: Any, name: str) -> Any:
    """An option given for every file, or per file name ({"eleves.csv": …})."""
    if isinstance(value, dict) and name in value:
        return value[name]
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        return None  # a per-file mapping that does not name this file
    return value


def _files(paths: Iterable[Path]) -> Iterable[tuple[str, bytes]]:
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.suffix.lower() in (".csv", ".txt"):
                    yield child.name, child.read_bytes()
        elif is_zip(path):
            yield from _zip_members(path)
        else:
            yield path.name, path.read_bytes()


def _zip_members(path: Path) -> Iterable[tuple[str, bytes]]:
    """The CSV files of an archive, read whole (the reader needs bytes): a school's files are a few MB, so the
    archive may not expand past ``MAX_ZIP_BYTES`` whatever the configured limits for AAF feeds."""
    try:
        with open_zip(path, suffixes=(".csv", ".txt"), max_total_bytes=MAX_ZIP_BYTES) as archive:
            for member in archive.members:
                yield member.filename.rsplit("/", 1)[-1], archive.read(member)
    except ZipRefused as exc:
        raise FeedError(str(exc), [FeedProblem(Place(path.name), str(exc), fatal=True)]) from None


def inputs_from_paths(paths: Iterable[Path], options: dict[str, Any]) -> list[CsvInput]:
    profile, mapping = options.get("profile") or None, options.get("mapping") or None
    if isinstance(mapping, str):
        mapping = parse_mapping(mapping)
    return [CsvInput(name, data, profile=_per_file(profile, name) or None,
                     mapping=parse_mapping(_per_file(mapping, name)))
            for name, data in _files(paths)]


def read(paths: list[Path], options: dict[str, Any] | None = None) -> Feed:
    """The source's reader: CSV files, directories of them or zip archives → one feed for the target structure."""
    options = options or {}
    structure_id = options.get("structure_id")
    if structure_id in (None, ""):
        raise FeedError("Import CSV : choisissez la structure cible (--structure).")
    inputs = inputs_from_paths(paths, options)
    if not inputs:
        raise FeedError("Import CSV : aucun fichier .csv fourni.")
    return read_feed(inputs, int(structure_id))
