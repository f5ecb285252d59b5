"""What administrators see of login throttling ("Verrouillages") and how they lift a delay. No Flask here.

A local administrator (ADML) sees and lifts only the delays of accounts whose every role lies in the structures
they administer (``scopes.can_administer_user``); the super administrator sees every delay, the logins that match
no account, and the busy addresses (``throttle.busy_addresses``), and may release an address. Every lift is
audited (``auth.lock_lifted``, ``auth.address_lifted``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..directory import scopes
from ..directory.users import find_by_login
from ..errors import PreauError
from ..models import User
from . import throttle


class OutOfScope(PreauError):
    """The administrator may not act on this login or address (403)."""

    status = 403
    reason = "out_of_scope"


@dataclass(frozen=True)
class LockedAccount:
    login: str
    user: User | None
    locks: list[throttle.Lock]


def _may_act(session: Session, admin: User, user: User | None) -> bool:
    if admin.is_super_admin:
        return True
    return user is not None and scopes.can_administer_user(session, admin, user)


def visible_locks(session: Session, admin: User, policy: throttle.ThrottlePolicy) -> list[LockedAccount]:
    """The delayed accounts ``admin`` may see, each with its running delays (one per budget)."""
    by_login: dict[str, list[throttle.Lock]] = {}
    for lock in throttle.current_locks(session, policy):
        by_login.setdefault(lock.login, []).append(lock)
    users = {user.login: user for user in session.scalars(select(User).where(User.login.in_(by_login)))}
    return [LockedAccount(login, users.get(login), locks) for login, locks in by_login.items()
            if _may_act(session, admin, users.get(login))]


def lift(session: Session, admin: User, login: str, ip: str | None = None) -> int:
    """Forget every failure of ``login`` (all budgets, all browsers); raises :class:`OutOfScope`. Commits."""
    login = (login or "").strip().lower()[:64]
    user = find_by_login(session, login) if login else None
    if not login or not _may_act(session, admin, user):
        audit.record(session, "security.scope_denied", actor=admin, target=user, ip=ip, reason="lock_out_of_scope",
                     login=login)
        session.commit()
        raise OutOfScope(login)
    forgotten = throttle.lift(session, login)
    audit.record(session, "auth.lock_lifted", actor=admin, target=user, ip=ip, login=login, failures=forgotten)
    session.commit()
    return forgotten


def lift_address(session: Session, admin: User, key: str, ip: str | None = None) -> int:
    """Release a busy address (super administrator only); raises :class:`OutOfScope`. Commits."""
    key = (key or "").strip()[:45]
    if not admin.is_super_admin or not key:
        audit.record(session, "security.scope_denied", actor=admin, ip=ip, reason="address_lift", address=key)
        session.commit()
        raise OutOfScope(key)
    released = throttle.lift_address(session, key)
    audit.record(session, "auth.address_lifted", actor=admin, ip=ip, address=key, failures=released)
    session.commit()
    return released
