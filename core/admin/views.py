"""Administration: the structures an administrator may act in, their users, a user card, plugin health.

Every route checks on the server that the administrator's scope covers the structure or user concerned.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import audit
from ..auth import service, totp
from ..db import db_session
from ..directory import scopes
from ..directory.account_admin import card_details
from ..directory.enablement import enabled_apps
from ..directory.lifecycle import STATE_LABELS, transition
from ..directory.search import PageRequest, search_users
from ..directory.structures import DirectoryError, children_of, parents_of
from ..models import AccountState, Structure, User
from ..plugins import PluginRegistry
from ..types import AdminLink
from ..web import client_ip
from . import overview as structure_overview

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


@bp.before_request
@login_required
def require_admin():
    if not scopes.is_admin(current_user):
        abort(403)


def _structure_in_scope(structure_id: int) -> Structure:
    structure = db_session().get(Structure, structure_id)
    if structure is None:
        abort(404)
    if not scopes.can_administer(db_session(), current_user, structure.id):
        audit.record(db_session(), "security.scope_denied", actor=current_user.id, target=structure,
                     ip=client_ip())
        db_session().commit()
        abort(403)
    return structure


def _outranks(admin: User, user: User) -> bool:
    """An administrator acts only on people whose own administrative reach is inside theirs: an ADML may
    not block, nor take over with a reset code, the account of a city administrator or a super administrator."""
    session = db_session()
    if admin.is_super_admin:
        return True
    if user.is_super_admin:
        return False
    mine = scopes.administered_structure_ids(session, admin) or set()
    theirs = scopes.administered_structure_ids(session, user) or set()
    return theirs <= mine


def _user_in_scope(user_id: int, acting: bool = False) -> User:
    """The user if the current administrator may see them (and, ``acting``, change their account); else 403."""
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    admin = current_user._get_current_object()
    refusal = None if scopes.can_administer_user(db_session(), admin, user) else "out_of_scope"
    if refusal is None and acting and not _outranks(admin, user):
        refusal = "outranked"
    if refusal:
        audit.record(db_session(), "security.scope_denied", actor=admin, target=user, ip=client_ip(),
                     path=request.path, reason=refusal)
        db_session().commit()
        abort(403)
    return user


@bp.route("/")
def index():
    registry = current_app.extensions["preau.plugins"]
    structures = scopes.administered_structures(db_session(), current_user)
    return render_template("admin/index.html", structures=structures, broken=registry.broken(),
                           plugins=list(registry.records.values()))


@bp.route("/structures/<int:structure_id>")
def structure(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    page = max(1, request.args.get("page", 1, type=int))
    query_text = request.args.get("q", "").strip()[:100]
    profile = request.args.get("profile", "")
    users, total = search_users(session, current_user._get_current_object(), PageRequest(page, PAGE_SIZE),
                                structure_id=structure.id, profile=profile or None, q=query_text or None)
    counts = structure_overview.build_overview(session, structure, registry=current_app.extensions["preau.plugins"])
    return render_template("admin/structure.html", structure=structure, users=users, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), q=query_text, profile=profile,
                           parents=parents_of(session, structure.id), children=children_of(session, structure.id),
                           state_labels=STATE_LABELS, plugin_links=_plugin_links(structure), overview=counts)


def _plugin_links(structure: Structure) -> list[AdminLink]:
    """The links the plugins enabled for the structure add to its page (``preau_structure_admin_links``)."""
    registry: PluginRegistry = current_app.extensions["preau.plugins"]
    return registry.links("preau_structure_admin_links", apps=enabled_apps(db_session(), structure.id),
                          structure=structure)


def _user_card(user: User, reset_code: str | None = None, status: int = 200):
    trail_page = max(1, request.args.get("trail", 1, type=int) or 1)
    details = card_details(db_session(), current_user._get_current_object(), user, trail_page)
    response = make_response(render_template("admin/user.html", user=user, state_labels=STATE_LABELS,
                                             reset_code=reset_code, **details,
                                             has_second_factor=totp.is_enabled(db_session(), user.id)), status)
    if reset_code or user.state == AccountState.INACTIVE:
        response.headers["Cache-Control"] = "no-store"  # codes on the page are never kept by a cache
    return response


@bp.route("/users/<int:user_id>")
def user_card(user_id: int):
    return _user_card(_user_in_scope(user_id))


@bp.route("/users/<int:user_id>/block", methods=["POST"])
def block(user_id: int):
    """Block (``action=block``) or unblock (``action=unblock``): explicit, so a double submit cannot undo."""
    user = _user_in_scope(user_id, acting=True)
    action = request.form.get("action", "")
    if action not in ("block", "unblock"):
        flash(_("Action inconnue : choisissez de bloquer ou de débloquer le compte."), "error")
        return _user_card(user, status=400)
    if user.id == current_user.id:
        flash(_("Vous ne pouvez pas bloquer votre propre compte."), "error")
        return _user_card(user, status=400)
    if action == "unblock" and user.state != AccountState.BLOCKED:
        # "Débloquer" must not bring back an account on its way out (pending deletion, pre-deleted).
        flash(_("Ce compte n'est pas bloqué."), "error")
        return _user_card(user, status=400)
    if action == "block":
        target = AccountState.BLOCKED
    else:
        target = AccountState.ACTIVE if user.password_hash else AccountState.INACTIVE
    try:
        transition(db_session(), user, target, actor=current_user.id, ip=client_ip(),
                   reason=service.loggable(request.form.get("reason", "").strip(), 200))
    except DirectoryError as error:
        db_session().rollback()
        audit.record(db_session(), "account.block_refused", actor=current_user.id, target=user, ip=client_ip(),
                     reason=f"state_{user.state}", wanted=action)
        db_session().commit()
        flash(str(error), "error")  # already French (and translated) by the lifecycle service
        return _user_card(user, status=400)
    db_session().commit()
    flash(_("Compte bloqué.") if target == AccountState.BLOCKED else _("Compte débloqué."), "success")
    return redirect(url_for("admin.user_card", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-code", methods=["POST"])
def reset_code(user_id: int):
    user = _user_in_scope(user_id, acting=True)
    try:
        code = service.issue_reset_code(db_session(), current_user._get_current_object(), user, ip=client_ip())
    except service.AuthError as error:
        flash(_(error.message, **error.params), "error")
        return _user_card(user, status=400)
    return _user_card(user, reset_code=code)
