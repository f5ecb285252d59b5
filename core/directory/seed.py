"""A synthetic académie for load tests and benchmarks (``preau seed``).

The shape is the one the directory services build (``structures``, ``classes``, ``users``): every structure has
its five profile groups, every class its three; a role puts a person in the profile group of its structure, a
class attachment in the class's profile group, and a parent joins the parents' group of each child's class.
Accounts are left the way an import leaves them: inactive, with an activation code, ``source = "seed"``.

Rows are generated in Python with their ids decided up front (from the current ``MAX(id)``), so no row has to
be read back, then written with SQLAlchemy Core ``insert()`` executemany in large batches inside one
transaction. Seeding twice into the same database is refused; logins and UAI codes already taken by other
data are skipped, so a seed never collides with real accounts.

The plugins' ``preau_user_created`` event is not emitted for seeded accounts (the point is a bulk load).
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from time import perf_counter
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.orm import Session

from ..db import Model
from ..errors import PreauError
from ..models import AccountState, Function, Structure, StructureKind, User
from ..models._time import utcnow
from ..models.directory import display_name_of
from ..types import Profile
from .classes import class_group_rows
from .codes import CODE_ALPHABET, login_base
from .default_links import GroupRow, default_rules
from .structures import profile_group_rows

SOURCE = "seed"
BATCH_SIZE = 50_000
CLASS_SIZE = 25
RENTREE_YEAR = 2025  # fixed, so that a given --seed always gives the same académie

# Tables in foreign-key order; those with an ``id`` get their ids allocated here.
TABLES = ("structures", "structure_links", "classes", "groups", "users", "roles", "user_functions",
          "group_members", "relatives", "comm_links")
ID_TABLES = ("structures", "classes", "groups", "users", "roles", "user_functions")

# Families, cycled through the students of a school: (parents, children). Six students, nine parents a cycle:
# 1.5 parent accounts per student, and one family in five has two children (siblings share their parents).
FAMILY_PATTERN = ((2, 1), (2, 1), (1, 1), (2, 2), (2, 1))

# Levels and the age reached during the school year, by kind of school.
LEVELS: dict[str, tuple[tuple[str, int], ...]] = {  # looked up with a StructureKind value
    StructureKind.ECOLE: (("CP", 6), ("CE1", 7), ("CE2", 8), ("CM1", 9), ("CM2", 10)),
    StructureKind.COLLEGE: (("6e", 11), ("5e", 12), ("4e", 13), ("3e", 14)),
    StructureKind.LYCEE: (("2nde", 15), ("1re", 16), ("Tle", 17)),
}
SCHOOL_PREFIX = {StructureKind.ECOLE: "École élémentaire", StructureKind.COLLEGE: "Collège",
                 StructureKind.LYCEE: "Lycée"}
SCHOOL_KINDS = (StructureKind.ECOLE,) * 6 + (StructureKind.COLLEGE,) * 3 + (StructureKind.LYCEE,)

CITIES = ("Saint-Préau", "Beaulieu-sur-Loire", "Montclair", "Val-Fleuri", "Rochebrune", "Lavandières",
          "Port-Lumière", "Chanteclair", "Bois-Joli", "Villeneuve-les-Prés", "Clairefontaine", "Mireval")
NAMESAKES = ("Jules-Ferry", "Marie-Curie", "Victor-Hugo", "Jean-Jaurès", "Louise-Michel", "Jean-Moulin",
             "Simone-Veil", "Paul-Langevin", "George-Sand", "Jacques-Prévert", "Albert-Camus", "Colette",
             "Pierre-et-Marie-Curie", "Condorcet", "Voltaire", "Jean-de-La-Fontaine", "Olympe-de-Gouges",
             "Lucie-Aubrac", "Germaine-Tillion", "Jules-Verne", "Antoine-de-Saint-Exupéry", "Émile-Zola",
             "Louis-Pasteur", "Marcel-Pagnol", "Joséphine-Baker", "Aimé-Césaire", "Gisèle-Halimi",
             "Sophie-Germain", "Charles-Péguy", "Françoise-Dolto", "Anne-Frank", "Léon-Blum", "Molière",
             "Rosa-Parks", "Nelson-Mandela", "Camille-Claudel", "Paul-Éluard", "Robert-Desnos", "Eugénie-Cotton",
             "Hélène-Boucher")
CHILD_FIRST_NAMES = ("Adam", "Chloé", "Hugo", "Inès", "Jules", "Louise", "Malo", "Nina", "Rayan", "Zoé",
                     "Gabriel", "Jade", "Lucas", "Manon", "Noah", "Rose", "Sacha", "Lina", "Théo", "Ambre",
                     "Léo", "Alice", "Raphaël", "Emma", "Arthur", "Mila", "Louis", "Anna", "Paul", "Léna",
                     "Nathan", "Agathe", "Ethan", "Iris", "Mohamed", "Camille", "Tom", "Lou", "Maël", "Yasmine")
ADULT_FIRST_NAMES = ("Nathalie", "Stéphane", "Isabelle", "Christophe", "Sandrine", "Frédéric", "Céline",
                     "Sébastien", "Aurélie", "Nicolas", "Émilie", "Julien", "Virginie", "Olivier", "Karima",
                     "David", "Laetitia", "Karim", "Sophie", "Thomas", "Hélène", "Mathieu", "Fatima", "Vincent",
                     "Claire", "Laurent", "Anne", "Jérôme", "Sarah", "Mickaël", "Nadia", "Cédric")
LAST_NAMES = ("Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
              "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier",
              "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre",
              "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François",
              "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry",
              "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie",
              "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière",
              "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard",
              "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert",
              "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît",
              "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte", "N'Diaye", "Diallo",
              "Nguyen", "Benali", "Haddad", "Da Silva", "Le Goff", "Ferreira", "Kone", "Traoré")

UAI_CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
# 256 % 32 == 0: masking a random byte picks each of the 32 code characters with the same probability.
_CODE_TABLE = bytes(ord(CODE_ALPHABET[b % len(CODE_ALPHABET)]) for b in range(256))
assert len(CODE_ALPHABET) == 32


class SeedError(PreauError, ValueError):
    """A seed that cannot run; the message is shown to the person."""


# -- shape -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedShape:
    """How many of each, derived from the number of students (100,000 students → 300 schools in 10 cities)."""

    students: int
    schools: int
    cities: int
    classes: int
    teachers: int
    staff: int

    @classmethod
    def for_students(cls, students: int) -> SeedShape:
        if students < 1:
            raise SeedError("Il faut au moins un élève pour créer une académie synthétique.")
        schools = max(1, round(students * 3 / 1000))
        return cls(
            students=students,
            schools=schools,
            cities=max(1, round(schools / 30)),
            classes=math.ceil(students / CLASS_SIZE),
            teachers=round(students * 0.08),
            staff=max(schools, round(students * 0.02)),  # at least the ADML of each school
        )


def spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` counts that differ by at most one."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


# -- what is already there -------------------------------------------------------------------------------


@dataclass
class Existing:
    """What the target database already holds that the seed must not collide with."""

    next_ids: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ID_TABLES, 1))
    logins: set[str] = field(default_factory=set)
    uais: set[str] = field(default_factory=set)
    seeded: bool = False


def existing_state(connection: Connection) -> Existing:
    tables = Model.metadata.tables
    next_ids = {name: (connection.scalar(select(func.max(tables[name].c.id))) or 0) + 1 for name in ID_TABLES}
    seeded = bool(
        connection.scalar(select(Structure.id).where(Structure.source == SOURCE).limit(1))
        or connection.scalar(select(User.id).where(User.source == SOURCE).limit(1)))
    return Existing(
        next_ids=next_ids,
        logins=set(connection.scalars(select(User.login))),
        uais=set(connection.scalars(select(Structure.uai).where(Structure.uai.is_not(None)))),
        seeded=seeded,
    )


# -- the plan: every row, ids included --------------------------------------------------------------------


@dataclass
class SeedPlan:
    shape: SeedShape
    parents: int
    tables: dict[str, list[dict[str, Any]]]

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}


def activation_codes(count: int, length: int = 8) -> list[str]:
    """``count`` random codes from the readable alphabet (``os.urandom``, as secret as ``secrets``)."""
    raw = os.urandom(count * length).translate(_CODE_TABLE).decode("ascii")
    return [raw[i:i + length] for i in range(0, count * length, length)]


def uai_code(number: int) -> str:
    """A well-formed UAI: seven digits and the check letter (departments 990–999 do not exist)."""
    digits = f"{990 + number // 10_000:03d}{number % 10_000:04d}"
    return digits + UAI_CHECK_LETTERS[int(digits) % 23]


class _Planner:
    """Builds the rows. Methods append to ``rows`` and return the ids they allocate."""

    def __init__(self, shape: SeedShape, seed: int, existing: Existing, now: datetime) -> None:
        self.shape, self.existing, self.now = shape, existing, now
        self.rng = random.Random(seed)
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
        self.next_ids = dict(existing.next_ids)
        self.login_counters: dict[str, int] = {}
        self.login_bases: dict[tuple[str, str], str] = {}
        self.profile_groups: dict[int, dict[str | None, int]] = {}  # None: the structure's "Tous"
        self.city_staff: dict[int, list[int]] = {}
        self.kinds: dict[int, str] = {}
        self.uai_number = 0
        self.parents = 0

    def _id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    # structures and classes

    def structure(self, name: str, kind: str, uai: str | None, parent_id: int | None) -> int:
        sid = self._id("structures")
        self.rows["structures"].append({"id": sid, "name": name, "kind": str(kind), "uai": uai,
                                        "external_id": f"SEED-S{sid}", "source": SOURCE, "created_at": self.now})
        if parent_id is not None:
            self.rows["structure_links"].append({"parent_id": parent_id, "child_id": sid})
            if self.kinds.get(parent_id) == StructureKind.CITY:
                self.city_staff[sid] = [self.profile_groups[parent_id][Profile.PERSONNEL.value]]
        self.kinds[sid] = kind
        groups = {}
        for row in profile_group_rows(sid, name, SOURCE):
            groups[row["profile"]] = gid = self._id("groups")
            self.rows["groups"].append({**row, "id": gid, "kind": str(row["kind"]), "external_id": None})
        self.profile_groups[sid] = groups
        return sid

    def next_uai(self) -> str:
        while True:
            code = uai_code(self.uai_number)
            self.uai_number += 1
            if code not in self.existing.uais:
                return code

    def school_class(self, structure_id: int, name: str, level: str) -> dict[str, int]:
        cid = self._id("classes")
        self.rows["classes"].append({"id": cid, "structure_id": structure_id, "name": name, "level": level,
                                     "external_id": f"SEED-C{cid}", "source": SOURCE})
        groups = {}
        for row in class_group_rows(cid, name, structure_id, SOURCE):
            groups[row["profile"]] = gid = self._id("groups")
            self.rows["groups"].append({**row, "id": gid, "kind": str(row["kind"]), "external_id": None})
        return groups

    # people

    def login(self, first_name: str, last_name: str) -> str:
        key = (first_name, last_name)
        base = self.login_bases.get(key)
        if base is None:
            base = self.login_bases[key] = login_base(first_name, last_name)
        # Like ``unique_login``: the first person gets the bare base, the next ones base2, base3…
        while True:
            n = self.login_counters.get(base, 1)
            self.login_counters[base] = n + 1
            login = base if n == 1 else f"{base}{n}"
            if login not in self.existing.logins:
                return login

    def person(self, first_name: str, last_name: str, structure_id: int, profile: str,
               birth_date: date | None = None) -> int:
        uid = self._id("users")
        self.rows["users"].append({
            "id": uid, "login": self.login(first_name, last_name), "first_name": first_name,
            "last_name": last_name, "display_name": display_name_of(first_name, last_name), "birth_date": birth_date,
            "email": None, "password_hash": None, "state": AccountState.INACTIVE.value,
            "state_changed_at": self.now, "activation_code": None, "activation_code_expires_at": None,
            "reset_code_hash": None, "reset_code_expires_at": None, "reset_code_used_at": None,
            "session_version": 1, "locale": None, "external_id": f"SEED-U{uid}", "source": SOURCE,
            "created_at": self.now,
        })
        self.rows["roles"].append({"id": self._id("roles"), "user_id": uid, "structure_id": structure_id,
                                   "profile": profile})
        self.join(self.profile_groups[structure_id][profile], uid)
        self.join(self.profile_groups[structure_id][None], uid)
        return uid

    def join(self, group_id: int, user_id: int) -> None:
        self.rows["group_members"].append({"group_id": group_id, "user_id": user_id})

    def function(self, user_id: int, structure_id: int, code: str) -> None:
        self.rows["user_functions"].append({"id": self._id("user_functions"), "user_id": user_id,
                                            "structure_id": structure_id, "code": code})

    def adult_name(self) -> tuple[str, str]:
        return self.rng.choice(ADULT_FIRST_NAMES), self.rng.choice(LAST_NAMES)

    # the whole académie

    def build(self) -> SeedPlan:
        shape, rng = self.shape, self.rng
        academie = self.structure("Académie de Préau (synthétique)", StructureKind.ACADEMIE, None, None)
        city_ids = []
        for c in range(shape.cities):
            name = CITIES[c % len(CITIES)] + (f" {c // len(CITIES) + 1}" if c >= len(CITIES) else "")
            city_ids.append(self.structure(f"Ville de {name}", StructureKind.CITY, None, academie))
        # Class c belongs to school c % schools; classes hold 25 students, the last one the rest.
        class_sizes = [CLASS_SIZE] * (shape.classes - 1) + [shape.students - CLASS_SIZE * (shape.classes - 1)]
        teachers = spread(shape.teachers, shape.schools)
        staff = spread(shape.staff, shape.schools)
        schools_in_city = [0] * shape.cities
        for s in range(shape.schools):
            city = s % shape.cities
            nth = schools_in_city[city]
            schools_in_city[city] += 1
            kind = SCHOOL_KINDS[s % len(SCHOOL_KINDS)]
            namesake = NAMESAKES[nth % len(NAMESAKES)] + (f" {nth // len(NAMESAKES) + 1}"
                                                          if nth >= len(NAMESAKES) else "")
            school = self.structure(f"{SCHOOL_PREFIX[kind]} {namesake}", kind, self.next_uai(), city_ids[city])
            sizes = class_sizes[s::shape.schools]
            self.school(school, kind, sizes, teachers[s], staff[s], rng)
        users = self.rows["users"]
        for row, code in zip(users, activation_codes(len(users)), strict=True):
            row["activation_code"] = code
        self.communication_defaults()
        return SeedPlan(shape=shape, parents=self.parents, tables=self.rows)

    def communication_defaults(self) -> None:
        groups = [GroupRow(g["id"], g["structure_id"], g["class_id"], g["kind"], g["profile"])
                  for g in self.rows["groups"]]
        links = default_rules(groups, self.city_staff).links
        self.rows["comm_links"] = [{"from_group_id": f, "to_group_id": t} for f, t in sorted(links)]

    def school(self, school: int, kind: str, sizes: list[int], teachers: int, staff: int,
               rng: random.Random) -> None:
        levels = LEVELS[kind]
        classes = []  # (groups, age) per class of the school
        for k in range(len(sizes)):
            level, age = levels[k % len(levels)]
            name = f"{level} {chr(ord('A') + k // len(levels))}"
            classes.append((self.school_class(school, name, level.upper()), age))
        for j in range(staff):
            uid = self.person(*self.adult_name(), school, Profile.PERSONNEL)
            if j == 0:
                self.function(uid, school, Function.ADMIN_LOCAL)
        for j in range(teachers):
            uid = self.person(*self.adult_name(), school, Profile.TEACHER)
            # Each teacher teaches in two classes of the school (one if the school has a single class).
            for k in sorted({j % len(classes), (j + 1) % len(classes)}):
                self.join(classes[k][0][Profile.TEACHER], uid)
        # Students taken one class after the other at each rank: siblings land in different classes.
        seats = [k for rank in range(max(sizes)) for k, size in enumerate(sizes) if rank < size]
        family = 0
        while seats:
            n_parents, n_children = FAMILY_PATTERN[family % len(FAMILY_PATTERN)]
            family += 1
            children, seats = seats[:n_children], seats[n_children:]
            self.family(school, n_parents, [classes[k] for k in children], rng)

    def family(self, school: int, n_parents: int, children: list[tuple[dict[str, int], int]],
               rng: random.Random) -> None:
        last_name = rng.choice(LAST_NAMES)
        child_ids, child_groups = [], []
        for groups, age in children:
            born = date(RENTREE_YEAR - age, 1, 1) + timedelta(days=rng.randrange(365))
            uid = self.person(rng.choice(CHILD_FIRST_NAMES), last_name, school, Profile.STUDENT, born)
            self.join(groups[Profile.STUDENT], uid)
            child_ids.append(uid)
            child_groups.append(groups[Profile.RELATIVE])
        for p in range(n_parents):
            # The second parent keeps the family name two times out of three.
            name = last_name if p == 0 or rng.random() < 2 / 3 else rng.choice(LAST_NAMES)
            uid = self.person(rng.choice(ADULT_FIRST_NAMES), name, school, Profile.RELATIVE)
            self.parents += 1
            for child_id in child_ids:
                self.rows["relatives"].append({"parent_id": uid, "child_id": child_id})
            for group_id in dict.fromkeys(child_groups):
                self.join(group_id, uid)


def plan_academie(students: int, seed: int = 42, *, existing: Existing | None = None,
                  now: datetime | None = None) -> SeedPlan:
    """Every row of a synthetic académie of ``students`` students, ids allocated after ``existing``'s."""
    shape = SeedShape.for_students(students)
    return _Planner(shape, seed, existing or Existing(), now or utcnow()).build()


# -- writing ---------------------------------------------------------------------------------------------


@dataclass
class SeedReport:
    shape: SeedShape
    parents: int
    counts: dict[str, int]
    plan_seconds: float
    write_seconds: float
    dialect: str

    @property
    def seconds(self) -> float:
        return self.plan_seconds + self.write_seconds

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        s = self.shape
        lines = [
            f"Académie synthétique créée ({self.dialect}) : {_n(s.schools)} établissements dans "
            f"{_n(s.cities)} villes, {_n(s.classes)} classes.",
            f"  {_n(s.students)} élèves, {_n(self.parents)} parents, {_n(s.teachers)} enseignants, "
            f"{_n(s.staff)} personnels dont {_n(s.schools)} ADML.",
            f"  Comptes inactifs avec code d'activation, source « {SOURCE} ».",
            "  Lignes : " + ", ".join(f"{name} {_n(count)}" for name, count in self.counts.items()),
            f"  Durée : génération {self.plan_seconds:.1f} s, écriture {self.write_seconds:.1f} s, "
            f"total {self.seconds:.1f} s ({_n(round(self.rows / max(self.seconds, 1e-9)))} lignes/s).",
        ]
        return "\n".join(lines)


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def write_rows(connection: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    statement = insert(Model.metadata.tables[table])
    for start in range(0, len(rows), BATCH_SIZE):
        connection.execute(statement, rows[start:start + BATCH_SIZE])


def _lock_id_tables(connection: Connection) -> None:
    """PostgreSQL: ids are chosen here from ``MAX(id)``, so keep concurrent inserts out until the commit."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"LOCK TABLE {', '.join(ID_TABLES)} IN SHARE ROW EXCLUSIVE MODE"))


def _bump_sequences(connection: Connection, plan: SeedPlan) -> None:
    """PostgreSQL: move the id sequences past the ids written explicitly."""
    if connection.dialect.name != "postgresql":
        return
    for table in ID_TABLES:
        if plan.tables[table]:
            ids = Model.metadata.tables[table].c.id
            connection.execute(select(func.setval(func.pg_get_serial_sequence(table, "id"),
                                                  select(func.max(ids)).scalar_subquery())))


def _seed(connection: Connection, students: int, seed: int, progress: Callable[[str], Any]) -> SeedReport:
    started = perf_counter()
    _lock_id_tables(connection)
    existing = existing_state(connection)
    if existing.seeded:
        raise SeedError("Cette base contient déjà une académie synthétique (source « seed ») : "
                        "lancez le seed sur une base neuve.")
    plan = plan_academie(students, seed, existing=existing)
    plan_seconds = perf_counter() - started
    progress(f"Génération : {_n(sum(plan.counts().values()))} lignes en {plan_seconds:.1f} s")
    started = perf_counter()
    for table in TABLES:
        begun = perf_counter()
        write_rows(connection, table, plan.tables[table])
        progress(f"  {table:<16} {_n(len(plan.tables[table])):>10} lignes  {perf_counter() - begun:6.2f} s")
    _bump_sequences(connection, plan)
    _refresh_statistics(connection)
    return SeedReport(plan.shape, plan.parents, plan.counts(), plan_seconds, perf_counter() - started,
                      connection.dialect.name)


def _refresh_statistics(connection: Connection) -> None:
    """Tell the query planner the tables just grew by orders of magnitude: without fresh statistics PostgreSQL
    plans nested loops over hundreds of thousands of rows (minutes instead of milliseconds)."""
    if connection.dialect.name == "postgresql":
        for table in TABLES:
            connection.exec_driver_sql(f"ANALYZE {table}")
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("ANALYZE")


def seed_academie(bind: Engine | Connection | Session, *, students: int, seed: int = 42,
                  progress: Callable[[str], Any] | None = None) -> SeedReport:
    """Create a synthetic académie of ``students`` students (see the module docstring).

    With an engine, the seed runs in its own transaction and is committed. With a connection or a session it
    runs inside their transaction and the caller commits (or rolls back, as the tests do).
    Raises :class:`SeedError` if the database already holds a seed.
    """
    progress = progress or (lambda _message: None)
    if isinstance(bind, Session):
        bind.flush()
        return _seed(bind.connection(), students, seed, progress)
    if isinstance(bind, Connection):
        if bind.in_transaction():
            return _seed(bind, students, seed, progress)
        with bind.begin():
            return _seed(bind, students, seed, progress)
    with bind.connect() as connection, bulk_pragmas(connection), connection.begin():
        return _seed(connection, students, seed, progress)


# SQLite, for the load only: a larger page cache (indexes on logins and names are written out of order).
BULK_PRAGMAS = {"cache_size": -262_144}  # 256 MiB, given in KiB


@contextmanager
def bulk_pragmas(connection: Connection) -> Iterator[None]:
    """Set :data:`BULK_PRAGMAS` on a SQLite connection we own, and restore the previous values after."""
    if connection.dialect.name != "sqlite":
        yield
        return
    saved = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar_one() for name in BULK_PRAGMAS}
    for name, value in BULK_PRAGMAS.items():
        connection.exec_driver_sql(f"PRAGMA {name}={int(value)}")
    connection.commit()
    try:
        yield
    finally:
        if connection.in_transaction():
            connection.rollback()
        for name, previous in saved.items():
            connection.exec_driver_sql(f"PRAGMA {name}={int(previous)}")
        connection.commit()
