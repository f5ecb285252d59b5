"""Applying an import plan in the caller's transaction, in bulk.

Structures and classes are few and go through the directory services (their profile and class groups and the
default communication rules come with them). Accounts and their attachments are written with Core ``insert()``
executemany and bulk updates; only the records the plan marks created, updated or reactivated are touched.
Memberships follow the rules of :mod:`preau.directory.users`: a role ⇔ the structure's profile group and "Tous",
a class ⇔ the class's group for the profile, a parent ⇔ the parents' group of each child's class. The plugins'
``preau_user_created`` event is not emitted for imported accounts (the point is a bulk load), as for the seed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..db import table_of
from ..models import (
    AccountState,
    Group,
    GroupKind,
    GroupMember,
    RelativeLink,
    Role,
    SchoolClass,
    Structure,
    StructureKind,
    StructureLink,
    User,
    UserFunction,
)
from ..models._time import utcnow
from ..models.directory import display_name_of
from ..models.imports import ImportFingerprint, ImportPendingDeletion, ImportRun, Mef, Subject
from ..types import Profile
from .classes import create_class
from .codes import login_base
from .default_links import members_communicate_by_default
from .feed import Feed, FeedProblem
from .seed import activation_codes
from .structures import create_structure, link_structures
from .sync_plan import MANAGED_FUNCTIONS, FeedError, ImportPlan, chunks, ids_by_external_id, plan_import

Progress = Callable[[int, str], Any]
PROBLEMS_KEPT = 200  # problems stored with an import run; the count says how many there were
CLASS_PROFILES = (Profile.TEACHER, Profile.STUDENT)


@dataclass
class ImportReport:
    plan: ImportPlan
    run_id: int | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def counts(self) -> dict:
        return self.plan.counts

    @property
    def changes(self) -> list:
        return self.plan.changes

    @property
    def problems(self) -> list[FeedProblem]:
        return self.plan.problems


def apply_import(session: Session, feed: Feed, actor: Any = None, progress: Progress | None = None,
                 *, plan: ImportPlan | None = None) -> ImportReport:
    """Apply ``feed`` in the session's transaction (the caller commits, or rolls back on an exception).

    Raises :class:`FeedError` before writing anything when the feed has a fatal problem."""
    progress = progress or (lambda _percent, _message: None)
    started, clock = utcnow(), perf_counter()
    progress(40, "Comparaison avec l'annuaire")
    plan = plan or plan_import(session, feed)
    if plan.fatal:
        raise FeedError(_problem_text(plan.fatal[0]), plan.fatal)
    report = ImportReport(plan)
    if plan.changed:
        steps = (("Structures", 50, _apply_structures), ("Classes et groupes", 55, _apply_classes),
                 ("Matières et MEF", 60, _apply_subjects), ("Comptes", 65, _apply_persons),
                 ("Suppressions en attente", 92, _apply_missing), ("Empreintes", 95, _apply_fingerprints))
        state = _State(feed.source)
        for label, percent, step in steps:
            progress(percent, label)
            begun = perf_counter()
            step(session, plan, state)
            report.timings[label] = perf_counter() - begun
        audit.record(session, "directory.import", actor=actor, structure_id=feed.target_structure_id,
                     source=feed.source, counts=_summary(plan.counts))
    report.seconds = perf_counter() - clock
    report.run_id = record_run(session, plan, source=feed.source, structure_id=feed.target_structure_id,
                               actor=actor, dry_run=False, started=started).id
    progress(100, "Terminé")
    return report


def _problem_text(problem: FeedProblem) -> str:
    where = problem.place.file + (f", ligne {problem.place.line}" if problem.place.line else "")
    where += f", colonne {problem.place.column}" if problem.place.column else ""
    return f"{where} : {problem.message}"


def _summary(counts: dict) -> dict:
    return {k: v for k, v in counts.items() if not isinstance(v, dict) or any(v.values())}


def record_run(session: Session, plan: ImportPlan | None, *, source: str, structure_id: int | None = None,
               actor: Any = None, dry_run: bool, started: Any = None, state: str = "done",
               message: str | None = None, problems: list[FeedProblem] | None = None) -> ImportRun:
    """Add an import run to the history (a dry run, an application, or a failure)."""
    problems = plan.problems if plan is not None else (problems or [])
    run = ImportRun(
        source=source, structure_id=structure_id, actor_id=getattr(actor, "id", actor), dry_run=dry_run,
        state=state, counts=plan.counts if plan is not None else {},
        problems=[{"file": _printable(p.place.file), "line": p.place.line, "column": _printable(p.place.column),
                   "message": _printable(p.message), "fatal": p.fatal} for p in problems[:PROBLEMS_KEPT]],
        problem_count=len(problems), message=_printable((message or "")[:1000]) or None,
        started_at=started or utcnow(), finished_at=utcnow(),
    )
    session.add(run)
    session.flush()
    return run


def _printable(text: str | None) -> str | None:
    """A report's text without control characters (a value quoted from a hostile file; PostgreSQL refuses NUL)."""
    return text if text is None else _CONTROL.sub("�", str(text))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


@dataclass
class _State:
    source: str
    structure_ids: dict[str, int] = field(default_factory=dict)
    class_ids: dict[str, int] = field(default_factory=dict)
    group_ids: dict[str, int] = field(default_factory=dict)


def _changed(plan: ImportPlan, kind: str, ext: str) -> str | None:
    action = plan.actions.get((kind, ext))
    return None if action == "unchanged" else action


# -- structures, classes, groups, nomenclatures ------------------------------------------------------------


def _apply_structures(session: Session, plan: ImportPlan, state: _State) -> None:
    state.structure_ids = dict(plan.structure_ids)
    touched = []
    for ext, record in plan.structures.items():
        action = _changed(plan, "structure", ext)
        if action is None:
            continue
        kind = record.kind if record.kind in set(StructureKind) else StructureKind.OTHER
        if action == "created":
            structure = create_structure(session, record.name, kind, uai=record.uai, external_id=ext,
                                         source=state.source)
            state.structure_ids[ext] = structure.id
        else:
            structure = session.get_one(Structure, state.structure_ids[ext])
            structure.name, structure.kind, structure.uai = record.name, kind, record.uai
            structure.source, structure.external_id = state.source, ext
        touched.append((structure, record))
    session.flush()
    for structure, record in touched:
        for parent in record.parent_external_ids:
            if parent in state.structure_ids and state.structure_ids[parent] != structure.id \
                    and session.get(StructureLink, (state.structure_ids[parent], structure.id)) is None:
                link_structures(session, session.get_one(Structure, state.structure_ids[parent]), structure)


def _apply_classes(session: Session, plan: ImportPlan, state: _State) -> None:
    state.class_ids, state.group_ids = dict(plan.class_ids), dict(plan.group_ids)
    structures: dict[int, Structure] = {}
    for ext, record in plan.classes.items():
        action = _changed(plan, "class", ext)
        if action is None:
            continue
        sid = state.structure_ids[record.structure_external_id]
        # Lengths are checked by the plan (fatal problems); only a long MEF label used as the class level is
        # abridged, and the plan reported it.
        level, name = (record.level or None) and record.level[:32], record.name
        if action == "created":
            existing = session.scalar(select(SchoolClass).where(SchoolClass.structure_id == sid,
                                                               SchoolClass.name == name))
            if existing is None:
                structure = structures.get(sid) or structures.setdefault(sid, session.get_one(Structure, sid))
                existing = create_class(session, structure, name, level=level, external_id=ext, source=state.source)
            existing.external_id, existing.source, existing.level = ext, state.source, level
            state.class_ids[ext] = existing.id
        else:
            session.execute(update(SchoolClass).where(SchoolClass.id == state.class_ids[ext])
                            .values(name=name, level=level))
    new_groups = [(ext, record) for ext, record in plan.groups.items() if _changed(plan, "group", ext) == "created"]
    if new_groups:
        session.execute(insert(Group), [
            {"structure_id": state.structure_ids[r.structure_external_id], "class_id": None,
             "kind": GroupKind.TEACHING, "profile": None, "name": r.name, "external_id": ext,
             "members_communicate": members_communicate_by_default(GroupKind.TEACHING, None),
             "source": state.source} for ext, r in new_groups])
        for ids in chunks([ext for ext, _r in new_groups]):
            state.group_ids.update(ids_by_external_id(
                session, Group.external_id, Group.id, Group.source == state.source, Group.kind == GroupKind.TEACHING,
                Group.external_id.in_(ids)))
    updated = [{"gid": state.group_ids[ext], "name": r.name} for ext, r in plan.groups.items()
               if _changed(plan, "group", ext) == "updated"]
    if updated:
        table = table_of(Group)
        session.connection().execute(update(table).where(table.c.id == bindparam("gid")), updated)
    session.flush()


def _apply_subjects(session: Session, plan: ImportPlan, state: _State) -> None:
    for model, records, kind in ((Subject, plan.subjects, "subject"), (Mef, plan.mefs, "mef")):
        changed = {ext: r for ext, r in records.items() if _changed(plan, kind, ext)}
        if not changed:
            continue
        existing = dict(session.execute(select(model.code, model.id).where(model.source == state.source)).all())
        rows = [{"source": state.source, "code": r.code, "label": r.label,
                 "structure_id": state.structure_ids.get(r.structure_external_id or "")}
                for r in changed.values()]
        fresh = [row for row in rows if row["code"] not in existing]
        if fresh:
            session.execute(insert(model), fresh)
        old = [{**row, "rid": existing[row["code"]]} for row in rows if row["code"] in existing]
        if old:
            table = table_of(model)
            session.connection().execute(update(table).where(table.c.id == bindparam("rid")).values(
                label=bindparam("label"), structure_id=bindparam("structure_id")), old)


# -- accounts --------------------------------------------------------------------------------------------


class _Logins:
    """``prenom.nom``, then ``prenom.nom2``… like :func:`preau.directory.users.unique_login`, in bulk."""

    def __init__(self, session: Session) -> None:
        self.taken = set(session.scalars(select(User.login)))
        self.counters: dict[str, int] = {}

    def __call__(self, first_name: str, last_name: str) -> str:
        base = login_base(first_name, last_name)
        n = self.counters.get(base, 1)
        while True:
            login = base if n == 1 else f"{base}{n}"
            n += 1
            if login not in self.taken:
                self.counters[base] = n
                self.taken.add(login)
                return login


def _apply_persons(session: Session, plan: ImportPlan, state: _State) -> None:
    now = utcnow()
    created = [p for ext, p in plan.persons.items() if _changed(plan, "person", ext) == "created"]
    existing = [p for ext, p in plan.persons.items() if _changed(plan, "person", ext) in ("updated", "reactivated")]
    if created:
        logins = _Logins(session)
        for batch in chunks(created, 20_000):  # rows built per batch: a few MB at a time, not the whole feed
            rows = [{"login": logins(p.first_name, p.last_name), "first_name": p.first_name,
                     "last_name": p.last_name, "display_name": display_name_of(p.first_name, p.last_name),
                     "birth_date": p.birth_date, "email": p.email, "state": AccountState.INACTIVE.value,
                     "state_changed_at": now, "activation_code": code, "session_version": 1,
                     "external_id": p.external_id, "source": state.source, "created_at": now}
                    for p, code in zip(batch, activation_codes(len(batch)), strict=True)]
            session.execute(insert(table_of(User)), rows)
        del logins
        for ids in chunks([p.external_id for p in created]):
            for ext, uid in ids_by_external_id(session, User.external_id, User.id, User.source == state.source,
                                               User.external_id.in_(ids)).items():
                plan.users[ext] = (uid, AccountState.INACTIVE.value)
    if existing:
        session.execute(update(User), [
            {"id": plan.users[p.external_id][0], "first_name": p.first_name, "last_name": p.last_name,
             "display_name": display_name_of(p.first_name, p.last_name), "birth_date": p.birth_date,
             "email": p.email} for p in existing])
    touched = created + existing
    if touched:
        _sync_attachments(session, plan, state, touched, {plan.users[p.external_id][0] for p in existing})


def _group_maps(session: Session, state: _State, touched: list) -> tuple[dict, dict]:
    structure_ids = sorted({state.structure_ids[s] for p in touched for s in p.structures})
    class_ids = sorted({state.class_ids[c] for p in touched for c in p.classes if c in state.class_ids})
    profile_groups: dict[tuple[int, str | None], int] = {}
    for ids in chunks(structure_ids):
        for gid, sid, profile in session.execute(select(Group.id, Group.structure_id, Group.profile).where(
                Group.kind == GroupKind.PROFILE, Group.structure_id.in_(ids))):
            profile_groups[(sid, profile)] = gid
    class_groups: dict[tuple[int | None, str | None], int] = {}
    for ids in chunks(class_ids):
        for gid, cid, profile in session.execute(select(Group.id, Group.class_id, Group.profile).where(
                Group.kind == GroupKind.CLASS, Group.class_id.in_(ids))):
            class_groups[(cid, profile)] = gid
    return profile_groups, class_groups


def _sync_attachments(session: Session, plan: ImportPlan, state: _State, touched: list, existing_ids: set[int]
                      ) -> None:
    """Make roles, automatic memberships, managed functions and parent links of ``touched`` what the feed says."""
    profile_groups, class_groups = _group_maps(session, state, touched)
    roles: set[tuple[int, int, str]] = set()
    members: set[tuple[int, int]] = set()
    functions: set[tuple[int, int, str]] = set()
    links: set[tuple[int, int]] = set()
    for person in touched:
        uid, profile = plan.users[person.external_id][0], person.profile
        for key in person.structures:
            sid = state.structure_ids[key]
            roles.add((uid, sid, profile))
            for group_profile in (profile, None):
                if (sid, group_profile) in profile_groups:
                    members.add((profile_groups[(sid, group_profile)], uid))
        class_profile = profile if profile in CLASS_PROFILES else (
            Profile.RELATIVE.value if profile == Profile.RELATIVE else None)
        if class_profile:
            for cid in person.classes:
                gid = class_groups.get((state.class_ids.get(cid), class_profile))
                if gid:
                    members.add((gid, uid))
        members.update((state.group_ids[g], uid) for g in person.groups if g in state.group_ids)
        functions.update((uid, state.structure_ids[s], code) for s, code in person.functions)
        links.update((uid, plan.users[c][0]) for c in person.children if c in plan.users)
    old_roles, old_members, old_functions, old_links = _current_attachments(session, state, sorted(existing_ids))
    _write_diff(session, table_of(Role), ("user_id", "structure_id", "profile"), roles, old_roles)
    _write_diff(session, table_of(GroupMember), ("group_id", "user_id"), members, old_members)
    _write_diff(session, table_of(UserFunction), ("user_id", "structure_id", "code"), functions, old_functions)
    _write_diff(session, table_of(RelativeLink), ("parent_id", "child_id"), links, old_links)


def _current_attachments(session: Session, state: _State, user_ids: list[int]) -> tuple[set, set, set, set]:
    roles: set[Any] = set()  # rows, made tuples at the end
    members: set[Any] = set()
    functions: set[Any] = set()
    links: set[Any] = set()
    automatic = or_(Group.kind.in_((GroupKind.PROFILE, GroupKind.CLASS)),
                    (Group.kind == GroupKind.TEACHING) & (Group.source == state.source))
    for ids in chunks(user_ids):
        roles.update(session.execute(select(Role.user_id, Role.structure_id, Role.profile)
                                     .where(Role.user_id.in_(ids))).all())
        members.update(session.execute(select(GroupMember.group_id, GroupMember.user_id)
                                       .join(Group, Group.id == GroupMember.group_id)
                                       .where(GroupMember.user_id.in_(ids), automatic)).all())
        functions.update(session.execute(select(UserFunction.user_id, UserFunction.structure_id, UserFunction.code)
                                         .where(UserFunction.user_id.in_(ids),
                                                UserFunction.code.in_(sorted(MANAGED_FUNCTIONS)))).all())
        links.update(session.execute(select(RelativeLink.parent_id, RelativeLink.child_id)
                                     .where(RelativeLink.parent_id.in_(ids))).all())
    return ({tuple(r) for r in roles}, {tuple(r) for r in members}, {tuple(r) for r in functions},
            {tuple(r) for r in links})


def _write_diff(session: Session, table: Any, columns: tuple[str, ...], wanted: set, present: set) -> None:
    add = list(wanted - present)
    for batch in chunks(add, 50_000):
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in batch])
    del add
    remove = present - wanted
    if remove:
        condition = [table.c[c] == bindparam(f"p_{c}") for c in columns]
        session.connection().execute(delete(table).where(*condition),
                                     [{f"p_{c}": v for c, v in zip(columns, row, strict=True)} for row in remove])


# -- missing accounts, fingerprints ----------------------------------------------------------------------


def _apply_missing(session: Session, plan: ImportPlan, state: _State) -> None:
    now = utcnow()
    if plan.pending_ids:
        previous: list[tuple[int, str]] = []
        for ids in chunks(plan.pending_ids):
            previous.extend(session.execute(select(User.id, User.state).where(User.id.in_(ids))).all())
        session.execute(insert(ImportPendingDeletion),
                        [{"user_id": uid, "previous_state": prev, "since": now} for uid, prev in previous])
        for ids in chunks(plan.pending_ids):
            session.execute(update(User).where(User.id.in_(ids)).values(
                state=AccountState.PENDING_DELETION.value, state_changed_at=now), execution_options={
                "synchronize_session": False})
        audit.record(session, "directory.import_pending_deletion", source=state.source, count=len(plan.pending_ids))
    if plan.reactivated:
        session.execute(update(User), [{"id": uid, "state": prev, "state_changed_at": now}
                                       for uid, prev in plan.reactivated.items()])
        for ids in chunks(sorted(plan.reactivated)):
            session.execute(delete(ImportPendingDeletion).where(ImportPendingDeletion.user_id.in_(ids)))
        audit.record(session, "directory.import_reactivated", source=state.source, count=len(plan.reactivated))


def _apply_fingerprints(session: Session, plan: ImportPlan, state: _State) -> None:
    applied = {key for key, action in plan.actions.items() if action != "unchanged"}
    fresh = [{"source": state.source, "kind": k, "external_id": e, "digest": plan.digests[(k, e)]}
             for k, e in applied if (k, e) not in plan.known_digests]
    for batch in chunks(fresh, 50_000):
        session.execute(insert(ImportFingerprint), batch)
    old = [{"p_kind": k, "p_ext": e, "digest": plan.digests[(k, e)]}
           for k, e in applied if (k, e) in plan.known_digests]
    if old:
        table = table_of(ImportFingerprint)
        session.connection().execute(update(table).where(
            table.c.source == state.source, table.c.kind == bindparam("p_kind"),
            table.c.external_id == bindparam("p_ext")).values(digest=bindparam("digest")), old)
    session.flush()
