"""Safeguards against hijacked accounts (in March 2024 stolen student accounts sent mass threats through ENT
messaging): outbound limits, suspension from messaging, and a kill switch per profile and structure.

Product rules:

* **Outbound limit**: a number of recipients per sliding hour, per profile and structure. Built-in defaults:
  students 30, guests 30, parents 50, teachers and staff unlimited. A structure's explicit value applies to it and
  its descendants; the nearest explicit value up the structure graph wins (a school may loosen or tighten its
  city's value); ``0`` means unlimited. A person with several roles gets the most permissive of their roles'
  limits (a teacher who is also a parent writes as a teacher). Sends are counted in the database
  (``messaging_outbound``), so every worker counts the same; the check and the count form one critical section
  per sender (SQLite: BEGIN IMMEDIATE of every write request; PostgreSQL: an advisory lock taken here). A send
  that would go over the limit is **held**: stored without deliveries, put in the moderation queue of the
  structure, and the structure's administrators are alerted (queue + e-mail).
* **Suspension** from messaging, per account, by a moderator of one of its structures (one click, and lift);
  audited. A suspended person still reads their messages; they cannot write.
* **Kill switch** per profile and structure ("messagerie coupée pour les élèves de cette école"), set by an
  administrator of the structure, inherited by its descendants (a city switching off its students reaches every
  school; a school cannot switch it back on below). It stops sending only; audited; the people concerned see the
  reason on the compose page and get it (403) when they send.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

import preau
from preau import N_, Profile

from .models import utcnow
from .moderation_models import Outbound, Policy, StructureOptions, Suspension

log = logging.getLogger(__name__)

Decision = Literal["deliver", "hold"]
WINDOW = timedelta(hours=1)
LIMIT_MAX = 100_000
REASON_MAX = 500

# Recipients per sliding hour when no structure says otherwise; None: unlimited.
DEFAULT_HOURLY_LIMITS: dict[str, int | None] = {
    Profile.STUDENT: 30,
    Profile.GUEST: 30,
    Profile.RELATIVE: 50,
    Profile.TEACHER: None,
    Profile.PERSONNEL: None,
}

PROFILE_PLURALS: dict[str, str] = {
    Profile.TEACHER: N_("enseignants"),
    Profile.STUDENT: N_("élèves"),
    Profile.RELATIVE: N_("parents"),
    Profile.PERSONNEL: N_("personnels"),
    Profile.GUEST: N_("invités"),
}


class SafeguardError(preau.PreauError, ValueError):
    """A refused safeguard action; ``str()`` is a sentence for the person, ``status`` the HTTP status."""


# -- effective policies ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RolePolicy:
    """What applies to one role (a profile in a structure)."""

    structure_id: int
    profile: str
    hourly_limit: int | None  # None: unlimited
    limit_from: int | None  # the structure whose explicit value applies; None: the built-in default
    off_in: int | None  # the structure whose kill switch covers the role; None: messaging on


def _policies(session: Session, structure_ids: set[int]) -> dict[tuple[int, str], Policy]:
    rows = session.scalars(select(Policy).where(Policy.structure_id.in_(structure_ids)))
    return {(row.structure_id, row.profile): row for row in rows}


def _role_policy(structure_id: int, profile: str, distances: dict[int, int],
                 policies: dict[tuple[int, str], Policy]) -> RolePolicy:
    nearest = sorted(distances, key=lambda sid: (distances[sid], sid))
    explicit = [(sid, policies[(sid, profile)]) for sid in nearest if (sid, profile) in policies]
    limit, limit_from = DEFAULT_HOURLY_LIMITS.get(profile), None
    for sid, row in explicit:
        if row.hourly_limit is not None:
            limit, limit_from = (row.hourly_limit or None), sid
            break
    off_in = next((sid for sid, row in explicit if row.messaging_off), None)
    return RolePolicy(structure_id, profile, limit, limit_from, off_in)


def role_policies(session: Session, user: Any) -> list[RolePolicy]:
    distances = {sid: preau.ancestor_distances(session, sid) for sid in {r.structure_id for r in user.roles}}
    policies = _policies(session, set().union(*distances.values()) if distances else set())
    return [_role_policy(role.structure_id, role.profile, distances[role.structure_id], policies)
            for role in sorted(user.roles, key=lambda r: r.id)]


def effective_limit(session: Session, user: Any) -> RolePolicy | None:
    """The most permissive of the user's roles (``hourly_limit`` None wins); None when they have no role."""
    policies = role_policies(session, user)
    if not policies:
        return None
    return max(policies, key=lambda p: (p.hourly_limit is None, p.hourly_limit or 0))


# -- sending ---------------------------------------------------------------------------------------------


def is_suspended(session: Session, user_id: int) -> bool:
    return session.get(Suspension, user_id) is not None


def messaging_blocked_reason(session: Session, user: Any) -> str | None:
    """A French reason when ``user`` may not send (suspended, or a kill switch covers one of their roles)."""
    if is_suspended(session, user.id):
        return _("Votre compte est suspendu de la messagerie. Vous pouvez lire vos messages mais pas en écrire ; "
                 "adressez-vous à votre établissement.")
    for policy in role_policies(session, user):
        if policy.off_in is not None:
            structure = session.get_one(preau.Structure, policy.off_in)
            return _("La messagerie est momentanément coupée pour les %(profile)s de %(structure)s.",
                     profile=_(PROFILE_PLURALS.get(policy.profile, policy.profile)), structure=structure.name)
    return None


def _lock_sender(session: Session, sender_id: int) -> None:
    # One critical section per sender for "count, then record". SQLite write requests already hold the
    # database's write lock (BEGIN IMMEDIATE); PostgreSQL needs an explicit, transaction-scoped lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                        {"key": f"preau-messaging-outbound:{sender_id}"})


def recipients_last_hour(session: Session, sender_id: int) -> int:
    since = utcnow() - WINDOW
    return session.scalar(select(func.coalesce(func.sum(Outbound.recipients), 0)).where(
        Outbound.sender_id == sender_id, Outbound.at > since)) or 0


def screen_send(session: Session, sender: Any, recipient_ids: Any, *, message: Any = None) -> Decision:
    """Whether a send may be delivered now (``"deliver"``, and it is counted) or must be held for moderation
    (``"hold"``: over the outbound limit; the moderation item and the alerts are created here).

    Call it once the message is flushed (pass it as ``message``) and before creating deliveries."""
    count = len({int(i) for i in recipient_ids} - {sender.id})
    policy = effective_limit(session, sender)
    _lock_sender(session, sender.id)
    if policy is not None and policy.hourly_limit is not None:
        used = recipients_last_hour(session, sender.id)
        if used + count > policy.hourly_limit:
            _hold(session, sender, message, policy, used, count)
            return "hold"
    session.add(Outbound(sender_id=sender.id, recipients=count, at=utcnow()))
    session.flush()
    return "deliver"


def _hold(session: Session, sender: Any, message: Any, policy: RolePolicy, used: int, count: int) -> None:
    from . import moderation  # here: moderation delivers held sends through compose, which screens through us

    reason = _("%(count)s destinataires alors que %(used)s ont déjà été écrits dans l'heure : la limite est de "
               "%(limit)s par heure.", count=count, used=used, limit=policy.hourly_limit)
    preau.record_audit(session, "messaging.send_held", actor=sender, target=message,
                       structure_id=policy.structure_id, recipients=count, used=used, limit=policy.hourly_limit)
    if message is None:
        log.warning("held send of user %s has no message to queue for moderation", sender.id)
        return
    if message.id is None:
        session.flush()
    moderation.queue_held(session, message, sender, policy.structure_id, reason)


# -- administration --------------------------------------------------------------------------------------


def _check_admin(session: Session, actor: Any, structure_id: int) -> None:
    if not preau.can_administer(session, actor, structure_id):
        raise SafeguardError(_("Vous n'administrez pas cette structure."), 403)


def _structure(session: Session, structure_id: int) -> Any:
    # Policies have no id of their own: the audit event targets the structure (the detail says the profile).
    return session.get(preau.Structure, structure_id)


def _check_profile(profile: str) -> None:
    if profile not in {p.value for p in Profile}:
        raise SafeguardError(_("Profil inconnu."))


def _policy_row(session: Session, structure_id: int, profile: str) -> Policy:
    row = session.get(Policy, (structure_id, profile))
    if row is None:
        row = Policy(structure_id=structure_id, profile=profile, hourly_limit=None, messaging_off=False)
        session.add(row)
    return row


def parse_limit(raw: str | None) -> int | None:
    """A limit typed by an administrator: empty → default (None), else a whole number 0…100000."""
    raw = (raw or "").strip()
    if raw == "":
        return None
    if not raw.isdigit() or int(raw) > LIMIT_MAX:
        raise SafeguardError(_("La limite doit être un nombre entier entre 0 et %(max)s (0 : sans limite ; "
                               "vide : valeur par défaut).", max=LIMIT_MAX))
    return int(raw)


def set_hourly_limit(session: Session, actor: Any, structure_id: int, profile: str, limit: int | None) -> None:
    """Set (or, with ``None``, drop) the explicit outbound limit of ``profile`` in a structure."""
    _check_admin(session, actor, structure_id)
    _check_profile(profile)
    if limit is not None and not 0 <= limit <= LIMIT_MAX:
        raise SafeguardError(_("La limite doit être un nombre entier entre 0 et %(max)s (0 : sans limite ; "
                               "vide : valeur par défaut).", max=LIMIT_MAX))
    row = _policy_row(session, structure_id, profile)
    old, row.hourly_limit, row.updated_at, row.updated_by = row.hourly_limit, limit, utcnow(), actor.id
    session.flush()
    preau.record_audit(session, "messaging.limit_changed", actor=actor, target=_structure(session, structure_id),
                       structure_id=structure_id,
                       profile=profile, old=old, new=limit)


def set_kill_switch(session: Session, actor: Any, structure_id: int, profile: str, off: bool) -> None:
    """Switch messaging off (``off=True``) or back on for ``profile`` in a structure and its descendants."""
    _check_admin(session, actor, structure_id)
    _check_profile(profile)
    row = _policy_row(session, structure_id, profile)
    if row.messaging_off == off:
        return
    row.messaging_off, row.updated_at, row.updated_by = off, utcnow(), actor.id
    session.flush()
    preau.record_audit(session, "messaging.switched_off" if off else "messaging.switched_on", actor=actor,
                       target=_structure(session, structure_id), structure_id=structure_id, profile=profile)


def read_receipts_enabled(session: Session, structure_ids: set[int]) -> bool:
    """Read receipts are off unless one of these structures switched them on."""
    if not structure_ids:
        return False
    return session.execute(select(func.count()).select_from(StructureOptions).where(
        StructureOptions.structure_id.in_(structure_ids), StructureOptions.read_receipts.is_(True))).scalar_one() > 0


def set_read_receipts(session: Session, actor: Any, structure_id: int, enabled: bool) -> None:
    _check_admin(session, actor, structure_id)
    row = session.get(StructureOptions, structure_id)
    if row is None:
        row = StructureOptions(structure_id=structure_id, read_receipts=False)
        session.add(row)
    if row.read_receipts == enabled:
        return
    row.read_receipts, row.updated_at, row.updated_by = enabled, utcnow(), actor.id
    session.flush()
    preau.record_audit(session, "messaging.read_receipts_on" if enabled else "messaging.read_receipts_off",
                       actor=actor, target=_structure(session, structure_id), structure_id=structure_id)


@dataclass(frozen=True)
class ProfileRow:
    """One line of the safeguards page of a structure."""

    profile: str
    label: str
    explicit_limit: int | None
    effective: RolePolicy
    messaging_off: bool


def structure_overview(session: Session, structure_id: int) -> list[ProfileRow]:
    distances = preau.ancestor_distances(session, structure_id)
    policies = _policies(session, set(distances))
    rows = []
    for profile in Profile:
        own = policies.get((structure_id, profile.value))
        rows.append(ProfileRow(
            profile.value, PROFILE_PLURALS[profile], own.hourly_limit if own else None,
            _role_policy(structure_id, profile.value, distances, policies), bool(own and own.messaging_off)))
    return rows


# -- suspension ------------------------------------------------------------------------------------------


def suspend(session: Session, actor: Any, target: Any, reason: str = "") -> None:
    """Suspend ``target`` from messaging (a moderator of one of their structures; not themself)."""
    _check_may_suspend(session, actor, target)
    if is_suspended(session, target.id):
        return
    reason = (reason or "").strip()[:REASON_MAX]
    session.add(Suspension(user_id=target.id, suspended_by=actor.id, reason=reason, suspended_at=utcnow()))
    session.flush()
    preau.record_audit(session, "messaging.suspended", actor=actor, target=target, reason=reason)


def lift_suspension(session: Session, actor: Any, target: Any) -> None:
    _check_may_suspend(session, actor, target)
    row = session.get(Suspension, target.id)
    if row is None:
        return
    session.delete(row)
    session.flush()
    preau.record_audit(session, "messaging.suspension_lifted", actor=actor, target=target)


def _check_may_suspend(session: Session, actor: Any, target: Any) -> None:
    from .moderation import moderated_structure_ids  # here: see _hold (compose → safeguards → moderation → compose)

    if target is None:
        raise SafeguardError(_("Compte introuvable."), 404)
    if target.id == actor.id:
        raise SafeguardError(_("Vous ne pouvez pas suspendre votre propre compte."))
    scope = moderated_structure_ids(session, actor)
    if scope is not None and not any(role.structure_id in scope for role in target.roles):
        raise SafeguardError(_("Ce compte n'appartient à aucune structure que vous modérez."), 403)


def suspensions_in(session: Session, structure_ids: set[int] | None) -> list[tuple[Suspension, Any]]:
    """Suspended accounts with a role in these structures (None: everywhere), newest first."""
    query = (select(Suspension, preau.User).join(preau.User, preau.User.id == Suspension.user_id)
             .order_by(Suspension.suspended_at.desc()))
    rows = session.execute(query).all()
    if structure_ids is None:
        return [(suspension, user) for suspension, user in rows]
    return [(suspension, user) for suspension, user in rows
            if any(role.structure_id in structure_ids for role in user.roles)]
