"""After a message is delivered: e-mail notifications or full copies to personal e-mail, and read receipts.

* ``after_delivery`` runs inside the send request and stays cheap: it records which child a delivery to a
  parent concerns (one INSERT … SELECT for deliveries through a class's parents group) and, when at least one
  recipient asked for e-mail, queues ONE background job ``messaging.notify``. The job fans out the e-mails
  (through ``preau.send_mail``, itself a job per e-mail), so a send to a 1,000-member group never waits for SMTP.
* Preferences (``messaging_preferences``): ``notify_by_email`` sends the subject and a link, never the body;
  ``copy_to_personal_email`` sends a full copy (Skolengo style; attachments are listed, to download on the ENT).
  Both on: the copy alone. Only people with an e-mail address on their account receive anything.
* When the job runs, a message recalled meanwhile, or a delivery already read or deleted, sends nothing.
* A notification to a parent or a student always names the child it concerns: "concerne Léa (CM2 A)" — the
  child recorded for the delivery (through a class group), else the parent's children sharing a class with the
  sender, else those in the sender's schools, else all of them; for a student, the student.
* Read receipts are off by default; when a structure of the sender switched them on, the sender sees who read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import and_, insert, literal, select
from sqlalchemy.orm import Session, aliased

import preau
from preau import Profile

from .models import Box, Delivery, Message, MessageState, Preference, Recipient
from .moderation_models import DeliveryChild
from .safeguards import read_receipts_enabled

JOB_KIND = "messaging.notify"
MESSAGE_ENDPOINT = "messaging.message"


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail when the request or ``SERVER_NAME`` allows it, else the path."""
    try:
        return url_for(endpoint, _external=True, **values)
    except RuntimeError:
        return url_for(endpoint, **values) if has_request_context() else ""


def _message_link(message_id: int) -> str:
    try:
        return absolute_url(MESSAGE_ENDPOINT, message_id=message_id)
    except Exception:  # noqa: BLE001 - the view's name is msg1's; a link to the inbox is still useful
        return absolute_url("messaging.inbox")


# -- in the send request ---------------------------------------------------------------------------------


def after_delivery(session: Session, message: Message, recipient_ids: Iterable[int]) -> None:
    """Record the children concerned, and queue the e-mails the recipients asked for (one job)."""
    recipient_ids = {int(i) for i in recipient_ids} - {message.sender_id}
    if not recipient_ids:
        return
    record_children(session, message.id)
    # The recipients are read back from the deliveries on the server: no thousand-parameter IN list.
    delivered = select(Delivery.user_id).where(Delivery.message_id == message.id, Delivery.box == Box.INBOX)
    wanted = sorted(session.scalars(
        select(Preference.user_id).join(preau.User, preau.User.id == Preference.user_id).where(
            Preference.notify_by_email.is_(True) | Preference.copy_to_personal_email.is_(True),
            Preference.user_id.in_(delivered), preau.User.email.is_not(None), preau.User.email != "")))
    if wanted:
        preau.enqueue_job(session, JOB_KIND, {"message_id": message.id, "user_ids": wanted,
                                              "link": _message_link(message.id)})


def _parents_groups_addressed(session: Session, message_id: int) -> list[int]:
    """The classes' parents groups the sender addressed (a few recipient rows, never the expanded members)."""
    return list(session.scalars(
        select(Recipient.group_id).join(preau.Group, preau.Group.id == Recipient.group_id)
        .where(Recipient.message_id == message_id, preau.Group.kind == preau.GroupKind.CLASS,
               preau.Group.profile == Profile.RELATIVE)))


def record_children(session: Session, message_id: int) -> None:
    """For deliveries that reached a parent through a class's parents group: their children in that class.

    One INSERT … SELECT, and none at all unless such a group was addressed (a send to a school's 1,000
    teachers or parents costs one small query here)."""
    groups = _parents_groups_addressed(session, message_id)
    if not groups:
        return
    group, students, member, link = (aliased(preau.Group), aliased(preau.Group), aliased(preau.GroupMember),
                                     aliased(preau.RelativeLink))
    already = select(DeliveryChild.user_id).where(DeliveryChild.message_id == message_id)
    rows = (
        select(literal(message_id), Delivery.user_id, link.child_id)
        .join(group, group.id == Delivery.via_group_id)
        .join(link, link.parent_id == Delivery.user_id)
        .join(students, and_(students.class_id == group.class_id, students.kind == preau.GroupKind.CLASS,
                             students.profile == Profile.STUDENT))
        .join(member, and_(member.group_id == students.id, member.user_id == link.child_id))
        .where(Delivery.message_id == message_id, Delivery.via_group_id.in_(groups), Delivery.box == Box.INBOX,
               Delivery.user_id.not_in(already))
        .distinct())
    session.execute(insert(DeliveryChild).from_select(["message_id", "user_id", "child_id"], rows))


# -- who the message concerns ----------------------------------------------------------------------------


def _describe(session: Session, child: Any) -> str:
    classes = ", ".join(c.name for c in preau.classes_of(session, child, Profile.STUDENT))
    return f"{child.first_name} ({classes})" if classes else child.first_name


def concerned_children(session: Session, message: Message, user: Any) -> list[Any]:
    """The children a message to ``user`` concerns (see the module's rules); empty for other adults."""
    if Profile.STUDENT in user.profiles:
        return [user]
    recorded = list(session.scalars(select(preau.User).join(DeliveryChild, DeliveryChild.child_id == preau.User.id)
                                    .where(DeliveryChild.message_id == message.id, DeliveryChild.user_id == user.id)
                                    .order_by(preau.User.first_name)))
    if recorded or Profile.RELATIVE not in user.profiles:
        return recorded
    children = preau.children_of(session, user)
    sender = session.get(preau.User, message.sender_id) if message.sender_id else None
    if len(children) <= 1 or sender is None:
        return children
    sender_classes = {c.id for c in preau.classes_of(session, sender)}
    in_class = [c for c in children if sender_classes & {k.id for k in preau.classes_of(session, c)}]
    if in_class:
        return in_class
    sender_schools = {r.structure_id for r in sender.roles}
    in_school = [c for c in children if sender_schools & {r.structure_id for r in c.roles}]
    return in_school or children


def concerns_line(session: Session, message: Message, user: Any) -> str:
    children = concerned_children(session, message, user)
    if not children:
        return ""
    return _("Concerne %(children)s", children=", ".join(_describe(session, c) for c in children))


# -- the background job ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None


def compose_mail(session: Session, message: Message, user: Any, preference: Preference, link: str) -> Mail:
    """The e-mail for one recipient, in their language: a notification, or a full copy."""
    with force_locale(user.locale or "fr"):
        concerns = concerns_line(session, message, user)
        subject = message.subject or _("(sans objet)")
        if preference.copy_to_personal_email:
            header = _("Message de %(sender)s reçu sur l'ENT.", sender=message.sender_name)
            footer = _("Pour répondre ou télécharger les pièces jointes, ouvrez l'ENT : %(link)s", link=link)
            parts = [header, concerns, "", message.body_text, "", footer]
            open_label = _("Ouvrir le message sur l’ENT")
            html = (f"<p>{_e(header)}</p>" + (f"<p>{_e(concerns)}</p>" if concerns else "") + message.body_html
                    + f'<p><a href="{_e(link)}">{_e(open_label)}</a></p>')
            return Mail(user.email, _("[ENT] %(subject)s", subject=subject),
                        "\n".join(p for p in parts if p is not None), html)
        text = "\n".join(filter(None, [
            _("Bonjour %(name)s,", name=user.first_name), "",
            _("%(sender)s vous a écrit sur l'ENT : « %(subject)s ».", sender=message.sender_name, subject=subject),
            concerns, "", _("Lire le message : %(link)s", link=link), "",
            _("Vous recevez ce courriel parce que vous l'avez demandé dans les préférences de votre messagerie.")]))
        return Mail(user.email, _("[ENT] Nouveau message de %(sender)s", sender=message.sender_name), text)


def _e(value: str) -> str:
    return str(escape(value))


def run_notify_job(session: Session, job: Any) -> None:
    """Handler of ``messaging.notify``: one e-mail per recipient who asked for it and has not read it yet."""
    payload = job.payload
    message = session.get(Message, int(payload["message_id"]))
    if message is None or message.state != MessageState.SENT:
        return  # recalled or removed before the job ran
    user_ids = [int(i) for i in payload.get("user_ids", [])]
    waiting = set(session.scalars(select(Delivery.user_id).where(
        Delivery.message_id == message.id, Delivery.user_id.in_(user_ids), Delivery.box == Box.INBOX,
        Delivery.read_at.is_(None), Delivery.deleted.is_(False))))
    preferences = {p.user_id: p for p in session.scalars(select(Preference).where(Preference.user_id.in_(waiting)))}
    for user in session.scalars(select(preau.User).where(preau.User.id.in_(waiting)).order_by(preau.User.id)):
        preference = preferences.get(user.id)
        if not user.email or preference is None or not (preference.notify_by_email
                                                        or preference.copy_to_personal_email):
            continue
        mail = compose_mail(session, message, user, preference, payload.get("link", ""))
        preau.send_mail(session, mail.to, mail.subject, mail.text, html=mail.html)


JOB_HANDLERS = {JOB_KIND: run_notify_job}


# -- read receipts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    user_id: int
    name: str
    read_at: datetime | None


def receipts_enabled_for(session: Session, sender: Any) -> bool:
    return read_receipts_enabled(session, {role.structure_id for role in sender.roles})


def read_receipts(session: Session, sender: Any, message_id: int) -> list[Receipt] | None:
    """Who read a message the sender sent (readers first), or ``None`` when read receipts are off for them or
    the message is not theirs."""
    message = session.get(Message, message_id)
    if message is None or message.sender_id != sender.id or message.state not in (MessageState.SENT,
                                                                                  MessageState.RECALLED):
        return None
    if not receipts_enabled_for(session, sender):
        return None
    rows = session.execute(
        select(Delivery.user_id, preau.User.display_name, Delivery.read_at)
        .join(preau.User, preau.User.id == Delivery.user_id)
        .where(Delivery.message_id == message_id, Delivery.box == Box.INBOX, Delivery.user_id != sender.id)
        .order_by(Delivery.read_at.is_(None), Delivery.read_at, preau.User.display_name)).all()
    return [Receipt(*row) for row in rows]
