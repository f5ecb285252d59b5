"""LTI 1.3 tool registrations of a structure: register, edit, delete, add deployments for structures below.

The pages live under ``/apps/lti/structures/<id>/tools`` and are reached from the structure's administration page
(``preau_structure_admin_links``). An administrator of the structure reaches them (a super administrator
everywhere), whether or not an LTI right reaches them as a person; scope is checked on the server for the
structure of the page and for each deployment's structure. Every change is audited by the rules in
:mod:`.tools`. Tools hold public keys only: nothing secret.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from preau import (
    Structure,
    connector_choices,
    current_user,
    db_session,
    descendant_ids,
    public_endpoint,
    require_admin,
)

from . import tools as rules
from .lti13 import issuer
from .models import LtiDeployment, LtiTool

bp = Blueprint("lti", __name__, template_folder="templates")


def _launch_keys() -> list[tuple[str, str]]:
    """The LTI 1.3 connectors a tool can be bound to: catalogue entries and plugin connectors."""
    return connector_choices("lti13")


def _form() -> rules.ToolForm:
    form = request.form
    return rules.ToolForm(
        name=form.get("name", ""), launch_key=form.get("launch_key", ""), login_url=form.get("login_url", ""),
        target_link_uri=form.get("target_link_uri", ""),
        redirect_uris=form.get("redirect_uris", "").split(), jwks_url=form.get("jwks_url", ""),
        public_key_pem=form.get("public_key_pem", ""), deep_link_url=form.get("deep_link_url", ""),
        services=tuple(form.getlist("services")))


def _local_http() -> bool:
    return bool(current_app.config.get("TESTING") or current_app.debug)


def _platform_urls() -> dict[str, str]:
    base = issuer()
    return {"issuer": base, "auth": base + url_for("lti13.auth"), "token": base + url_for("lti13.token"),
            "jwks": base + url_for("lti13.jwks"), "deep_link_return": base + url_for("lti13.deep_link_return")}


def _list_page(structure: Structure, status: int = 200) -> ResponseReturnValue:
    session = db_session()
    tools = rules.tools_of(session, structure.id)
    names = {row.id: row.name for row in session.execute(select(Structure.id, Structure.name))}
    return render_template("lti/tools.html", structure=structure, tools=tools, launch_keys=_launch_keys(),
                           structure_names=names, platform=_platform_urls(), form=request.form), status


def _own_tool(structure: Structure, tool_id: int) -> LtiTool:
    tool = db_session().get(LtiTool, tool_id)
    if tool is None or tool.structure_id != structure.id:
        abort(404)
    return tool


def _tool_page(structure: Structure, tool: LtiTool, status: int = 200) -> ResponseReturnValue:
    session = db_session()
    deployments = session.scalars(select(LtiDeployment).where(LtiDeployment.tool_id == tool.id)
                                  .order_by(LtiDeployment.id)).all()
    below = session.scalars(select(Structure).where(Structure.id.in_(descendant_ids(session, [structure.id])))
                            .order_by(Structure.name)).all()
    names = {s.id: s.name for s in below}
    return render_template("lti/tool.html", structure=structure, tool=tool, deployments=deployments,
                           structures=below, structure_names=names, launch_keys=dict(_launch_keys()),
                           platform=_platform_urls()), status


def _refused(error: rules.ToolError, render: Callable[[], ResponseReturnValue]) -> ResponseReturnValue:
    db_session().rollback()
    flash(str(error), "error")
    return render()


@bp.route("/structures/<int:structure_id>/tools", methods=["GET", "POST"])
@public_endpoint  # an administration page: require_admin checks the scope, whatever apps reach the person
def tools(structure_id: int) -> ResponseReturnValue:
    structure = require_admin(structure_id)
    if request.method == "GET":
        return _list_page(structure)
    session = db_session()
    try:
        tool = rules.register_tool(session, structure, _form(), actor=current_user.id,
                                   allow_local_http=_local_http())
    except rules.ToolError as error:
        return _refused(error, lambda: _list_page(structure, 400))
    session.commit()
    flash(_("Outil enregistré. Transmettez à l'éditeur l'identifiant client et le déploiement."), "success")
    return redirect(url_for("lti.tool", structure_id=structure.id, tool_id=tool.id), 303)


@bp.route("/structures/<int:structure_id>/tools/<int:tool_id>", methods=["GET", "POST"])
@public_endpoint
def tool(structure_id: int, tool_id: int) -> ResponseReturnValue:
    structure = require_admin(structure_id)
    found = _own_tool(structure, tool_id)
    if request.method == "GET":
        return _tool_page(structure, found)
    session = db_session()
    try:
        rules.update_tool(session, found, _form(), actor=current_user.id, allow_local_http=_local_http())
    except rules.ToolError as error:
        return _refused(error, lambda: _tool_page(structure, session.get_one(LtiTool, tool_id), 400))
    session.commit()
    flash(_("Outil modifié."), "success")
    return redirect(url_for("lti.tool", structure_id=structure.id, tool_id=found.id), 303)


@bp.route("/structures/<int:structure_id>/tools/<int:tool_id>/delete", methods=["POST"])
@public_endpoint
def tool_delete(structure_id: int, tool_id: int) -> ResponseReturnValue:
    structure = require_admin(structure_id)
    session = db_session()
    rules.delete_tool(session, _own_tool(structure, tool_id), actor=current_user.id)
    session.commit()
    flash(_("Outil supprimé."), "success")
    return redirect(url_for("lti.tools", structure_id=structure.id), 303)


@bp.route("/structures/<int:structure_id>/tools/<int:tool_id>/deployments", methods=["POST"])
@public_endpoint
def deployment_add(structure_id: int, tool_id: int) -> ResponseReturnValue:
    structure = require_admin(structure_id)
    found = _own_tool(structure, tool_id)
    raw = request.form.get("structure_id", "")
    if not raw.isascii() or not raw.isdigit():
        abort(400)
    target = require_admin(int(raw))  # the administrator must administer that structure too
    session = db_session()
    try:
        rules.add_deployment(session, found, target, request.form.get("deployment_id", ""), actor=current_user.id)
    except rules.ToolError as error:
        return _refused(error, lambda: _tool_page(structure, session.get_one(LtiTool, tool_id), 400))
    session.commit()
    flash(_("Déploiement ajouté."), "success")
    return redirect(url_for("lti.tool", structure_id=structure.id, tool_id=found.id), 303)
