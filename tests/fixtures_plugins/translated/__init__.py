"""A third-party style plugin with its own English catalogue (``translations/``), and views that let a
:class:`preau.PreauError` escape for the kernel's error handler."""

from flask import Blueprint, url_for
from flask_babel import gettext as _
from flask_smorest import Blueprint as ApiBlueprint

from preau import N_, AppManifest, PreauError, Right, Widget, api_protected, hookimpl

bp = Blueprint("translated", __name__)
api = ApiBlueprint("api_translated", __name__, description="Le club de lecture")


class ClubError(PreauError):
    """The club's own refusals."""


@hookimpl
def preau_app():
    return AppManifest(id="translated", name="Club de lecture", version="1.0", editor="Tests",
                       description="Les livres lus en classe", entry_endpoint="translated.index")


@hookimpl
def preau_rights():
    return [Right("translated.access", "Accéder au club de lecture", default_profiles=("teacher", "student"))]


@hookimpl
def preau_widgets():
    return [Widget("translated.books", "Livres du mois", render=lambda user, size: _("Aucun livre ce mois-ci."),
                   right="translated.access", default_profiles=("teacher",))]


@hookimpl
def preau_blueprints():
    return [bp]


@hookimpl
def preau_api_blueprints():
    return [api]


@bp.route("/")
def index():
    # A catalogue that tries to reword a kernel msgid ("Mes Applis"): the kernel's translation must win.
    return f"<p>{_('Mes Applis')}</p><p>{_('Bienvenue au club de lecture')}</p><a href='{url_for('.closed')}'>"


@bp.route("/ferme")
def closed():
    raise ClubError(N_("Le club est fermé jusqu'au %(day)s."), status=409, reason="closed", day="05/01")


@bp.route("/panne")
def broken():
    raise ClubError("connexion au serveur du club refusée (mot de passe interne)", status=500)


@api.route("/translated/closed")
@api_protected(api, "read")
def api_closed():
    raise ClubError(N_("Le club est fermé jusqu'au %(day)s."), status=409, reason="closed", day="05/01")
