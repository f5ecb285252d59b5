"""Services administration, apps: every installed plugin with its manifest, enabled or not for a structure
(inherited by the structures below), and its rights granted to profiles, classes or groups of the structure.

Each route checks the administrator's scope on the server; every change is audited by :mod:`preau.rights`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import appmatrix, rights, settings
from ..appwarnings import app_warnings
from ..db import db_session
from ..directory.structures import ancestor_distances
from ..models import AppEnablement, Group, GroupKind, RightGrant, SchoolClass, Structure, User
from ..plugins import PluginRecord
from ..types import PROFILE_LABELS, Profile
from .views import _structure_in_scope, bp

STATES = ("enabled", "disabled", "inherit")


@dataclass
class AppRow:
    record: PluginRecord
    decision: bool | None  # this structure's own decision; None: inherited
    effective: bool
    grants: dict[str, list[RightGrant]]
    inherited: dict[str, list[str]]  # right id → "who, from which structure above"
    settings: dict[str, Any]  # this structure's own values of the plugin's settings
    effective_settings: dict[str, Any]  # what applies here (own, inherited or default)
    required_off: list[str]  # names of the apps it requires that are off here (then it is off too)
    optional_off: list[str]  # names of the apps it uses when present that are off here (their features hidden)


def _registry():
    return current_app.extensions["preau.plugins"]


def app_rows(structure: Structure) -> list[AppRow]:
    session, registry = db_session(), _registry()
    apps = registry.apps()  # directory sources and other non-app plugins are never enabled per structure
    records = [r for r in apps if not r.manifest.core]
    on_here = rights.enabled_apps(session, structure.id, {r.app_id for r in apps}) | registry.core_app_ids()
    effective = registry.with_requirements_met(on_here)
    decisions = {row.app_id: row.enabled for row in session.scalars(
        select(AppEnablement).where(AppEnablement.structure_id == structure.id))}
    grants: dict[str, list[RightGrant]] = {}
    for grant in session.scalars(select(RightGrant).where(RightGrant.structure_id == structure.id)
                                 .order_by(RightGrant.id)):
        grants.setdefault(grant.right_id, []).append(grant)
    inherited = inherited_grants(structure)
    return [AppRow(r, decisions.get(r.app_id), r.app_id in effective,
                   {right.id: grants.get(right.id, []) for right in r.rights},
                   {right.id: inherited.get(right.id, []) for right in r.rights},
                   settings.own_values(session, r.app_id, structure.id),
                   {spec.key: settings.get_setting(session, registry, r.app_id, spec.key, structure_id=structure.id)
                    for spec in r.settings},
                   *_requirements_off(registry, r.app_id, effective))
            for r in sorted(records, key=lambda r: r.manifest.name.lower())]


def _requirements_off(registry: Any, app_id: str, effective: set[str]) -> tuple[list[str], list[str]]:
    required, optional = registry.missing_requirements(app_id, effective)
    return [_app_name(registry, a) for a in required], [_app_name(registry, a) for a in optional]


def _app_name(registry: Any, app_id: str) -> str:
    return _(registry.by_app_id(app_id).manifest.name)


def inherited_grants(structure: Structure) -> dict[str, list[str]]:
    """Grants made in the structures above (a city's grant to its teachers reaches its schools' teachers)."""
    session = db_session()
    above = set(ancestor_distances(session, structure.id)) - {structure.id}
    rows = session.execute(
        select(RightGrant.right_id, Group.name, SchoolClass.name, Structure.name)
        .join(Structure, Structure.id == RightGrant.structure_id)
        .outerjoin(Group, Group.id == RightGrant.group_id).outerjoin(SchoolClass, SchoolClass.id == RightGrant.class_id)
        .where(RightGrant.structure_id.in_(above)).order_by(Structure.name, RightGrant.id))
    result: dict[str, list[str]] = {}
    for right_id, group_name, class_name, structure_name in rows:
        result.setdefault(right_id, []).append(
            _("%(target)s (donné par %(structure)s)", target=group_name or class_name, structure=structure_name))
    return result


def grant_targets(structure: Structure) -> list[tuple[str, str]]:
    """What a right can be granted to in ``structure``: its profile groups, its classes, its other groups."""
    session = db_session()
    groups = session.scalars(select(Group).where(Group.structure_id == structure.id,
                                                 Group.kind != GroupKind.CLASS).order_by(Group.kind, Group.name))
    classes = session.scalars(select(SchoolClass).where(SchoolClass.structure_id == structure.id,
                                                          SchoolClass.archived_at.is_(None))
                              .order_by(SchoolClass.name))
    return ([(f"g:{g.id}", g.name) for g in groups]
            + [(f"c:{c.id}", _("Classe %(name)s (élèves, enseignants et parents)", name=c.name)) for c in classes])


def target_labels(structure: Structure) -> dict[str, str]:
    return dict(grant_targets(structure))


def _matrix_context(structure: Structure) -> dict[str, Any]:
    session = db_session()
    wanted = [key for raw in request.args.getlist("cols") for key in raw.split(",") if key]
    cols = appmatrix.columns(session, structure, wanted)
    shown = {c.key for c in cols}
    rows = appmatrix.rows(session, _registry(), structure, cols)
    by_app = {row.app_id: row for row in rows if row.kind == "app"}
    legacy = app_rows(structure)
    return {"structure": structure, "columns": cols, "rows": rows,
            "addable": [c for c in appmatrix.extra_columns(session, structure) if c.key not in shown],
            "themes": sorted({row.theme for row in rows if row.theme}),
            "warnings": app_warnings(session, _registry(), structure),
            "versions": appmatrix.versions(session, structure)[:20], "actors": _actor_names(structure),
            "legacy": legacy, "legacy_by_app": {r.record.app_id: r for r in legacy}, "by_app": by_app,
            "others": appmatrix.other_apps(session, _registry(), structure),
            "labels": target_labels(structure), "broken": _registry().broken(),
            "cols_param": ",".join(c.key for c in cols if not c.profile)}


def _actor_names(structure: Structure) -> dict[int, str]:
    ids = {v.actor_id for v in appmatrix.versions(db_session(), structure) if v.actor_id}
    return {u.id: u.display_name for u in db_session().scalars(select(User).where(User.id.in_(ids)))}


@bp.route("/structures/<int:structure_id>/apps")
def apps(structure_id: int):
    structure = _structure_in_scope(structure_id)
    return render_template("admin/apps.html", **_matrix_context(structure))


@bp.route("/structures/<int:structure_id>/apps/panel/<app_id>")
def app_panel(structure_id: int, app_id: str):
    """The side panel of one app as a page of its own (what the matrix's dialog shows, without JavaScript)."""
    context = _matrix_context(_structure_in_scope(structure_id))
    if app_id not in context["by_app"]:
        abort(404)
    return render_template("admin/app_panel.html", row=context["by_app"][app_id], **context)


def _matrix_refused(structure: Structure, message: str, json: bool):
    db_session().rollback()
    if json:
        return jsonify({"error": message}), 400
    return render_template("admin/apps_refused.html", structure=structure, message=message), 400


@bp.route("/structures/<int:structure_id>/apps/cell", methods=["POST"])
def app_cell(structure_id: int):
    """One cell's own form (without JavaScript): applied at once, as a version of its own."""
    structure = _structure_in_scope(structure_id)
    try:
        change = appmatrix.change_from_form(request.form)
        version = appmatrix.save(db_session(), _registry(), structure, [change],
                                 actor=current_user._get_current_object())
    except appmatrix.MatrixError as error:
        return _matrix_refused(structure, str(error), json=False)
    db_session().commit()
    for entry in version.changes:
        flash(entry["sentence"], "success")
    flash_nobody(structure)
    anchor = "#row-" + change.row.replace(":", "-")
    return redirect(url_for("admin.apps", structure_id=structure.id, cols=request.form.get("cols") or None) + anchor)


def flash_nobody(structure: Structure) -> None:
    for warning in app_warnings(db_session(), _registry(), structure):
        if warning.kind == "granted_to_nobody":
            flash(warning.message, "warning")


@bp.route("/structures/<int:structure_id>/apps/preview", methods=["POST"])
def app_matrix_preview(structure_id: int):
    """Who gains or loses access through the staged cells (JSON in, JSON out; nothing saved)."""
    structure = _structure_in_scope(structure_id)
    try:
        effects = appmatrix.preview(db_session(), _registry(), structure,
                                    appmatrix.parse_changes(request.get_json(silent=True)))
    except appmatrix.MatrixError as error:
        return _matrix_refused(structure, str(error), json=True)
    db_session().rollback()
    return jsonify({"effects": [asdict(e) for e in effects]})


@bp.route("/structures/<int:structure_id>/apps/save", methods=["POST"])
def app_matrix_save(structure_id: int):
    structure = _structure_in_scope(structure_id)
    try:
        version = appmatrix.save(db_session(), _registry(), structure,
                                 appmatrix.parse_changes(request.get_json(silent=True)),
                                 actor=current_user._get_current_object())
    except appmatrix.MatrixError as error:
        return _matrix_refused(structure, str(error), json=True)
    db_session().commit()
    flash(_("Changements enregistrés (version %(number)d).", number=version.number), "success")
    flash_nobody(structure)
    return jsonify({"version": version.number,
                    "redirect": url_for("admin.apps", structure_id=structure.id,
                                        cols=request.args.get("cols") or None)})


@bp.route("/structures/<int:structure_id>/apps/versions/<int:number>/rollback", methods=["POST"])
def app_matrix_rollback(structure_id: int, number: int):
    structure = _structure_in_scope(structure_id)
    try:
        version = appmatrix.rollback(db_session(), _registry(), structure, number,
                                     actor=current_user._get_current_object())
    except appmatrix.MatrixError as error:
        return _matrix_refused(structure, str(error), json=False)
    db_session().commit()
    flash(_("Version %(old)d annulée : les accès sont revenus à leur état d'avant (version %(number)d).",
            old=number, number=version.number), "success")
    return redirect(url_for("admin.apps", structure_id=structure.id) + "#history-title")


@bp.route("/structures/<int:structure_id>/apps/<app_id>/state", methods=["POST"])
def app_state(structure_id: int, app_id: str):
    structure = _structure_in_scope(structure_id)
    state = request.form.get("state")
    record = _registry().by_app_id(app_id)
    if record is None or not record.manifest.is_app:
        abort(404)
    if state not in STATES:
        return _refuse(structure, _("Choix inconnu : activer, désactiver ou hériter."))
    actor = current_user._get_current_object()
    granted = []
    if state == "inherit":
        rights.inherit_enablement(db_session(), structure, app_id, actor=actor)
    elif state == "enabled":
        # The same path as the enable_plugin test fixture: the defaults are granted on the first enablement.
        granted = rights.enable_with_defaults(db_session(), _registry(), structure, app_id, actor=actor)
    else:
        rights.set_enabled(db_session(), structure, app_id, False, actor=actor)
    db_session().commit()
    flash(_("Application mise à jour pour %(name)s.", name=structure.name), "success")
    if granted:
        flash(_("Droits donnés par défaut : %(grants)s. Vous pouvez les retirer ci-dessous.",
                grants=", ".join(_default_grant_label(right, profile) for right, profile in granted)), "success")
    return redirect(url_for("admin.apps", structure_id=structure.id) + f"#row-app-{app_id}")


def _default_grant_label(right: Any, profile: str) -> str:
    return _("%(right)s à %(profile)s", right=_(right.label), profile=_(PROFILE_LABELS[Profile(profile)]))


def _target(structure: Structure, token: str | None) -> tuple[Group | None, SchoolClass | None]:
    kind, _sep, raw = (token or "").partition(":")
    if kind not in ("g", "c") or not raw.isdigit():
        raise rights.GrantError(_("Choisissez à qui donner ce droit."))
    session = db_session()
    target = session.get(Group, int(raw)) if kind == "g" else session.get(SchoolClass, int(raw))
    if target is None or target.structure_id != structure.id:
        raise rights.GrantError(_("Ce groupe ou cette classe n'appartient pas à %(name)s.", name=structure.name))
    return (target, None) if isinstance(target, Group) else (None, target)


@bp.route("/structures/<int:structure_id>/apps/grants", methods=["POST"])
def app_grant(structure_id: int):
    structure = _structure_in_scope(structure_id)
    right_id = request.form.get("right", "")
    if right_id not in _registry().all_rights():
        return _refuse(structure, _("Droit inconnu : %(right)s.", right=right_id[:100]))
    try:
        group, school_class = _target(structure, request.form.get("target"))
        rights.grant(db_session(), right_id, structure, group=group, school_class=school_class,
                     actor=current_user._get_current_object())
    except rights.GrantError as error:
        return _refuse(structure, str(error))
    db_session().commit()
    flash(_("Droit donné."), "success")
    return redirect(url_for("admin.apps", structure_id=structure.id) + f"#row-app-{right_id.split('.')[0]}")


@bp.route("/structures/<int:structure_id>/apps/grants/<int:grant_id>/revoke", methods=["POST"])
def app_revoke(structure_id: int, grant_id: int):
    structure = _structure_in_scope(structure_id)
    grant = db_session().get(RightGrant, grant_id)
    if grant is None or grant.structure_id != structure.id:
        abort(404)
    rights.revoke(db_session(), grant.id, actor=current_user._get_current_object())
    db_session().commit()
    flash(_("Droit retiré."), "success")
    return redirect(url_for("admin.apps", structure_id=structure.id) + f"#row-app-{grant.right_id.split('.')[0]}")


@bp.route("/structures/<int:structure_id>/apps/<app_id>/settings", methods=["POST"])
def app_settings(structure_id: int, app_id: str):
    """The plugin's settings for this structure (e.g. the school's Pronote address), inherited below it."""
    structure = _structure_in_scope(structure_id)
    if _registry().by_app_id(app_id) is None:
        abort(404)
    try:
        settings.set_structure_values(db_session(), _registry(), app_id, structure.id, request.form,
                                      actor=current_user._get_current_object())
    except settings.SettingError as error:
        return _refuse(structure, str(error))
    db_session().commit()
    flash(_("Réglages enregistrés pour %(name)s.", name=structure.name), "success")
    return redirect(url_for("admin.apps", structure_id=structure.id) + f"#row-app-{app_id}")


def _refuse(structure: Structure, message: str):
    db_session().rollback()
    return render_template("admin/apps_refused.html", structure=structure, message=message), 400
