"""Planning an import: resolve a :class:`Feed` against the directory and decide, per record, what to do.

Everything here only reads. Every record of the feed is reduced to its *effective* form (the structures, classes
and groups it really reaches once dangling references are dropped; for a relative, the schools and classes of
their children) and digested; the digest is compared with the fingerprint stored when the record was last
applied, so an unchanged record is recognised without loading its rows. Dangling references become non-fatal
:class:`FeedProblem` entries naming the file and what is missing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..errors import PreauError
from ..models import AccountState, Function, Group, GroupKind, Role, SchoolClass, Structure, User
from ..models.imports import ImportFingerprint, ImportPendingDeletion, Mef, Subject
from ..types import N_, Profile
from .feed import Feed, FeedClass, FeedGroup, FeedPerson, FeedProblem, FeedStructure, FeedSubject, Place
from .structures import UAI_PATTERN

CHUNK = 5_000
# Functions a source may set; ADML and super-admin are never given nor taken by an import.
MANAGED_FUNCTIONS = frozenset({Function.DIRECTEUR, Function.DOCUMENTALISTE, Function.CPE})
PROFILE_KINDS: dict[str, str] = {Profile.TEACHER: "teachers", Profile.STUDENT: "students",
                                  Profile.RELATIVE: "relatives", Profile.PERSONNEL: "personnel",
                                  Profile.GUEST: "guests"}
RECORD_KINDS = ("structures", "classes", "groups", "subjects", "mefs", "persons", *PROFILE_KINDS.values())
GONE_STATES = (AccountState.PENDING_DELETION, AccountState.PRE_DELETED, AccountState.DELETED)


class FeedError(PreauError):
    """A fatal problem: the import cannot run. The message names the place; nothing was written."""

    def __init__(self, message: str, problems: Iterable[FeedProblem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class Change:
    """One readable row of the diff."""

    kind: str  # structures, classes, groups, subjects, mefs, teachers, students, relatives, personnel, guests
    external_id: str
    label: str
    action: str  # created, updated, pending_deletion, reactivated
    fields: tuple[str, ...] = ()


@dataclass(slots=True)
class EffectivePerson:
    """A person as the import will write them: only references that resolve."""

    external_id: str
    profile: str
    first_name: str
    last_name: str
    birth_date: date | None
    email: str | None
    structures: tuple[str, ...]  # structure keys (external ids, or "#<id>" for the target structure)
    classes: tuple[str, ...]  # class external ids (for relatives: their children's classes)
    groups: tuple[str, ...]
    functions: tuple[tuple[str, str], ...]
    children: tuple[str, ...]
    subjects: tuple[str, ...]
    mef: str | None

    def digest(self) -> str:
        return _digest((self.profile, self.first_name, self.last_name, self.birth_date, self.email,
                        self.structures, self.classes, self.groups, self.functions, self.children,
                        self.subjects, self.mef))

    @property
    def label(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"


@dataclass
class ImportPlan:
    source: str
    counts: dict = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    problems: list[FeedProblem] = field(default_factory=list)
    # What apply_import needs (built once by the plan):
    structures: dict[str, FeedStructure] = field(default_factory=dict)
    structure_ids: dict[str, int] = field(default_factory=dict)  # key -> existing id
    adopted_structures: set[str] = field(default_factory=set)  # matched by UAI, not yet by external id
    classes: dict[str, FeedClass] = field(default_factory=dict)
    class_ids: dict[str, int] = field(default_factory=dict)
    groups: dict[str, FeedGroup] = field(default_factory=dict)
    group_ids: dict[str, int] = field(default_factory=dict)
    persons: dict[str, EffectivePerson] = field(default_factory=dict)
    users: dict[str, tuple[int, str]] = field(default_factory=dict)  # external id -> (id, state)
    actions: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, external id) -> action
    digests: dict[tuple[str, str], str] = field(default_factory=dict)
    known_digests: set[tuple[str, str]] = field(default_factory=set)  # keys that have a fingerprint row
    pending_ids: list[int] = field(default_factory=list)
    reactivated: dict[int, str] = field(default_factory=dict)  # user id -> state to give back
    subjects: dict[str, FeedSubject] = field(default_factory=dict)
    mefs: dict[str, FeedSubject] = field(default_factory=dict)

    @property
    def fatal(self) -> list[FeedProblem]:
        return [p for p in self.problems if p.fatal]

    @property
    def changed(self) -> bool:
        return bool(self.pending_ids or self.reactivated
                    or any(a != "unchanged" for a in self.actions.values()))

    def first_changes(self, per_kind: int = 10) -> dict[str, list[Change]]:
        """The first rows of the diff of each kind (the dry run's summary)."""
        shown: dict[str, list[Change]] = {}
        for change in self.changes:
            rows = shown.setdefault(change.kind, [])
            if len(rows) < per_kind:
                rows.append(change)
        return shown


def _digest(value: object) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _place(record: object, feed: Feed) -> Place:
    return getattr(record, "place", None) or Place(file=feed.source)


# -- the plan --------------------------------------------------------------------------------------------


def plan_import(session: Session, feed: Feed) -> ImportPlan:
    """Compare ``feed`` with the directory (reads only) and return what applying it would do."""
    plan = ImportPlan(source=feed.source, problems=[*feed.problems, *check_values(feed)])
    if plan.fatal:
        return plan
    known = _load_fingerprints(session, feed.source)
    plan.known_digests = set(known)
    _plan_structures(session, feed, plan)
    _plan_classes_and_groups(session, feed, plan)
    _plan_subjects(feed, plan)
    _plan_persons(session, feed, plan)
    for key, digest in plan.digests.items():
        if key not in plan.actions:
            plan.actions[key] = "unchanged" if known.get(key) == digest else "updated"
    _plan_missing(session, feed, plan)
    _count(plan)
    _describe_changes(session, plan)
    return plan


# -- values the database would refuse or cut ----------------------------------------------------------------

# Every imported value is one line of text: no control character (NUL, tab, line break…; PostgreSQL refuses NUL)
# and no lone surrogate (not encodable). Lengths are the columns' own, read from the models.
_BAD_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CHECKED = {
    "persons": (("first_name", User.first_name, N_("Prénom")), ("last_name", User.last_name, N_("Nom")),
                ("email", User.email, N_("Courriel")), ("external_id", User.external_id, N_("Identifiant"))),
    "structures": (("name", Structure.name, N_("Nom de la structure")),
                   ("external_id", Structure.external_id, N_("Identifiant"))),
    "classes": (("name", SchoolClass.name, N_("Classe")), ("level", SchoolClass.level, N_("Niveau")),
                ("external_id", SchoolClass.external_id, N_("Identifiant"))),
    "groups": (("name", Group.name, N_("Groupe")), ("external_id", Group.external_id, N_("Identifiant"))),
    "subjects": (("code", Subject.code, N_("Code")), ("label", Subject.label, N_("Libellé"))),
    "mefs": (("code", Mef.code, N_("Code")), ("label", Mef.label, N_("Libellé"))),
}


def _character_name(char: str) -> str:
    return unicodedata.name(char, f"U+{ord(char):04X}") if ord(char) > 0x1f else f"U+{ord(char):04X}"


def check_values(feed: Feed) -> list[FeedProblem]:
    """Fatal problems for values the database would refuse (a control character) or have to cut (longer than
    the column), each placed at the record's file and line and named by its column: reported by the dry run,
    so that the application never fails on the database nor stores a truncated value."""
    problems = []
    for kind, fields in _CHECKED.items():
        for record in getattr(feed, kind).values():
            for attribute, column, label in fields:
                value = getattr(record, attribute, None)
                if not isinstance(value, str) or not value:
                    continue
                place = _place(record, feed)
                where = Place(place.file, place.line, place.column or _(label))
                bad = _BAD_CHARACTERS.search(value)
                if bad:
                    problems.append(FeedProblem(where, _(
                        "Caractère de contrôle interdit (%(char)s) en position %(position)s de « %(value)s » : "
                        "corrigez la valeur dans le fichier.", char=_character_name(bad.group()),
                        position=bad.start() + 1, value=_BAD_CHARACTERS.sub("�", value)[:80]), fatal=True))
                    continue
                limit = column.type.length
                if limit and len(value.strip()) > limit:
                    if column is SchoolClass.level:  # a MEF label as a hint (the MEF keeps its whole label)
                        problems.append(FeedProblem(where, _(
                            "Niveau de classe abrégé à %(limit)s caractères : « %(value)s ».", limit=limit,
                            value=value), fatal=False))
                        continue
                    problems.append(FeedProblem(where, _(
                        "Valeur trop longue (%(length)s caractères, %(limit)s au plus) : « %(value)s… ».",
                        length=len(value.strip()), limit=limit, value=value[:40]), fatal=True))
    return problems


def _load_fingerprints(session: Session, source: str) -> dict[tuple[str, str], str]:
    rows = session.execute(select(ImportFingerprint.kind, ImportFingerprint.external_id, ImportFingerprint.digest)
                           .where(ImportFingerprint.source == source))
    return {(kind, ext): digest for kind, ext, digest in rows}


def _problem(plan: ImportPlan, place: Place, message: str) -> None:
    plan.problems.append(FeedProblem(place=place, message=message))


def ids_by_external_id(session: Session, external_id: InstrumentedAttribute[str | None],
                       row_id: InstrumentedAttribute[int], *where: ColumnElement[bool]) -> dict[str, int]:
    """``{external id: id}`` of the rows that match ``where`` and have an external id."""
    rows = session.execute(select(external_id, row_id).where(external_id.is_not(None), *where))
    return {ext: found for ext, found in rows if ext is not None}


def _plan_structures(session: Session, feed: Feed, plan: ImportPlan) -> None:
    existing = ids_by_external_id(session, Structure.external_id, Structure.id, Structure.source == feed.source)
    by_uai = {uai: (sid, ext) for uai, sid, ext in session.execute(
        select(Structure.uai, Structure.id, Structure.external_id).where(Structure.uai.is_not(None)))}
    plan.structure_ids.update(existing)
    if feed.target_structure_id is not None:
        plan.structure_ids[f"#{feed.target_structure_id}"] = feed.target_structure_id
    seen_uais: dict[str, str] = {}
    for ext, structure in feed.structures.items():
        uai = (structure.uai or "").strip().upper() or None
        if uai and not UAI_PATTERN.match(uai):
            _problem(plan, _place(structure, feed), f"Structure {ext} : code UAI « {uai} » mal formé, ignoré.")
            uai = None
        if uai and uai in seen_uais:
            _problem(plan, _place(structure, feed),
                     f"Structure {ext} : code UAI {uai} déjà donné à la structure {seen_uais[uai]}, ignoré.")
            uai = None
        if uai:
            seen_uais[uai] = ext
        if uai and uai in by_uai and by_uai[uai][0] != existing.get(ext):
            owner_id, owner_ext = by_uai[uai]
            if ext not in existing and owner_ext is None:
                plan.structure_ids[ext] = owner_id  # a structure created by hand: the feed takes it over
                plan.adopted_structures.add(ext)
            else:
                _problem(plan, _place(structure, feed),
                         f"Structure {ext} : le code UAI {uai} appartient déjà à une autre structure, ignoré.")
                uai = None
        if uai != structure.uai:
            structure = FeedStructure(structure.external_id, structure.name, uai, structure.kind,
                                      structure.parent_external_ids, structure.place)
        parents = tuple(sorted(p for p in structure.parent_external_ids if p in feed.structures or p in existing))
        for missing in set(structure.parent_external_ids) - set(parents):
            _problem(plan, _place(structure, feed), f"Structure {ext} : structure parente {missing} inconnue.")
        plan.structures[ext] = structure
        key = ("structure", ext)
        plan.digests[key] = _digest((structure.name, uai, structure.kind, parents))
        if ext not in plan.structure_ids:
            plan.actions[key] = "created"


def _structure_known(plan: ImportPlan, key: str | None) -> bool:
    return bool(key) and (key in plan.structures or key in plan.structure_ids)


def _structure_key(feed: Feed, key: str | None) -> str | None:
    if not key and feed.target_structure_id is not None:
        return f"#{feed.target_structure_id}"
    return key


def _plan_classes_and_groups(session: Session, feed: Feed, plan: ImportPlan) -> None:
    plan.class_ids.update(ids_by_external_id(session, SchoolClass.external_id, SchoolClass.id,
                                             SchoolClass.source == feed.source))
    plan.group_ids.update(ids_by_external_id(session, Group.external_id, Group.id, Group.source == feed.source,
                                             Group.kind == GroupKind.TEACHING))
    _plan_units(feed, plan, feed.classes, plan.classes, plan.class_ids, "class", "classe")
    _plan_units(feed, plan, feed.groups, plan.groups, plan.group_ids, "group", "groupe")


_Unit = TypeVar("_Unit", FeedClass, FeedGroup)


def _plan_units(feed: Feed, plan: ImportPlan, records: dict[str, _Unit], kept: dict[str, _Unit],
                ids: dict[str, int], kind: str, noun: str) -> None:
    """Classes or teaching groups: kept when their structure is known, under its key."""
    for ext, record in records.items():
        skey = _structure_key(feed, record.structure_external_id)
        if not _structure_known(plan, skey):
            _problem(plan, _place(record, feed),
                     f"{noun.capitalize()} {record.name} ({ext}) : structure {record.structure_external_id} "
                     "inconnue, ignorée.")
            continue
        if skey != record.structure_external_id:
            record = type(record)(**{**{f: getattr(record, f) for f in record.__slots__},
                                     "structure_external_id": skey})
        kept[ext] = record
        plan.digests[(kind, ext)] = _digest((skey, record.name, getattr(record, "level", None)))
        if ext not in ids:
            plan.actions[(kind, ext)] = "created"


def _plan_subjects(feed: Feed, plan: ImportPlan) -> None:
    for records, kept, kind in ((feed.subjects, plan.subjects, "subject"), (feed.mefs, plan.mefs, "mef")):
        for ext, record in records.items():
            kept[ext] = record
            plan.digests[(kind, ext)] = _digest((record.code, record.label, record.structure_external_id))
            if (kind, ext) not in plan.known_digests:
                plan.actions[(kind, ext)] = "created"


def _plan_persons(session: Session, feed: Feed, plan: ImportPlan) -> None:
    plan.users = {ext: (uid, state) for ext, uid, state in session.execute(
        select(User.external_id, User.id, User.state).where(User.source == feed.source,
                                                            User.external_id.is_not(None))) if ext is not None}
    students = {ext for ext, p in feed.persons.items() if p.profile == Profile.STUDENT}
    effective: dict[str, EffectivePerson] = {}
    for ext, person in feed.persons.items():
        if not person.first_name.strip() or not person.last_name.strip():
            _problem(plan, _place(person, feed), f"Personne {ext} : prénom ou nom manquant, ignorée.")
            continue
        if person.profile not in PROFILE_KINDS:
            _problem(plan, _place(person, feed), f"Personne {ext} : profil « {person.profile} » inconnu, ignorée.")
            continue
        effective[ext] = _effective(feed, plan, person, students)
    for relative in effective.values():  # relatives follow their children's schools and classes
        if relative.profile == Profile.RELATIVE and relative.children:
            kids = [effective[c] for c in relative.children if c in effective]
            relative.structures = tuple(sorted({*relative.structures, *(s for k in kids for s in k.structures)}))
            relative.classes = tuple(sorted({c for k in kids for c in k.classes}))
    for ext, planned in effective.items():
        key = ("person", ext)
        plan.persons[ext] = planned
        plan.digests[key] = planned.digest()
        if ext not in plan.users:
            plan.actions[key] = "created"
        elif plan.users[ext][1] in GONE_STATES:
            plan.actions[key] = "reactivated"
    gone = {uid for uid, state in plan.users.values() if state == AccountState.PENDING_DELETION}
    if gone:
        back = {plan.users[ext][0] for ext in effective if ext in plan.users and plan.users[ext][0] in gone}
        for ids in chunks(sorted(back)):
            plan.reactivated.update(session.execute(
                select(ImportPendingDeletion.user_id, ImportPendingDeletion.previous_state)
                .where(ImportPendingDeletion.user_id.in_(ids))).all())
    for ext in effective:  # an account put aside otherwise than by an import is left to the lifecycle
        if plan.actions.get(("person", ext)) == "reactivated" and plan.users[ext][0] not in plan.reactivated:
            del plan.actions[("person", ext)]


_STUDENT, _RELATIVE = Profile.STUDENT.value, Profile.RELATIVE.value


def _effective(feed: Feed, plan: ImportPlan, person: FeedPerson, students: set[str]) -> EffectivePerson:
    place, ext = _place(person, feed), person.external_id
    profile = str.__str__(person.profile)  # a plain str, whether a Profile or a str was given
    structures: set[str] = set()
    known_structures, known_ids, known_classes = plan.structures, plan.structure_ids, plan.classes
    for key in person.structure_external_ids or ((None,) if feed.target_structure_id is not None else ()):
        key = _structure_key(feed, key)
        if key and (key in known_structures or key in known_ids):
            structures.add(key)
        else:
            _problem(plan, place, f"Personne {ext} : structure {key} inconnue.")
    classes, groups = set(), set()
    for cid in person.class_external_ids:
        school_class = known_classes.get(cid)
        if school_class is not None:
            classes.add(cid)
            structures.add(school_class.structure_external_id)
        elif cid not in feed.classes:  # a class the source knows but dropped was reported already
            _problem(plan, place, f"Personne {ext} : classe {cid} inconnue.")
    for gid in person.group_external_ids:
        if gid in plan.groups:
            groups.add(gid)
            structures.add(plan.groups[gid].structure_external_id)
        elif gid not in feed.groups:
            _problem(plan, place, f"Personne {ext} : groupe {gid} inconnu.")
    if profile == _STUDENT and not classes:
        _problem(plan, place, f"Élève {ext} ({person.first_name} {person.last_name}) : aucune classe.")
    children = []
    for child in person.children_external_ids:
        if child in students:
            children.append(child)
        else:
            _problem(plan, place, f"Responsable {ext} : l'élève {child} est absent du flux.")
    functions = tuple(sorted({(s, code) for s, code in person.functions
                              if code in MANAGED_FUNCTIONS and _structure_known(plan, s)}))
    if not structures and not children and profile != _RELATIVE:
        _problem(plan, place, f"Personne {ext} ({person.first_name} {person.last_name}) : "
                              "rattachée à aucune structure connue.")
    if profile == _RELATIVE and not children:
        _problem(plan, place, f"Responsable {ext} ({person.first_name} {person.last_name}) : aucun élève lié.")
    return EffectivePerson(
        external_id=ext, profile=profile, first_name=person.first_name.strip(),
        last_name=person.last_name.strip(), birth_date=person.birth_date, email=person.email or None,
        structures=tuple(sorted(structures)), classes=tuple(sorted(classes)), groups=tuple(sorted(groups)),
        functions=functions, children=tuple(sorted(set(children))), subjects=tuple(sorted(set(person.subject_codes))),
        mef=person.mef_code)


def _plan_missing(session: Session, feed: Feed, plan: ImportPlan) -> None:
    """Accounts of the structures the feed is complete for that it no longer holds: pending deletion."""
    complete = {plan.structure_ids[k] for k in feed.complete_structure_ids if k in plan.structure_ids}
    if feed.target_structure_id is not None:
        complete.add(feed.target_structure_id)
    missing: set[int] = set()
    if complete:
        # Roles only (no join): whose account it is, and its state, the plan already knows.
        query = select(Role.user_id).where(Role.structure_id.in_(sorted(complete)))
        if feed.complete_profiles is not None:
            query = query.where(Role.profile.in_(sorted(feed.complete_profiles)))
        in_complete = set(session.scalars(query))
        missing = {uid for ext, (uid, state) in plan.users.items()
                   if uid in in_complete and ext not in plan.persons and state not in GONE_STATES}
    for ext in feed.deleted_person_ids:
        if ext in plan.users and ext not in plan.persons and plan.users[ext][1] not in GONE_STATES:
            missing.add(plan.users[ext][0])
    plan.pending_ids = sorted(missing)


def _count(plan: ImportPlan) -> None:
    counts: dict = {kind: Counter() for kind in RECORD_KINDS}
    noun = {"structure": "structures", "class": "classes", "group": "groups", "subject": "subjects", "mef": "mefs"}
    for (kind, ext), action in plan.actions.items():
        if kind == "person":
            counts["persons"][action] += 1
            counts[PROFILE_KINDS.get(plan.persons[ext].profile, "guests")][action] += 1
        else:
            counts[noun[kind]][action] += 1
    plan.counts = {kind: {a: c.get(a, 0) for a in ("created", "updated", "unchanged", "reactivated")}
                   for kind, c in counts.items()}
    plan.counts["pending_deletion"] = len(plan.pending_ids)
    plan.counts["problems"] = len(plan.problems)


def _describe_changes(session: Session, plan: ImportPlan) -> None:
    """The readable diff: created and updated records (with the fields that changed), pending deletions."""
    noun = {"structure": "structures", "class": "classes", "group": "groups", "subject": "subjects", "mef": "mefs"}
    updated_users = [plan.users[ext][0] for (kind, ext), a in plan.actions.items()
                     if kind == "person" and a == "updated"]
    old: dict[int, tuple] = {}
    for ids in chunks(updated_users):
        for row in session.execute(select(User.id, User.first_name, User.last_name, User.birth_date, User.email)
                                   .where(User.id.in_(ids))):
            old[row.id] = tuple(row)[1:]
    for (kind, ext), action in plan.actions.items():
        if action == "unchanged":
            continue
        if kind == "person":
            person = plan.persons[ext]
            fields: tuple[str, ...] = ()
            if action == "updated":
                before = old.get(plan.users[ext][0], ())
                now = (person.first_name, person.last_name, person.birth_date, person.email)
                fields = tuple(n for n, b, a in zip(("prénom", "nom", "date de naissance", "courriel"), before, now,
                                                    strict=False) if b != a) or ("rattachements",)
            plan.changes.append(Change(PROFILE_KINDS.get(person.profile, "guests"), ext, person.label, action,
                                       fields))
        else:
            records: dict[str, Mapping[str, FeedStructure | FeedClass | FeedGroup | FeedSubject]] = {
                "structure": plan.structures, "class": plan.classes, "group": plan.groups,
                "subject": plan.subjects, "mef": plan.mefs}
            record = records[kind][ext]
            label = record.label if isinstance(record, FeedSubject) else record.name or ext
            plan.changes.append(Change(noun[kind], ext, label, action))
    if plan.pending_ids:
        for ids in chunks(plan.pending_ids):
            for uid, external_id, name in session.execute(select(User.id, User.external_id, User.display_name)
                                                          .where(User.id.in_(ids))):
                plan.changes.append(Change("persons", external_id or str(uid), name, "pending_deletion"))
