"""The "Annuaire" app: find the people and groups one may write to, and their cards. A built-in plugin.

It uses only the public API of ``preau``: the rules are the kernel's (``search_people``, ``search_groups``,
``user_card``, ``visible_classes``), so nothing outside them can be shown, whatever the URL says.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from preau import (
    N_,
    AppManifest,
    CommunicationError,
    Profile,
    Right,
    __version__,
    current_user,
    db_session,
    hookimpl,
    require_right,
    search_groups,
    search_people,
    user_card,
    visible_classes,
)

ALL_PROFILES = tuple(Profile)
PER_PAGE = 20
bp = Blueprint("annuaire", __name__, template_folder="templates")


def _int_arg(name: str) -> int | None:
    """An integer query parameter; anything else counts as absent."""
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


@bp.route("/")
@require_right("annuaire.access")
def index():
    session, viewer = db_session(), current_user._get_current_object()
    query = request.args.get("q", "").strip()[:100]
    profile = request.args.get("profile", "")
    profile = profile if profile in {p.value for p in Profile} else ""
    raw_class = request.args.get("class_id", "").strip()
    class_id = _int_arg("class_id")
    page = max(1, min(_int_arg("page") or 1, 10_000))
    classes = visible_classes(session, viewer)
    error, status, result = None, 200, None
    if raw_class and class_id is None:
        error, status = _("Cette classe n'existe pas ou ne vous est pas accessible."), 404
    else:
        try:
            result = search_people(session, viewer, query, profile or None, class_id, page, PER_PAGE)
        except CommunicationError as refusal:
            error, status = str(refusal), 404
    return render_template("annuaire/index.html", q=query, profile=profile, class_id=class_id,
                           classes=classes, result=result, error=error, profiles=ALL_PROFILES), status


@bp.route("/groups")
@require_right("annuaire.access")
def groups():
    query = request.args.get("q", "").strip()[:100]
    found = search_groups(db_session(), current_user._get_current_object(), query)
    return render_template("annuaire/groups.html", q=query, groups=found)


@bp.route("/users/<int:user_id>")
@require_right("annuaire.access")
def card(user_id: int):
    found = user_card(db_session(), current_user._get_current_object(), user_id)
    if found is None:
        abort(404)  # the same answer for someone hidden by the rules and for an id that does not exist
    return render_template("annuaire/card.html", card=found)


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(
        id="annuaire", name=N_("Annuaire"), version=__version__, editor="Préau", theme="Communication",
        description=N_("Retrouver les personnes et les groupes à qui l'on peut écrire."), icon="contact",
        colour="#1d5fa8",
        default_profiles=ALL_PROFILES, entry_endpoint="annuaire.index",
    )


@hookimpl
def preau_rights() -> list[Right]:
    return [Right("annuaire.access", N_("Consulter l'annuaire"), ALL_PROFILES,
              description=N_("Chercher les personnes et groupes que les règles de communication permettent de voir."))]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]
