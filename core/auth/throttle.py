"""Login throttling per account and per IP, counted in the database so every worker sees the same."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from ..models import LoginAttempt
from ..models._time import utcnow


@dataclass(frozen=True)
class ThrottlePolicy:
    window: timedelta = timedelta(minutes=15)
    max_per_login: int = 5
    max_per_ip: int = 30


def _failures(session: Session, column, value: str, since) -> tuple[int, object]:
    return session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            column == value, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    ).one()


def address_key(ip: str) -> str:
    """The key an address is counted under: an IPv6 client owns a whole /64, so it is counted as one."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:45]
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))[:45]
    return str(address)


def retry_after(session: Session, login: str, ip: str, policy: ThrottlePolicy) -> int:
    """Seconds before ``login`` from ``ip`` may try again; 0 when allowed.

    The check and the attempt counted after it form one critical section per login: SQLite gets it from
    BEGIN IMMEDIATE, PostgreSQL from a transaction-scoped advisory lock taken here."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:login))"), {"login": f"preau-login:{login}"})
    now = utcnow()
    since = now - policy.window
    waits = []
    for column, value, limit in ((LoginAttempt.login, login, policy.max_per_login),
                                 (LoginAttempt.ip, address_key(ip), policy.max_per_ip)):
        count, oldest = _failures(session, column, value, since)
        if count >= limit and oldest is not None:
            waits.append(int((oldest + policy.window - now).total_seconds()) + 1)
    return max(waits, default=0)


def note_attempt(session: Session, login: str, ip: str, success: bool) -> None:
    session.add(LoginAttempt(login=login[:64], ip=address_key(ip), success=success))
    if success:
        # A successful login clears the account's failures, not the IP's.
        session.execute(delete(LoginAttempt).where(LoginAttempt.login == login, LoginAttempt.success.is_(False)))


def purge_old(session: Session, policy: ThrottlePolicy) -> int:
    result = session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - policy.window * 4))
    return result.rowcount or 0
