"""The normalised directory feed that every directory source (AAF, CSV, ONDE…) produces.

A source only reads its files into a :class:`Feed`; the sync engine compares the feed with the directory,
reports the difference (dry run) and applies it in one transaction. Sources never write to the database.
External ids are the source's own, unique per kind within one source ("aaf", "csv"…).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Place:
    """Where a record or a problem comes from: shown to the administrator as « fichier, ligne, colonne »."""

    file: str
    line: int | None = None
    column: str | None = None


@dataclass(frozen=True, slots=True)
class FeedStructure:
    external_id: str
    name: str
    uai: str | None = None
    kind: str = "autre"  # a StructureKind value
    parent_external_ids: tuple[str, ...] = ()
    place: Place | None = None


@dataclass(frozen=True, slots=True)
class FeedClass:
    external_id: str  # unique within the source, e.g. "<structure external id>$<class code>"
    structure_external_id: str
    name: str
    level: str | None = None  # MEF label or cycle
    place: Place | None = None


@dataclass(frozen=True, slots=True)
class FeedGroup:
    """A teaching group (AAF "groupe", regroupement ULIS, UPE2A…)."""

    external_id: str
    structure_external_id: str
    name: str
    place: Place | None = None


@dataclass(frozen=True, slots=True)
class FeedSubject:
    """A subject (matière) or a MEF (module élémentaire de formation) of the national nomenclatures."""

    external_id: str
    code: str
    label: str
    structure_external_id: str | None = None
    place: Place | None = None


@dataclass(frozen=True, slots=True)
class FeedPerson:
    external_id: str
    profile: str  # a Profile value: teacher, student, relative, personnel, guest
    first_name: str
    last_name: str
    birth_date: date | None = None
    email: str | None = None
    structure_external_ids: tuple[str, ...] = ()
    class_external_ids: tuple[str, ...] = ()
    group_external_ids: tuple[str, ...] = ()
    functions: tuple[tuple[str, str], ...] = ()  # (structure external id, function code)
    children_external_ids: tuple[str, ...] = ()  # for relatives: the students they are responsible for
    subject_codes: tuple[str, ...] = ()
    mef_code: str | None = None
    place: Place | None = None


@dataclass(frozen=True, slots=True)
class FeedProblem:
    """Something the source could not take (a dangling reference, a line without a mandatory value…).

    ``fatal`` problems stop the import before anything is written; the others are reported and skipped.
    """

    place: Place
    message: str
    fatal: bool = False


@dataclass
class Feed:
    source: str  # "aaf", "csv"…
    structures: dict[str, FeedStructure] = field(default_factory=dict)
    classes: dict[str, FeedClass] = field(default_factory=dict)
    groups: dict[str, FeedGroup] = field(default_factory=dict)
    subjects: dict[str, FeedSubject] = field(default_factory=dict)
    mefs: dict[str, FeedSubject] = field(default_factory=dict)
    persons: dict[str, FeedPerson] = field(default_factory=dict)
    problems: list[FeedProblem] = field(default_factory=list)
    # Structures the feed is complete for: their accounts missing from it become "pending deletion".
    # A partial feed (one CSV file of one profile) names the profiles it covers in ``complete_profiles``.
    complete_structure_ids: set[str] = field(default_factory=set)
    complete_profiles: set[str] | None = None  # None: every profile
    # Sources that import into a structure chosen by the administrator (CSV): records naming no structure
    # belong to it, and it is the structure the feed is complete for.
    target_structure_id: int | None = None
    # Persons the source says are gone (an AAF deleteRequest): they become "pending deletion".
    deleted_person_ids: set[str] = field(default_factory=set)
    # Files read (name and size), shown in the report.
    files: list[str] = field(default_factory=list)
