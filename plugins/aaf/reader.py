"""Reading AAF files (``ficAlimMENESR``, the académie's directory feed) into a :class:`preau.Feed`.

Each file is streamed with ``lxml.etree.iterparse``; every request element is cleared once read, so memory
stays proportional to the feed, not to the XML. The DTD named by the files is neither fetched nor needed.
The kind of each record comes from its ``operationalAttributes`` (categoriePersonne / categorieStructure…),
not from the file name. Multi-valued references look like ``structureId$code`` (classes, groups) or
``id$…`` (relatives, functions).

- ``EtabEducNat``: structures (``ENTStructureJointure``, ``ENTStructureUAI``, ``ENTStructureNomCourant``,
  ``ENTStructureTypeStruct``).
- ``Eleve``: students; classes ``ENTEleveClasses``, groups ``ENTEleveGroupes``, relatives from
  ``ENTEleveAutoriteParentale`` and the legal responsibles of ``ENTElevePersRelEleve``; MEF ``ENTEleveMEF``.
- ``PersEducNat``: teachers (in front of students, in classes or groups, or with an ``ENS`` function) and
  other personnel; classes ``ENTAuxEnsClasses``, groups ``ENTAuxEnsGroupes``, functions ``ENTPersonFonctions``.
- ``PersRelEleve``: relatives (they name no structure: they follow their children).
- ``MatiereEducNat`` / ``MefEducNat``: the subject and MEF nomenclatures.

``addRequest`` and ``modifyRequest`` give a record's attributes (a modification replaces them); a
``deleteRequest`` of a person marks them gone (pending deletion). Files named ``…Complet…`` are complete for
their structures: accounts of those structures missing from the feed become pending deletion.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from lxml import etree

from preau import (
    Feed,
    FeedClass,
    FeedError,
    FeedGroup,
    FeedPerson,
    FeedProblem,
    FeedStructure,
    FeedSubject,
    Place,
    ZipRefused,
    is_zip,
    open_zip,
)

REQUESTS = ("addRequest", "modifyRequest", "deleteRequest")
PERSON_CATEGORIES = {"Eleve", "PersEducNat", "PersRelEleve"}
FUNCTION_CODES = {"DIR": "DIRECTEUR", "DOC": "DOCUMENTALISTE", "EDU": "CPE"}
STRUCTURE_KINDS = (("ECOLE", "ecole"), ("COLLEGE", "college"), ("CLG", "college"), ("LYCEE", "lycee"),
                   ("LYC", "lycee"), ("LP", "lycee"), ("EREA", "lycee"))


@dataclass
class _Relative:
    external_id: str
    first_name: str
    last_name: str
    birth_date: date | None
    email: str | None
    place: Place


@dataclass
class _Reader:
    feed: Feed
    seen: dict[tuple[str, str], Place] = field(default_factory=dict)
    relatives: dict[str, _Relative] = field(default_factory=dict)
    # student external id -> (their relatives' ids, where the student is)
    student_relatives: dict[str, tuple[list[str], Place]] = field(default_factory=dict)
    complete: bool = False

    # -- records ---------------------------------------------------------------------------------------

    def _unique(self, namespace: str, ext: str, place: Place) -> bool:
        first = self.seen.get((namespace, ext))
        if first is not None:
            self.feed.problems.append(FeedProblem(place, (
                f"identifiant {ext} en double : déjà présent dans {first.file}, ligne {first.line}"), fatal=True))
            return False
        self.seen[(namespace, ext)] = place
        return True

    def record(self, kind: str, category: str, ext: str, attrs: dict[str, list[str]], place: Place) -> None:
        if kind == "deleteRequest":
            if category in PERSON_CATEGORIES:
                self.feed.deleted_person_ids.add(ext)
            return
        handler = {"EtabEducNat": self.structure, "Eleve": self.student, "PersEducNat": self.staff,
                   "PersRelEleve": self.relative, "MatEducNat": self.subject, "MatiereEducNat": self.subject,
                   "MefEducNat": self.mef}.get(category)
        if handler is None:
            self.feed.problems.append(FeedProblem(place, f"catégorie « {category} » inconnue, enregistrement ignoré."))
            return
        namespace = "person" if category in PERSON_CATEGORIES else category
        if self._unique(namespace, ext, place):
            handler(ext, attrs, place)

    def structure(self, ext: str, a: dict[str, list[str]], place: Place) -> None:
        name = " ".join(part for part in _one(a, "ENTStructureNomCourant").split("$") if part) or ext
        self.feed.structures[ext] = FeedStructure(
            external_id=ext, name=name, uai=_one(a, "ENTStructureUAI") or None,
            kind=_structure_kind(_one(a, "ENTStructureTypeStruct")), place=place)

    def _classes(self, values: Iterable[str], level: str | None, place: Place) -> tuple[str, ...]:
        return self._references(values, self.feed.classes,
                                lambda ext, structure, code: FeedClass(ext, structure, code, level=level, place=place))

    def _groups(self, values: Iterable[str], place: Place) -> tuple[str, ...]:
        return self._references(values, self.feed.groups,
                                lambda ext, structure, code: FeedGroup(ext, structure, code, place=place))

    @staticmethod
    def _references(values: Iterable[str], known: dict[str, Any], make: Any) -> tuple[str, ...]:
        """``structure$code[$…]`` values: the ids they name, each new one added to ``known`` by ``make``."""
        ids = []
        for value in values:
            structure, _sep, code = value.partition("$")
            code = code.split("$", 1)[0]
            if not structure or not code:
                continue
            ext = f"{structure}${code}"
            if ext not in known:
                known[ext] = make(ext, structure, code)
            ids.append(ext)
        return tuple(dict.fromkeys(ids))

    def student(self, ext: str, a: dict[str, list[str]], place: Place) -> None:
        level = _one(a, "ENTEleveLibelleMEF") or None
        relatives = list(a.get("ENTEleveAutoriteParentale", []))
        for value in a.get("ENTElevePersRelEleve", []):
            parts = value.split("$")
            if len(parts) > 3 and parts[3] not in ("", "0"):  # a legal responsible
                relatives.append(parts[0])
        self.student_relatives[ext] = ([r for r in dict.fromkeys(relatives) if r and r != ext], place)
        self.feed.persons[ext] = FeedPerson(
            external_id=ext, profile="student", first_name=_one(a, "givenName"), last_name=_one(a, "sn"),
            birth_date=_date(_one(a, "ENTPersonDateNaissance")),
            structure_external_ids=tuple(a.get("ENTPersonStructRattach", [])),
            class_external_ids=self._classes(a.get("ENTEleveClasses", []), level, place),
            group_external_ids=self._groups(a.get("ENTEleveGroupes", []), place),
            subject_codes=tuple(a.get("ENTEleveCodeEnseignements", [])),
            mef_code=_one(a, "ENTEleveMEF") or None, place=place)

    def staff(self, ext: str, a: dict[str, list[str]], place: Place) -> None:
        classes = self._classes(a.get("ENTAuxEnsClasses", []), None, place)
        groups = self._groups(a.get("ENTAuxEnsGroupes", []), place)
        functions, teaches = [], False
        for value in a.get("ENTPersonFonctions", []):
            parts = value.split("$")
            if len(parts) > 1:
                teaches = teaches or parts[1] == "ENS"
                if parts[1] in FUNCTION_CODES:
                    functions.append((parts[0], FUNCTION_CODES[parts[1]]))
        teacher = teaches or bool(classes or groups) or _one(a, "PersEducNatPresenceDevantEleves") == "O"
        subjects = {v.rsplit("$", 1)[-1] for v in [*a.get("ENTAuxEnsClassesMatieres", []),
                                                    *a.get("ENTAuxEnsGroupesMatieres", [])] if "$" in v}
        self.feed.persons[ext] = FeedPerson(
            external_id=ext, profile="teacher" if teacher else "personnel", first_name=_one(a, "givenName"),
            last_name=_one(a, "sn"), birth_date=_date(_one(a, "ENTPersonDateNaissance")),
            email=_one(a, "mail") or None, structure_external_ids=tuple(a.get("ENTPersonStructRattach", [])),
            class_external_ids=classes, group_external_ids=groups, functions=tuple(dict.fromkeys(functions)),
            subject_codes=tuple(sorted(subjects)), place=place)

    def relative(self, ext: str, a: dict[str, list[str]], place: Place) -> None:
        self.relatives[ext] = _Relative(ext, _one(a, "givenName"), _one(a, "sn"),
                                        _date(_one(a, "ENTPersonDateNaissance")), _one(a, "mail") or None, place)

    def subject(self, ext: str, a: dict[str, list[str]], place: Place) -> None:
        self.feed.subjects[ext] = FeedSubject(ext, ext, _one(a, "ENTLibelleMatiere") or ext, place=place)

    def mef(self, ext: str, a: dict[str, list[str]], place: Place) -> None:
        self.feed.mefs[ext] = FeedSubject(ext, ext, _one(a, "ENTLibelleMef") or ext, place=place)

    # -- the end ---------------------------------------------------------------------------------------

    def finish(self) -> Feed:
        """Relatives take their children from the students' records; dangling references are named."""
        children: dict[str, list[str]] = {}
        for student, (relatives, place) in self.student_relatives.items():
            for rid in relatives:
                if rid in self.relatives:
                    children.setdefault(rid, []).append(student)
                elif rid not in self.feed.persons:
                    self.feed.problems.append(FeedProblem(place, (
                        f"l'élève {student} désigne le responsable {rid}, absent du flux.")))
        for rid, r in self.relatives.items():
            self.feed.persons[rid] = FeedPerson(
                external_id=rid, profile="relative", first_name=r.first_name, last_name=r.last_name,
                birth_date=r.birth_date, email=r.email, children_external_ids=tuple(children.get(rid, ())),
                place=r.place)
        if self.complete:
            self.feed.complete_structure_ids = set(self.feed.structures)
        return self.feed


def _one(attrs: dict[str, list[str]], name: str) -> str:
    values = attrs.get(name)
    return values[0] if values else ""


def _date(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%d/%m/%Y").date() if value else None
    except ValueError:
        return None


def _structure_kind(value: str) -> str:
    value = value.upper()
    return next((kind for word, kind in STRUCTURE_KINDS if word in value.split() or value.startswith(word)),
                "autre")


# -- files -----------------------------------------------------------------------------------------------


def _sources(paths: Iterable[Path]) -> Iterator[tuple[str, Any]]:
    """(name, path or zip member opener) of every XML file under ``paths``, in name order."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.suffix.lower() in (".xml", ".zip"):
                    yield from _sources([child])
        elif path.suffix.lower() == ".zip" or is_zip(path):
            try:  # checked before anything is extracted; each member's stream counts what it inflates
                archive = open_zip(path, suffixes=(".xml",))  # left open while the files are read
            except ZipRefused as exc:
                raise FeedError(str(exc), [FeedProblem(Place(path.name), str(exc), fatal=True)]) from None
            for member in archive.members:
                yield Path(member.filename).name, (archive, member)
        elif path.suffix.lower() == ".xml":
            yield path.name, path
        else:
            raise FeedError(f"{path.name} : ce n'est ni un fichier XML ni une archive zip.")


@contextmanager
def _open(source: Any) -> Iterator[IO[bytes]]:
    if isinstance(source, tuple):
        archive, name = source
        with archive.open(name) as stream:
            yield stream
    else:
        with open(source, "rb") as stream:
            yield stream


# The attributes read (the others — addresses, phones, bursaries… — are skipped without being copied).
USED = frozenset({
    "ENTStructureUAI", "ENTStructureNomCourant", "ENTStructureTypeStruct", "sn", "givenName",
    "ENTPersonDateNaissance", "mail", "ENTPersonStructRattach", "ENTEleveClasses", "ENTEleveGroupes",
    "ENTEleveAutoriteParentale", "ENTElevePersRelEleve", "ENTEleveMEF", "ENTEleveLibelleMEF",
    "ENTEleveCodeEnseignements", "ENTAuxEnsClasses", "ENTAuxEnsGroupes", "ENTAuxEnsClassesMatieres",
    "ENTAuxEnsGroupesMatieres", "ENTPersonFonctions", "PersEducNatPresenceDevantEleves", "ENTLibelleMatiere",
    "ENTLibelleMef",
})


def _attributes(element: Any) -> dict[str, list[str]]:
    attrs: dict[str, list[str]] = {}
    for container in element:
        if container.tag == "attributes" or container.tag == "modifications":
            for attr in container:
                name = attr.get("name")
                if name in USED:
                    attrs[name] = [t.strip() for t in (v.text for v in attr) if t and not t.isspace()]
    return attrs


def read_file(reader: _Reader, name: str, source: Any) -> None:
    try:
        _parse(reader, name, source)
    except ZipRefused as exc:  # a member that inflates past its declared size or the limits
        raise FeedError(str(exc), [FeedProblem(Place(name), str(exc), fatal=True)]) from None


def _parse(reader: _Reader, name: str, source: Any) -> None:
    with _open(source) as stream:
        events = etree.iterparse(stream, events=("end",), tag=REQUESTS, load_dtd=False, resolve_entities=False,
                                 no_network=True, dtd_validation=False, huge_tree=False)
        try:
            for _event, element in events:
                place = Place(name, element.sourceline)
                category = element.findtext("operationalAttributes/attr/value") or ""
                ext = (element.findtext("identifier/id") or "").strip()
                if not ext:
                    reader.feed.problems.append(FeedProblem(place, "enregistrement sans identifiant, ignoré."))
                else:
                    reader.record(element.tag, category.strip(), ext, _attributes(element), place)
                element.clear()
                while element.getprevious() is not None:  # drop the siblings already read
                    del element.getparent()[0]
        except etree.XMLSyntaxError as exc:
            line = exc.lineno or (exc.position[0] if exc.position else None)
            problem = FeedProblem(Place(name, line), f"fichier XML incomplet ou mal formé ({exc.msg}).", fatal=True)
            raise FeedError(f"{name}, ligne {line} : fichier XML incomplet ou mal formé ({exc.msg}).",
                              [problem]) from None


def read_aaf(paths: Iterable[Path | str], options: dict[str, Any] | None = None, *,
             progress: Any = None) -> Feed:
    """Read AAF files, directories of them or zip archives into a feed (no database access)."""
    options = options or {}
    reader = _Reader(Feed(source="aaf"))
    sources = list(_sources([Path(p) for p in paths]))
    if not sources:
        raise FeedError("aucun fichier XML AAF fourni.")
    complete = options.get("complete")
    if complete in (None, ""):
        reader.complete = any("complet" in n.lower() for n, _s in sources)
    else:
        reader.complete = str(complete).lower() in ("1", "true", "yes", "oui")
    for index, (name, source) in enumerate(sources):
        if progress:
            progress(int(35 * index / len(sources)), f"Lecture de {name}")
        reader.feed.files.append(name)
        read_file(reader, name, source)
    return reader.finish()
