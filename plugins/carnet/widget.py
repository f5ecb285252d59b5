"""The « Mots à signer » block: for a parent the unsigned mots of the child in view, for a student their unread
mots, for an author their latest mots with signature counts. One query besides the child selection."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from markupsafe import escape

from preau import db_session, student_in_view

from .services import is_author, mots_of_author, mots_of_student

LIMITS = {"miniature": 3, "apercu": 5, "large": 10}


def _link(mot_id: int, title: str, extra: str = "") -> str:
    return f'<li><a href="{url_for("carnet.show", mot_id=mot_id)}">{escape(title)}</a>{extra}</li>'


def _count(mot: Any, signed: int) -> str:
    if not mot.requires_signature:
        return ""
    label = _("%(signed)d/%(total)d signés", signed=signed, total=mot.recipient_count)
    return f" <small>{escape(label)}</small>"


def signs_or_writes(user: Any, roles: list[Any]) -> bool:
    """The block's audience: anyone acting with a role other than student (a parent signs, a teacher writes)."""
    return any(r.profile != "student" for r in roles)


def render_to_sign(user: Any, size: str) -> str:
    limit = LIMITS.get(size, LIMITS["apercu"])
    open_label = escape(_("Ouvrir le carnet de liaison"))
    open_page = f'<p><a href="{url_for("carnet.index")}">{open_label}</a></p>'
    student = student_in_view(user)
    if student is not None:
        rows = mots_of_student(db_session(), student.id, limit=20)
        if student.id == user.id:
            pending = [m for m, r in rows if r.student_read_at is None]
            empty = _("Aucun mot non lu.")
        else:
            pending = [m for m, r in rows if m.requires_signature and r.signed_at is None and m.archived_at is None]
            empty = _("Aucun mot à signer.")
        if not pending:
            return f'<p class="empty">{escape(empty)}</p>{open_page}'
        items = "".join(_link(m.id, m.title, f" <small>{m.sent_at:%d/%m}</small>") for m in pending[:limit])
        return f'<ul class="plain-list carnet-to-sign">{items}</ul>{open_page}'
    if is_author(user):
        written = mots_of_author(db_session(), user.id, limit=limit)
        if not written:
            empty = _("Vous n'avez encore envoyé aucun mot.")
            return f'<p class="empty">{escape(empty)}</p>{open_page}'
        items = "".join(_link(m.id, m.title, _count(m, signed)) for m, signed in written)
        return f'<ul class="plain-list carnet-to-sign">{items}</ul>{open_page}'
    empty = escape(_("Aucun mot à signer."))
    return f'<p class="empty">{empty}</p>{open_page}'
