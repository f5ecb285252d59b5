"""The "Médiacentre" block: the first resources assigned to the person, each opening through the GAR."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from markupsafe import escape

from preau import db_session

from .services import user_resources

LIMITS = {"miniature": 3, "apercu": 6, "large": 12}


def render_mediacentre(user: Any, size: str) -> str:
    reached = user_resources(db_session(), user)
    if not reached:
        empty, open_page = _("Aucune ressource ne vous est attribuée pour le moment."), _("Ouvrir le Médiacentre")
        return (f'<p class="gar__empty">{escape(empty)}</p>'
                f'<p><a href="{url_for("gar.mediacentre")}">{escape(open_page)}</a></p>')
    items = "".join(
        f'<li><a href="{escape(url_for("gar.launch", resource_id=r.resource["idRessource"]))}" target="_blank" '
        f'rel="noopener">{escape(r.resource["nomRessource"])}</a> <small>{escape(r.resource["nomEditeur"])}</small>'
        "</li>" for r in reached[:LIMITS.get(size, LIMITS["apercu"])])
    more = escape(_("Toutes mes ressources (%(num)d)", num=len(reached)))
    return (f'<ul class="plain-list gar__resources">{items}</ul>'
            f'<p><a href="{url_for("gar.mediacentre")}">{more}</a></p>')
