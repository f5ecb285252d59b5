"""LTI 1.3 tool registrations: the rules (validation, inheritance, deployments), used by the admin pages.

A tool registered in a structure serves it and its descendants; the deployment id sent to the tool is that of
the nearest structure up the tree that has one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from flask_babel import gettext as _
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from preau import DirectoryError, Structure, ancestor_distances, record_audit

from .models import LtiDeployment, LtiTool

SERVICES = ("nrps", "ags")


class ToolError(DirectoryError):
    """A registration refused; the message is for the administrator (French)."""


@dataclass
class ToolForm:
    name: str
    launch_key: str
    login_url: str
    target_link_uri: str
    redirect_uris: list[str]
    jwks_url: str = ""
    public_key_pem: str = ""
    deep_link_url: str = ""
    services: tuple[str, ...] = ()


def checked_url(raw: str, *, allow_local_http: bool, label: str) -> str:
    """An https URL (http only towards localhost, when testing)."""
    url = raw.strip()
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1")
    if not parts.netloc or (parts.scheme != "https" and not (allow_local_http and local)) or parts.fragment:
        raise ToolError(_("%(label)s : adresse https:// complète attendue (sans #fragment).", label=label))
    return url


def _checked(form: ToolForm, allow_local_http: bool) -> dict[str, Any]:
    name = form.name.strip()
    if not name or len(name) > 120:
        raise ToolError(_("Donnez un nom à l'outil (120 caractères au plus)."))
    key = form.launch_key.strip()
    if not key.startswith(("connector:", "plugin:")) or len(key) > 200:
        raise ToolError(_("Choisissez le connecteur que cet outil ouvre."))
    redirects = [checked_url(u, allow_local_http=allow_local_http, label=_("Adresse de redirection"))
                 for u in form.redirect_uris if u.strip()]
    if not redirects:
        raise ToolError(_("Indiquez au moins une adresse de redirection."))
    jwks_url = form.jwks_url.strip()
    pem = form.public_key_pem.strip()
    if bool(jwks_url) == bool(pem):
        raise ToolError(_("Indiquez soit l'adresse JWKS de l'outil, soit sa clé publique PEM (pas les deux)."))
    if pem:
        _check_pem(pem)
    if set(form.services) - set(SERVICES):
        raise ToolError(_("Service LTI inconnu."))
    return {
        "name": name, "launch_key": key,
        "login_url": checked_url(form.login_url, allow_local_http=allow_local_http,
                                 label=_("Adresse d'initiation de connexion")),
        "target_link_uri": checked_url(form.target_link_uri, allow_local_http=allow_local_http,
                                       label=_("Adresse de lancement")),
        "redirect_uris": redirects,
        "jwks_url": checked_url(jwks_url, allow_local_http=allow_local_http, label="JWKS") if jwks_url else None,
        "public_key_pem": pem or None,
        "deep_link_url": checked_url(form.deep_link_url, allow_local_http=allow_local_http,
                                     label=_("Adresse Deep Linking")) if form.deep_link_url.strip() else None,
        "services": sorted(set(form.services)),
    }


def _check_pem(pem: str) -> None:
    try:
        key = load_pem_public_key(pem.encode())
    except ValueError as error:
        raise ToolError(_("La clé publique n'est pas une clé PEM lisible.")) from error
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise ToolError(_("La clé publique doit être une clé RSA d'au moins 2048 bits."))


def register_tool(session: Session, structure: Structure, form: ToolForm, *, actor: Any = None,
                  allow_local_http: bool = False) -> LtiTool:
    values = _checked(form, allow_local_http)
    if session.scalar(select(LtiTool.id).where(LtiTool.structure_id == structure.id,
                                               LtiTool.launch_key == values["launch_key"])):
        raise ToolError(_("Un outil est déjà enregistré pour ce connecteur dans cette structure."))
    tool = LtiTool(structure_id=structure.id, client_id=secrets.token_urlsafe(18), **values)
    session.add(tool)
    session.flush()
    add_deployment(session, tool, structure, actor=actor)
    record_audit(session, "lti13.tool_registered", actor=actor, target=tool, structure_id=structure.id,
                 name=tool.name, launch_key=tool.launch_key)
    return tool


def update_tool(session: Session, tool: LtiTool, form: ToolForm, *, actor: Any = None,
                allow_local_http: bool = False) -> LtiTool:
    values = _checked(form, allow_local_http)
    values.pop("launch_key")  # a registration stays bound to its connector
    for name, value in values.items():
        setattr(tool, name, value)
    session.flush()
    record_audit(session, "lti13.tool_updated", actor=actor, target=tool, structure_id=tool.structure_id,
                 name=tool.name)
    return tool


def delete_tool(session: Session, tool: LtiTool, *, actor: Any = None) -> None:
    record_audit(session, "lti13.tool_deleted", actor=actor, target=tool, structure_id=tool.structure_id,
                 name=tool.name, client_id=tool.client_id)
    session.delete(tool)
    session.flush()


def add_deployment(session: Session, tool: LtiTool, structure: Structure, deployment_id: str = "", *,
                   actor: Any = None) -> LtiDeployment:
    """A deployment of ``tool`` for ``structure`` (which must be the tool's structure or below it)."""
    if tool.structure_id not in ancestor_distances(session, structure.id):
        raise ToolError(_("Cette structure n'est pas couverte par l'outil."))
    value = deployment_id.strip() or secrets.token_urlsafe(12)
    if len(value) > 64:
        raise ToolError(_("Identifiant de déploiement trop long (64 caractères au plus)."))
    clash = session.scalar(select(LtiDeployment.id).where(
        LtiDeployment.tool_id == tool.id,
        (LtiDeployment.structure_id == structure.id) | (LtiDeployment.deployment_id == value)))
    if clash:
        raise ToolError(_("Cette structure ou cet identifiant a déjà un déploiement pour cet outil."))
    deployment = LtiDeployment(tool_id=tool.id, structure_id=structure.id, deployment_id=value)
    session.add(deployment)
    session.flush()
    record_audit(session, "lti13.deployment_added", actor=actor, target=tool, structure_id=structure.id,
                 deployment_id=value)
    return deployment


def tool_and_deployment(session: Session, launch_key: str,
                        structure_id: int) -> tuple[LtiTool | None, LtiDeployment | None]:
    """The tool registered for ``launch_key`` in the structure or the nearest structure above it, and its
    deployment of the nearest structure (itself first); one walk up the tree for both."""
    distances = ancestor_distances(session, structure_id)
    rows = session.execute(
        select(LtiTool, LtiDeployment)
        .outerjoin(LtiDeployment, and_(LtiDeployment.tool_id == LtiTool.id,
                                       LtiDeployment.structure_id.in_(distances)))
        .where(LtiTool.launch_key == launch_key, LtiTool.structure_id.in_(distances))).all()
    tool = min((row[0] for row in rows), key=lambda t: distances[t.structure_id], default=None)
    deployments = [row[1] for row in rows if row[0] is tool and row[1] is not None]
    return tool, min(deployments, key=lambda d: distances[d.structure_id], default=None)


def _nearest_deployment(session: Session, tool: LtiTool, distances: dict[int, int]) -> LtiDeployment | None:
    if tool.structure_id not in distances:
        return None
    rows = session.scalars(select(LtiDeployment).where(LtiDeployment.tool_id == tool.id,
                                                       LtiDeployment.structure_id.in_(distances))).all()
    return min(rows, key=lambda row: distances[row.structure_id], default=None)


def deployment_for(session: Session, tool: LtiTool, structure_id: int) -> LtiDeployment | None:
    """The deployment of the nearest structure (itself first) covered by ``tool``; None outside its tree."""
    return _nearest_deployment(session, tool, ancestor_distances(session, structure_id))


def tools_of(session: Session, structure_id: int) -> list[LtiTool]:
    """Tools registered in the structure or inherited from above."""
    distances = ancestor_distances(session, structure_id)
    return list(session.scalars(select(LtiTool).where(LtiTool.structure_id.in_(distances))
                                .order_by(LtiTool.name)))
