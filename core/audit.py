"""Write to the audit log: logins, failures and every administrative change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .db import prepare_write
from .models import AuditEvent

_SECRET_KEYS = {"password", "code", "token", "activation_code", "reset_code", "csrf_token"}


def record(
    session: Session,
    action: str,
    *,
    actor: Any = None,
    target: Any = None,
    structure_id: int | None = None,
    ip: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session (committed with the change it describes). Secrets are dropped."""
    target_type = target_id = None
    if target is not None:
        target_type = type(target).__tablename__ if hasattr(type(target), "__tablename__") else str(type(target))
        target_id = str(getattr(target, "id", target))
    prepare_write(session)
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", actor),
        target_type=target_type,
        target_id=target_id,
        structure_id=structure_id,
        ip=ip,
        detail={k: v for k, v in detail.items() if k not in _SECRET_KEYS},
    )
    session.add(event)
    return event
