"""Account states and their transitions, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit, events
from ..models import AccountState as S
from ..models import GroupMember, RelativeLink, Role, User, UserFunction
from ..models._time import utcnow
from ..types import N_
from .codes import new_code
from .structures import DirectoryError

TRANSITIONS: dict[str, set[str]] = {
    S.INACTIVE: {S.ACTIVE, S.BLOCKED, S.PENDING_DELETION},
    S.ACTIVE: {S.BLOCKED, S.PENDING_DELETION},
    S.BLOCKED: {S.ACTIVE, S.INACTIVE, S.PENDING_DELETION},
    S.PENDING_DELETION: {S.ACTIVE, S.INACTIVE, S.PRE_DELETED},
    S.PRE_DELETED: {S.ACTIVE, S.INACTIVE, S.DELETED},
    S.DELETED: set(),
}

STATE_LABELS: dict[str, str] = {  # looked up with the stored state (a str)
    S.INACTIVE: N_("Non activé"),
    S.ACTIVE: N_("Actif"),
    S.BLOCKED: N_("Bloqué"),
    S.PENDING_DELETION: N_("En attente de suppression"),
    S.PRE_DELETED: N_("Pré-supprimé"),
    S.DELETED: N_("Supprimé"),
}

# States in which a person may log in at all (pre-deleted people may only export "Mes données").
CAN_LOG_IN = {S.ACTIVE, S.PRE_DELETED, S.PENDING_DELETION}


def transition(
    session: Session, user: User, new_state: str, *, actor: Any = None, reason: str = "", ip: str | None = None
) -> None:
    """Move ``user`` to ``new_state`` if the transition is allowed; audited, plugins told.

    A refused transition raises :class:`DirectoryError` with a French message and changes nothing.
    """
    old = user.state
    if new_state not in STATE_LABELS:
        raise DirectoryError(_("État de compte inconnu : %(state)s.", state=new_state))
    if new_state not in TRANSITIONS.get(old, set()):
        raise DirectoryError(_("Passage impossible de « %(old)s » à « %(new)s ».",
                               old=_(STATE_LABELS[old]), new=_(STATE_LABELS[new_state])))
    user.state = new_state
    user.state_changed_at = utcnow()
    if new_state in (S.BLOCKED, S.DELETED, S.INACTIVE):
        user.session_version += 1  # ends every open session of the account
    if new_state == S.INACTIVE and not user.activation_code:
        user.activation_code = new_code()  # an inactive account is activated with a code: give it one
        user.activation_code_expires_at = None
    audit.record(session, f"account.{new_state}", actor=actor, target=user, ip=ip, reason=reason,
                 previous=str(old))
    session.flush()
    events.emit("preau_user_updated", apps=events.KERNEL_WIDE, user=user,
                changes={"state": (str(old), str(new_state))})
    if new_state == S.DELETED:  # plugins delete or anonymise what they hold about the person
        events.emit("preau_user_deleted", apps=events.KERNEL_WIDE, session=session, user_id=user.id)


# -- the scheduled steps (``preau lifecycle run``) ---------------------------------------------------------


@dataclass
class LifecycleReport:
    pre_deleted: int = 0
    deleted: int = 0
    exports_removed: int = 0


def due_accounts(session: Session, state: str, days: int, now: datetime) -> list[User]:
    """Accounts in ``state`` for at least ``days``."""
    return list(session.scalars(select(User).where(
        User.state == state, User.state_changed_at <= now - timedelta(days=days)).order_by(User.id)))


def run_lifecycle(session: Session, *, pending_days: int, pre_deleted_days: int,
                  now: datetime | None = None) -> LifecycleReport:
    """Move accounts along: pending deletion → pre-deleted → deleted (anonymised). Each step audited."""
    now = now or utcnow()
    report = LifecycleReport()
    for user in due_accounts(session, S.PENDING_DELETION, pending_days, now):
        transition(session, user, S.PRE_DELETED, reason="lifecycle")
        report.pre_deleted += 1
    for user in due_accounts(session, S.PRE_DELETED, pre_deleted_days, now):
        transition(session, user, S.DELETED, reason="lifecycle")
        anonymise(session, user)
        report.deleted += 1
    return report


def anonymise(session: Session, user: User) -> None:
    """A deleted account keeps only its id (audit trails point at it): no name, login, link or membership."""
    for table in (Role, UserFunction, GroupMember):
        session.execute(delete(table).where(table.user_id == user.id))
    session.execute(delete(RelativeLink).where(
        (RelativeLink.parent_id == user.id) | (RelativeLink.child_id == user.id)))
    user.login = f"supprime-{user.id}"
    user.first_name, user.last_name, user.display_name = "", "", _("Compte supprimé")
    user.email = user.birth_date = user.password_hash = user.external_id = None
    user.activation_code = user.activation_code_expires_at = None
    user.reset_code_hash = user.reset_code_expires_at = None
    session.flush()
    session.expire(user, ["roles", "functions"])
