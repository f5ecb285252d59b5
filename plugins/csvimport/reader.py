"""Read one CSV file of the ENT ONE templates: encoding, delimiter, header → fields, profile, rows.

This module knows nothing about the directory: it turns bytes into rows of named fields and reports what it
could not read as :class:`FeedProblem` placed at « fichier, ligne, colonne ». ``feed.py`` builds the Feed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from preau import FeedProblem, Place, PreauError, Profile

# Fields a column can feed. The child_* fields come in (last name, first name, classes) triplets: the k-th
# occurrence of each belongs to the k-th child.
FIELDS = {
    "first_name": _l("Prénom"),
    "last_name": _l("Nom"),
    "birth_date": _l("Date de naissance"),
    "classes": _l("Classe"),
    "email": _l("Courriel"),
    "function": _l("Fonction"),
    "child_last_name": _l("Nom de l'élève"),
    "child_first_name": _l("Prénom de l'élève"),
    "child_classes": _l("Classe de l'élève"),
}
IGNORE = "ignore"
CHILD_FIELDS = ("child_last_name", "child_first_name", "child_classes")

# Header aliases, compared after `normalise` (no case, no accents, punctuation → spaces, no `*`).
ALIASES = {
    "first_name": ("prenom", "first name", "firstname", "given name", "prenom usuel"),
    "last_name": ("nom", "last name", "lastname", "surname", "nom de famille", "family name", "nom d usage"),
    "birth_date": ("date de naissance", "naissance", "date naissance", "birth date", "birthdate", "date of birth"),
    "classes": ("classe", "classes", "class", "division", "divisions"),
    "email": ("email", "e mail", "courriel", "mail", "adresse email", "adresse mail", "adresse electronique"),
    "function": ("fonction", "fonctions", "function", "discipline", "matiere"),
    "child_last_name": ("nom de l eleve", "nom eleve", "nom de l enfant", "nom enfant", "child last name"),
    "child_first_name": ("prenom de l eleve", "prenom eleve", "prenom de l enfant", "prenom enfant",
                         "child first name"),
    "child_classes": ("classes de l eleve", "classe de l eleve", "classe eleve", "classes eleve",
                      "classe de l enfant", "child class"),
    # Known columns of the templates that Préau does not store: ignored without a warning.
    IGNORE: ("telephone", "telephonetravail", "telephone travail", "telephone portable", "portable", "phone",
             "adresse", "address", "cp", "code postal", "postal code", "zip", "ville", "city", "pays", "country"),
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in ALIASES.items() for alias in aliases}

PROFILE_WORDS = {
    Profile.STUDENT: ("eleve", "eleves", "student", "students"),
    Profile.TEACHER: ("enseignant", "enseignants", "teacher", "teachers", "professeur", "professeurs"),
    Profile.PERSONNEL: ("personnel", "personnels", "staff"),
    Profile.RELATIVE: ("parent", "parents", "responsable", "responsables", "relative", "relatives"),
    Profile.GUEST: ("invite", "invites", "guest", "guests"),
}
# What each profile needs, whatever the header marks with `*`.
MANDATORY: dict[str, tuple[str, ...]] = {  # by Profile value
    Profile.STUDENT: ("first_name", "last_name", "birth_date", "classes"),
    Profile.TEACHER: ("first_name", "last_name"),
    Profile.PERSONNEL: ("first_name", "last_name"),
    Profile.RELATIVE: ("first_name", "last_name"),
    Profile.GUEST: ("first_name", "last_name"),
}


_NUL_STAND_IN = "\ufffe"  # a Unicode non-character: never in a real file


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form: « Prénom de l'élève* » → « prenom de l eleve »."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", " ", plain).strip()


class CsvReadError(PreauError):
    """A file that cannot be read at all (encoding, empty, no header): one fatal problem."""

    def __init__(self, problem: FeedProblem):
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class Column:
    index: int
    header: str
    field: str | None  # None: unknown, ignored and listed; IGNORE: known but not stored
    mandatory_mark: bool = False  # the header ends with `*`


@dataclass
class Row:
    line: int
    values: dict[str, str]  # non-repeatable fields → value
    classes: list[tuple[str, str]]  # (column header, class name)
    children: list[dict[str, tuple[str, str]]]  # k-th child: field → (column header, value)


@dataclass
class CsvFile:
    """One decoded file, ready to become feed records."""

    name: str
    encoding: str
    delimiter: str
    columns: list[Column]
    profile: str | None
    rows: list[Row] = field(default_factory=list)
    problems: list[FeedProblem] = field(default_factory=list)
    sample: list[str] = field(default_factory=list)  # the first data line as read, shown beside the mapping

    @property
    def unknown_columns(self) -> list[str]:
        return [c.header for c in self.columns if c.field is None]

    def header_of(self, field_name: str) -> str:
        return next((c.header for c in self.columns if c.field == field_name), str(FIELDS.get(field_name, "")))


def decode(name: str, data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) if it decodes, else Windows-1252 (a superset of Latin-1's printable part)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise CsvReadError(_encoding_problem(name, data, exc.start)) from None
    if "\x00" in text:  # UTF-16/32 and binary files decode as cp1252 with NULs everywhere
        raise CsvReadError(_encoding_problem(name, data, data.index(b"\x00")))
    return text, "cp1252"


def _encoding_problem(name: str, data: bytes, offset: int) -> FeedProblem:
    line = data.count(b"\n", 0, offset) + 1
    return FeedProblem(Place(name, line), str(_l(
        "Encodage non reconnu : le fichier n'est ni en UTF-8 ni en Latin-1/Windows-1252 (octet invalide à la "
        "ligne %(line)s). Enregistrez-le en « CSV UTF-8 » ou « CSV (séparateur : point-virgule) ».", line=line)),
        fatal=True)


def _delimiter(header_line: str) -> str:
    return ";" if ";" in header_line or "," not in header_line else ","


def _profile_from_name(name: str) -> str | None:
    words = set(normalise(name.rsplit("/", 1)[-1]).split())
    found = [profile for profile, names in PROFILE_WORDS.items() if words & set(names)]
    return found[0] if len(found) == 1 else None


def _profile_from_header(columns: list[Column], strong_only: bool) -> str | None:
    fields = {c.field for c in columns}
    marked = {c.field for c in columns if c.mandatory_mark}
    if fields & set(CHILD_FIELDS):
        return Profile.RELATIVE
    if {"birth_date", "classes"} <= marked:  # the students' template marks both mandatory
        return Profile.STUDENT
    if strong_only:
        return None
    if "function" in fields:
        return Profile.TEACHER if "classes" in fields else Profile.PERSONNEL
    return None


def detect_profile(name: str, columns: list[Column], explicit: str | None = None) -> str | None:
    """Explicit choice, else the header when it is unambiguous, else the filename, else header hints."""
    if explicit:
        return explicit
    return (_profile_from_header(columns, strong_only=True) or _profile_from_name(name)
            or _profile_from_header(columns, strong_only=False))


def map_columns(headers: list[str], mapping: dict[str, str] | None = None) -> list[Column]:
    """Explicit mapping first (keys compared like headers), then the aliases; unknown columns get None."""
    explicit = {normalise(k): v for k, v in (mapping or {}).items()}
    columns = []
    for index, header in enumerate(headers):
        header = header.strip()
        key = normalise(header)
        target = explicit.get(key) if key in explicit else _ALIAS_TO_FIELD.get(key)
        if target == "":
            target = IGNORE
        columns.append(Column(index, header, target, header.rstrip().endswith("*")))
    return columns


def check_mapping(name: str, headers: list[str], mapping: dict[str, str] | None) -> list[FeedProblem]:
    problems = []
    known = {normalise(h) for h in headers}
    for header, target in (mapping or {}).items():
        if target not in FIELDS and target not in ("", IGNORE):
            problems.append(FeedProblem(Place(name, 1, header), str(_l(
                "Correspondance invalide : « %(target)s » n'est pas un champ connu (%(fields)s).",
                target=target, fields=", ".join(FIELDS))), fatal=True))
        elif normalise(header) not in known:
            problems.append(FeedProblem(Place(name, 1, header), str(_l(
                "Correspondance ignorée : le fichier n'a pas de colonne « %(column)s ».", column=header))))
    return problems


def read_file(name: str, data: bytes, *, profile: str | None = None,
              mapping: dict[str, str] | None = None) -> CsvFile:
    """Decode and split one file; problems of the header (fatal) and of each line go to ``problems``."""
    text, encoding = decode(name, data)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise CsvReadError(FeedProblem(Place(name, 1), str(_l("Le fichier est vide.")), fatal=True))
    delimiter = _delimiter(first)
    # The csv module stops at a NUL: it crosses the parser as a stand-in and comes back in the values, where
    # the import engine reports it at its file, line and column.
    reader = csv.reader(io.StringIO(text.replace("\x00", _NUL_STAND_IN), newline=""), delimiter=delimiter)
    headers = [h.replace(_NUL_STAND_IN, "\x00") for h in next(reader)]
    columns = map_columns(headers, mapping)
    if profile and profile not in MANDATORY:
        profile = _profile_from_name(profile) or profile  # « eleves », « Enseignants »… are accepted too
    if profile and profile not in MANDATORY:
        raise CsvReadError(FeedProblem(Place(name, 1), str(_l(
            "Profil inconnu « %(profile)s » (attendu : %(profiles)s).", profile=profile,
            profiles=", ".join(MANDATORY))), fatal=True))
    csv_file = CsvFile(name, encoding, delimiter, columns, detect_profile(name, columns, profile))
    csv_file.problems.extend(check_mapping(name, headers, mapping))
    if csv_file.profile is None:
        csv_file.sample = next((v for v in reader if any(x.strip() for x in v)), [])
        csv_file.problems.append(FeedProblem(Place(name, 1), str(_l(
            "Profil inconnu : l'en-tête et le nom du fichier ne disent pas s'il s'agit d'élèves, d'enseignants, "
            "de personnels, de parents ou d'invités. Choisissez le profil du fichier.")), fatal=True))
        return csv_file
    _check_header(csv_file, csv_file.profile)
    try:
        for values in reader:
            if any(v.strip() for v in values):
                values = [v.replace(_NUL_STAND_IN, "\x00") for v in values]
                csv_file.sample = csv_file.sample or values
                csv_file.rows.append(_row(csv_file, reader.line_num, values))
    except csv.Error as exc:  # a field over the csv module's limit (128 Kio), a quote never closed…
        raise CsvReadError(FeedProblem(Place(name, reader.line_num + 1), str(_l(
            "Ligne illisible : %(reason)s.", reason=str(exc))), fatal=True)) from None
    return csv_file


def _check_header(csv_file: CsvFile, profile: str) -> None:
    fields = {c.field for c in csv_file.columns}
    for name in MANDATORY[profile]:
        if name not in fields:
            csv_file.problems.append(FeedProblem(Place(csv_file.name, 1, str(FIELDS[name])), str(_l(
                "Colonne obligatoire absente : « %(column)s ».", column=FIELDS[name])), fatal=True))
    for column in csv_file.columns:
        if column.field is None and column.header:
            csv_file.problems.append(FeedProblem(Place(csv_file.name, 1, column.header), str(_l(
                "Colonne inconnue ignorée : « %(column)s ».", column=column.header))))


def _row(csv_file: CsvFile, line: int, values: list[str]) -> Row:
    row = Row(line, {}, [], [])
    seen: dict[str, int] = {}
    for column in csv_file.columns:
        if column.field in (None, IGNORE):
            continue
        value = values[column.index].strip() if column.index < len(values) else ""
        if column.field == "classes":
            if value:
                row.classes.append((column.header, value))
        elif column.field in CHILD_FIELDS:
            k = seen.get(column.field, 0)
            seen[column.field] = k + 1
            while len(row.children) <= k:
                row.children.append({})
            row.children[k][column.field] = (column.header, value)
        elif column.field not in row.values:
            row.values[column.field] = value
    row.children = [c for c in row.children if any(v for _h, v in c.values())]
    return row
