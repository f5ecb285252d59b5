"""A plugin with the endpoints another server calls (issue 18): one public, exempt from CSRF and open before the
charter; one open before the charter only; one ordinary page. The app is enabled nowhere."""

from flask import Blueprint

from preau import AppManifest, Profile, Right, before_charter, csrf_exempt, hookimpl, public_endpoint

bp = Blueprint("spy_endpoints", __name__)


@bp.route("/spy-endpoints/token", methods=["POST"])
@public_endpoint
@csrf_exempt
@before_charter
def token():
    return "token"


@bp.route("/spy-endpoints/form", methods=["POST"])
@before_charter
def form():
    return "form"


@bp.route("/spy-endpoints/page")
def page():
    return "page"


@hookimpl
def preau_app():
    return AppManifest(id="server_endpoints", name="Points d'accès serveur", version="1.0", editor="Tests",
                       default_profiles=tuple(Profile))


@hookimpl
def preau_rights():
    return [Right("server_endpoints.access", "Utiliser les points d'accès", tuple(Profile))]


@hookimpl
def preau_blueprints():
    return [bp]
