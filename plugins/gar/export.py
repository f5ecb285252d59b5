"""The directory export to the GAR: one file set per structure (``GAR-ENT-Etab``, ``-Eleve``, ``-Enseignant``,
``-Groupe``, ``-RespAff``) in the GAR's XML (schemas in ``schemas/``), first degree for an école, second degree
for a collège or a lycée.

The directory is read with a few flat queries, then each file is written element by element with lxml's
incremental writer, so a big school never sits in memory as one tree. Identifiers are stable and opaque: the
GAR only ever sees a UUID derived from the ENT identifier and the account id.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from preau import (
    AccountState,
    Function,
    Group,
    GroupKind,
    GroupMember,
    PreauError,
    Profile,
    Role,
    SchoolClass,
    Structure,
    User,
    UserFunction,
)

NS_2D = "http://data.education.fr/ns/gar"
NS_1D = "http://data.education.fr/ns/gar/1d"
SCHEMAS = Path(__file__).parent / "schemas"
EXPORT_VERSION = "1.0"  # the Version attribute of every root element
FILE_KINDS = ("Etab", "Eleve", "Enseignant", "Groupe", "RespAff")

RESP_AFFECT = Function.GAR_RESP_AFFECT  # the function of the "responsable d'affectation" (UserFunction.code)
# Who may use the GAR: accounts waiting for activation count (the GAR provisions them ahead of the first login).
ELIGIBLE_STATES = (AccountState.ACTIVE, AccountState.INACTIVE)
# The GAR's national profiles: teachers, and the staff functions the GAR serves (documentation, direction, CPE).
STAFF_PROFILES = {"DOCUMENTALISTE": "National_DOC", "DIRECTEUR": "National_DIR", "CPE": "National_EVS"}
STUDENT_PROFILE, TEACHER_PROFILE = "National_ELV", "National_ENS"
FIRST_DEGREE_KINDS = ("ecole",)
SECOND_DEGREE_KINDS = ("college", "lycee")


class GarExportError(PreauError, ValueError):
    """A structure that cannot be exported (no UAI, not a school); the message is for people."""


@dataclass
class Person:
    user_id: int
    identifier: str
    last_name: str
    first_name: str
    birth_date: date | None
    email: str | None
    profiles: list[str] = field(default_factory=list)


@dataclass
class GarGroup:
    code: str
    label: str
    status: str  # DIVISION (a class) or GROUPE (a teaching group)
    members: list[int] = field(default_factory=list)  # user ids


@dataclass
class Directory:
    """What one structure sends to the GAR."""

    structure: Structure
    students: list[Person]
    teachers: list[Person]
    groups: list[GarGroup]
    responsables: list[Person]
    skipped: list[str] = field(default_factory=list)  # people left out, and why (for the report)


@dataclass
class ExportResult:
    files: list[Path]
    degree: str  # "1d" or "2d"
    counts: dict[str, int]
    skipped: list[str]


def degree_of(structure: Structure) -> str:
    if not structure.uai:
        raise GarExportError(f"La structure « {structure.name} » n'a pas d'UAI : le GAR ne la connaît pas.")
    if structure.kind in FIRST_DEGREE_KINDS:
        return "1d"
    if structure.kind in SECOND_DEGREE_KINDS:
        return "2d"
    raise GarExportError(f"La structure « {structure.name} » n'est pas un établissement scolaire.")


def person_identifier(ent_id: str, user_id: int) -> str:
    """The stable, opaque identifier the GAR knows a person by."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"preau:{ent_id}:user:{user_id}"))


def file_name(ent_id: str, kind: str, uai: str, stamp: datetime, page: int = 0) -> str:
    """``<ENT>_GAR-ENT-<kind>_<UAI>_<yyyyMMdd_HHmmss>_<page>.xml``, the name the GAR's intake expects."""
    return f"{ent_id}_GAR-ENT-{kind}_{uai}_{stamp:%Y%m%d_%H%M%S}_{page:04d}.xml"


# -- reading the directory ---------------------------------------------------------------------------------


def _people(session: Session, ent_id: str, structure: Structure, profiles: Iterable[str]) -> dict[int, Person]:
    rows = session.execute(
        select(User.id, User.last_name, User.first_name, User.birth_date, User.email)
        .join(Role, Role.user_id == User.id)
        .where(Role.structure_id == structure.id, Role.profile.in_(list(profiles)),
               User.state.in_(list(ELIGIBLE_STATES)))
        .order_by(User.id).distinct()).all()
    return {row.id: Person(row.id, person_identifier(ent_id, row.id), row.last_name, row.first_name,
                           row.birth_date, row.email) for row in rows}


def _functions(session: Session, structure: Structure) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for user_id, code in session.execute(select(UserFunction.user_id, UserFunction.code)
                                         .where(UserFunction.structure_id == structure.id)):
        found[user_id].add(code)
    return found


def _groups(session: Session, structure: Structure, member_ids: set[int]) -> list[GarGroup]:
    """Classes (one GAR DIVISION per class, its student and teacher groups merged) and teaching groups."""
    rows = session.execute(
        select(Group.id, Group.kind, Group.name, Group.external_id, SchoolClass.id.label("class_id"),
               SchoolClass.name.label("class_name"), SchoolClass.external_id.label("class_external_id"))
        .outerjoin(SchoolClass, SchoolClass.id == Group.class_id)
        .where(Group.structure_id == structure.id, Group.kind.in_([GroupKind.CLASS, GroupKind.TEACHING]),
               SchoolClass.archived_at.is_(None))  # classes of past years are not sent
        .order_by(Group.id)).all()
    by_code: dict[str, GarGroup] = {}
    code_of_group: dict[int, str] = {}
    for row in rows:
        if row.kind == GroupKind.CLASS:
            code = row.class_external_id or f"CLASSE-{row.class_id}"
            by_code.setdefault(code, GarGroup(code, row.class_name, "DIVISION"))
        else:
            code = row.external_id or f"GROUPE-{row.id}"
            by_code.setdefault(code, GarGroup(code, row.name, "GROUPE"))
        code_of_group[row.id] = code
    if code_of_group:
        for group_id, user_id in session.execute(
                select(GroupMember.group_id, GroupMember.user_id)
                .where(GroupMember.group_id.in_(list(code_of_group)))
                .order_by(GroupMember.group_id, GroupMember.user_id)):
            if user_id in member_ids:
                by_code[code_of_group[group_id]].members.append(user_id)
    return list(by_code.values())


def read_directory(session: Session, structure: Structure, ent_id: str) -> Directory:
    functions = _functions(session, structure)
    students = _people(session, ent_id, structure, [Profile.STUDENT])
    for person in students.values():
        person.profiles.append(STUDENT_PROFILE)
    staff = _people(session, ent_id, structure, [Profile.TEACHER, Profile.PERSONNEL])
    teacher_ids = set(_people(session, ent_id, structure, [Profile.TEACHER]))
    teachers: dict[int, Person] = {}
    for user_id, person in staff.items():
        profiles = [TEACHER_PROFILE] if user_id in teacher_ids else []
        profiles += [STAFF_PROFILES[code] for code in sorted(functions.get(user_id, ())) if code in STAFF_PROFILES]
        if profiles:
            person.profiles = list(dict.fromkeys(profiles))
            teachers[user_id] = person
    everyone = {**staff, **students}
    skipped: list[str] = []
    responsables = []
    for user_id in sorted(u for u, codes in functions.items() if RESP_AFFECT in codes):
        responsable = everyone.get(user_id)
        if responsable is None:
            continue  # not an eligible member of the structure (blocked, pre-deleted…)
        person = responsable
        if not person.email:
            skipped.append(f"{person.first_name} {person.last_name} : responsable d'affectation sans adresse "
                           "électronique (le GAR l'exige).")
            continue
        responsables.append(person)
    groups = _groups(session, structure, set(students) | set(teachers))
    return Directory(structure, list(students.values()), list(teachers.values()), groups, responsables, skipped)


# -- writing ------------------------------------------------------------------------------------------------


class _Writer:
    """Small elements for one namespace, written one at a time into an open ``xmlfile``."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def element(self, name: str, children: Iterable[tuple[str, object]]) -> etree._Element:
        """``children``: (name, text) or (name, element builder result); None texts are left out."""
        node = etree.Element(self.q(name), nsmap={None: self.ns})
        for child_name, value in children:
            if value is None or value == "":
                continue
            if isinstance(value, etree._Element):
                node.append(value)
            else:
                etree.SubElement(node, self.q(child_name)).text = str(value)
        return node


def _identity(w: _Writer, uai: str, person: Person) -> list[tuple[str, object]]:
    profiles = [("", w.element("GARPersonProfils", [("GARStructureUAI", uai), ("GARPersonProfil", p)]))
                for p in person.profiles]
    return [("GARPersonIdentifiant", person.identifier), *profiles, ("GARPersonNom", person.last_name),
            ("GARPersonPrenom", person.first_name), ("GARPersonAutresPrenoms", person.first_name),
            ("GARPersonStructRattach", uai)]


def _etab(w: _Writer, directory: Directory, degree: str) -> Iterator[etree._Element]:
    s = directory.structure
    yield w.element("GAREtab", [("GARStructureUAI", s.uai), ("GARStructureNomCourant", s.name)])


def _students(w: _Writer, directory: Directory, degree: str) -> Iterator[etree._Element]:
    uai = directory.structure.uai or ""
    for person in directory.students:
        birth = person.birth_date.isoformat() if person.birth_date else None
        yield w.element("GAREleve", [*_identity(w, uai, person), ("GARPersonEtab", uai),
                                     ("GARPersonDateNaissance", birth)])


def _teachers(w: _Writer, directory: Directory, degree: str) -> Iterator[etree._Element]:
    uai = directory.structure.uai or ""
    for person in directory.teachers:
        birth = person.birth_date.isoformat() if person.birth_date else None
        yield w.element("GAREnseignant", [*_identity(w, uai, person), ("GARPersonEtab", uai),
                                          ("GARPersonDateNaissance", birth), ("GARPersonMail", person.email)])


def _groups_xml(w: _Writer, directory: Directory, degree: str) -> Iterator[etree._Element]:
    uai = directory.structure.uai or ""
    identifiers = {p.user_id: p.identifier for p in [*directory.students, *directory.teachers]}
    for group in directory.groups:  # every GARGroupe first, then the memberships: the schema's order
        yield w.element("GARGroupe", [("GARGroupeCode", group.code), ("GARStructureUAI", uai),
                                      ("GARGroupeLibelle", group.label), ("GARGroupeStatut", group.status)])
    for group in directory.groups:
        for user_id in group.members:
            yield w.element("GARPersonGroupe", [("GARStructureUAI", uai),
                                                ("GARPersonIdentifiant", identifiers[user_id]),
                                                ("GARGroupeCode", group.code)])


def _responsables(w: _Writer, directory: Directory, degree: str) -> Iterator[etree._Element]:
    uai = directory.structure.uai or ""
    for person in directory.responsables:
        yield w.element("GARRespAff", [("GARPersonIdentifiant", person.identifier),
                                       ("GARPersonNom", person.last_name), ("GARPersonPrenom", person.first_name),
                                       ("GARPersonMail", person.email), ("GARRespAffEtab", uai)])


BUILDERS = {"Etab": _etab, "Eleve": _students, "Enseignant": _teachers, "Groupe": _groups_xml,
            "RespAff": _responsables}


def write_file(path: Path, kind: str, directory: Directory, degree: str) -> None:
    namespace = NS_1D if degree == "1d" else NS_2D
    w = _Writer(namespace)
    with etree.xmlfile(str(path), encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(w.q(f"GAR-ENT-{kind}"), {"Version": EXPORT_VERSION}, nsmap={None: namespace}):
            for node in BUILDERS[kind](w, directory, degree):
                xf.write(node)


def export_structure(session: Session, structure: Structure, out_dir: Path, *, ent_id: str,
                     now: datetime | None = None) -> ExportResult:
    """Write the five files of ``structure`` into ``out_dir``; raises :class:`GarExportError` when the
    structure cannot go to the GAR."""
    degree = degree_of(structure)
    directory = read_directory(session, structure, ent_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = now or datetime.now()
    files = []
    for kind in FILE_KINDS:
        path = out_dir / file_name(ent_id, kind, structure.uai or "", stamp)
        write_file(path, kind, directory, degree)
        files.append(path)
    counts = {"eleves": len(directory.students), "enseignants": len(directory.teachers),
              "groupes": len(directory.groups), "responsables": len(directory.responsables)}
    return ExportResult(files, degree, counts, directory.skipped)


def schema_for(degree: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"gar-{degree}.xsd")))
