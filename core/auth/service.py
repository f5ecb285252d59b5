"""The rules of logging in, activating an account and resetting a password. No Flask here."""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from .. import audit, statistics
from ..db import session_memo
from ..directory.codes import hash_code, new_code
from ..directory.lifecycle import CAN_LOG_IN, transition
from ..directory.users import find_by_login
from ..errors import PreauError
from ..models import AccountState, Charter, CharterAcceptance, User
from ..models._time import utcnow
from ..types import N_
from . import throttle
from .passwords import hash_password, password_problem, verify_password

MSG_BAD_CREDENTIALS = N_("Identifiant ou mot de passe incorrect.")
MSG_BLOCKED = N_("Ce compte est bloqué. Adressez-vous à l'administrateur de votre établissement.")
MSG_INACTIVE = N_("Ce compte n'est pas encore activé : activez-le avec le code d'activation qui vous a été remis.")
MSG_THROTTLED = N_("Trop de tentatives échouées. Réessayez dans %(minutes)d minute(s).")
MSG_BAD_CODE = N_("Identifiant ou code incorrect.")
MSG_CODE_EXPIRED = N_("Ce code a expiré. Demandez-en un nouveau à l'administrateur de votre établissement.")
MSG_CODE_USED = N_("Ce code a déjà été utilisé. Demandez-en un nouveau à l'administrateur de votre établissement.")
MSG_INVALID_INPUT = N_("L'identifiant ou le mot de passe contient des caractères non autorisés ou est trop long.")
MSG_BAD_EMAIL = N_("L'adresse électronique de secours n'est pas valide.")
MSG_NO_RESET_CODE = N_("On ne peut pas donner de code de réinitialisation à un compte bloqué ou supprimé.")

RESET_CODE_TTL = timedelta(hours=72)
LOGIN_MAX, SECRET_MAX = 64, 256
_CHARTERS_STAMP = "charters_stamp"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class AuthError(PreauError):
    """A refusal with the French message shown to the person (``retry_after`` in seconds when throttled)."""

    def __init__(self, message: str, reason: str, retry_after: int = 0, **params: Any) -> None:
        # ``message`` stays the msgid: ``str(error)`` translates it, ``params`` filled in.
        super().__init__(message, status=429 if retry_after else None, reason=reason, **params)
        self.retry_after = retry_after


def _no_device(_login: str) -> str | None:
    return None


@dataclass(frozen=True)
class Context:
    """Where an attempt comes from: the address, the throttling policy, and ``known_device(login)``, the id of
    the browser's device cookie when it is valid for that (normalised) login (``devices.device_for``)."""

    ip: str
    policy: throttle.ThrottlePolicy = throttle.ThrottlePolicy()
    known_device: Callable[[str], str | None] = field(default=_no_device)


def loggable(value: str, limit: int = LOGIN_MAX) -> str:
    """What may be stored of something a person typed: no control characters (PostgreSQL refuses NUL), short."""
    return _CONTROL.sub("", value or "")[:limit]


def _well_formed(*values: str, limit: int = SECRET_MAX) -> bool:
    return all(len(value) <= limit and not _CONTROL.search(value) for value in values)


def _normalise_login(login: str) -> tuple[str, bool]:
    """The login as stored (stripped, lower case) and whether it is acceptable to look up at all."""
    raw = (login or "").strip().lower()
    return loggable(raw), len(raw) <= LOGIN_MAX and not _CONTROL.search(raw)


_KIND_OF_ACTION = {"auth.login_failed": throttle.PASSWORD, "auth.activation_failed": throttle.ACTIVATION,
                   "auth.reset_failed": throttle.RESET}


def _device(ctx: Context, login: str, kind: str) -> str | None:
    """Only passwords (and second factors) are counted per known browser; codes from letters are not."""
    return ctx.known_device(login) if kind == throttle.PASSWORD and login else None


def _note_failure(session: Session, ctx: Context, login: str, action: str) -> None:
    kind = _KIND_OF_ACTION.get(action, throttle.PASSWORD)
    throttle.note_attempt(session, login, ctx.ip, success=False, kind=kind, device=_device(ctx, login, kind))


def _refuse(session: Session, ctx: Context, login: str, user: User | None, reason: str, message: str,
            action: str = "auth.login_failed", counted: bool = False) -> AuthError:
    """Count the failure for throttling (unless ``counted`` already; in the budget of ``action``'s kind of
    secret), audit it (never the secret typed), commit, and build the error."""
    if not counted:
        _note_failure(session, ctx, login, action)
    audit.record(session, action, target=user, ip=ctx.ip, login=loggable(login), reason=reason)
    session.commit()
    return AuthError(message, reason)


def _refuse_quietly(session: Session, ctx: Context, user: User | None, reason: str, message: str,
                    action: str) -> AuthError:
    """A refusal that is audited but not counted for throttling (e.g. a too weak new password)."""
    audit.record(session, action, actor=user, target=user, ip=ctx.ip, reason=reason)
    session.commit()
    return AuthError(message, reason)


def refuse_invalid_form(session: Session, login: str, fields: list[str], ctx: Context, action: str,
                        count: bool = True) -> None:
    """A form refused by its validators (too long, control characters, missing field): audited and, unless
    ``count`` is false, counted like any failure so that garbage cannot be sent for free. Nothing else changes."""
    login = loggable((login or "").strip().lower())
    if count:
        _note_failure(session, ctx, login, action)
    audit.record(session, action, ip=ctx.ip, login=login, reason="invalid_input", fields=sorted(fields))
    session.commit()


def _check_throttle(session: Session, login: str, ctx: Context, action: str, kind: str) -> None:
    wait = throttle.retry_after(session, login, ctx.ip, ctx.policy, kind, _device(ctx, login, kind))
    if wait:
        audit.record(session, action, ip=ctx.ip, login=login, reason="throttled", retry_after=wait)
        session.commit()
        raise AuthError(MSG_THROTTLED, "throttled", retry_after=wait, minutes=max(1, (wait + 59) // 60))


def authenticate(session: Session, login: str, password: str, ctx: Context) -> User:
    """Check a login and password; raise :class:`AuthError` (audited, counted) if refused.

    The state of an account (blocked, inactive) is told only once the password is right: every other failure
    (unknown login, wrong password, an account without a password yet) gets the same answer, so that a stranger
    cannot probe which accounts exist, are blocked or still to activate.
    Pending-deletion and pre-deleted accounts may still log in (to export "Mes données"); deleted
    accounts are treated as unknown.
    """
    login, login_ok = _normalise_login(login)
    _check_throttle(session, login, ctx, "auth.login_throttled", throttle.PASSWORD)
    if not login_ok or not _well_formed(password or ""):
        raise _refuse(session, ctx, login, None, "invalid_input", MSG_INVALID_INPUT)
    user = find_by_login(session, login) if login else None
    # Count the attempt as failed before the slow hash (parallel guesses cannot all slip under the limit), and
    # commit: on SQLite (WAL) a transaction that read, then writes after another worker's commit, fails at once.
    device = _device(ctx, login, throttle.PASSWORD)
    throttle.note_attempt(session, login, ctx.ip, success=False, device=device)
    session.commit()
    password_ok = verify_password(user.password_hash if user else None, password or "")
    refuse = partial(_refuse, session, ctx, login, counted=True)
    if user is None:
        raise refuse(None, "unknown_login", MSG_BAD_CREDENTIALS)
    if user.state == AccountState.DELETED:
        raise refuse(user, "deleted", MSG_BAD_CREDENTIALS)
    if user.state == AccountState.INACTIVE and password_ok:
        raise refuse(user, "inactive", MSG_INACTIVE)
    if not password_ok:
        raise refuse(user, "inactive" if user.state == AccountState.INACTIVE else "bad_password",
                     MSG_BAD_CREDENTIALS)
    if user.state == AccountState.BLOCKED:
        raise refuse(user, "blocked", MSG_BLOCKED)
    if user.state not in CAN_LOG_IN:
        raise refuse(user, f"state_{user.state}", MSG_BAD_CREDENTIALS)
    throttle.note_attempt(session, login, ctx.ip, success=True, device=device)
    audit.record(session, "auth.login", actor=user, target=user, ip=ctx.ip)
    session.commit()
    return user


# -- activation ----------------------------------------------------------------------------------------


def _same_code(expected: str, given: str) -> bool:
    # compare_digest refuses non-ASCII str: compare bytes, so that "é" is a wrong code, not a crash.
    return hmac.compare_digest(expected.strip().upper().encode(), given.strip().upper().encode())


def check_activation_code(session: Session, login: str, code: str, ctx: Context) -> User:
    """First step of activation: the login and code printed on the letter. Every wrong code gets the same answer
    (an already activated, blocked or unknown account included); the state is told only with the right code."""
    login, login_ok = _normalise_login(login)
    _check_throttle(session, login, ctx, "auth.activation_throttled", throttle.ACTIVATION)
    if not login_ok or not _well_formed(code or "", limit=32):
        raise _refuse(session, ctx, login, None, "invalid_input", MSG_BAD_CODE, "auth.activation_failed")
    user = find_by_login(session, login) if login else None
    if user is not None and user.state == AccountState.ACTIVE and user.activation_code is None:
        raise _refuse(session, ctx, login, user, "activation_reused", MSG_BAD_CODE, "auth.activation_failed")
    if user is None or user.state != AccountState.INACTIVE or not user.activation_code or not _same_code(
            user.activation_code, code or ""):
        raise _refuse(session, ctx, login, user, "bad_activation_code", MSG_BAD_CODE, "auth.activation_failed")
    if user.activation_code_expires_at and user.activation_code_expires_at < utcnow():
        raise _refuse(session, ctx, login, user, "activation_expired", MSG_CODE_EXPIRED,
                      "auth.activation_failed")
    return user


def valid_recovery_email(email: str) -> bool:
    return not email or (len(email) <= 254 and _well_formed(email) and bool(_EMAIL.fullmatch(email)))


def complete_activation(session: Session, user: User, password: str, confirm: str, email: str,
                        ctx: Context) -> None:
    """Second step: choose a password, give a recovery e-mail, accept the charter(s)."""
    email = (email or "").strip()
    if user.state != AccountState.INACTIVE or not user.activation_code:
        raise _refuse_quietly(session, ctx, user, "activation_reused", MSG_CODE_USED, "auth.activation_failed")
    if not _well_formed(password or "", confirm or ""):
        raise _refuse_quietly(session, ctx, user, "invalid_input", MSG_INVALID_INPUT, "auth.activation_failed")
    problem = password_problem(password or "", confirm or "", user.login)
    if problem:
        raise _refuse_quietly(session, ctx, user, "weak_password", problem, "auth.activation_failed")
    if not valid_recovery_email(email):
        raise _refuse_quietly(session, ctx, user, "bad_email", MSG_BAD_EMAIL, "auth.activation_failed")
    user.password_hash = hash_password(password)
    user.email = email or None
    user.activation_code = None
    user.activation_code_expires_at = None
    transition(session, user, AccountState.ACTIVE, actor=user, reason="activation", ip=ctx.ip)
    accept_charters(session, user)
    audit.record(session, "auth.activated", actor=user, target=user, ip=ctx.ip)
    statistics.record_activation(session, user)
    session.commit()


# -- charters ------------------------------------------------------------------------------------------


def latest_charters(session: Session, profiles: set[str]) -> list[Charter]:
    newest = (select(Charter.profile, func.max(Charter.version).label("version"))
              .where(Charter.profile.in_(profiles)).group_by(Charter.profile).subquery())
    return list(session.scalars(select(Charter).join(
        newest, (Charter.profile == newest.c.profile) & (Charter.version == newest.c.version))
        .order_by(Charter.profile)))


def pending_charters(session: Session, user: User) -> list[Charter]:
    accepted = set(session.scalars(select(CharterAcceptance.charter_id).where(
        CharterAcceptance.user_id == user.id)))
    return [c for c in latest_charters(session, user.profiles) if c.id not in accepted]


def accept_charters(session: Session, user: User, only: set[int] | None = None) -> None:
    """Record the acceptance of the pending charters (``only`` those shown, when given: a version published
    while the page was open is asked for next time)."""
    for charter in pending_charters(session, user):
        if only is not None and charter.id not in only:
            continue
        session.add(CharterAcceptance(user_id=user.id, charter_id=charter.id))
        audit.record(session, "charter.accepted", actor=user, target=charter, version=charter.version)
    session.flush()


def charters_stamp_query() -> Select:
    return select(func.max(Charter.id))


def charters_stamp(session: Session) -> int:
    """Changes whenever a charter version is published: sessions compare it to know when to ask again."""
    return session_memo(session, _CHARTERS_STAMP, lambda: session.scalar(charters_stamp_query()) or 0)


def remember_charters_stamp(session: Session, stamp: int) -> None:
    """Keep a stamp read along with another query (until the session writes, like every memo)."""
    session_memo(session, _CHARTERS_STAMP, lambda: stamp)


def publish_charter(session: Session, profile: str, title: str, body: str, actor: User | None = None) -> Charter:
    """A new version of a profile's charter: everyone of that profile is asked again."""
    version = (session.scalar(select(func.max(Charter.version)).where(Charter.profile == profile)) or 0) + 1
    charter = Charter(profile=profile, version=version, title=title, body=body)
    session.add(charter)
    session.flush()
    audit.record(session, "charter.published", actor=actor, target=charter, profile=profile, version=version)
    return charter


# -- reset codes ---------------------------------------------------------------------------------------

_NO_RESET_STATES = {AccountState.BLOCKED, AccountState.DELETED}


def issue_reset_code(session: Session, admin: User, user: User, ip: str | None = None) -> str:
    """Give an 8-character reset code; only its hash is kept, the admin reads it once."""
    if user.state in _NO_RESET_STATES:
        audit.record(session, "account.reset_code_refused", actor=admin, target=user, ip=ip,
                     reason=f"state_{user.state}")
        session.commit()
        raise AuthError(MSG_NO_RESET_CODE, f"state_{user.state}")
    code = new_code(8)
    user.reset_code_hash = hash_code(code)
    user.reset_code_expires_at = utcnow() + RESET_CODE_TTL
    user.reset_code_used_at = None
    audit.record(session, "account.reset_code_issued", actor=admin, target=user, ip=ip)
    session.commit()
    return code


def reset_password(session: Session, login: str, code: str, password: str, confirm: str, ctx: Context) -> User:
    """Set a new password with a code from an administrator; every open session of the account ends."""
    login, login_ok = _normalise_login(login)
    _check_throttle(session, login, ctx, "auth.reset_throttled", throttle.RESET)

    def refuse(user: User | None, reason: str, message: str) -> AuthError:
        return _refuse(session, ctx, login, user, reason, message, "auth.reset_failed")

    if not login_ok or not _well_formed(code or "", limit=32):
        raise refuse(None, "invalid_input", MSG_BAD_CODE)
    user = find_by_login(session, login) if login else None
    if user is None or user.reset_code_hash is None or user.state == AccountState.DELETED:
        raise refuse(user, "bad_reset_code", MSG_BAD_CODE)
    if not hmac.compare_digest(user.reset_code_hash, hash_code(code)):
        raise refuse(user, "bad_reset_code", MSG_BAD_CODE)
    if user.reset_code_used_at is not None:
        raise refuse(user, "reset_code_reused", MSG_CODE_USED)
    if user.reset_code_expires_at is None or user.reset_code_expires_at < utcnow():
        raise refuse(user, "reset_code_expired", MSG_CODE_EXPIRED)
    if user.state == AccountState.BLOCKED:
        raise refuse(user, "blocked", MSG_BLOCKED)
    if not _well_formed(password or "", confirm or ""):
        raise _refuse_quietly(session, ctx, user, "invalid_input", MSG_INVALID_INPUT, "auth.reset_failed")
    problem = password_problem(password or "", confirm or "", user.login)
    if problem:
        raise _refuse_quietly(session, ctx, user, "weak_password", problem, "auth.reset_failed")
    user.password_hash = hash_password(password)
    user.reset_code_used_at = utcnow()
    user.session_version += 1  # sessions opened with the old password end
    if user.state == AccountState.INACTIVE:
        user.activation_code = None
        user.activation_code_expires_at = None
        transition(session, user, AccountState.ACTIVE, actor=user, reason="reset_code", ip=ctx.ip)
    audit.record(session, "auth.password_reset", actor=user, target=user, ip=ctx.ip)
    session.commit()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """For administrators' tools and the demo: set a password without any code."""
    user.password_hash = hash_password(password)
