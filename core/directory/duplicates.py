"""Duplicate accounts: the same person arriving from two sources (the académie's feed and a CSV, a hand-made
account and the feed…). An administrator merges them — one account kept, the other's roles, memberships,
family links and content moved to it, then deleted — or says they are two people (dissociate).

Both accounts must lie wholly inside the administrator's scope: merging acts on every role of both."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, delete, insert, select
from sqlalchemy.orm import Session, aliased

from .. import audit, events
from ..models import (
    AccountState,
    DuplicateDismissal,
    GroupMember,
    RelativeLink,
    Role,
    Structure,
    User,
    UserFunction,
)
from ..models._time import utcnow
from . import scopes
from .lifecycle import anonymise
from .structures import DirectoryError

GONE = (AccountState.DELETED, AccountState.PRE_DELETED)


class OutOfScope(DirectoryError):
    """An account reaches outside the administrator's structures (the message names them)."""

    status = 403
    reason = "out_of_scope"


@dataclass(frozen=True)
class DuplicateSet:
    """Accounts of one person as far as names and birth date tell."""

    accounts: tuple[User, ...]


def duplicate_sets(session: Session, structure_id: int, limit: int = 200) -> list[DuplicateSet]:
    """Sets of accounts with a role in the structure, sharing last name, first name and birth date, from at
    least two sources, except the pairs an administrator dissociated."""
    other = aliased(User)
    here = select(Role.user_id).where(Role.structure_id == structure_id)
    pairs = session.execute(
        select(User.id, other.id)
        .join(other, and_(other.last_name == User.last_name, other.first_name == User.first_name,
                          other.birth_date == User.birth_date, other.id > User.id, other.source != User.source))
        .where(User.id.in_(here), User.birth_date.is_not(None), User.state.not_in(GONE),
               other.state.not_in(GONE))
        .order_by(User.last_name, User.first_name, User.id).limit(limit * 4)).all()
    dismissed = {(row.first_id, row.second_id) for row in session.scalars(select(DuplicateDismissal).where(
        DuplicateDismissal.first_id.in_([a for a, _ in pairs])))} if pairs else set()
    groups: dict[int, list[int]] = {}
    for first, second in pairs:
        if (first, second) not in dismissed:
            groups.setdefault(first, [first]).append(second)
    users = {u.id: u for u in session.scalars(select(User).where(
        User.id.in_({i for ids in groups.values() for i in ids})))}
    return [DuplicateSet(tuple(users[i] for i in ids)) for ids in list(groups.values())[:limit]]


def _check_in_scope(session: Session, admin: User, user: User) -> None:
    """A merge acts on every role of both accounts: each must lie in the administrator's scope."""
    scope = scopes.administered_structure_ids(session, admin)
    outside = [] if scope is None else [r.structure_id for r in user.roles if r.structure_id not in scope]
    if outside or (scope is not None and not user.roles):
        names = session.scalars(select(Structure.name).where(Structure.id.in_(outside))).all()
        raise OutOfScope(_("Vous n'administrez pas %(structures)s, où %(name)s a aussi un rôle : seul un "
                               "administrateur de toutes ses structures peut fusionner ce compte.",
                               structures=", ".join(names) or _("toutes ses structures"), name=user.display_name))
    if user.is_super_admin and not admin.is_super_admin:
        raise OutOfScope(_("Le compte d'un super-administrateur ne se fusionne pas."))


def dissociate(session: Session, admin: User, first: User, second: User, *, ip: str | None = None) -> None:
    """Two people after all: the pair is no longer offered for merging."""
    if first.id == second.id:
        raise DirectoryError(_("Choisissez deux comptes différents."))
    for user in (first, second):
        _check_in_scope(session, admin, user)
    low, high = sorted((first.id, second.id))
    if session.get(DuplicateDismissal, (low, high)) is None:
        session.add(DuplicateDismissal(first_id=low, second_id=high))
    audit.record(session, "account.duplicates_dissociated", actor=admin, target=first, ip=ip, other=second.id)
    session.flush()


def merge(session: Session, admin: User, kept: User, merged: User, *, ip: str | None = None) -> None:
    """Move everything of ``merged`` to ``kept`` (roles, functions, groups, family, plugins' content), then
    delete ``merged``. One transaction: the caller commits, or rolls back on :class:`DirectoryError`."""
    if kept.id == merged.id:
        raise DirectoryError(_("Choisissez deux comptes différents."))
    for user in (kept, merged):
        _check_in_scope(session, admin, user)
        if user.state in GONE:
            raise DirectoryError(_("Le compte %(login)s est supprimé : il ne se fusionne plus.", login=user.login))
    _move_directory_links(session, kept.id, merged.id)
    if merged.external_id and not kept.external_id:  # the feed finds the person on the kept account from now on
        identity = (merged.source, merged.external_id)
        merged.external_id = None
        session.flush()  # (source, external id) is unique: free it before the kept account takes it
        kept.source, kept.external_id = identity
        session.flush()
    events.emit("preau_user_merged", apps=events.KERNEL_WIDE, session=session, user=kept,
                merged_user_id=merged.id)
    audit.record(session, "account.merged", actor=admin, target=kept, ip=ip, merged=merged.id,
                 merged_login=merged.login)
    merged.state, merged.state_changed_at = AccountState.DELETED, utcnow()
    merged.session_version += 1
    anonymise(session, merged)
    session.expire(kept, ["roles", "functions"])


def _move_directory_links(session: Session, kept_id: int, merged_id: int) -> None:
    """Copy what the kept account lacks (roles, functions, memberships, family); the merged one's rows go
    with its deletion."""
    role_rows = session.execute(select(Role.structure_id, Role.profile).where(Role.user_id == merged_id)).all()
    have = set(session.execute(select(Role.structure_id, Role.profile).where(Role.user_id == kept_id)).all())
    missing = [{"user_id": kept_id, "structure_id": s, "profile": p} for s, p in role_rows if (s, p) not in have]
    if missing:
        session.execute(insert(Role), missing)
    functions = session.execute(select(UserFunction.structure_id, UserFunction.code)
                                .where(UserFunction.user_id == merged_id)).all()
    owned = set(session.execute(select(UserFunction.structure_id, UserFunction.code)
                                .where(UserFunction.user_id == kept_id)).all())
    new_functions = [{"user_id": kept_id, "structure_id": s, "code": c} for s, c in functions if (s, c) not in owned]
    if new_functions:
        session.execute(insert(UserFunction), new_functions)
    groups = set(session.scalars(select(GroupMember.group_id).where(GroupMember.user_id == merged_id)))
    groups -= set(session.scalars(select(GroupMember.group_id).where(GroupMember.user_id == kept_id)))
    if groups:
        session.execute(insert(GroupMember), [{"group_id": g, "user_id": kept_id} for g in sorted(groups)])
    _move_family(session, kept_id, merged_id)
    session.flush()


def _move_family(session: Session, kept_id: int, merged_id: int) -> None:
    links = session.execute(select(RelativeLink.parent_id, RelativeLink.child_id).where(
        (RelativeLink.parent_id == merged_id) | (RelativeLink.child_id == merged_id))).all()
    existing = set(session.execute(select(RelativeLink.parent_id, RelativeLink.child_id).where(
        (RelativeLink.parent_id == kept_id) | (RelativeLink.child_id == kept_id))).all())
    moved = {(kept_id if p == merged_id else p, kept_id if c == merged_id else c) for p, c in links}
    rows = [{"parent_id": p, "child_id": c} for p, c in sorted(moved - existing) if p != c]
    session.execute(delete(RelativeLink).where(
        (RelativeLink.parent_id == merged_id) | (RelativeLink.child_id == merged_id)))
    if rows:
        session.execute(insert(RelativeLink), rows)

