"""The « Actualités » block: the latest published news the person may read, with their thread; a parent's
block follows the child selected in the permanent bar. One query for the news (plus the child's, cached)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from markupsafe import escape

from preau import db_session

from .services import feed, thread_title, when_label
from .views import focus_structures

LIMITS = {"miniature": 3, "apercu": 5, "large": 5}


def render_latest(user: Any, size: str) -> str:
    items = feed(db_session(), user, structure_ids=focus_structures(user), limit=LIMITS.get(size, 5))
    all_news = escape(_("Toutes les actualités"))
    more = f'<p><a href="{url_for("actualites.index")}">{all_news}</a></p>'
    if not items:
        empty = escape(_("Aucune actualité publiée pour le moment."))
        return f'<p class="empty">{empty}</p>{more}'
    rows = "".join(
        f'<li><a href="{url_for("actualites.item", item_id=item.id)}">{escape(item.title)}</a> '
        f'<small><span class="tag">{escape(thread_title(thread))}</span> '
        f'{escape(when_label(item.publish_at or item.published_at)[:10])}</small></li>'
        for item, thread in items)
    return f'<ul class="plain-list actualites-latest">{rows}</ul>{more}'
