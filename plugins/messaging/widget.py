"""The dashboard widget "Messages non lus" and the unread count of the permanent bar."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import escape

from preau import db_session

from .services.boxes import Box, list_box, unread_total


def unread_badge(user: Any) -> int:
    return unread_total(db_session(), user.id)


def render_unread_widget(user: Any, size: str) -> str:
    session = db_session()
    count = unread_total(session, user.id)
    inbox = escape(url_for("messaging.inbox"))
    summary: str
    if count == 0:
        empty = escape(_("Aucun message non lu."))
        summary = f"<p>{empty}</p>"  # an f-string: "<p>" + Markup would escape "<p>"
    else:
        unread = escape(ngettext("%(num)d message non lu", "%(num)d messages non lus", count))
        summary = f"<p><strong>{unread}</strong></p>"
    open_inbox = escape(_("Ouvrir la messagerie"))
    link = f'<p><a href="{inbox}">{open_inbox}</a></p>'
    if size == "miniature" or count == 0:
        return summary + link
    shown = [row for row in list_box(session, user.id, Box.INBOX, per_page=5 if size == "large" else 3).rows
             if row.unread]
    items = "".join(
        f'<li><a href="{escape(url_for("messaging.message", message_id=row.message.id))}">'
        f"{escape(row.message.subject)}</a> — {escape(row.message.sender_name)}</li>" for row in shown)
    return f"{summary}<ul>{items}</ul>{link}" if items else summary + link
