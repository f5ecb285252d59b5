"""Throttling of secrets typed at the login doors, counted in the database so every worker sees the same.

The policy (numbers are the defaults, see ``config.py``; ``bench/login_guesses.py`` prints what they allow):

- **Budgets.** Each kind of secret has its own budget per account: ``password``, ``totp`` (second factor),
  ``activation`` and ``reset`` codes. A wrong reset code never slows the password of the account down.
- **Known browsers.** A browser that has fully logged in to an account carries a signed device cookie
  (``devices.py``). Its failures for that account are counted against that device only, and failures from
  anywhere else never slow it down: the director's own computer is never locked by a class guessing.
- **Progressive delays, no hard lock.** Per account and budget (a known device, or all unknown browsers
  together), the first ``free_failures`` (5) failures cost nothing; after the n-th failure the next attempt
  waits ``first_delay * 2**(n - free_failures)`` (1, 2, 4, 8, 16 minutes…) capped at ``max_delay`` (30 minutes),
  counted from the last failure. Failures older than ``memory`` (24 h) are forgotten; a success clears the
  failures of its own budget only (a right password clears neither the second factor's failures nor those
  of other browsers). An attempt made while the delay runs is refused (429 + ``Retry-After``) without
  checking the secret — a right one included, otherwise guessing would go on at full speed.
- **Per address.** One address (an IPv6 /64) with ``max_per_ip`` (200) failures or more in ``ip_window``
  (15 min) loses the free failures of unknown browsers: its next wrong guess on any account starts that
  account's delays at once. It never refuses anything by itself, so a school behind one NAT address keeps
  logging in, and a right password from that address on an account without failures always works.
- **Administrators** see the accounts currently delayed and the busy addresses, and lift a delay
  (``admin/locks.py``).

The check and the attempt counted after it form one critical section per login: SQLite gets it from BEGIN
IMMEDIATE, PostgreSQL from a transaction-scoped advisory lock taken in :func:`retry_after`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, text, update
from sqlalchemy.orm import Session

from ..db import affected_rows
from ..models import LoginAttempt
from ..models._time import utcnow

PASSWORD, TOTP, ACTIVATION, RESET = "password", "totp", "activation", "reset"
KINDS = (PASSWORD, TOTP, ACTIVATION, RESET)


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int = 5
    first_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(minutes=30)
    memory: timedelta = timedelta(hours=24)
    ip_window: timedelta = timedelta(minutes=15)
    max_per_ip: int = 200

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ThrottlePolicy:
        return cls(free_failures=config["THROTTLE_FREE_FAILURES"],
                   first_delay=timedelta(seconds=config["THROTTLE_FIRST_DELAY_SECONDS"]),
                   max_delay=timedelta(minutes=config["THROTTLE_MAX_DELAY_MINUTES"]),
                   memory=timedelta(hours=config["THROTTLE_MEMORY_HOURS"]),
                   ip_window=timedelta(minutes=config["THROTTLE_WINDOW_MINUTES"]),
                   max_per_ip=config["THROTTLE_MAX_PER_IP"])

    def delay_after(self, failures: int, free: int | None = None) -> int:
        """Seconds to wait after the last of ``failures`` failures (``free`` free ones: the policy's by default)."""
        free = self.free_failures if free is None else free
        if failures <= 0 or failures < free:
            return 0
        steps = min(failures - max(free, 1), 32)  # the first delay after the last free failure; 2**32: any cap
        return int(min(self.max_delay, self.first_delay * 2 ** steps).total_seconds())


@dataclass(frozen=True)
class Lock:
    """An account's budget that is currently delayed (for the administrators' page)."""

    login: str
    kind: str
    device: str | None
    failures: int
    last_at: datetime
    until: datetime


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


def _same_budget(login: str, kind: str, device: str | None) -> list[ColumnElement[bool]]:
    device_is = LoginAttempt.device.is_(None) if device is None else LoginAttempt.device == device
    return [LoginAttempt.login == login, LoginAttempt.kind == kind, device_is]


def address_failures(session: Session, ip: str, policy: ThrottlePolicy) -> int:
    return session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.ip == address_key(ip), LoginAttempt.success.is_(False),
        LoginAttempt.at >= utcnow() - policy.ip_window)) or 0


def retry_after(session: Session, login: str, ip: str, policy: ThrottlePolicy, kind: str = PASSWORD,
                device: str | None = None) -> int:
    """Seconds before ``login`` may be tried again with a secret of ``kind`` from this browser (``device``: its
    device id when its cookie is valid for this login); 0 when allowed. Takes the per-login lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:login))"), {"login": f"preau-login:{login}"})
    count, last = session.execute(select(func.count(), func.max(LoginAttempt.at)).where(
        *_same_budget(login, kind, device), LoginAttempt.success.is_(False),
        LoginAttempt.at >= utcnow() - policy.memory)).one()
    if not count or last is None:
        return 0
    free = None
    if device is None and address_failures(session, ip, policy) >= policy.max_per_ip:
        free = 0  # a busy address: unknown browsers there get no free failures
    wait = policy.delay_after(count, free)
    # "now" read after the query: on SQLite the lock is taken by the query's BEGIN IMMEDIATE, and the failure
    # committed by the worker we waited for may be more recent than a "now" read before it.
    left = (last + timedelta(seconds=wait) - utcnow()).total_seconds()
    return int(left) + 1 if wait and left > 0 else 0


def note_attempt(session: Session, login: str, ip: str, success: bool, kind: str = PASSWORD,
                 device: str | None = None) -> None:
    session.add(LoginAttempt(login=login[:64], ip=address_key(ip), success=success, kind=kind, device=device))
    if success:
        # A success clears its own budget only: not the other browsers' failures, not the other kinds'.
        session.execute(delete(LoginAttempt).where(*_same_budget(login[:64], kind, device),
                                                   LoginAttempt.success.is_(False)))


def current_locks(session: Session, policy: ThrottlePolicy) -> list[Lock]:
    """Every budget whose delay runs now (from the free failures alone: a busy address adds to it)."""
    now = utcnow()
    rows = session.execute(
        select(LoginAttempt.login, LoginAttempt.kind, LoginAttempt.device, func.count(), func.max(LoginAttempt.at))
        .where(LoginAttempt.success.is_(False), LoginAttempt.at >= now - policy.memory)
        .group_by(LoginAttempt.login, LoginAttempt.kind, LoginAttempt.device)
        .having(func.count() >= max(policy.free_failures, 1))).all()
    locks = []
    for login, kind, device, count, last in rows:
        until = last + timedelta(seconds=policy.delay_after(count))
        if until > now:
            locks.append(Lock(login, kind, device, count, last, until))
    return sorted(locks, key=lambda lock: (lock.login, lock.kind, lock.device or ""))


def busy_addresses(session: Session, policy: ThrottlePolicy) -> list[tuple[str, int]]:
    """Addresses at or over the per-address limit now, with their failures in the window."""
    rows = session.execute(
        select(LoginAttempt.ip, func.count()).where(LoginAttempt.success.is_(False),
                                                    LoginAttempt.at >= utcnow() - policy.ip_window)
        .group_by(LoginAttempt.ip).having(func.count() >= policy.max_per_ip).order_by(func.count().desc())).all()
    return [(ip, count) for ip, count in rows]


def lift(session: Session, login: str, kind: str | None = None) -> int:
    """Forget the failures of ``login`` (of one ``kind``, or all): its delays end now."""
    query = delete(LoginAttempt).where(LoginAttempt.login == login, LoginAttempt.success.is_(False))
    if kind is not None:
        query = query.where(LoginAttempt.kind == kind)
    return affected_rows(session.execute(query))


LIFTED_ADDRESS = "-"


def lift_address(session: Session, key: str) -> int:
    """The address is no longer busy: its failures are kept for their accounts, under no address."""
    result = session.execute(update(LoginAttempt).where(LoginAttempt.ip == key, LoginAttempt.success.is_(False))
                             .values(ip=LIFTED_ADDRESS))
    return affected_rows(result)


def purge_old(session: Session, policy: ThrottlePolicy) -> int:
    result = session.execute(delete(LoginAttempt).where(
        LoginAttempt.at < utcnow() - max(policy.memory, policy.ip_window)))
    return affected_rows(result)
