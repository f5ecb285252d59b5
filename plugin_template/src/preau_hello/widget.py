"""The dashboard widget. ``render(user, size)`` returns an HTML fragment: escape everything you insert."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import escape
from preau import db_session

from .notes import count_notes_of, notes_of


def render_notes_widget(user: Any, size: str) -> str:
    session = db_session()
    count = count_notes_of(session, user.id)
    link = f'<p><a href="{escape(url_for("hello.index"))}">{escape(_("Ouvrir mes notes"))}</a></p>'
    if count == 0:
        return f"<p>{escape(_('Aucune note pour l’instant.'))}</p>{link}"
    summary = f"<p>{escape(ngettext('%(num)d note', '%(num)d notes', count))}</p>"
    if size == "miniature":
        return summary
    shown = notes_of(session, user.id, limit=5 if size == "large" else 2)
    items = "".join(f"<li>{escape(note.text)}</li>" for note in shown)
    return f"{summary}<ul>{items}</ul>{link}"
