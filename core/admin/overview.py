"""The structure page's overview: counts and warnings per section (directory, apps, communication, security),
each a COUNT query (no user is loaded), for the administrator's grouped view of one structure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from .. import appwarnings
from ..directory.enablement import enabled_apps
from ..models import (
    AccountState,
    Charter,
    CommLink,
    CommVersion,
    Group,
    GroupKind,
    ImportRun,
    Role,
    SchoolClass,
    Structure,
    User,
)
from ..models._time import utcnow
from ..models.mfa import TotpCredential

RECENT_IMPORTS = timedelta(days=30)
GONE = (AccountState.DELETED,)


@dataclass
class Overview:
    """The numbers of one structure's overview."""

    users: int = 0
    states: dict[str, int] = field(default_factory=dict)  # account state → count (deleted left out)
    classes: int = 0
    groups: int = 0
    last_import: ImportRun | None = None
    failed_imports: int = 0  # in the last 30 days
    apps: int = 0
    app_warnings: list[Any] = field(default_factory=list)
    comm_links: int = 0
    comm_changes: int = 0
    second_factor: int = 0
    charters: int = 0

    @property
    def inactive(self) -> int:
        return self.states.get(AccountState.INACTIVE, 0)

    @property
    def blocked(self) -> int:
        return self.states.get(AccountState.BLOCKED, 0)


def _members(structure_id: int):
    """The ids of the structure's people (one row per user), as a subquery."""
    return select(Role.user_id).where(Role.structure_id == structure_id).distinct().subquery()


def _state_counts(session: Session, structure_id: int) -> dict[str, int]:
    members = _members(structure_id)
    rows = session.execute(select(User.state, func.count()).join(members, members.c.user_id == User.id)
                           .where(User.state.not_in(GONE)).group_by(User.state)).all()
    return {str(state): count for state, count in rows}


def build_overview(session: Session, structure: Structure, *, registry: Any,
                   now: datetime | None = None) -> Overview:
    sid = structure.id
    states = _state_counts(session, sid)
    members = _members(sid)
    since = (now or utcnow()) - RECENT_IMPORTS
    runs = select(ImportRun).where(ImportRun.structure_id == sid, ImportRun.dry_run.is_(False))
    group_ids = select(Group.id).where(Group.structure_id == sid)
    return Overview(
        users=sum(states.values()),
        states=states,
        classes=session.scalar(select(func.count()).select_from(SchoolClass).where(
            SchoolClass.structure_id == sid, SchoolClass.archived_at.is_(None))) or 0,
        groups=session.scalar(select(func.count()).select_from(Group).where(
            Group.structure_id == sid, Group.kind.in_((GroupKind.MANUAL, GroupKind.TEACHING)))) or 0,
        last_import=session.scalars(runs.order_by(ImportRun.started_at.desc()).limit(1)).first(),
        failed_imports=session.scalar(select(func.count()).select_from(runs.where(
            ImportRun.state == "failed", ImportRun.started_at >= since).subquery())) or 0,
        apps=len(enabled_apps(session, sid)),
        app_warnings=appwarnings.app_warnings(session, registry, structure),
        comm_links=session.scalar(select(func.count()).select_from(CommLink).where(
            CommLink.to_group_id.in_(group_ids))) or 0,
        comm_changes=session.scalar(select(func.count()).select_from(CommVersion).where(
            CommVersion.structure_id == sid)) or 0,
        second_factor=session.scalar(select(func.count()).select_from(TotpCredential).join(
            members, members.c.user_id == TotpCredential.user_id).where(
            TotpCredential.confirmed_at.is_not(None))) or 0,
        charters=session.scalar(select(func.count(distinct(Charter.profile)))) or 0,
    )
