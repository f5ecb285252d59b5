"""Turn decoded CSV files into one :class:`Feed` for the structure the administrator chose.

Identity without external ids (the templates carry none), so a re-import finds the same people:

- student: normalised ``last|first|birth date`` (the birth date is mandatory);
- teacher, personnel, guest: normalised ``last|first`` within the profile;
- relative: normalised ``last|first`` + the sorted identities of the children found on the line;
- class: its normalised name in the target structure.

"Normalised" ignores case, accents and punctuation (« DUPONT-DUPUIS » = « Dupont Dupuis »). Every id is
prefixed with the target structure id (two schools' CSV never share accounts) and becomes a SHA-256 digest
when longer than the 64 characters of an external id. Limits: homonyms (same names, and same birth date for
students) cannot be told apart and are refused as duplicates naming both lines; a corrected spelling, a new
child on a parent's line or a change of birth date makes a new account (the old one goes to pending deletion).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from preau import Feed, FeedClass, FeedPerson, FeedProblem, Function, Place, Profile

from .reader import FIELDS, MANDATORY, CsvFile, CsvReadError, Row, normalise, read_file

SOURCE = "csv"
MAX_ID = 64
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Functions of the personnel template that Préau knows (others are kept as free text nowhere).
FUNCTIONS = {"cpe": Function.CPE, "direction": Function.DIRECTEUR, "directeur": Function.DIRECTEUR,
             "directrice": Function.DIRECTEUR, "documentaliste": Function.DOCUMENTALISTE}
# Processing order: parents need the students of every file.
ORDER = (Profile.STUDENT, Profile.TEACHER, Profile.PERSONNEL, Profile.GUEST, Profile.RELATIVE)


@dataclass(frozen=True)
class CsvInput:
    """One uploaded file with the administrator's options."""

    name: str
    data: bytes
    profile: str | None = None
    mapping: dict[str, str] | None = None


def stable_id(structure_id: int, kind: str, key: str) -> str:
    ident = f"{structure_id}:{kind}:{key}"
    if len(ident) <= MAX_ID:
        return ident
    return f"{structure_id}:{kind}:{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def target_key(structure_id: int) -> str:
    """How the engine names the target structure in a feed's references (it has no external id)."""
    return f"#{structure_id}"


def class_id(structure_id: int, name: str) -> str:
    return stable_id(structure_id, "class", normalise(name))


def parse_date(text: str) -> date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def read_feed(inputs: Iterable[CsvInput], target_structure_id: int) -> Feed:
    """Read every file into one feed; fatal problems are in ``feed.problems`` (nothing is raised)."""
    complete_profiles: set[str] = set()
    feed = Feed(source=SOURCE, target_structure_id=target_structure_id, complete_profiles=complete_profiles)
    files = []
    for item in inputs:
        feed.files.append(item.name)
        try:
            csv_file = read_file(item.name, item.data, profile=item.profile, mapping=item.mapping)
        except CsvReadError as exc:
            feed.problems.append(exc.problem)
            continue
        feed.problems.extend(csv_file.problems)
        if csv_file.profile and not any(p.fatal for p in csv_file.problems):
            files.append(csv_file)
            complete_profiles.add(str(csv_file.profile))
    builder = _Builder(feed, target_structure_id)
    for profile in ORDER:
        for csv_file in files:
            if csv_file.profile == profile:
                builder.add_file(csv_file)
    return feed


class _Builder:
    def __init__(self, feed: Feed, structure_id: int):
        self.feed = feed
        self.structure_id = structure_id
        self.target_key = target_key(structure_id)
        self.places: dict[str, Place] = {}  # person external id → first line
        self.students: dict[tuple[str, str], list[FeedPerson]] = {}  # (last, first) normalised → students

    def problem(self, place: Place, message: str, fatal: bool = True) -> None:
        self.feed.problems.append(FeedProblem(place, str(message), fatal))

    def add_file(self, csv_file: CsvFile) -> None:
        for row in csv_file.rows:
            person = self._person(csv_file, row)
            if person is not None:
                self._add_person(person)

    def _person(self, csv_file: CsvFile, row: Row) -> FeedPerson | None:
        place = Place(csv_file.name, row.line)
        assert csv_file.profile is not None  # read_feed keeps only the files whose profile is known
        profile = Profile(csv_file.profile)
        values = row.values
        ok = True
        for name in MANDATORY[profile]:
            if name == "classes":
                continue
            if not values.get(name):
                ok = False
                self.problem(Place(csv_file.name, row.line, csv_file.header_of(name)), _l(
                    "Valeur obligatoire manquante : « %(column)s ».", column=csv_file.header_of(name)))
        birth = None
        if values.get("birth_date"):
            birth = parse_date(values["birth_date"])
            if birth is None:
                ok = False
                self.problem(Place(csv_file.name, row.line, csv_file.header_of("birth_date")), _l(
                    "Date invalide « %(value)s » : le format attendu est jj/mm/aaaa.", value=values["birth_date"]))
        if profile == Profile.STUDENT and not row.classes:
            ok = False
            self.problem(Place(csv_file.name, row.line, csv_file.header_of("classes")), _l(
                "Élève sans classe : %(name)s.", name=f"{values.get('first_name', '')} {values.get('last_name', '')}"))
        if not ok:
            return None
        first, last = values["first_name"], values["last_name"]
        classes: tuple[str, ...] = ()
        if profile in (Profile.STUDENT, Profile.TEACHER):  # the kernel attaches only these profiles to classes
            classes = tuple(dict.fromkeys(self._class(csv_file, row, header, name) for header, name in row.classes))
        key = f"{normalise(last)}|{normalise(first)}"
        children: tuple[str, ...] = ()
        if profile == Profile.STUDENT:
            assert birth is not None  # mandatory for students: checked above
            key += f"|{birth.isoformat()}"
        elif profile == Profile.RELATIVE:
            children = self._children(csv_file, row)
            key += "|" + ",".join(sorted(children))
        return FeedPerson(
            external_id=stable_id(self.structure_id, str(profile), key), profile=str(profile),
            first_name=first, last_name=last, birth_date=birth, email=self._email(csv_file, row),
            class_external_ids=classes, children_external_ids=children,
            functions=self._functions(profile, values.get("function", "")), place=place)

    def _class(self, csv_file: CsvFile, row: Row, header: str, name: str) -> str:
        ext_id = class_id(self.structure_id, name)
        if ext_id not in self.feed.classes:
            self.feed.classes[ext_id] = FeedClass(ext_id, self.target_key, name.strip(),
                                                  place=Place(csv_file.name, row.line, header))
        return ext_id

    def _email(self, csv_file: CsvFile, row: Row) -> str | None:
        email = row.values.get("email", "")
        if email and not _EMAIL.match(email):
            self.problem(Place(csv_file.name, row.line, csv_file.header_of("email")),
                         _l("Adresse électronique ignorée, elle n'est pas valide : « %(value)s ».", value=email),
                         fatal=False)
            return None
        return email or None

    def _functions(self, profile: str, text: str) -> tuple[tuple[str, str], ...]:
        code = FUNCTIONS.get(normalise(text)) if profile == Profile.PERSONNEL else None
        return ((self.target_key, str(code)),) if code else ()

    def _children(self, csv_file: CsvFile, row: Row) -> tuple[str, ...]:
        found = []
        for child in row.children:
            last = child.get("child_last_name", ("", ""))[1]
            first = child.get("child_first_name", ("", ""))[1]
            class_header, class_name = child.get("child_classes", (str(FIELDS["child_classes"]), ""))
            header = child.get("child_last_name", child.get("child_first_name", (class_header, "")))[0]
            place = Place(csv_file.name, row.line, header)
            if not last or not first:
                self.problem(place, _l("Enfant incomplet : le nom et le prénom de l'élève sont attendus."),
                             fatal=False)
                continue
            matches = self.students.get((normalise(last), normalise(first)), [])
            if class_name:
                wanted = class_id(self.structure_id, class_name)
                matches = [s for s in matches if wanted in s.class_external_ids]
            if len(matches) == 1:
                found.append(matches[0].external_id)
            elif not matches:
                self.problem(place, _l("Enfant introuvable parmi les élèves importés : %(name)s (%(classe)s).",
                                       name=f"{first} {last}", classe=class_name or "-"), fatal=False)
            else:
                self.problem(place, _l("Enfant ambigu : plusieurs élèves %(name)s ; précisez la classe.",
                                       name=f"{first} {last}"), fatal=False)
        return tuple(dict.fromkeys(found))

    def _add_person(self, person: FeedPerson) -> None:
        assert person.place is not None  # _person gives each its line
        previous = self.places.get(person.external_id)
        if previous is not None:
            self.problem(person.place, _l(
                "Doublon : %(name)s figure déjà %(where)s ; des homonymes ne peuvent pas être distingués.",
                name=f"{person.first_name} {person.last_name}",
                where=_l("ligne %(line)s de %(file)s", line=previous.line, file=previous.file)))
            return
        self.places[person.external_id] = person.place
        self.feed.persons[person.external_id] = person
        if person.profile == Profile.STUDENT:
            self.students.setdefault((normalise(person.last_name), normalise(person.first_name)), []).append(person)


__all__ = ["CsvInput", "read_feed", "stable_id", "class_id", "target_key", "parse_date"]
