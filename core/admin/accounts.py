"""Accounts administration: the user list of a structure and its CSV export, the actions of the user card,
manual account creation, manual groups and batch block / unblock.

Views are thin: the rules live in :mod:`preau.directory.user_list` and :mod:`preau.directory.account_admin`.
Every route checks the scope on the server (``_structure_in_scope`` / ``_user_in_scope(..., acting=True)``,
which audit refusals); every change is a POST protected by the global CSRF check.
"""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import audit
from ..db import db_session
from ..directory import account_admin as accounts
from ..directory import user_list
from ..directory.classes import create_group
from ..directory.lifecycle import STATE_LABELS
from ..directory.search import PageRequest
from ..directory.structures import DirectoryError
from ..models import Function, Group, GroupKind, GroupMember, Role, SchoolClass, Structure, User
from ..types import Profile
from ..web import client_ip
from .views import _structure_in_scope, _user_card, _user_in_scope, bp

PAGE_SIZE = 50
PARENT_CHILD_CHOICES = 2000  # the children a parent form offers; beyond that, link from the card by login


def _admin() -> User:
    return current_user._get_current_object()


def _page_arg(name: str = "page") -> int:
    return max(1, request.args.get(name, 1, type=int) or 1)


def _refused(user: User, error: DirectoryError):
    db_session().rollback()
    flash(str(error), "error")
    return _user_card(db_session().get_one(User, user.id), status=400)


def _done(user: User, message: str):
    db_session().commit()
    flash(message, "success")
    return redirect(url_for("admin.user_card", user_id=user.id))


# -- the user list ---------------------------------------------------------------------------------------------


@bp.route("/structures/<int:structure_id>/users")
def users(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    choices = user_list.filter_choices(session, structure.id)
    try:
        filters = user_list.parse_filters(request.args)
    except DirectoryError as error:
        return render_template("admin/users.html", structure=structure, rows=[], total=0, page=1, pages=1,
                               filters=user_list.UserFilters(), args={}, error=str(error), choices=choices,
                               state_labels=STATE_LABELS, functions=list(Function),
                               function_labels=accounts.FUNCTION_LABELS), 400
    page = _page_arg()
    rows, total = user_list.list_users(session, structure.id, filters, PageRequest(page, PAGE_SIZE))
    return render_template("admin/users.html", structure=structure, rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), filters=filters, args=filters.as_args(),
                           error=None, choices=choices, state_labels=STATE_LABELS, functions=list(Function),
                               function_labels=accounts.FUNCTION_LABELS)


@bp.route("/structures/<int:structure_id>/users/export.csv")
def users_export(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    try:
        filters = user_list.parse_filters(request.args)
    except DirectoryError as error:
        return Response(str(error), status=400, mimetype="text/plain")
    body = "".join(user_list.export_csv(session, structure.id, filters))
    audit.record(session, "directory.users_exported", actor=_admin(), target=structure,
                 structure_id=structure.id, ip=client_ip(), filters=filters.as_args())
    session.commit()
    response = make_response(body.encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="utilisateurs-{structure.id}-{date.today()}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the user card's actions -----------------------------------------------------------------------------------


@bp.route("/users/<int:user_id>/activation-code", methods=["POST"])
def activation_code(user_id: int):
    user = _user_in_scope(user_id, acting=True)
    try:
        accounts.regenerate_activation_code(db_session(), _admin(), user, ip=client_ip())
    except DirectoryError as error:
        return _refused(user, error)
    db_session().commit()
    flash(_("Nouveau code d'activation généré : l'ancien ne fonctionne plus."), "success")
    return _user_card(user)  # an inactive account's card shows its code (no-store)


def _int_form(name: str) -> int:
    raw = request.form.get(name, "")
    if not raw.isdigit():
        raise DirectoryError(_("Formulaire incomplet : « %(field)s » manque ou est invalide.", field=name))
    return int(raw)


def _attach_flag() -> bool:
    action = request.form.get("action", "")
    if action not in ("add", "remove"):
        raise DirectoryError(_("Action inconnue : choisissez d'ajouter ou de retirer."))
    return action == "add"


@bp.route("/users/<int:user_id>/classes", methods=["POST"])
def teacher_classes(user_id: int):
    user = _user_in_scope(user_id, acting=True)
    try:
        attach = _attach_flag()
        school_class = accounts.set_teacher_class(db_session(), _admin(), user, _int_form("class_id"), attach,
                                                  ip=client_ip())
    except DirectoryError as error:
        return _refused(user, error)
    return _done(user, _("Rattaché à la classe %(name)s.", name=school_class.name) if attach
                 else _("Détaché de la classe %(name)s.", name=school_class.name))


@bp.route("/users/<int:user_id>/teaching-groups", methods=["POST"])
def teaching_groups(user_id: int):
    user = _user_in_scope(user_id, acting=True)
    try:
        join = _attach_flag()
        group = accounts.set_group_membership(db_session(), _admin(), user, _int_form("group_id"), join,
                                              ip=client_ip())
    except DirectoryError as error:
        return _refused(user, error)
    return _done(user, _("Ajouté au regroupement %(name)s.", name=group.name) if join
                 else _("Retiré du regroupement %(name)s.", name=group.name))


@bp.route("/users/<int:user_id>/functions", methods=["POST"])
def functions(user_id: int):
    user = _user_in_scope(user_id, acting=True)
    code = request.form.get("code", "")
    try:
        grant = _attach_flag()
        structure_id = _int_form("structure_id")
        if grant:
            accounts.grant(db_session(), _admin(), user, code, structure_id, ip=client_ip())
        else:
            accounts.revoke(db_session(), _admin(), user, code, structure_id, ip=client_ip())
    except DirectoryError as error:
        audit.record(db_session(), "directory.function_refused", actor=_admin(), target=user, ip=client_ip(),
                     function=code[:32], reason=str(error)[:200])
        db_session().commit()
        flash(str(error), "error")
        return _user_card(user, status=400)
    return _done(user, _("Fonction attribuée.") if grant else _("Fonction retirée."))


@bp.route("/users/<int:user_id>/relatives", methods=["POST"])
def relatives(user_id: int):
    user = _user_in_scope(user_id, acting=True)
    try:
        link = _attach_flag()
        other = accounts.set_relative_link(db_session(), _admin(), user, request.form.get("login", ""), link)
    except DirectoryError as error:
        return _refused(user, error)
    return _done(user, _("Lien parent–enfant ajouté avec %(name)s.", name=other.display_name) if link
                 else _("Lien parent–enfant retiré avec %(name)s.", name=other.display_name))


# -- manual creation ---------------------------------------------------------------------------------------------


def _new_form(structure: Structure, values: dict, error: accounts.FieldError | None = None, status: int = 200):
    session = db_session()
    classes = list(session.scalars(select(SchoolClass).where(SchoolClass.structure_id == structure.id,
                                                          SchoolClass.archived_at.is_(None))
                                   .order_by(SchoolClass.name)))
    students = list(session.execute(
        select(User.id, User.display_name, User.login).join(Role, Role.user_id == User.id)
        .where(Role.structure_id == structure.id, Role.profile == Profile.STUDENT)
        .order_by(User.last_name, User.first_name).limit(PARENT_CHILD_CHOICES)))
    return render_template("admin/user_new.html", structure=structure, values=values, error=error,
                           classes=classes, students=students, profiles=[p.value for p in Profile]), status


@bp.route("/structures/<int:structure_id>/users/new", methods=["GET", "POST"])
def user_new(structure_id: int):
    structure = _structure_in_scope(structure_id)
    if request.method == "GET":
        profile = request.args.get("profile", Profile.STUDENT.value)
        return _new_form(structure, {"profile": profile if profile in set(Profile) else Profile.STUDENT.value})
    form = request.form
    data = accounts.NewAccount(profile=form.get("profile", ""), first_name=form.get("first_name", ""),
                               last_name=form.get("last_name", ""), birth_date=form.get("birth_date", ""),
                               email=form.get("email", ""), class_id=form.get("class_id", ""),
                               children=form.getlist("children"))
    session = db_session()
    try:
        user = accounts.create_account(session, _admin(), structure, data, ip=client_ip())
    except DirectoryError as error:
        session.rollback()
        field_error = error if isinstance(error, accounts.FieldError) else accounts.FieldError("", str(error))
        return _new_form(structure, vars(data), field_error, 400)
    session.commit()
    response = make_response(render_template("admin/user_created.html", structure=structure, user=user))
    response.headers["Cache-Control"] = "no-store"  # the activation code is on the page
    return response


# -- batch block / unblock ------------------------------------------------------------------------------------------


@bp.route("/structures/<int:structure_id>/batch-block", methods=["GET", "POST"])
def batch_block(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    values = request.form if request.method == "POST" else request.args
    profile, action = values.get("profile", ""), values.get("action", "")
    if not profile:  # first visit: choose the profile and the action
        return render_template("admin/batch_block.html", structure=structure, plan=None,
                               profiles=[p.value for p in Profile])
    try:
        plan = accounts.plan_batch(session, _admin(), structure, profile, action)
    except DirectoryError as error:
        flash(str(error), "error")
        return render_template("admin/batch_block.html", structure=structure, plan=None,
                               profiles=[p.value for p in Profile]), 400
    if request.method == "GET" or request.form.get("confirm") != "1":
        return render_template("admin/batch_block.html", structure=structure, plan=plan,
                               profiles=[p.value for p in Profile])
    reason = request.form.get("reason", "").strip()[:200]
    count = accounts.apply_batch(session, _admin(), structure, plan, reason, ip=client_ip())
    session.commit()
    flash(_("%(count)d compte(s) bloqué(s).", count=count) if action == "block"
          else _("%(count)d compte(s) débloqué(s).", count=count), "success")
    return redirect(url_for("admin.users", structure_id=structure.id, profile=profile))


# -- manual groups ----------------------------------------------------------------------------------------------


def _group_in(structure: Structure, group_id: int) -> Group:
    group = db_session().get(Group, group_id)
    if group is None or group.structure_id != structure.id or group.kind not in (GroupKind.MANUAL,
                                                                                  GroupKind.TEACHING):
        abort(404)
    return group


@bp.route("/structures/<int:structure_id>/groups", methods=["GET", "POST"])
def groups(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    status = 200
    if request.method == "POST":
        kind = request.form.get("kind", GroupKind.MANUAL)
        try:
            group = create_group(session, structure, request.form.get("name", "")[:200], kind=kind)
            audit.record(session, "directory.group_created", actor=_admin(), target=group,
                         structure_id=structure.id, ip=client_ip(), name=group.name, kind=kind)
            session.commit()
            flash(_("Groupe « %(name)s » créé.", name=group.name), "success")
            return redirect(url_for("admin.group", structure_id=structure.id, group_id=group.id))
        except DirectoryError as error:
            session.rollback()
            flash(str(error), "error")
            status = 400
    rows = accounts.structure_groups(session, structure.id)
    return render_template("admin/groups.html", structure=structure, rows=rows), status


@bp.route("/structures/<int:structure_id>/groups/<int:group_id>", methods=["GET", "POST"])
def group(structure_id: int, group_id: int):
    structure = _structure_in_scope(structure_id)
    group = _group_in(structure, group_id)
    session = db_session()
    status = 200
    if request.method == "POST":
        try:
            message = _group_action(structure, group)
            session.commit()
            flash(message, "success")
            if request.form.get("action") == "delete":
                return redirect(url_for("admin.groups", structure_id=structure.id))
            return redirect(url_for("admin.group", structure_id=structure.id, group_id=group.id))
        except DirectoryError as error:
            session.rollback()
            flash(str(error), "error")
            status = 400
            group = _group_in(structure, group_id)
    members = list(session.scalars(select(User).join(GroupMember, GroupMember.user_id == User.id)
                                   .where(GroupMember.group_id == group.id).order_by(User.last_name, User.first_name)))
    return render_template("admin/group.html", structure=structure, group=group, members=members), status


def _group_action(structure: Structure, group: Group) -> str:
    session, admin, action = db_session(), _admin(), request.form.get("action", "")
    if action == "rename":
        old = group.name
        accounts.rename_group(session, group, request.form.get("name", ""))
        audit.record(session, "directory.group_renamed", actor=admin, target=group, structure_id=structure.id,
                     ip=client_ip(), old=old, new=group.name)
        return _("Groupe renommé.")
    if action == "delete":
        name = group.name
        audit.record(session, "directory.group_deleted", actor=admin, target=group, structure_id=structure.id,
                     ip=client_ip(), name=name)
        accounts.delete_group(session, group)
        return _("Groupe « %(name)s » supprimé.", name=name)
    if action in ("add", "remove"):
        member = session.scalar(select(User).where(User.login == request.form.get("login", "").strip().lower()))
        if member is None or not any(r.structure_id == structure.id for r in member.roles):
            raise DirectoryError(_("Identifiant inconnu dans cet établissement."))
        accounts.set_group_membership(session, admin, member, group.id, action == "add",
                                      kinds=(GroupKind.MANUAL, GroupKind.TEACHING), ip=client_ip())
        return (_("%(name)s ajouté(e) au groupe.", name=member.display_name) if action == "add"
                else _("%(name)s retiré(e) du groupe.", name=member.display_name))
    raise DirectoryError(_("Action inconnue."))
