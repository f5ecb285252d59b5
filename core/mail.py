"""E-mail: :func:`send_mail` queues a "mail.send" job; the job speaks SMTP (``PREAU_SMTP_URL``).

The request never waits for the mail server, and a rolled-back request sends nothing. URL forms:
``smtp://host:25`` (plain), ``smtp+starttls://user:pass@host:587``, ``smtps://user:pass@host:465`` (TLS from
the start). User and password are percent-decoded. Without ``PREAU_SMTP_URL`` the job fails at once, without
retries, with the reason in ``jobs.last_error``: the mail is not sent and the request is not disturbed.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy.orm import Session

from .jobs import PermanentJobError, enqueue, job_handler
from .models import Job

MAIL_JOB = "mail.send"
_SCHEMES = {"smtp": (25, "plain"), "smtp+starttls": (587, "starttls"), "smtps": (465, "tls")}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    mode: str  # plain, starttls, tls
    username: str | None
    password: str | None

    def __repr__(self) -> str:  # never show the password, even in a traceback's locals
        return f"SmtpSettings({self.mode}://{self.username or ''}@{self.host}:{self.port})"


def parse_smtp_url(url: str) -> SmtpSettings:
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise PermanentJobError(f"PREAU_SMTP_URL : schéma « {parts.scheme} » inconnu "
                                "(smtp://, smtp+starttls:// ou smtps://).")
    if not parts.hostname:
        raise PermanentJobError("PREAU_SMTP_URL : hôte manquant.")
    default_port, mode = _SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError as exc:
        raise PermanentJobError("PREAU_SMTP_URL : port invalide.") from exc
    return SmtpSettings(parts.hostname, port, mode, unquote(parts.username) if parts.username else None,
                        unquote(parts.password) if parts.password else None)


def _check_address(address: str) -> str:
    address = (address or "").strip()
    _, parsed = parseaddr(address)
    if not parsed or "@" not in parsed or any(c in address for c in "\r\n"):
        raise ValueError(f"adresse de courriel invalide : {address!r}")
    return address


def send_mail(session: Session, to: str, subject: str, text: str, html: str | None = None, *,
              structure_id: int | None = None) -> Job:
    """Queue an e-mail in the caller's transaction; it leaves once that transaction commits.

    Raises ``ValueError`` only for a malformed address or subject (a bug of the caller, checked at once);
    delivery problems never reach the caller: they are retried, then recorded on the job."""
    to = _check_address(to)
    if any(c in subject for c in "\r\n"):
        raise ValueError("le sujet d'un courriel tient sur une ligne")
    return enqueue(session, MAIL_JOB, {"to": to, "subject": subject, "text": text, "html": html},
                   structure_id=structure_id)


def build_message(sender: str, to: str, subject: str, text: str, html: str | None) -> EmailMessage:
    message = EmailMessage()  # policy "default": UTF-8 headers encoded as RFC 2047, lines folded
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def deliver(settings: SmtpSettings, message: EmailMessage, timeout: float) -> None:
    context = ssl.create_default_context()
    if settings.mode == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    with client:
        if settings.mode == "starttls":
            client.starttls(context=context)
        if settings.username:
            client.login(settings.username, settings.password or "")
        client.send_message(message)


@job_handler(MAIL_JOB)
def send_mail_job(session: Session, job: Job) -> None:
    config = current_app.config
    url = config.get("SMTP_URL")
    if not url:
        raise PermanentJobError("PREAU_SMTP_URL n'est pas configuré : courriel non envoyé.")
    payload = job.payload
    try:
        message = build_message(config["MAIL_FROM"], payload["to"], payload["subject"], payload["text"],
                                payload.get("html"))
    except (KeyError, ValueError, TypeError) as exc:
        raise PermanentJobError(f"courriel mal formé : {exc}") from exc
    try:
        deliver(parse_smtp_url(url), message, config.get("SMTP_TIMEOUT", 10))
    except smtplib.SMTPRecipientsRefused as exc:
        if all(code >= 500 for code, _ in exc.recipients.values()):
            raise PermanentJobError(f"destinataire refusé par le serveur : {exc.recipients}") from exc
        raise

