"""Administration of the communication rules of a structure ("Qui voit qui").

Every change is shown first as a "what if" preview (who gains or loses reach); nothing is saved before the
administrator confirms (POST + CSRF). Each route checks the administrator's scope on the server, like the rest of
the admin blueprint; the rules themselves are checked and recorded by :mod:`preau.communication.rules`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..communication import overview, rules
from ..communication.engine import CommunicationError
from ..db import db_session
from ..models import Structure
from ..web import safe_next
from .views import _structure_in_scope, bp


def _refused(structure: Structure, error: CommunicationError):
    db_session().rollback()
    return (render_template("admin/communication/refused.html", structure=structure, message=str(error)),
            getattr(error, "status", 400))


def _base_version() -> int | None:
    """The rules' version the administrator's page was built on (hidden field), if the form carries it."""
    raw = request.form.get("base_version")
    if raw is None:
        return None
    if not raw.isdigit():
        raise CommunicationError(_("Le formulaire est mal formé (version des règles)."))
    return int(raw)


def _preview_page(structure: Structure, change: rules.RuleChange, *, title: str, confirm_url: str,
                  back_url: str, fields: bool = True):
    session = db_session()
    effects = rules.preview(session, structure, change)  # checks the change first: links must reach here
    change = rules.normalised(rules.current_state(session, structure.id), change)
    return render_template("admin/communication/preview.html", structure=structure, title=title,
                           base_version=rules.latest_version(session, structure.id),
                           effects=effects, summary=rules.describe(session, change), empty=change.is_empty(),
                           fields=overview.change_fields(change) if fields else [], confirm_url=confirm_url,
                           back_url=back_url)


@bp.route("/structures/<int:structure_id>/communication")
def communication(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    grid = overview.matrix(session, structure.id)
    return render_template("admin/communication/matrix.html", structure=structure, grid=grid,
                           base_version=rules.latest_version(session, structure.id),
                           labels=overview.MATRIX_LABELS,
                           switchable=overview.switchable_groups(session, structure.id),
                           from_above=overview.links_from_above(session, structure.id),
                           class_links=overview.class_link_count(session, structure.id),
                           groups=overview.structure_groups(session, structure.id))


@bp.route("/structures/<int:structure_id>/communication/preview", methods=["POST"])
def communication_preview(structure_id: int):
    """The matrix form (``form=matrix``) or one explicit change (group page): preview only, nothing saved."""
    structure = _structure_in_scope(structure_id)
    back = safe_next(request.form.get("next"), url_for("admin.communication", structure_id=structure.id))
    try:
        if request.form.get("form") == "matrix":  # unticked cells mean "no link": the page must be current
            rules.check_base_version(db_session(), structure, _base_version())
            change = overview.matrix_change(db_session(), structure.id, request.form)
        else:
            change = overview.explicit_change(request.form)
        return _preview_page(structure, change, title=_("Vérifier les changements"), back_url=back,
                             confirm_url=url_for("admin.communication_apply", structure_id=structure.id, next=back))
    except CommunicationError as error:
        return _refused(structure, error)


@bp.route("/structures/<int:structure_id>/communication/apply", methods=["POST"])
def communication_apply(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    try:
        version = rules.apply_change(session, structure, overview.explicit_change(request.form),
                                     actor=current_user._get_current_object(), base_version=_base_version())
    except CommunicationError as error:
        return _refused(structure, error)
    session.commit()
    _flash_saved(version)
    return redirect(safe_next(request.args.get("next"), url_for("admin.communication", structure_id=structure.id)))


def _flash_saved(version) -> None:
    if version is None:
        flash(_("Aucun changement : les règles étaient déjà celles-ci."), "info")
    else:
        flash(_("Règles enregistrées (version %(number)s).", number=version.number), "success")


@bp.route("/structures/<int:structure_id>/communication/groups/<int:group_id>")
def communication_group(structure_id: int, group_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    group = overview.group_in_structure(session, structure.id, group_id)
    if group is None:
        abort(404)
    links = overview.group_links(session, group)
    return render_template("admin/communication/group.html", structure=structure, links=links,
                           sizes=overview.group_sizes(session, [group.id]),
                           targets=overview.structure_groups(session, structure.id),
                           sources=overview.link_sources(session, structure))


@bp.route("/structures/<int:structure_id>/communication/reset", methods=["GET", "POST"])
def communication_reset(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    if request.method == "GET":
        return _preview_page(structure, rules.defaults_change(session, structure),
                             title=_("Revenir aux règles par défaut"), fields=False,
                             confirm_url=url_for("admin.communication_reset", structure_id=structure.id),
                             back_url=url_for("admin.communication", structure_id=structure.id))
    try:
        version = rules.reset_to_defaults(session, structure, actor=current_user._get_current_object(),
                                          base_version=_base_version())
    except CommunicationError as error:
        return _refused(structure, error)
    session.commit()
    _flash_saved(version)
    return redirect(url_for("admin.communication", structure_id=structure.id))


@bp.route("/structures/<int:structure_id>/communication/history")
def communication_history(structure_id: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    versions = rules.versions(session, structure.id)
    return render_template("admin/communication/history.html", structure=structure, versions=versions,
                           actors=overview.actors_of(session, versions))


@bp.route("/structures/<int:structure_id>/communication/history/<int:number>/rollback", methods=["GET", "POST"])
def communication_rollback(structure_id: int, number: int):
    structure = _structure_in_scope(structure_id)
    session = db_session()
    try:
        if request.method == "GET":
            change = rules.rollback_change(session, structure, number)
            return _preview_page(
                structure, change, fields=False,
                title=_("Revenir à la version %(number)s", number=number) if number else
                _("Revenir à l'état initial"),
                confirm_url=url_for("admin.communication_rollback", structure_id=structure.id, number=number),
                back_url=url_for("admin.communication_history", structure_id=structure.id))
        version = rules.rollback(session, structure, number, actor=current_user._get_current_object(),
                                 base_version=_base_version())
    except CommunicationError as error:
        return _refused(structure, error)
    session.commit()
    _flash_saved(version)
    return redirect(url_for("admin.communication_history", structure_id=structure.id))
