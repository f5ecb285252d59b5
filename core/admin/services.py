"""Services administration of a structure: links and catalogue connectors; and the marketplace page.

Every route checks the administrator's scope on the server (``_structure_in_scope`` audits a refusal); a link or
connector is changed only from the page of the structure that owns it (an inherited one is read-only there).
The rules live in :mod:`preau.portal.services`.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..db import db_session
from ..icons import icon_names, tile_colour
from ..models import Group, GroupKind, SchoolClass, ServiceLink, Structure, StructureConnector
from ..portal import marketplace
from ..portal import services as rules
from ..portal.catalogue import catalogue
from ..types import PROFILE_LABELS, THEMES, Profile
from ..version import API_VERSION, __version__
from .views import _structure_in_scope, bp

ATTRIBUTE_LABELS = {
    "login": _l("Identifiant"), "display_name": _l("Nom affiché"), "first_name": _l("Prénom"),
    "last_name": _l("Nom de famille"), "email": _l("Adresse électronique"), "profile": _l("Profil"),
    "uai": _l("UAI de l'établissement"), "classes": _l("Classes"), "external_id": _l("Identifiant externe"),
}


KIND_LABELS = {
    "link": _l("Lien simple"), "cas": _l("Connexion unique CAS"), "saml": _l("Connexion unique SAML"),
    "lti11": _l("Outil pédagogique LTI 1.1"), "lti13": _l("Outil pédagogique LTI 1.3"),
    "oidc": _l("Connexion unique OpenID Connect"),
}


def _ids(name: str) -> list[int]:
    raw = request.form.getlist(name)
    if not all(value.isascii() and value.isdigit() for value in raw):
        raise rules.ServiceError(_("Le formulaire est mal formé (cibles)."))
    return [int(value) for value in raw]


def _targetable(structure: Structure) -> tuple[list[Group], list[SchoolClass]]:
    session = db_session()
    groups = session.scalars(select(Group).where(
        Group.structure_id == structure.id, Group.kind.in_((GroupKind.MANUAL, GroupKind.TEACHING)))
        .order_by(Group.name)).all()
    classes = session.scalars(select(SchoolClass).where(SchoolClass.structure_id == structure.id,
                                                          SchoolClass.archived_at.is_(None))
                              .order_by(SchoolClass.name)).all()
    return list(groups), list(classes)


def _services_page(structure: Structure, status: int = 200, form: dict | None = None):
    session = db_session()
    links, connectors = rules.structure_services(session, structure.id)
    groups, classes = _targetable(structure)
    names = dict(session.execute(select(Structure.id, Structure.name)).all())
    added = {c.catalogue_id for c in connectors if c.structure_id == structure.id}
    return render_template("admin/services.html", structure=structure, links=links, connectors=connectors,
                           catalogue=catalogue(), available=[e for e in catalogue().values() if e.id not in added],
                           groups=groups, classes=classes, themes=THEMES, profiles=list(Profile),
                           profile_labels=PROFILE_LABELS, structure_names=names, form=form or {},
                           missing=rules.missing_values, icon_names=icon_names(),
                           tile_colour=tile_colour, kind_labels=KIND_LABELS), status


def _refused(structure: Structure, error: rules.ServiceError, render):
    db_session().rollback()
    flash(str(error), "error")
    return render(structure, 400)


@bp.route("/structures/<int:structure_id>/services")
def services(structure_id: int):
    return _services_page(_structure_in_scope(structure_id))


@bp.route("/structures/<int:structure_id>/services/links", methods=["POST"])
def add_link(structure_id: int):
    structure = _structure_in_scope(structure_id)
    form = request.form
    try:
        rules.add_link(db_session(), structure, title=form.get("title", ""), url=form.get("url", ""),
                       theme=form.get("theme", ""), icon=form.get("icon", "link"), profiles=form.getlist("profiles"),
                       group_ids=_ids("group_ids"), class_ids=_ids("class_ids"), actor=current_user.id)
    except rules.ServiceError as error:
        db_session().rollback()
        flash(str(error), "error")
        return _services_page(structure, 400, form=form)
    db_session().commit()
    flash(_("Lien ajouté."), "success")
    return redirect(url_for("admin.services", structure_id=structure.id))


def _own(model, structure: Structure, item_id: int):
    item = db_session().get(model, item_id)
    if item is None or item.structure_id != structure.id:
        abort(404)
    return item


@bp.route("/structures/<int:structure_id>/services/links/<int:link_id>/remove", methods=["POST"])
def remove_link(structure_id: int, link_id: int):
    structure = _structure_in_scope(structure_id)
    rules.remove_link(db_session(), _own(ServiceLink, structure, link_id), actor=current_user.id)
    db_session().commit()
    flash(_("Lien retiré."), "success")
    return redirect(url_for("admin.services", structure_id=structure.id))


@bp.route("/structures/<int:structure_id>/services/connectors", methods=["POST"])
def add_connector(structure_id: int):
    structure = _structure_in_scope(structure_id)
    try:
        connector = rules.add_connector(db_session(), structure, request.form.get("catalogue_id", ""),
                                        actor=current_user.id)
    except rules.ServiceError as error:
        return _refused(structure, error, _services_page)
    db_session().commit()
    flash(_("Connecteur ajouté : vérifiez sa configuration puis activez-le."), "success")
    return redirect(url_for("admin.connector", structure_id=structure.id, connector_id=connector.id))


def _connector_page(structure: Structure, connector: StructureConnector, status: int = 200):
    groups, classes = _targetable(structure)
    chosen_groups, chosen_classes = rules.targets_of(db_session(), connector_id=connector.id)
    return render_template("admin/connector.html", structure=structure, connector=connector,
                           entry=rules.entry_of(connector), groups=groups, classes=classes,
                           chosen_groups=chosen_groups, chosen_classes=chosen_classes, profiles=list(Profile),
                           profile_labels=PROFILE_LABELS, missing=rules.missing_values(connector),
                           attribute_labels=ATTRIBUTE_LABELS, kind_labels=KIND_LABELS), status


@bp.route("/structures/<int:structure_id>/services/connectors/<int:connector_id>", methods=["GET", "POST"])
def connector(structure_id: int, connector_id: int):
    structure = _structure_in_scope(structure_id)
    connector = _own(StructureConnector, structure, connector_id)
    if request.method == "GET":
        return _connector_page(structure, connector)
    form = request.form
    entry = rules.entry_of(connector)
    fields = entry.fields if entry else ()
    try:
        rules.configure_connector(
            db_session(), connector, values={f.key: form.get(f"value_{f.key}", "") for f in fields if not f.secret},
            secrets={f.key: form.get(f"secret_{f.key}", "") for f in fields if f.secret},
            profiles=form.getlist("profiles"), group_ids=_ids("group_ids"), class_ids=_ids("class_ids"),
            enabled=form.get("enabled") == "1", actor=current_user.id,
            attributes=form.getlist("attributes") if form.get("attributes_shown") else None)
    except rules.ServiceError as error:
        db_session().rollback()
        flash(str(error), "error")
        return _connector_page(structure, db_session().get_one(StructureConnector, connector_id), 400)
    db_session().commit()
    flash(_("Connecteur enregistré."), "success")
    return redirect(url_for("admin.services", structure_id=structure.id))


@bp.route("/structures/<int:structure_id>/services/connectors/<int:connector_id>/remove", methods=["POST"])
def remove_connector(structure_id: int, connector_id: int):
    structure = _structure_in_scope(structure_id)
    rules.remove_connector(db_session(), _own(StructureConnector, structure, connector_id), actor=current_user.id)
    db_session().commit()
    flash(_("Connecteur retiré."), "success")
    return redirect(url_for("admin.services", structure_id=structure.id))


@bp.route("/marketplace")
def marketplace_page():
    """Installed plugins and the plugin index (read only: installing is pip's, enabling is per structure)."""
    registry = current_app.extensions["preau.plugins"]
    records = list(registry.records.values())
    installed = {r.app_id: r.version for r in records}
    offers, problem = [], None
    try:
        entries = marketplace.parse_index(marketplace.read_index_text(current_app.config.get("PLUGIN_INDEX")))
        offers = marketplace.offers(entries, installed, API_VERSION)  # what requires_preau is checked against
    except marketplace.IndexError_ as error:
        problem = _("L'index des extensions est invalide : %(detail)s", detail=str(error))
    except (OSError, UnicodeDecodeError, ValueError):
        current_app.logger.warning("plugin index unreadable", exc_info=True)
        problem = _("L'index des extensions n'a pas pu être lu.")
    return render_template("admin/marketplace.html", records=records, offers=offers, problem=problem,
                           preau_version=__version__, api_version=API_VERSION)
