"""The TOTP second factor (RFC 6238, 30-second steps, 6 digits): setting it up, checking a code once.

A code is accepted for the step before, the current one and the one after (clocks of phones drift), and
each step only once: a code seen over a shoulder cannot be replayed.

Wrong codes after the password are counted on the server, twice: in the login session (``AuthSession``: after
``MAX_FAILURES`` the session ends and the password is asked again) and per account in the throttle's ``totp``
budget (``throttle.py``: free failures, then growing delays), so that logging in again with the password gives no
fresh budget — a right password never clears the second factor's failures. Each code is counted before it is
checked: parallel guesses cannot slip under the limits."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyotp
import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..models import TotpCredential, User
from ..models._time import utcnow
from . import sessions, throttle

ISSUER = "Préau"
STEP_SECONDS = 30
MAX_FAILURES = 5  # wrong codes in one login session before it is ended (the password is asked again)


def credential(session: Session, user_id: int) -> TotpCredential | None:
    return session.get(TotpCredential, user_id)


def is_enabled(session: Session, user_id: int) -> bool:
    return session.scalar(select(TotpCredential.confirmed_at).where(TotpCredential.user_id == user_id)) is not None


def begin_setup(session: Session, user: User) -> TotpCredential:
    """A new secret waiting for its first code; an enabled second factor is replaced only after confirmation."""
    found = credential(session, user.id)
    if found is not None and found.confirmed_at is None:
        return found
    if found is not None:
        raise ValueError("already enabled")
    found = TotpCredential(user_id=user.id, secret=pyotp.random_base32(), last_step=0)
    session.add(found)
    session.flush()
    return found


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.login, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The setup QR code as inline SVG markup (no script, no image request: the CSP stays strict)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#1b1b1b", light="#ffffff", omitsize=True)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = (code or "").replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    step = int(now // STEP_SECONDS)
    for candidate in (step - 1, step, step + 1):
        if totp.at(candidate * STEP_SECONDS) == code:
            return candidate
    return None


def check_code(session: Session, found: TotpCredential, code: str, now: float | None = None) -> bool:
    """True once per step for a right code; the step is remembered so that the same code fails next time."""
    step = _matching_step(found.secret, code, time.time() if now is None else now)
    if step is None or step <= found.last_step:
        return False
    found.last_step = step
    session.flush()
    return True


def confirm_setup(session: Session, user: User, code: str, ip: str | None = None) -> bool:
    found = credential(session, user.id)
    if found is None or found.confirmed_at is not None or not check_code(session, found, code):
        return False
    found.confirmed_at = utcnow()
    audit.record(session, "auth.totp_enabled", actor=user, target=user, ip=ip)
    return True


def disable(session: Session, user: User, code: str, ip: str | None = None) -> bool:
    """Turning the second factor off takes a current code (a stolen open session cannot do it)."""
    found = credential(session, user.id)
    if found is None or found.confirmed_at is None or not check_code(session, found, code):
        return False
    session.delete(found)
    audit.record(session, "auth.totp_disabled", actor=user, target=user, ip=ip)
    session.flush()
    return True


@dataclass(frozen=True)
class CodeOutcome:
    """What became of a code given after the password: ``passed``, ``wrong``, ``ended`` (the session is over)
    or ``throttled`` (not checked; ``retry_after`` seconds)."""

    result: str
    retry_after: int = 0


def check_login_code(session: Session, user: User, sid: str, code: str, ip: str, policy: throttle.ThrottlePolicy,
                     device: str | None = None) -> CodeOutcome:
    """The code asked after the password, for the pending login session ``sid`` (``device``: the browser's
    device id when it is known for this account). Commits."""
    wait = throttle.retry_after(session, user.login, ip, policy, throttle.TOTP, device)
    if wait:
        audit.record(session, "auth.totp_throttled", actor=user, target=user, ip=ip, retry_after=wait)
        session.commit()
        return CodeOutcome("throttled", retry_after=wait)
    throttle.note_attempt(session, user.login, ip, success=False, kind=throttle.TOTP, device=device)
    failures = sessions.count_second_factor_failure(session, sid)
    session.commit()
    found = credential(session, user.id)
    if found is not None and found.confirmed_at is not None and check_code(session, found, code):
        throttle.note_attempt(session, user.login, ip, success=True, kind=throttle.TOTP, device=device)
        sessions.pass_second_factor(session, sid)
        audit.record(session, "auth.totp_passed", actor=user, target=user, ip=ip)
        session.commit()
        return CodeOutcome("passed")
    audit.record(session, "auth.totp_failed", actor=user, target=user, ip=ip, attempt=failures)
    if failures >= MAX_FAILURES:
        sessions.end_session(session, sid)  # commits the audit event too
        return CodeOutcome("ended")
    session.commit()
    return CodeOutcome("wrong")
