"""Administration: the structures an administrator may act in, their users, a user card, plugin health.

Every route checks on the server that the administrator's scope covers the structure or user concerned.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from .. import audit
from ..auth.service import issue_reset_code
from ..db import db_session
from ..directory import scopes
from ..directory.lifecycle import STATE_LABELS, transition
from ..directory.structures import DirectoryError, children_of, parents_of
from ..models import AccountState, Role, Structure, User
from ..web import client_ip

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


def _user_in_scope(user_id: int) -> User:
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    if not scopes.can_administer_user(db_session(), current_user, user):
        audit.record(db_session(), "security.scope_denied", actor=current_user.id, target=user, ip=client_ip())
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
    query = select(User).join(Role, Role.user_id == User.id).where(Role.structure_id == structure.id)
    if profile:
        query = query.where(Role.profile == profile)
    if query_text:
        like = f"{query_text.lower()}%"
        query = query.where(or_(func.lower(User.last_name).like(like), func.lower(User.first_name).like(like),
                                User.login.like(like)))
    total = session.scalar(select(func.count()).select_from(query.distinct().subquery()))
    users = session.scalars(query.distinct().order_by(User.last_name, User.first_name)
                            .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("admin/structure.html", structure=structure, users=users, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), q=query_text, profile=profile,
                           parents=parents_of(session, structure.id), children=children_of(session, structure.id),
                           state_labels=STATE_LABELS)


@bp.route("/users/<int:user_id>")
def user_card(user_id: int):
    user = _user_in_scope(user_id)
    return render_template("admin/user.html", user=user, state_labels=STATE_LABELS, reset_code=None)


@bp.route("/users/<int:user_id>/block", methods=["POST"])
def block(user_id: int):
    user = _user_in_scope(user_id)
    if user.id == current_user.id:
        flash(_("Vous ne pouvez pas bloquer votre propre compte."), "error")
        return redirect(url_for("admin.user_card", user_id=user.id))
    target = AccountState.ACTIVE if user.state == AccountState.BLOCKED else AccountState.BLOCKED
    if target == AccountState.ACTIVE and user.password_hash is None:
        target = AccountState.INACTIVE
    try:
        transition(db_session(), user, target, actor=current_user.id, ip=client_ip(),
                   reason=request.form.get("reason", "")[:200])
    except DirectoryError as error:
        db_session().rollback()
        flash(str(error), "error")
        return redirect(url_for("admin.user_card", user_id=user.id)), 400
    db_session().commit()
    flash(_("Compte bloqué.") if target == AccountState.BLOCKED else _("Compte débloqué."), "success")
    return redirect(url_for("admin.user_card", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-code", methods=["POST"])
def reset_code(user_id: int):
    user = _user_in_scope(user_id)
    code = issue_reset_code(db_session(), current_user._get_current_object(), user, ip=client_ip())
    return render_template("admin/user.html", user=user, state_labels=STATE_LABELS, reset_code=code)
