"""The rules of Préau's CAS server: which services a person may reach, and the tickets' life.

A ``service`` is authorised for a person when it lies under the base URL of a CAS connector that reaches them
(:func:`preau.portal.launches.reachable_launches`): same scheme, host and port, and a path equal to the base path or
below it. Tickets are random, single-use (consumed by one ``UPDATE … WHERE used = false``, so a replay loses
even on another worker) and short-lived; expired ones are purged by ``preau purge``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from ..db import affected_rows
from ..models import AuthSession, CasTicket, Group, GroupMember, SchoolClass, Structure, User
from ..models._time import utcnow
from ..portal.launches import Launch, reachable_launches, released_values
from ..portal.services import RELEASABLE_ATTRIBUTES, reached_connectors
from ..rights import Access

SERVICE_TICKET_SECONDS = 10
PROXY_GRANTING_TICKET_SECONDS = 2 * 3600
MAX_SERVICE = 2000


def new_ticket(prefix: str) -> str:
    """``ST-`` / ``PT-`` / ``PGT-`` / ``PGTIOU-`` followed by 43 random URL-safe characters (256 bits)."""
    return f"{prefix}-{secrets.token_urlsafe(32)}"


def sso_session_of(raw_sid: object) -> str:
    """The SSO session of CAS is Préau's login session: the SHA-256 of its random id, as ``auth_sessions``."""
    return hashlib.sha256(str(raw_sid or "").encode()).hexdigest()


# -- services --------------------------------------------------------------------------------------------


def well_formed_service(raw: str | None) -> str | None:
    """An absolute http(s) URL with a host and no user information, else None."""
    service = (raw or "").strip()
    if not service or len(service) > MAX_SERVICE or any(ch.isspace() or ord(ch) < 32 for ch in service):
        return None
    try:
        parts = urlsplit(service)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "@" in parts.netloc or "\\" in service:
        return None
    return service


def _port(parts: Any) -> int:
    return parts.port or (443 if parts.scheme.lower() == "https" else 80)


def service_matches(service: str, base_url: str) -> bool:
    """Same scheme, host and port as ``base_url``, and a path at or below the base path."""
    try:
        wanted, base = urlsplit(service), urlsplit(base_url)
        same_origin = (wanted.scheme.lower() == base.scheme.lower()
                       and (wanted.hostname or "").lower() == (base.hostname or "").lower()
                       and _port(wanted) == _port(base))
    except ValueError:
        return False
    if not same_origin or "@" in wanted.netloc:
        return False
    path, root = wanted.path or "/", base.path or "/"
    if any(segment in ("..", ".") for segment in path.split("/")):
        return False
    return path == root.rstrip("/") or path.startswith(root if root.endswith("/") else root + "/")


def authorised_launch(session: Session, registry: Any, user: User, service: str, *,
                      access: Access | None = None) -> Launch | None:
    """The CAS connector through which ``service`` reaches ``user``, or None (unknown or not granted).

    Data connectors are looked at first: resolving every plugin's rights is needed only when none matches
    (``access``: the person's, when the caller has it)."""
    for reached in reached_connectors(session, user, kinds={"cas"}):
        if service_matches(service, reached.base_url):
            connector = reached.connector
            return Launch(reached.key, "cas", reached.entry.name, reached.url, reached.base_url, user, reached.role,
                          connector.structure_id, attributes=tuple(connector.attributes or ("login",)),
                          connector_id=connector.id)
    return next((launch for launch in reachable_launches(session, registry, user, kinds={"cas"}, access=access)
                 if service_matches(service, launch.base_url)), None)


# -- tickets ---------------------------------------------------------------------------------------------


def _seconds(config: Any, key: str, default: int) -> timedelta:
    return timedelta(seconds=int(config.get(key, default)))


def issue(session: Session, config: Any, kind: str, *, user_id: int, service: str, sso_session: str,
          launch: Launch | None = None, primary: bool = False, parent: CasTicket | None = None,
          proxies: list[str] | None = None) -> CasTicket:
    """A new ticket of ``kind`` (ST, PT or PGT) in the caller's transaction."""
    lifetime = (_seconds(config, "CAS_PROXY_GRANTING_TICKET_SECONDS", PROXY_GRANTING_TICKET_SECONDS) if kind == "PGT"
                else _seconds(config, "CAS_SERVICE_TICKET_SECONDS", SERVICE_TICKET_SECONDS))
    structure_id: int | None  # a parent ticket's structure may have been deleted since
    if launch is not None:
        released, structure_id, profile = list(launch.attributes), launch.structure_id, launch.role.profile
    else:  # a proxy ticket or a PGT inherits from the ticket it comes from
        assert parent is not None, "a ticket comes from a launch or from a parent ticket"
        released, structure_id, profile = list(parent.attributes), parent.structure_id, parent.profile
    now = utcnow()
    ticket = CasTicket(id=new_ticket(kind), kind=kind, user_id=user_id, structure_id=structure_id, profile=profile,
                       service=service, sso_session=sso_session, primary=primary, used=False, attributes=released,
                       proxies=list(proxies or []), created_at=now, expires_at=now + lifetime)
    session.add(ticket)
    session.flush()
    return ticket


def primary_issued(session: Session, sso_session: str) -> bool:
    """Whether this login session has already issued its ticket "right after typing the password"."""
    return session.scalar(select(CasTicket.id).where(CasTicket.sso_session == sso_session,
                                                     CasTicket.primary.is_(True)).limit(1)) is not None


def consume(session: Session, ticket_id: str, kinds: tuple[str, ...]) -> CasTicket | None:
    """Mark a live ticket used and return it; None when unknown, expired, already used or of another kind."""
    result = session.execute(
        update(CasTicket)
        .where(CasTicket.id == ticket_id, CasTicket.used.is_(False), CasTicket.kind.in_(kinds),
               CasTicket.expires_at > utcnow())
        .values(used=True)
        .execution_options(synchronize_session=False))
    if affected_rows(result) != 1:
        return None
    ticket = session.get(CasTicket, ticket_id, populate_existing=True)
    return ticket


def live_pgt(session: Session, pgt_id: str) -> CasTicket | None:
    """A proxy-granting ticket is reused until it expires (or its SSO session ends)."""
    return session.scalar(select(CasTicket).where(CasTicket.id == pgt_id, CasTicket.kind == "PGT",
                                                  CasTicket.expires_at > utcnow()))


def services_of_sso_session(session: Session, sso_session: str) -> list[tuple[str, str]]:
    """(service, first service ticket) of each service that received a ticket in this SSO session."""
    rows = session.execute(select(CasTicket.service, CasTicket.id).where(
        CasTicket.sso_session == sso_session, CasTicket.kind.in_(("ST", "PT")))
        .order_by(CasTicket.created_at)).all()
    seen: dict[str, str] = {}
    for service, ticket_id in rows:
        seen.setdefault(service, ticket_id)
    return list(seen.items())


def end_sso_session(session: Session, sso_session: str) -> None:
    """Logging out kills every ticket of the session (a PGT must not outlive it)."""
    session.execute(update(CasTicket).where(CasTicket.sso_session == sso_session)
                    .values(used=True, expires_at=utcnow()).execution_options(synchronize_session=False))


def purge(session: Session, session_lifetime: timedelta) -> int:
    """Forget expired tickets whose SSO session is over (single logout needs the others), and any ticket
    older than the login session's lifetime."""
    now = utcnow()
    open_session = exists().where(AuthSession.token_hash == CasTicket.sso_session, AuthSession.ended_at.is_(None))
    result = session.execute(delete(CasTicket).where(or_(
        and_(CasTicket.expires_at <= now, ~open_session),
        CasTicket.created_at < now - session_lifetime)).execution_options(synchronize_session=False))
    return affected_rows(result)


# -- attributes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    user: str
    attributes: dict[str, list[str]]


def identity_of(session: Session, ticket: CasTicket) -> Identity | None:
    """The login and the released attributes of the ticket's person (None if the account is gone)."""
    user = session.get(User, ticket.user_id)
    if user is None:
        return None
    released = set(ticket.attributes or ())
    simple = released_values(user, released, ticket.profile)
    values: dict[str, list[str]] = {}
    for name in RELEASABLE_ATTRIBUTES:
        if name not in released:
            continue
        if name in simple:
            values[name] = [simple[name]]
        elif name == "uai" and ticket.structure_id:
            uai = session.scalar(select(Structure.uai).where(Structure.id == ticket.structure_id))
            if uai:
                values[name] = [uai]
        elif name == "classes":
            names = session.scalars(select(SchoolClass.name).join(Group, Group.class_id == SchoolClass.id)
                                    .join(GroupMember, GroupMember.group_id == Group.id)
                                    .where(GroupMember.user_id == user.id).distinct()).all()
            if names:
                values[name] = sorted(names)
    return Identity(user.login, values)
