"""Drafts, sending, replies and forwards.

Sending resolves every recipient on the server: people must satisfy the communication rules, groups must be
addressable by the sender and are expanded now (``preau.reachable_members``). One refused recipient refuses the
whole send (403, naming them) and nothing is stored. Deliveries are written with one multi-row INSERT.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from preau import CommunicationError, Group, User, filter_reachable, reachable_members, table_of, visible_groups

from .. import notify, safeguards
from ..models import SUBJECT_MAX, Attachment, Box, Delivery, Field, Message, MessageState, Recipient, utcnow
from . import MessagingError, not_found
from .boxes import delivery_of, visible_recipients
from .richtext import html_to_text, sanitize_html

FIELDS = (Field.TO.value, Field.CC.value, Field.BCC.value)
MAX_ADDRESSEES = 500  # addressed entries (a group counts as one)
_TOKEN = re.compile(r"^([ug]):(\d{1,18})$")
_GONE = ("deleted", "pre_deleted")


@dataclass(frozen=True)
class Addressee:
    """A person (``kind == "u"``) or a group (``"g"``) in To, Cc or Bcc."""

    field: str
    kind: str
    id: int

    @property
    def token(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass
class Resolved:
    """The recipients of a send: who gets a delivery (and through which group) and the labels addressed."""

    deliveries: dict[int, int | None] = field(default_factory=dict)  # user id → via group id
    recipients: list[dict] = field(default_factory=list)  # rows for messaging_recipients


def parse_addressees(fields: dict[str, Iterable[str]]) -> list[Addressee]:
    """``{"to": ["u:12", "g:3"], "cc": [...], "bcc": [...]}`` → addressees, each once (first field wins)."""
    seen: set[str] = set()
    result = []
    for name in FIELDS:
        for raw in fields.get(name) or []:
            match = _TOKEN.match(str(raw).strip())
            if not match:
                raise MessagingError(_("Destinataire invalide : « %(value)s ».", value=str(raw)[:40]), 400,
                                     "invalid_recipient")
            addressee = Addressee(name, match.group(1), int(match.group(2)))
            if addressee.token not in seen:
                seen.add(addressee.token)
                result.append(addressee)
    if len(result) > MAX_ADDRESSEES:
        raise MessagingError(_("Trop de destinataires (%(max)d au plus).", max=MAX_ADDRESSEES), 400,
                             "too_many_recipients")
    return result


# -- labels -------------------------------------------------------------------------------------------------


def _known_labels(session: Session, message: Message | None) -> dict[str, str]:
    """Labels the sender already saw (their draft's recipients): a refusal may name those people, never
    someone the sender could only have guessed by id."""
    if message is None:
        return {}
    rows = session.scalars(select(Recipient).where(Recipient.message_id == message.id))
    return {f"u:{r.user_id}" if r.user_id else f"g:{r.group_id}": r.label for r in rows}


def _refused(names: list[str]) -> MessagingError:
    return MessagingError(
        _("Envoi refusé : les règles de communication ne vous permettent pas d'écrire à %(names)s. "
          "Rien n'a été envoyé.", names=", ".join(names)), 403, "recipient_refused")


def _unknown_name(token: str, known: dict[str, str]) -> str:
    if token in known:
        return f"« {known[token]} »"
    kind, number = token.split(":")
    return (_("la personne n° %(id)s", id=number) if kind == "u" else _("le groupe n° %(id)s", id=number))


def person_label(user: User) -> str:
    return user.display_name or f"{user.first_name} {user.last_name}"


# -- resolving ----------------------------------------------------------------------------------------------


def resolve(session: Session, sender: User, addressees: list[Addressee], known: dict[str, str]) -> Resolved:
    """Check every addressee against the rules and expand groups; raise on the first refusal (naming all)."""
    people = [a for a in addressees if a.kind == "u"]
    groups = [a for a in addressees if a.kind == "g"]
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_([a.id for a in people])))}
    reachable = filter_reachable(session, sender, [a.id for a in people if a.id in users])
    refused = [_unknown_name(a.token, known) for a in people if a.id not in reachable]
    resolved = Resolved()
    found_groups = {g.id: g for g in session.scalars(select(Group).where(Group.id.in_([a.id for a in groups])))}
    expansions: dict[int, list[int]] = {}
    for addressee in groups:
        group = found_groups.get(addressee.id)
        if group is None:
            refused.append(_unknown_name(addressee.token, known))
            continue
        try:
            expansions[group.id] = reachable_members(session, sender, group)
        except CommunicationError:  # named only if the sender saw it in their draft: ids reveal no names
            refused.append(_unknown_name(addressee.token, known))
    if refused:
        raise _refused(refused)
    for addressee in people:
        resolved.deliveries[addressee.id] = None
        resolved.recipients.append({"field": addressee.field, "user_id": addressee.id, "group_id": None,
                                    "label": person_label(users[addressee.id])})
    for addressee in groups:
        group = found_groups[addressee.id]
        for member in expansions[group.id]:
            resolved.deliveries.setdefault(member, group.id)
        resolved.recipients.append({"field": addressee.field, "user_id": None, "group_id": group.id,
                                    "label": group.name})
    resolved.deliveries.pop(sender.id, None)
    return resolved


def _labels_for_draft(session: Session, sender: User, addressees: list[Addressee]) -> list[dict]:
    """Draft recipients keep the labels of what the sender may see; anything else is left out, not stored."""
    people = {u.id: u for u in session.scalars(select(User).where(
        User.id.in_([a.id for a in addressees if a.kind == "u"]), User.state.not_in(_GONE)))}
    allowed_people = filter_reachable(session, sender, people)
    allowed_groups = {g.id: g for g in visible_groups(session, sender)}
    rows = []
    for a in addressees:
        if a.kind == "u" and a.id in allowed_people:
            rows.append({"field": a.field, "user_id": a.id, "group_id": None, "label": person_label(people[a.id])})
        elif a.kind == "g" and a.id in allowed_groups:
            rows.append({"field": a.field, "user_id": None, "group_id": a.id, "label": allowed_groups[a.id].name})
    return rows


# -- drafts -------------------------------------------------------------------------------------------------


def _check_subject(subject: str | None) -> str:
    cleaned = " ".join((subject or "").split())
    if len(cleaned) > SUBJECT_MAX:
        raise MessagingError(_("L'objet dépasse %(max)d caractères.", max=SUBJECT_MAX), 400, "subject_too_long")
    return cleaned


def own_draft(session: Session, sender: User, draft_id: int) -> Message:
    message = session.get(Message, draft_id)
    if message is None or message.sender_id != sender.id or message.state != MessageState.DRAFT:
        raise not_found(_("Ce brouillon n'existe pas ou a déjà été envoyé."))
    return message


def _blocked(session: Session, sender: User) -> None:
    reason = safeguards.messaging_blocked_reason(session, sender)
    if reason:
        raise MessagingError(str(reason), 403, "messaging_blocked")


def save_draft(session: Session, sender: User, *, draft_id: int | None = None, subject: str = "",
               body_html: str = "", fields: dict[str, Iterable[str]] | None = None,
               parent_id: int | None = None, forward_of: int | None = None) -> Message:
    """Create or update a draft (autosave). Recipients the sender may not reach are left out of the draft.

    A new draft answering a message gives its ``parent_id`` (same conversation); a forward gives ``forward_of``
    (the original's attachments come along)."""
    _blocked(session, sender)
    addressees = parse_addressees(fields or {})
    clean_subject = _check_subject(subject)
    body = sanitize_html(body_html)
    if draft_id:
        message = own_draft(session, sender, draft_id)
    else:
        parent = _parent_for(session, sender, parent_id)
        message = Message(sender_id=sender.id, sender_name=person_label(sender), state=MessageState.DRAFT,
                          parent_id=parent.id if parent else None, thread_id=parent.thread_id if parent else None)
        session.add(message)
    message.subject, message.body_html, message.body_text = clean_subject, body, html_to_text(body)
    message.updated_at = utcnow()
    session.flush()
    if message.thread_id is None:
        message.thread_id = message.id
    session.execute(delete(Recipient).where(Recipient.message_id == message.id))
    rows = _labels_for_draft(session, sender, addressees) if addressees else []
    if rows:
        session.execute(insert(Recipient), [{"message_id": message.id, **row} for row in rows])
    if not draft_id:
        session.add(Delivery(message_id=message.id, user_id=sender.id, box=Box.DRAFTS, read_at=utcnow(),
                             delivered_at=utcnow()))
        if forward_of:
            copy_attachments(session, delivery_of(session, sender.id, forward_of).message_id, message)
    session.flush()
    return message


def _parent_for(session: Session, user: User, parent_id: int | None) -> Message | None:
    if not parent_id:
        return None
    delivery = delivery_of(session, user.id, parent_id)
    return session.get(Message, delivery.message_id)


def discard_draft(session: Session, sender: User, draft_id: int) -> None:
    message = own_draft(session, sender, draft_id)
    session.delete(message)
    session.flush()


def draft_fields(session: Session, message: Message) -> dict[str, list[tuple[str, str]]]:
    """The draft's recipients per field as ``(token, label)`` for the compose page."""
    result: dict[str, list[tuple[str, str]]] = {name: [] for name in FIELDS}
    for r in session.scalars(select(Recipient).where(Recipient.message_id == message.id).order_by(Recipient.id)):
        token = f"u:{r.user_id}" if r.user_id else f"g:{r.group_id}"
        result.setdefault(r.field, []).append((token, r.label))
    return result


# -- sending ------------------------------------------------------------------------------------------------


def send(session: Session, sender: User, *, draft_id: int | None = None, subject: str | None = None,
         body_html: str | None = None, fields: dict[str, Iterable[str]] | None = None,
         parent_id: int | None = None, forward_of: int | None = None) -> Message:
    """Send a message (from a draft, updated with what is given, or a new one). Returns the message, in state
    ``sent`` or ``held`` (waiting for moderation). Raises :class:`MessagingError` (nothing stored)."""
    _blocked(session, sender)
    draft = own_draft(session, sender, draft_id) if draft_id else None
    known = _known_labels(session, draft)
    if fields is None and draft is not None:
        fields = {name: [token for token, _label in pairs] for name, pairs in draft_fields(session, draft).items()}
    addressees = parse_addressees(fields or {})
    if not addressees:
        raise MessagingError(_("Ajoutez au moins un destinataire."), 400, "no_recipient")
    resolved = resolve(session, sender, addressees, known)
    if not resolved.deliveries:
        raise MessagingError(_("Ce message n'atteindrait personne : les groupes choisis sont vides."), 400,
                             "nobody")
    message = save_draft(session, sender, draft_id=draft_id,
                         subject=draft.subject if subject is None and draft else subject or "",
                         body_html=draft.body_html if body_html is None and draft else body_html or "",
                         fields={}, parent_id=parent_id, forward_of=forward_of)
    if not message.subject:
        message.subject = _("(sans objet)")
    session.execute(insert(Recipient), [{"message_id": message.id, **row} for row in resolved.recipients])
    now = utcnow()
    message.sent_at, message.updated_at, message.state = now, now, MessageState.SENT
    own = delivery_of(session, sender.id, message.id)
    own.box, own.delivered_at, own.read_at = Box.SENT, now, now
    session.flush()
    recipient_ids = sorted(resolved.deliveries)
    if safeguards.screen_send(session, sender, recipient_ids, message=message) == "hold":
        message.state = MessageState.HELD
        session.flush()
        return message
    _deliver(session, message, resolved.deliveries, now)
    notify.after_delivery(session, message, recipient_ids)
    return message


def _deliver(session: Session, message: Message, deliveries: dict[int, int | None], now) -> None:
    # Core insert() executemany on the table: SQLAlchemy 2 sends it as batched multi-row INSERT … VALUES
    # ("insertmanyvalues", statement compiled once). Measured on PostgreSQL for 1,000 rows: ~45 ms, against
    # ~200 ms for one hand-built insert().values(rows) statement, which is compiled afresh on every send.
    session.execute(insert(table_of(Delivery)), [
        {"message_id": message.id, "user_id": user_id, "box": Box.INBOX.value, "delivered_at": now,
         "deleted": False, "via_group_id": via} for user_id, via in deliveries.items()])


def deliver_held(session: Session, message: Message) -> list[int]:
    """Deliver a held message after a moderator released it: the recipients are expanded again now (the rules
    still apply), without re-checking the outbound limit. Returns the recipient ids."""
    if message.state != MessageState.HELD:
        raise MessagingError(_("Ce message n'est pas en attente de modération."), 400, "not_held")
    sender = session.get(User, message.sender_id) if message.sender_id else None
    if sender is None:
        raise MessagingError(_("L'expéditeur de ce message n'existe plus."), 400, "sender_gone")
    addressees = [Addressee(r.field, "u" if r.user_id else "g", target)
                  for r in session.scalars(select(Recipient).where(Recipient.message_id == message.id))
                  if (target := r.user_id or r.group_id)]
    resolved = resolve(session, sender, addressees, _known_labels(session, message))
    now = utcnow()
    message.state, message.sent_at = MessageState.SENT, now
    _deliver(session, message, resolved.deliveries, now)
    recipient_ids = sorted(resolved.deliveries)
    notify.after_delivery(session, message, recipient_ids)
    return recipient_ids


# -- replies and forwards -----------------------------------------------------------------------------------


@dataclass
class ComposeDefaults:
    subject: str = ""
    body_html: str = ""
    fields: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: {name: [] for name in FIELDS})
    parent_id: int | None = None
    forward_of: int | None = None
    forward_attachments: list[Attachment] = field(default_factory=list)


def _prefixed(prefix: str, subject: str) -> str:
    if subject.lower().startswith(prefix.lower().strip()):
        return subject
    return f"{prefix}{subject}"[:SUBJECT_MAX]


def _quote(message: Message) -> str:
    when = format_datetime(message.sent_at, "dd/MM/yyyy HH:mm") if message.sent_at else ""  # local time
    header = _("Le %(date)s, %(name)s a écrit :", date=when, name=message.sender_name)
    return f"<p></p><p>{escape(header)}</p><blockquote>{message.body_html}</blockquote>"


def reply_defaults(session: Session, user: User, message_id: int, mode: str) -> ComposeDefaults:
    """What the compose page starts with for ``reply``, ``reply_all`` or ``forward``.

    Reply all goes to the sender and to the addressed recipients (To and Cc, never Bcc) the replier may still
    reach: a parent answering a message sent to a class's parents reaches the sender only."""
    delivery = delivery_of(session, user.id, message_id)
    message = session.get_one(Message, delivery.message_id)
    defaults = ComposeDefaults(parent_id=message.id)
    if mode == "forward":
        defaults.parent_id, defaults.forward_of = None, message.id
        defaults.subject = _prefixed(_("Tr : "), message.subject)
        defaults.body_html = _quote(message)
        defaults.forward_attachments = list(session.scalars(
            select(Attachment).where(Attachment.message_id == message.id)))
        return defaults
    if mode not in ("reply", "reply_all"):
        raise not_found()
    defaults.subject = _prefixed(_("Re : "), message.subject)
    defaults.body_html = _quote(message)
    sender = session.get(User, message.sender_id) if message.sender_id else None
    if sender is not None and sender.id != user.id:
        defaults.fields[Field.TO].append((f"u:{sender.id}", person_label(sender)))
    if mode == "reply_all":
        addressed = visible_recipients(list(session.scalars(select(Recipient).where(
            Recipient.message_id == message.id).order_by(Recipient.id))), message, user.id)
        people = {r.user_id for r in addressed if r.user_id and r.field != Field.BCC}
        reachable = filter_reachable(session, user, people)
        groups = {g.id for g in visible_groups(session, user)}
        for r in addressed:
            if r.field == Field.BCC:
                continue
            if r.user_id and r.user_id in reachable:
                defaults.fields[Field.CC if r.field == Field.CC else Field.TO].append((f"u:{r.user_id}", r.label))
            elif r.group_id and r.group_id in groups:
                defaults.fields[Field.CC if r.field == Field.CC else Field.TO].append((f"g:{r.group_id}", r.label))
    return defaults


def copy_attachments(session: Session, source_message_id: int, target: Message) -> None:
    """A forward keeps the original's attachments (the same stored files)."""
    rows = session.scalars(select(Attachment).where(Attachment.message_id == source_message_id)).all()
    if rows:
        session.execute(insert(Attachment), [
            {"message_id": target.id, "filename": a.filename, "mime": a.mime, "size": a.size,
             "storage_key": a.storage_key, "created_at": utcnow()} for a in rows])
