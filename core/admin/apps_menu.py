"""The "Mes Applis" editor of a structure: groups, the order of tiles (drag-and-drop or keyboard), profiles a
tile is hidden from, the icon of links and connectors, a preview per profile. The rules live in
:mod:`preau.portal.apps_menu`; every route checks the administrator's scope (``_structure_in_scope``: 403 and
audited), every refusal is a 400 that changes nothing."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db import db_session
from ..directory.structures import ancestor_distances
from ..icons import icon_names, icon_tags
from ..models import Structure
from ..portal import apps_menu as menus
from ..types import PROFILE_LABELS, Profile
from ..uploads import IMAGE_KINDS, ImageLimits, UploadError, check_upload
from .views import _structure_in_scope, bp

ICON_MAX_BYTES = 200 * 1024
ICON_LIMITS = ImageLimits(max_pixels=1024 * 1024, max_side=1024)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _int(name: str) -> int:
    raw = request.form.get(name, "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise menus.MenuError(_("Le formulaire est mal formé (%(field)s).", field=name))
    return int(raw)


def _tiles(structure: Structure) -> list[menus.MenuTile]:
    return menus.structure_tiles(db_session(), current_app.extensions["preau.plugins"], structure)


def _editor(structure: Structure, status: int = 200):
    session = db_session()
    tiles = _tiles(structure)
    menu = menus.menu_for(session, structure.id)
    owner = session.get(Structure, menu.owner_id) if menu.exists and not menu.own(structure.id) else None
    preview_profile = request.args.get("apercu", "")
    if preview_profile not in {p.value for p in Profile}:
        preview_profile = ""
    return render_template(
        "admin/apps_menu.html", structure=structure, menu=menu, own=menu.own(structure.id), owner=owner,
        groups=menus.arrange(tiles, menu, []) if menu.exists else menus.by_theme(tiles),
        by_key={t.key: t for t in tiles}, profiles=list(Profile), profile_labels=PROFILE_LABELS,
        preview_profile=preview_profile,
        preview=menus.preview(tiles, menu, preview_profile) if preview_profile else None,
        has_parent=len(ancestor_distances(session, structure.id)) > 1, icon_kinds=menus.ICON_KINDS), status


def _refused(structure: Structure, error: Exception):
    db_session().rollback()
    if _wants_json():
        return jsonify(error=str(error)), 400
    flash(str(error), "error")
    return _editor(structure, 400)


def _done(structure: Structure, message: str, **json: Any):
    db_session().commit()
    if _wants_json():
        return jsonify(**json)
    flash(message, "success")
    return redirect(url_for("admin.apps_menu", structure_id=structure.id)), 303


@bp.route("/structures/<int:structure_id>/apps-menu")
def apps_menu(structure_id: int):
    return _editor(_structure_in_scope(structure_id))


@bp.route("/structures/<int:structure_id>/apps-menu/customise", methods=["POST"])
def apps_menu_customise(structure_id: int):
    structure = _structure_in_scope(structure_id)
    try:
        menus.customise(db_session(), structure, _tiles(structure), actor=current_user.id)
    except menus.MenuError as error:
        return _refused(structure, error)
    return _done(structure, _("Le menu de cette structure est maintenant le sien : modifiez-le."))


@bp.route("/structures/<int:structure_id>/apps-menu/follow-parent", methods=["POST"])
def apps_menu_follow_parent(structure_id: int):
    structure = _structure_in_scope(structure_id)
    try:
        menus.follow_parent(db_session(), structure, actor=current_user.id)
    except menus.MenuError as error:
        return _refused(structure, error)
    return _done(structure, _("La structure reprend la disposition de la structure parente."))


@bp.route("/structures/<int:structure_id>/apps-menu/groups", methods=["POST"])
def apps_menu_add_group(structure_id: int):
    structure = _structure_in_scope(structure_id)
    try:
        group = menus.add_group(db_session(), structure, request.form.get("name"), actor=current_user.id)
    except menus.MenuError as error:
        return _refused(structure, error)
    return _done(structure, _("Groupe « %(name)s » ajouté.", name=group.name))


@bp.route("/structures/<int:structure_id>/apps-menu/groups/rename", methods=["POST"])
def apps_menu_rename_group(structure_id: int):
    structure = _structure_in_scope(structure_id)
    try:
        menus.rename_group(db_session(), structure, _int("group_id"), request.form.get("name"),
                           actor=current_user.id)
    except menus.MenuError as error:
        return _refused(structure, error)
    return _done(structure, _("Groupe renommé."))


@bp.route("/structures/<int:structure_id>/apps-menu/groups/delete", methods=["POST"])
def apps_menu_delete_group(structure_id: int):
    structure = _structure_in_scope(structure_id)
    try:
        menus.delete_group(db_session(), structure, _int("group_id"), actor=current_user.id)
    except menus.MenuError as error:
        return _refused(structure, error)
    return _done(structure, _("Groupe supprimé."))


@bp.route("/structures/<int:structure_id>/apps-menu/groups/move", methods=["POST"])
def apps_menu_move_group(structure_id: int):
    structure = _structure_in_scope(structure_id)
    try:
        menus.move_group(db_session(), structure, _int("group_id"), _int("position"), actor=current_user.id)
    except menus.MenuError as error:
        return _refused(structure, error)
    return _done(structure, _("Groupe déplacé."))


@bp.route("/structures/<int:structure_id>/apps-menu/tiles/move", methods=["POST"])
def apps_menu_move_tile(structure_id: int):
    """A tile to a position of a group: the arrows and the "Déplacer" form, or a fetch after a drag or a key."""
    structure = _structure_in_scope(structure_id)
    try:
        landed = menus.move_tile(db_session(), structure, _tiles(structure), request.form.get("key"),
                                 _int("group_id"), _int("position"), actor=current_user.id)
    except menus.MenuError as error:
        return _refused(structure, error)
    return _done(structure, _("Tuile déplacée."), position=landed)


@bp.route("/structures/<int:structure_id>/apps-menu/tiles/hidden", methods=["POST"])
def apps_menu_hide_tile(structure_id: int):
    structure = _structure_in_scope(structure_id)
    try:
        menus.set_hidden(db_session(), structure, request.form.get("key"), request.form.getlist("hidden"),
                         actor=current_user.id)
    except menus.MenuError as error:
        return _refused(structure, error)
    return _done(structure, _("Profils enregistrés pour cette tuile."))


def _picker(structure: Structure, key: str, status: int = 200):
    tile = next((t for t in _tiles(structure) if t.key == key), None)
    menu = menus.menu_for(db_session(), structure.id)
    placed = menu.placements.get(key) if menu.own(structure.id) else None
    if tile is None or placed is None or key.split(":", 1)[0] not in menus.ICON_KINDS:
        raise menus.MenuError(_("Cette tuile n'est pas dans le menu de cette structure."))
    return render_template("admin/apps_menu_icon.html", structure=structure, tile=tile, placed=placed,
                           names=icon_names(), tags=icon_tags(), max_kb=ICON_MAX_BYTES // 1024), status


@bp.route("/structures/<int:structure_id>/apps-menu/icon", methods=["GET", "POST"])
def apps_menu_icon(structure_id: int):
    """The icon picker of a link or connector tile: a searchable grid of the bundled set, or an upload."""
    structure = _structure_in_scope(structure_id)
    key = request.values.get("key", "")
    if request.method == "GET":
        try:
            return _picker(structure, key)
        except menus.MenuError as error:
            return _refused(structure, error)
    session = db_session()
    try:
        upload = request.files.get("image")
        if upload is not None and upload.filename:
            checked = check_upload(upload, kinds=IMAGE_KINDS, max_bytes=ICON_MAX_BYTES, image_limits=ICON_LIMITS)
            menus.set_image(session, structure, key, checked.data, checked.mime, actor=current_user.id)
        else:
            menus.set_icon(session, structure, key, request.form.get("icon", ""), actor=current_user.id)
    except (menus.MenuError, UploadError) as error:
        session.rollback()
        flash(str(error), "error")
        try:
            return _picker(structure, key, 400)
        except menus.MenuError:
            return _editor(structure, 400)
    return _done(structure, _("Icône enregistrée."))
