"""Administration of the default dashboard layout of each profile in a structure (inherited by its children).

Each route checks the administrator's scope on the server (``_structure_in_scope``); every change is audited."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db import db_session
from ..models import Structure
from ..portal import dashboard as layouts
from ..types import Profile
from ..web import client_ip
from .views import _structure_in_scope, bp


def _installed():
    return layouts.installed_widgets(current_app.extensions["preau.plugins"])


def _page(structure: Structure, error: str | None = None, status: int = 200):
    installed = _installed()
    defaults = layouts.default_layouts(db_session(), structure)
    own, inherited = layouts.widget_policies(db_session(), structure)
    return render_template("admin/dashboard_defaults.html", structure=structure, profiles=list(Profile),
                           widgets=list(installed.values()), defaults=defaults, error=error,
                           size_labels=layouts.SIZE_LABELS, own_policies=own, inherited_policies=inherited,
                           policy_labels=layouts.POLICY_LABELS), status


def _items_from_form(form) -> list[dict[str, str]]:
    """The checked widgets, ordered by their position field (then by name), with their chosen size."""
    chosen = []
    for key in form:
        if not key.startswith("include-"):
            continue
        widget_id = key.removeprefix("include-")
        position = form.get(f"order-{widget_id}", "")
        rank = int(position) if position.isascii() and position.isdigit() else 999
        chosen.append((rank, widget_id, {"id": widget_id, "size": form.get(f"size-{widget_id}") or None}))
    return [{k: v for k, v in item.items() if v is not None} for _r, _i, item in sorted(chosen)]


@bp.route("/structures/<int:structure_id>/dashboard")
def dashboard_defaults(structure_id: int):
    return _page(_structure_in_scope(structure_id))


@bp.route("/structures/<int:structure_id>/dashboard/<profile>", methods=["POST"])
def save_dashboard_default(structure_id: int, profile: str):
    structure = _structure_in_scope(structure_id)
    try:
        layouts.set_default_layout(db_session(), structure, profile, _items_from_form(request.form), _installed(),
                                   actor=current_user.id, ip=client_ip())
    except layouts.LayoutError as error:
        db_session().rollback()
        return _page(structure, str(error), 400)
    db_session().commit()
    flash(_("Disposition par défaut enregistrée."), "success")
    return redirect(url_for("admin.dashboard_defaults", structure_id=structure.id), 303)


def _policies_from_form(form) -> dict[tuple[str, str], str]:
    """``policy-<profile>-<widget id>`` fields (widget ids contain dots, profiles do not)."""
    choices = {}
    for key, mode in form.items():
        if key.startswith("policy-"):
            profile, _sep, widget_id = key.removeprefix("policy-").partition("-")
            choices[(widget_id, profile)] = mode
    return choices


@bp.route("/structures/<int:structure_id>/dashboard/policies", methods=["POST"])
def save_widget_policies(structure_id: int):
    """Which widgets each profile sees, may place, or must keep, for this structure and those below it."""
    structure = _structure_in_scope(structure_id)
    try:
        changed = layouts.set_widget_policies(db_session(), structure, _policies_from_form(request.form),
                                              _installed(), actor=current_user.id, ip=client_ip())
    except layouts.LayoutError as error:
        db_session().rollback()
        return _page(structure, str(error), 400)
    db_session().commit()
    flash(_("Visibilité des widgets enregistrée (%(count)d changement(s)).", count=changed), "success")
    return redirect(url_for("admin.dashboard_defaults", structure_id=structure.id) + "#policies", 303)
