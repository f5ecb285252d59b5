"""The moderation queue of a structure: reports ("Signaler") and messages held over an outbound limit.

* Who moderates a structure: whoever the right ``messaging.moderate`` reaches through a role **in that
  structure** (default grant: its staff), and its administrators (an ADML of a city moderates its schools).
  A moderator of school A never sees school B's queue, not even by typing an item's id.
* A report goes to the queue of the structure shared by the reporter and the sender (else the reporter's
  first school). Decisions: *keep* (nothing changes) or *delete* (the message leaves every box, sender's
  included; the message row stays for the record).
* A held message goes to the queue of the structure of the sender's limiting role. Decisions: *release*
  (delivered now, as if sent) or *reject* (never delivered).
* Every treated item keeps who decided, when and what: the history of the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import preau
from preau import N_, Profile, Right

from .models import Box, Delivery, Message, MessageState, utcnow
from .moderation_models import REASON_MAX, Decision, ItemKind, ModerationItem
from .notify import absolute_url
from .services.compose import deliver_held

MODERATE = "messaging.moderate"
RIGHTS = [Right(MODERATE, N_("Modérer la messagerie de la structure (signalements, messages retenus)"),
                (Profile.PERSONNEL,),
              description=N_("Traiter les messages signalés et ceux retenus par les limites d'envoi."))]
DECISIONS = {ItemKind.REPORT: (Decision.KEEP, Decision.DELETE), ItemKind.HELD: (Decision.RELEASE, Decision.REJECT)}


class ModerationError(preau.PreauError, ValueError):
    """A refused moderation action; ``str()`` is a sentence for the person, ``status`` the HTTP status."""


# -- who moderates ---------------------------------------------------------------------------------------


def moderated_structure_ids(session: Session, user: Any) -> set[int] | None:
    """The structures ``user`` moderates: those they administer, and those where the moderation right reaches
    them through a role they hold there; ``None`` means all of them (super administrator)."""
    administered = preau.administered_structure_ids(session, user)
    if administered is None:
        return None
    access = preau.access_for(user, session=session)
    return set(administered) | {role.structure_id for role in user.roles
                                if access.has(MODERATE, structure=role.structure_id)}


def can_moderate(session: Session, user: Any, structure_id: int) -> bool:
    scope = moderated_structure_ids(session, user)
    return scope is None or structure_id in scope


def moderated_structures(session: Session, user: Any) -> list[Any]:
    scope = moderated_structure_ids(session, user)
    query = select(preau.Structure).order_by(preau.Structure.name)
    if scope is not None:
        query = query.where(preau.Structure.id.in_(scope))
    return list(session.scalars(query))


# -- reports ---------------------------------------------------------------------------------------------


def _report_structure(session: Session, reporter: Any, message: Message) -> int | None:
    mine = sorted({role.structure_id for role in reporter.roles})
    sender = session.get(preau.User, message.sender_id) if message.sender_id else None
    shared = [sid for sid in mine if sender and sid in {role.structure_id for role in sender.roles}]
    return (shared or mine or [None])[0]


def report_message(session: Session, reporter: Any, message_id: int, reason: str = "") -> ModerationItem:
    """"Signaler": put a message the reporter received in their structure's moderation queue."""
    delivery = session.scalar(select(Delivery).where(
        Delivery.message_id == message_id, Delivery.user_id == reporter.id, Delivery.box == Box.INBOX,
        Delivery.deleted.is_(False)))
    message = session.get(Message, message_id) if delivery else None
    if message is None or message.sender_id == reporter.id:
        raise ModerationError(_("Message introuvable."), 404)
    existing = session.scalar(select(ModerationItem).where(
        ModerationItem.message_id == message_id, ModerationItem.user_id == reporter.id,
        ModerationItem.kind == ItemKind.REPORT, ModerationItem.decision.is_(None)))
    if existing is not None:
        return existing
    structure_id = _report_structure(session, reporter, message)
    if structure_id is None:
        raise ModerationError(_("Votre compte n'est rattaché à aucun établissement : signalement impossible."))
    item = ModerationItem(structure_id=structure_id, kind=ItemKind.REPORT, message_id=message_id,
                          user_id=reporter.id, reason=(reason or "").strip()[:REASON_MAX], created_at=utcnow())
    session.add(item)
    session.flush()
    preau.record_audit(session, "messaging.reported", actor=reporter, target=item, structure_id=structure_id,
                       message_id=message_id)
    return item


# -- held messages ---------------------------------------------------------------------------------------


def queue_held(session: Session, message: Message, sender: Any, structure_id: int, reason: str) -> ModerationItem:
    """Queue a held send and alert the structure's administrators by e-mail (safeguards.screen_send)."""
    item = ModerationItem(structure_id=structure_id, kind=ItemKind.HELD, message_id=message.id,
                          user_id=sender.id, reason=reason[:REASON_MAX], created_at=utcnow())
    session.add(item)
    session.flush()
    _alert_administrators(session, item, sender)
    return item


def administrators_of(session: Session, structure_id: int) -> list[Any]:
    """The ADMLs of the structure or of one of its ancestors."""
    above = set(preau.ancestor_distances(session, structure_id))
    return list(session.scalars(
        select(preau.User).join(preau.UserFunction, preau.UserFunction.user_id == preau.User.id)
        .where(preau.UserFunction.code == preau.Function.ADMIN_LOCAL,
               preau.UserFunction.structure_id.in_(above)).order_by(preau.User.id)).unique())


def _alert_administrators(session: Session, item: ModerationItem, sender: Any) -> None:
    structure = session.get_one(preau.Structure, item.structure_id)
    link = absolute_url("messaging.moderation_queue", structure_id=item.structure_id)
    for admin in administrators_of(session, item.structure_id):
        if not admin.email:
            continue
        with force_locale(admin.locale or "fr"):
            subject = _("Messagerie : un envoi de %(name)s est retenu pour modération", name=sender.display_name)
            body = _("Un message de %(name)s (%(login)s), %(structure)s, a été retenu : %(reason)s\n\n"
                     "Libérez-le ou rejetez-le, et suspendez le compte de la messagerie si besoin : %(link)s\n",
                     name=sender.display_name, login=sender.login, structure=structure.name, reason=item.reason,
                     link=link)
        preau.send_mail(session, admin.email, subject, body)


# -- the queue -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueEntry:
    item: ModerationItem
    message: Message
    user: Any  # the reporter or the sender


def _entries(session: Session, query) -> list[QueueEntry]:
    rows = session.execute(query.join(Message, Message.id == ModerationItem.message_id)
                           .outerjoin(preau.User, preau.User.id == ModerationItem.user_id)
                           .add_columns(Message, preau.User)).all()
    return [QueueEntry(item, message, user) for item, message, user in rows]


def pending(session: Session, structure_id: int) -> list[QueueEntry]:
    return _entries(session, select(ModerationItem).where(
        ModerationItem.structure_id == structure_id, ModerationItem.decision.is_(None))
        .order_by(ModerationItem.created_at, ModerationItem.id))


def history(session: Session, structure_id: int, limit: int = 100) -> list[QueueEntry]:
    return _entries(session, select(ModerationItem).where(
        ModerationItem.structure_id == structure_id, ModerationItem.decision.is_not(None))
        .order_by(ModerationItem.decided_at.desc(), ModerationItem.id.desc()).limit(limit))


def pending_count(session: Session, structure_ids: set[int] | None) -> int:
    query = select(func.count()).select_from(ModerationItem).where(ModerationItem.decision.is_(None))
    if structure_ids is not None:
        query = query.where(ModerationItem.structure_id.in_(structure_ids))
    return session.scalar(query) or 0


def item_in_scope(session: Session, user: Any, item_id: int) -> ModerationItem:
    """The item, if ``user`` moderates its structure; otherwise "not found" (its existence stays hidden)."""
    item = session.get(ModerationItem, item_id)
    if item is None or not can_moderate(session, user, item.structure_id):
        raise ModerationError(_("Élément de modération introuvable."), 404)
    return item


def decide(session: Session, actor: Any, item_id: int, decision: str) -> ModerationItem:
    """Treat a queue item; returns it with its decision recorded."""
    item = item_in_scope(session, actor, item_id)
    if item.decision is not None:
        raise ModerationError(_("Cet élément a déjà été traité."), 409)
    if decision not in DECISIONS[ItemKind(item.kind)]:
        raise ModerationError(_("Décision inconnue pour cet élément."))
    message = session.get_one(Message, item.message_id)
    if decision == Decision.DELETE:
        remove_everywhere(session, message.id)
    elif decision == Decision.RELEASE:
        if message.state != MessageState.HELD:
            raise ModerationError(_("Ce message n'est plus en attente."), 409)
        release(session, message)
    now = utcnow()
    same = select(ModerationItem.id).where(ModerationItem.message_id == message.id,
                                           ModerationItem.kind == item.kind, ModerationItem.decision.is_(None))
    # Every open report of a deleted message is treated by the same decision.
    ids = list(session.scalars(same)) if decision == Decision.DELETE else [item.id]
    session.execute(update(ModerationItem).where(ModerationItem.id.in_(ids))
                    .values(decision=decision, decided_by=actor.id, decided_at=now)
                    .execution_options(synchronize_session=False))
    session.flush()
    session.refresh(item)
    preau.record_audit(session, f"messaging.moderation_{decision}", actor=actor, target=item,
                       structure_id=item.structure_id, message_id=message.id, kind=item.kind)
    return item


def remove_everywhere(session: Session, message_id: int) -> None:
    """Take a message out of every box (the sender's too); the message itself stays for the record."""
    session.execute(update(Delivery).where(Delivery.message_id == message_id).values(deleted=True)
                    .execution_options(synchronize_session=False))


def release(session: Session, message: Message) -> None:
    """Deliver a held message now, through the same path as a send (msg1's services)."""
    deliver_held(session, message)
