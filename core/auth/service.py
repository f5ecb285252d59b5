"""The rules of logging in, activating an account and resetting a password. No Flask here."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit
from ..directory.codes import hash_code, new_code
from ..directory.lifecycle import CAN_LOG_IN, transition
from ..directory.users import find_by_login
from ..models import AccountState, Charter, CharterAcceptance, User
from ..models._time import utcnow
from . import throttle
from .passwords import hash_password, password_problem, verify_password

MSG_BAD_CREDENTIALS = "Identifiant ou mot de passe incorrect."
MSG_BLOCKED = "Ce compte est bloqué. Adressez-vous à l'administrateur de votre établissement."
MSG_INACTIVE = "Ce compte n'est pas encore activé : activez-le avec le code d'activation qui vous a été remis."
MSG_THROTTLED = "Trop de tentatives échouées. Réessayez dans {minutes} minute(s)."
MSG_BAD_CODE = "Identifiant ou code incorrect."
MSG_CODE_EXPIRED = "Ce code a expiré. Demandez-en un nouveau à l'administrateur de votre établissement."
MSG_CODE_USED = "Ce code a déjà été utilisé. Demandez-en un nouveau à l'administrateur de votre établissement."
MSG_ALREADY_ACTIVE = "Ce compte est déjà activé : connectez-vous avec votre mot de passe."

RESET_CODE_TTL = timedelta(hours=72)


class AuthError(Exception):
    """A refusal with the French message shown to the person."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message, self.reason = message, reason


@dataclass(frozen=True)
class Context:
    ip: str
    policy: throttle.ThrottlePolicy = throttle.ThrottlePolicy()


def _refuse(session: Session, ctx: Context, login: str, user: User | None, reason: str, message: str) -> AuthError:
    throttle.note_attempt(session, login, ctx.ip, success=False)
    audit.record(session, "auth.login_failed", target=user, ip=ctx.ip, login=login[:64], reason=reason)
    session.commit()
    return AuthError(message, reason)


def authenticate(session: Session, login: str, password: str, ctx: Context) -> User:
    """Check a login and password; raise :class:`AuthError` (audited, counted) if refused."""
    login = login.strip().lower()[:64]
    wait = throttle.retry_after(session, login, ctx.ip, ctx.policy)
    if wait:
        audit.record(session, "auth.login_throttled", ip=ctx.ip, login=login)
        session.commit()
        raise AuthError(MSG_THROTTLED.format(minutes=max(1, (wait + 59) // 60)), "throttled")
    user = find_by_login(session, login) if login else None
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or user.state == AccountState.DELETED:
        raise _refuse(session, ctx, login, None, "unknown_login", MSG_BAD_CREDENTIALS)
    if user.state == AccountState.BLOCKED:
        raise _refuse(session, ctx, login, user, "blocked", MSG_BLOCKED)
    if user.state == AccountState.INACTIVE:
        raise _refuse(session, ctx, login, user, "inactive", MSG_INACTIVE)
    if not password_ok:
        raise _refuse(session, ctx, login, user, "bad_password", MSG_BAD_CREDENTIALS)
    if user.state not in CAN_LOG_IN:
        raise _refuse(session, ctx, login, user, f"state_{user.state}", MSG_BAD_CREDENTIALS)
    throttle.note_attempt(session, login, ctx.ip, success=True)
    audit.record(session, "auth.login", actor=user, target=user, ip=ctx.ip)
    session.commit()
    return user


# -- activation ----------------------------------------------------------------------------------------


def check_activation_code(session: Session, login: str, code: str, ctx: Context) -> User:
    """First step of activation: the login and code printed on the letter."""
    login = login.strip().lower()[:64]
    wait = throttle.retry_after(session, login, ctx.ip, ctx.policy)
    if wait:
        raise AuthError(MSG_THROTTLED.format(minutes=max(1, (wait + 59) // 60)), "throttled")
    user = find_by_login(session, login) if login else None
    if user is not None and user.state == AccountState.ACTIVE and user.activation_code is None:
        raise _refuse(session, ctx, login, user, "activation_reused", MSG_ALREADY_ACTIVE)
    if user is None or user.state != AccountState.INACTIVE or not user.activation_code or not hmac.compare_digest(
            user.activation_code.upper(), code.strip().upper()):
        raise _refuse(session, ctx, login, user, "bad_activation_code", MSG_BAD_CODE)
    if user.activation_code_expires_at and user.activation_code_expires_at < utcnow():
        raise _refuse(session, ctx, login, user, "activation_expired", MSG_CODE_EXPIRED)
    return user


def complete_activation(session: Session, user: User, password: str, confirm: str, email: str,
                        ctx: Context) -> None:
    """Second step: choose a password, give a recovery e-mail, accept the charter(s)."""
    problem = password_problem(password, confirm, user.login)
    if problem:
        raise AuthError(problem, "weak_password")
    if email and ("@" not in email or len(email) > 254):
        raise AuthError("L'adresse électronique de secours n'est pas valide.", "bad_email")
    if user.state != AccountState.INACTIVE or not user.activation_code:
        raise AuthError(MSG_CODE_USED, "activation_reused")
    user.password_hash = hash_password(password)
    user.email = email or None
    user.activation_code = None
    user.activation_code_expires_at = None
    transition(session, user, AccountState.ACTIVE, actor=user, reason="activation", ip=ctx.ip)
    accept_charters(session, user)
    audit.record(session, "auth.activated", actor=user, target=user, ip=ctx.ip)
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


def accept_charters(session: Session, user: User) -> None:
    for charter in pending_charters(session, user):
        session.add(CharterAcceptance(user_id=user.id, charter_id=charter.id))
        audit.record(session, "charter.accepted", actor=user, target=charter, version=charter.version)
    session.flush()


def publish_charter(session: Session, profile: str, title: str, body: str, actor: User | None = None) -> Charter:
    """A new version of a profile's charter: everyone of that profile is asked again."""
    version = (session.scalar(select(func.max(Charter.version)).where(Charter.profile == profile)) or 0) + 1
    charter = Charter(profile=profile, version=version, title=title, body=body)
    session.add(charter)
    session.flush()
    audit.record(session, "charter.published", actor=actor, target=charter, profile=profile, version=version)
    return charter


# -- reset codes ---------------------------------------------------------------------------------------


def issue_reset_code(session: Session, admin: User, user: User, ip: str | None = None) -> str:
    """Give an 8-character reset code; only its hash is kept, the admin reads it once."""
    code = new_code(8)
    user.reset_code_hash = hash_code(code)
    user.reset_code_expires_at = utcnow() + RESET_CODE_TTL
    user.reset_code_used_at = None
    audit.record(session, "account.reset_code_issued", actor=admin, target=user, ip=ip)
    session.commit()
    return code


def reset_password(session: Session, login: str, code: str, password: str, confirm: str, ctx: Context) -> User:
    login = login.strip().lower()[:64]
    wait = throttle.retry_after(session, login, ctx.ip, ctx.policy)
    if wait:
        raise AuthError(MSG_THROTTLED.format(minutes=max(1, (wait + 59) // 60)), "throttled")
    user = find_by_login(session, login) if login else None
    if user is None or user.reset_code_hash is None:
        raise _refuse(session, ctx, login, user, "bad_reset_code", MSG_BAD_CODE)
    if not hmac.compare_digest(user.reset_code_hash, hash_code(code)):
        raise _refuse(session, ctx, login, user, "bad_reset_code", MSG_BAD_CODE)
    if user.reset_code_used_at is not None:
        raise _refuse(session, ctx, login, user, "reset_code_reused", MSG_CODE_USED)
    if user.reset_code_expires_at is None or user.reset_code_expires_at < utcnow():
        raise _refuse(session, ctx, login, user, "reset_code_expired", MSG_CODE_EXPIRED)
    if user.state == AccountState.BLOCKED:
        raise _refuse(session, ctx, login, user, "blocked", MSG_BLOCKED)
    problem = password_problem(password, confirm, user.login)
    if problem:
        raise AuthError(problem, "weak_password")
    user.password_hash = hash_password(password)
    user.reset_code_used_at = utcnow()
    user.session_version += 1
    if user.state == AccountState.INACTIVE:
        user.activation_code = None
        transition(session, user, AccountState.ACTIVE, actor=user, reason="reset_code", ip=ctx.ip)
    audit.record(session, "auth.password_reset", actor=user, target=user, ip=ctx.ip)
    session.commit()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """For administrators' tools and the demo: set a password without any code."""
    user.password_hash = hash_password(password)
