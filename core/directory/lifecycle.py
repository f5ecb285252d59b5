"""Account states and their transitions, in one place."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .. import audit, events
from ..models import AccountState as S
from ..models import User
from ..models._time import utcnow
from .structures import DirectoryError

TRANSITIONS: dict[str, set[str]] = {
    S.INACTIVE: {S.ACTIVE, S.BLOCKED, S.PENDING_DELETION},
    S.ACTIVE: {S.BLOCKED, S.PENDING_DELETION},
    S.BLOCKED: {S.ACTIVE, S.INACTIVE, S.PENDING_DELETION},
    S.PENDING_DELETION: {S.ACTIVE, S.INACTIVE, S.PRE_DELETED},
    S.PRE_DELETED: {S.ACTIVE, S.INACTIVE, S.DELETED},
    S.DELETED: set(),
}

STATE_LABELS = {
    S.INACTIVE: "Non activé",
    S.ACTIVE: "Actif",
    S.BLOCKED: "Bloqué",
    S.PENDING_DELETION: "En attente de suppression",
    S.PRE_DELETED: "Pré-supprimé",
    S.DELETED: "Supprimé",
}

# States in which a person may log in at all (pre-deleted people may only export "Mes données").
CAN_LOG_IN = {S.ACTIVE, S.PRE_DELETED, S.PENDING_DELETION}


def transition(
    session: Session, user: User, new_state: str, *, actor: Any = None, reason: str = "", ip: str | None = None
) -> None:
    """Move ``user`` to ``new_state`` if the transition is allowed; audited, plugins told."""
    old = user.state
    if new_state not in TRANSITIONS.get(old, set()):
        raise DirectoryError(f"passage impossible de « {STATE_LABELS[old]} » à « {STATE_LABELS[new_state]} »")
    user.state = new_state
    user.state_changed_at = utcnow()
    if new_state in (S.BLOCKED, S.DELETED, S.INACTIVE):
        user.session_version += 1  # ends every open session of the account
    audit.record(session, f"account.{new_state}", actor=actor, target=user, ip=ip, reason=reason,
                 previous=str(old))
    session.flush()
    events.emit("preau_user_updated", user=user, changes={"state": (str(old), str(new_state))})
