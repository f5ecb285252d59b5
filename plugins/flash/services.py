"""Flash messages (tableau d'affichage): the rules, without Flask's request.

* A message belongs to one structure and reaches the people holding a role of a targeted profile in that
  structure or below it; ``languages`` empty means every language.
* It is current from ``starts_on`` to the end of ``ends_on`` (inclusive: it shows until midnight at the end
  of that day, in the schools' time zone); before, it is upcoming; after, obsolete.
* Reading (opening it, or "marquer comme lu") records one row per user: the view count is the number of readers.
* The optional e-mail is allowed only when the message starts today and reaches a single structure (one with
  no structure below it); it is queued as ONE background job that fans the e-mails out through
  ``send_mail``, so saving never waits for the mail server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from preau import (
    AccountState,
    Job,
    PreauError,
    Profile,
    Role,
    Structure,
    User,
    ancestor_distances,
    descendant_ids,
    enqueue_job,
    html_to_text,
    record_audit,
    sanitize_html,
    send_mail,
)

from .models import FlashMessage, FlashRead, utcnow

NOTIFY_JOB = "flash.notify"
TITLE_MAX = 200
BODY_MAX = 20_000
LANGUAGES = ("fr", "en")

# Banner colours: a light background with dark text, each pair above 7:1 contrast (WCAG AAA).
COLOURS: dict[str, tuple[str, str, object]] = {
    "info": ("#dbeafe", "#1e3a8a", lazy_gettext("Bleu (information)")),
    "success": ("#dcfce7", "#14532d", lazy_gettext("Vert")),
    "warning": ("#fef3c7", "#78350f", lazy_gettext("Jaune (attention)")),
    "danger": ("#fee2e2", "#7f1d1d", lazy_gettext("Rouge (urgent)")),
    "neutral": ("#f1f5f9", "#0f172a", lazy_gettext("Gris")),
}
DEFAULT_COLOUR = "info"


class FlashError(PreauError, ValueError):
    """Bad input: the message is French (translated) and meant for the administrator."""


def local_today(timezone: str = "Europe/Paris") -> date:
    """Today in the schools' time zone: a message "until the 12th" shows until midnight there."""
    return datetime.now(ZoneInfo(timezone)).date()


# -- input -------------------------------------------------------------------------------------------------


@dataclass
class FlashInput:
    """The checked content of the form."""

    title: str
    body: str
    starts_on: date
    ends_on: date
    profiles: list[str]
    languages: list[str] = field(default_factory=list)
    colour: str = DEFAULT_COLOUR
    notify_by_mail: bool = False


def _parse_date(raw: str | None, label: str) -> date:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        raise FlashError(_("La date de %(label)s est invalide (format attendu : AAAA-MM-JJ).", label=label)) from None


def parse_form(form: Mapping[str, str], getlist) -> FlashInput:
    """Check the form's fields (``getlist(name)`` gives the values of a multiple field); raise FlashError."""
    title = (form.get("title") or "").strip()
    if not title:
        raise FlashError(_("Le titre est obligatoire."))
    if len(title) > TITLE_MAX:
        raise FlashError(_("Le titre est trop long (%(max)d caractères au plus).", max=TITLE_MAX))
    raw_body = form.get("body") or ""
    if len(raw_body) > BODY_MAX:
        raise FlashError(_("Le texte est trop long (%(max)d caractères au plus).", max=BODY_MAX))
    body = sanitize_html(raw_body)
    if not html_to_text(body):
        raise FlashError(_("Le texte du message est obligatoire."))
    starts_on = _parse_date(form.get("starts_on"), _("début"))
    ends_on = _parse_date(form.get("ends_on"), _("fin"))
    if ends_on < starts_on:
        raise FlashError(_("La date de fin (%(end)s) est antérieure à la date de début (%(start)s).",
                           end=ends_on.strftime("%d/%m/%Y"), start=starts_on.strftime("%d/%m/%Y")))
    known = {p.value for p in Profile}
    profiles = list(dict.fromkeys(getlist("profiles")))
    if not profiles:
        raise FlashError(_("Choisissez au moins un profil destinataire."))
    if any(p not in known for p in profiles):
        raise FlashError(_("Profil destinataire inconnu."))
    languages = list(dict.fromkeys(getlist("languages")))
    if any(lang not in LANGUAGES for lang in languages):
        raise FlashError(_("Langue inconnue."))
    colour = form.get("colour") or DEFAULT_COLOUR
    if colour not in COLOURS:
        raise FlashError(_("Couleur inconnue."))
    return FlashInput(title, body, starts_on, ends_on, profiles, languages, colour,
                      notify_by_mail=form.get("notify_by_mail") in ("1", "on", "true"))


def mail_refusal(session: Session, structure_id: int, data: FlashInput, today: date) -> str | None:
    """Why an e-mail notification is not allowed for this message, or None."""
    if data.starts_on != today:
        return _("La notification par courriel n'est possible que pour un message qui commence aujourd'hui.")
    if descendant_ids(session, [structure_id]) != {structure_id}:
        return _("La notification par courriel n'est possible que pour un message adressé à une seule "
                 "structure (sans structure rattachée).")
    return None


# -- administration ------------------------------------------------------------------------------------------


def _apply(message: FlashMessage, data: FlashInput) -> None:
    message.title, message.body = data.title, data.body
    message.starts_on, message.ends_on = data.starts_on, data.ends_on
    message.profiles, message.languages = data.profiles, data.languages
    message.colour, message.notify_by_mail = data.colour, data.notify_by_mail


def _queue_notification(session: Session, message: FlashMessage, today: date) -> None:
    if not message.notify_by_mail or message.notified_at is not None:
        return
    refusal = mail_refusal(session, message.structure_id, _as_input(message), today)
    if refusal:
        raise FlashError(refusal)
    message.notified_at = utcnow()
    enqueue_job(session, NOTIFY_JOB, {"message_id": message.id}, structure_id=message.structure_id)


def _as_input(message: FlashMessage) -> FlashInput:
    return FlashInput(message.title, message.body, message.starts_on, message.ends_on, list(message.profiles),
                      list(message.languages), message.colour, message.notify_by_mail)


def create_message(session: Session, structure: Structure, data: FlashInput, *, actor: User, today: date,
                   ip: str | None = None) -> FlashMessage:
    """Store a new message (the caller has checked the administrator's scope) and queue its e-mail if asked."""
    if data.notify_by_mail and (refusal := mail_refusal(session, structure.id, data, today)):
        raise FlashError(refusal)
    message = FlashMessage(structure_id=structure.id, author_id=actor.id)
    _apply(message, data)
    session.add(message)
    session.flush()
    _queue_notification(session, message, today)
    record_audit(session, "flash.created", actor=actor, target=structure, ip=ip, message_id=message.id,
                 title=message.title[:80])
    return message


def update_message(session: Session, message: FlashMessage, data: FlashInput, *, actor: User, today: date,
                   ip: str | None = None) -> FlashMessage:
    """Change a message; an e-mail asked now (and not sent before) is queued under the same rule."""
    data.notify_by_mail = data.notify_by_mail or message.notified_at is not None  # sent stays sent
    if data.notify_by_mail and message.notified_at is None and (
            refusal := mail_refusal(session, message.structure_id, data, today)):
        raise FlashError(refusal)
    _apply(message, data)
    message.updated_at = utcnow()
    session.flush()
    _queue_notification(session, message, today)
    record_audit(session, "flash.updated", actor=actor, target=session.get(Structure, message.structure_id), ip=ip,
                 message_id=message.id, title=message.title[:80])
    return message


def delete_message(session: Session, message: FlashMessage, *, actor: User, ip: str | None = None) -> None:
    structure = session.get(Structure, message.structure_id)
    record_audit(session, "flash.deleted", actor=actor, target=structure, ip=ip, message_id=message.id,
                 title=message.title[:80])
    session.execute(delete(FlashRead).where(FlashRead.message_id == message.id))
    session.delete(message)
    session.flush()


def status_of(message: FlashMessage, today: date) -> str:
    if message.ends_on < today:
        return "obsolete"
    return "upcoming" if message.starts_on > today else "current"


@dataclass
class AdminListing:
    current: list[FlashMessage]
    upcoming: list[FlashMessage]
    obsolete: list[FlashMessage]
    views: dict[int, int]


def structure_messages(session: Session, structure_id: int, today: date) -> AdminListing:
    """A structure's messages by status, with each one's number of distinct readers."""
    messages = list(session.scalars(select(FlashMessage).where(FlashMessage.structure_id == structure_id)
                                    .order_by(FlashMessage.starts_on.desc(), FlashMessage.id.desc())))
    views = view_counts(session, [m.id for m in messages])
    groups: dict[str, list[FlashMessage]] = {"current": [], "upcoming": [], "obsolete": []}
    for message in messages:
        groups[status_of(message, today)].append(message)
    return AdminListing(groups["current"], groups["upcoming"], groups["obsolete"], views)


def view_counts(session: Session, message_ids: Iterable[int]) -> dict[int, int]:
    ids = list(message_ids)
    if not ids:
        return {}
    rows = session.execute(select(FlashRead.message_id, func.count()).where(FlashRead.message_id.in_(ids))
                           .group_by(FlashRead.message_id))
    return {message_id: count for message_id, count in rows}


# -- readers -------------------------------------------------------------------------------------------------


def _reaches(message: FlashMessage, roles: list[tuple[int, str]], above: dict[int, set[int]], lang: str) -> bool:
    if message.languages and lang not in message.languages:
        return False
    return any(profile in message.profiles and message.structure_id in above[structure_id]
               for structure_id, profile in roles)


def current_messages_for(session: Session, user: User, *, today: date, lang: str) -> list[FlashMessage]:
    """The current messages reaching ``user`` (through any of their roles), newest first."""
    roles = [(role.structure_id, role.profile) for role in user.roles]
    if not roles:
        return []
    query = (select(FlashMessage).where(FlashMessage.starts_on <= today, FlashMessage.ends_on >= today)
             .order_by(FlashMessage.starts_on.desc(), FlashMessage.id.desc()))
    candidates = list(session.scalars(query))
    if not candidates:
        return []  # the usual case on most pages: no tree walk at all
    above = {structure_id: set(ancestor_distances(session, structure_id)) for structure_id in {s for s, _p in roles}}
    return [m for m in candidates if _reaches(m, roles, above, lang)]


def read_ids(session: Session, user_id: int, message_ids: Iterable[int]) -> set[int]:
    ids = list(message_ids)
    if not ids:
        return set()
    return set(session.scalars(select(FlashRead.message_id).where(FlashRead.user_id == user_id,
                                                                  FlashRead.message_id.in_(ids))))


@dataclass
class Board:
    """What the banner shows a user: their current messages and which are still unread."""

    messages: list[FlashMessage]
    unread: set[int]

    @property
    def has_unread(self) -> bool:
        return bool(self.unread)


def board_for(session: Session, user: User, *, today: date, lang: str) -> Board:
    messages = current_messages_for(session, user, today=today, lang=lang)
    seen = read_ids(session, user.id, [m.id for m in messages])
    return Board(messages, {m.id for m in messages} - seen)


def mark_read(session: Session, user: User, message_ids: Iterable[int], *, today: date, lang: str) -> int:
    """Record that ``user`` read these messages; only current messages reaching them count. Returns how many
    new reads were recorded."""
    wanted = set(message_ids)
    reachable = {m.id for m in current_messages_for(session, user, today=today, lang=lang)} & wanted
    new = reachable - read_ids(session, user.id, reachable)
    if new:
        now = utcnow()
        session.execute(insert(FlashRead), [{"message_id": i, "user_id": user.id, "read_at": now} for i in new])
    return len(new)


# -- e-mail ------------------------------------------------------------------------------------------------


def mail_recipients(session: Session, message: FlashMessage) -> list[tuple[str, str | None]]:
    """(address, locale) of the active people the message reaches who have an e-mail address."""
    structures = descendant_ids(session, [message.structure_id])
    query = (select(User.email, User.locale).join(Role, Role.user_id == User.id)
             .where(Role.structure_id.in_(structures), Role.profile.in_(list(message.profiles)),
                    User.email.is_not(None), User.email != "", User.state == AccountState.ACTIVE)
             .distinct())
    rows = [(email, locale) for email, locale in session.execute(query) if email]  # the query's: no empty address
    if message.languages:
        rows = [(email, locale) for email, locale in rows if (locale or "fr") in message.languages]
    return rows


def notify_job(session: Session, job: Job) -> None:
    """Fan the e-mails of one message out (a mail job each); a message deleted meanwhile sends nothing."""
    message = session.get(FlashMessage, int(job.payload.get("message_id", 0)))
    if message is None:
        return
    text = html_to_text(message.body)
    subject = f"Préau — {message.title}"[:200].replace("\r", " ").replace("\n", " ")
    for address, _locale in mail_recipients(session, message):
        try:
            send_mail(session, address, subject, text, html=message.body, structure_id=message.structure_id)
        except ValueError:
            continue  # a malformed stored address: skip it, the others still get theirs
