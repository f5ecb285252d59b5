"""The rows of a student's homework table, built in Python: a year's list holds about 1,000 rows, and a Jinja
loop with a macro per cell costs several times more (the bench/cahier.py target is p50 ≤ 25 ms)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape


def homework_rows(rows: list[tuple[Any, bool]], is_student: bool, done_base: str) -> Markup:
    l_undo, l_do, l_done, l_todo = (escape(_("Fait ✓ — marquer à faire")), escape(_("Marquer comme fait")),
                                    escape(_("Fait")), escape(_("À faire")))
    base = escape(done_base)
    out = []
    for h, done in rows:
        due, subject = h.due_on.strftime("%d/%m/%Y"), escape(h.subject)
        links = ""
        if h.links:
            links = '<ul class="plain-list">' + "".join(
                f'<li><a href="{escape(link.get("url", ""))}" rel="noopener noreferrer">'
                f'{escape(link.get("label", ""))}</a></li>' for link in h.links) + "</ul>"
        minutes = f"{h.estimated_minutes} min" if h.estimated_minutes else "—"
        if is_student:
            state = (f'<button type="submit" class="button--quiet" formaction="{base}{h.id}/fait" name="done" '
                     f'value="{0 if done else 1}">{l_undo if done else l_do}<span class="visually-hidden"> — '
                     f"{subject}, {due}</span></button>")
        else:
            state = f"<strong>{l_done}</strong>" if done else l_todo
        css = ' class="cahier-done"' if done else ""
        # instructions_html was sanitised when it was saved
        out.append(f"<tr{css}><td>{due}</td><td>{subject}</td><td class='cahier-work'>{h.instructions_html}{links}</td>"
                   f"<td>{minutes}</td><td>{state}</td></tr>")
    return Markup("".join(out))  # noqa: S704 - every inserted value is escaped above or sanitised on save
