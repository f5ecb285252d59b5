"""Dashboard, language and role switches, health check."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import text

from .. import design
from ..account.service import set_locale
from ..db import db_session
from ..directory import scopes
from ..web import client_ip, current_access, current_role, safe_next
from . import apps_menu, myapps
from . import children as child_choice
from . import dashboard as layouts
from .widgets import render_widget

bp = Blueprint("portal", __name__)


@bp.route("/")
@login_required
def dashboard():
    """Frames only: each widget's content is fetched afterwards (/portal/widgets/<id>), so none blocks the page."""
    reaching = current_access().widgets
    slots = layouts.effective_layout(db_session(), current_user, reaching)
    return render_template("portal/dashboard.html", slots=slots, addable=layouts.addable_widgets(slots, reaching),
                           size_labels=layouts.SIZE_LABELS)


@bp.route("/portal/widgets/<widget_id>")
@login_required
def widget_fragment(widget_id: str):
    """One widget's HTML fragment; a widget that fails gives a small error box (status 500), never a broken page."""
    widget = next((w for w in current_access().widgets if w.id == widget_id), None)
    if widget is None:
        abort(404)
    note = current_app.extensions["preau.plugins"].note_failure
    size = request.args.get("size", "")
    size = size if size in widget.sizes else layouts.default_size(widget)
    rendered = render_widget(widget, current_user, size, on_error=note)
    response = make_response(render_template("portal/widget_fragment.html", slot=rendered),
                             500 if rendered.failed else 200)
    response.headers["Cache-Control"] = "no-store"  # personal content
    return response


MAX_BATCH = 40  # more widgets than any dashboard holds


@bp.route("/portal/widgets")
@login_required
def widget_fragments():
    """The first load of a dashboard: several widgets in one request (``?w=<id>:<size>`` repeated), so that the
    person, their grants and their child are loaded once, not once per widget. Each widget still fails alone:
    its entry says so (``failed``), the others are rendered."""
    wanted = request.args.getlist("w")
    if not wanted or len(wanted) > MAX_BATCH:
        abort(400)
    reaching = {w.id: w for w in current_access().widgets}
    note = current_app.extensions["preau.plugins"].note_failure
    fragments = {}
    for token in wanted:
        widget_id, _sep, size = token.partition(":")
        widget = reaching.get(widget_id)
        if widget is None:
            fragments[widget_id] = {"status": 404}
            continue
        rendered = render_widget(widget, current_user, size if size in widget.sizes else
                                 layouts.default_size(widget), on_error=note)
        fragments[widget_id] = {"status": 500 if rendered.failed else 200,
                                "html": render_template("portal/widget_fragment.html", slot=rendered)}
    response = jsonify(fragments)
    response.headers["Cache-Control"] = "no-store"  # personal content
    return response


DESIGN_EXAMPLES = (("card", _l("Carte")), ("tile", _l("Tuile")), ("table", _l("Tableau")),
                   ("form_row", _l("Ligne de formulaire")), ("empty_state", _l("État vide")),
                   ("toolbar", _l("Barre d'actions")), ("badge", _l("Badge")), ("button", _l("Boutons")),
                   ("flash", _l("Messages")), ("tag", _l("Étiquettes")))


@bp.route("/_design")
@login_required
def design_system():
    """The living design page: each component rendered, with its code; the tokens. For administrators (any)."""
    if not scopes.is_admin(current_user):
        abort(403)
    env = current_app.jinja_env
    examples = []
    for name, title in DESIGN_EXAMPLES:
        path = f"design/examples/{name}.html"
        source = env.loader.get_source(env, path)[0] if env.loader else ""
        examples.append({"name": name, "title": title, "source": source.strip(),
                         "html": Markup(render_template(path))})  # noqa: S704 - our own template's output
    return render_template("design/index.html", colours=design.colour_tokens(), type_scale=design.TYPE_SCALE,
                           spacing=design.SPACING, aa=design.AA_TEXT, examples=examples)


def _tiles() -> list[myapps.Tile]:
    """The user's tiles, computed once per request (the page and the bar's menu share them)."""
    if "_preau_tiles" not in g:
        registry, role = current_app.extensions["preau.plugins"], current_role()
        g._preau_tiles = myapps.tiles_for(db_session(), registry, current_user, current_access(),
                                          roles=[role] if role else None)
    return g._preau_tiles


def _menu_context() -> tuple[int | None, set[str]]:
    """The structure whose "Mes Applis" menu the person sees (the chosen role's, else their first role's) and
    the profiles it is shown for (hidden tiles are those hidden from each of them)."""
    role = current_role()
    roles = [role] if role else list(current_user.roles)
    return (roles[0].structure_id if roles else None), {r.profile for r in roles}


@bp.route("/apps")
@login_required
def my_apps():
    """Mes Applis: favourites first (in the person's order), then the structure's menu (or the themes); ``q``
    filters on the server too, so the search works without JavaScript."""
    session = db_session()
    structure_id, profiles = _menu_context()
    tiles = myapps.with_menu_looks(session, _tiles(), structure_id)
    query = request.args.get("q", "").strip()[:100]
    shown = myapps.search(tiles, query) if query else tiles
    favourites = myapps.favourites(session, current_user, shown)
    return render_template("portal/apps.html", q=query, total=len(tiles), favourites=favourites,
                           groups=myapps.arranged(session, current_user, shown, structure_id, profiles))


@bp.route("/apps/favourites/move", methods=["POST"])
@login_required
def move_favourite():
    """Reorder a favourite: a form (the "Monter" / "Descendre" buttons) or a fetch after a drag (JSON answer)."""
    wants_json = request.accept_mimetypes.best == "application/json"
    raw = request.form.get("position", "")
    try:
        if not (raw.isascii() and raw.isdigit()):
            raise myapps.FavouriteError(_("La position demandée n'existe pas."))
        landed = myapps.move_favourite(db_session(), current_user, request.form.get("key", ""), int(raw), _tiles())
    except myapps.FavouriteError as error:
        db_session().rollback()
        if wants_json:
            return jsonify(error=str(error)), 400
        flash(str(error), "error")
        return redirect(url_for("portal.my_apps")), 303
    db_session().commit()
    if wants_json:
        return jsonify(position=landed)
    return redirect(url_for("portal.my_apps", _anchor="apps-favourites")), 303


@bp.route("/apps/menu-icons/<int:tile_id>")
@login_required
def menu_icon(tile_id: int):
    """An image an administrator uploaded for a tile (PNG or JPEG, checked at upload)."""
    found = apps_menu.tile_image(db_session(), tile_id)
    if found is None:
        abort(404)
    data, mime = found
    response = make_response(data)
    response.headers.update({"Content-Type": mime, "X-Content-Type-Options": "nosniff",
                             "Cache-Control": "private, max-age=3600",
                             "Content-Security-Policy": "default-src 'none'; sandbox"})
    return response


@bp.route("/apps/favourites", methods=["POST"])
@login_required
def toggle_favourite():
    on = request.form.get("on") == "1"
    try:
        myapps.set_favourite(db_session(), current_user, request.form.get("key", ""), on, _tiles())
    except myapps.FavouriteError as error:
        db_session().rollback()
        flash(str(error), "error")
        return redirect(url_for("portal.my_apps")), 303
    db_session().commit()
    return redirect(safe_next(request.form.get("next"), url_for("portal.my_apps")), 303)


@bp.route("/child", methods=["POST"])
@login_required
def choose_child():
    """Select the child every widget and app follows; only one's own children are accepted."""
    try:
        child = child_choice.check_child(db_session(), current_user, request.form.get("child_id", ""))
    except child_choice.ChildError:
        abort(400)
    session[child_choice.SESSION_KEY] = child.id
    return redirect(safe_next(request.form.get("next")), 303)


LANG_COOKIE_SECONDS = 365 * 24 * 3600


@bp.route("/lang", methods=["POST"])
def set_language():
    """Choose the interface language: for this session, the account, and (cookie) this browser."""
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        set_locale(db_session(), current_user._get_current_object(), lang, ip=client_ip())
        db_session().commit()
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie("preau_lang", lang, max_age=LANG_COOKIE_SECONDS, httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.route("/role", methods=["POST"])
@login_required
def switch_role():
    """Act as one of one's roles (``role_id``) or as all of them (``all``); another person's role is refused."""
    role_id = request.form.get("role_id", "")
    if role_id == "all":
        session.pop("role_id", None)
    elif role_id.isascii() and role_id.isdigit() and any(r.id == int(role_id) for r in current_user.roles):
        session["role_id"] = int(role_id)
    else:
        abort(400)
    return redirect(safe_next(request.form.get("next")))


@bp.route("/health")
def health():
    db_session().execute(text("SELECT 1"))
    return jsonify(status="ok")


def _favourite_tiles() -> list[myapps.Tile]:
    """The bar's Mes Applis menu lists the user's favourites: one query per page, and the tiles (links and
    connectors of the user's structures) only for someone who has favourites."""
    if not current_user.is_authenticated or not myapps.favourite_keys(db_session(), current_user):
        return []
    return myapps.favourites(db_session(), current_user, _tiles())


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.globals.update(my_children=child_choice.my_children, current_child=child_choice.current_child,
                                       favourite_tiles=_favourite_tiles, fold=myapps.fold)
