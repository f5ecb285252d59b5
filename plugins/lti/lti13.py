"""Préau as an LTI 1.3 platform (LTI Core 1.3, IMS Security Framework) with LTI Advantage.

A launch goes: tile ``/launch/<key>`` (or a class's resource link, or a teacher's "add content") → redirect to
the tool's OIDC login initiation (``iss``, ``login_hint``, signed ``lti_message_hint``…) → the tool comes back to
``/lti13/auth`` → an RS256 id_token auto-POSTed to the registered redirect URI. Services for tools:
``/lti13/jwks.json``, ``/lti13/token`` (client credentials with a JWT client assertion), Names and Role
Provisioning (``/lti13/nrps/<class>``), Assignment and Grade Services (``/lti13/ags/<class>/lineitems…``) and the
Deep Linking return. Rules for registrations live in :mod:`.tools`, keys in :mod:`.keys`.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn, cast
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from preau import (
    Function,
    Group,
    GroupMember,
    Launch,
    PreauError,
    Profile,
    SchoolClass,
    User,
    __version__,
    at_site_root,
    autosubmit_page,
    before_charter,
    children_of,
    classes_of,
    confirm_launch,
    connector_released_attributes,
    csrf_exempt,
    current_user,
    db_session,
    public_endpoint,
    reachable_launches,
    record_launch,
    released_values,
)

from . import keys
from .models import LtiLineItem, LtiNonce, LtiResourceLink, LtiScore, LtiTool, utcnow
from .tools import deployment_for, tool_and_deployment

# The addresses tools were given (issuer, /lti13/auth, /lti13/token, /lti13/jwks.json…) stay at the site's root.
bp = at_site_root(Blueprint("lti13", __name__, url_prefix="/lti13", template_folder="templates"), "/lti13")

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READ = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
AGS_SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_READ, SCOPE_RESULT, SCOPE_SCORE)
SERVICE_SCOPES = {"nrps": (SCOPE_NRPS,), "ags": AGS_SCOPES}
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
HINT_MAX_AGE = 600  # seconds between the login initiation and /lti13/auth
ACCESS_TOKEN_LIFETIME = 3600
DEEP_LINK_DATA_MAX_AGE = 3600

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
PROFILE_ROLES: dict[str, tuple[str, ...]] = {
    Profile.TEACHER: (MEMBERSHIP + "Instructor", INSTITUTION + "Instructor"),
    Profile.STUDENT: (MEMBERSHIP + "Learner", INSTITUTION + "Student"),
    Profile.RELATIVE: (MEMBERSHIP + "Mentor",),
    Profile.PERSONNEL: (INSTITUTION + "Staff",),
    Profile.GUEST: (INSTITUTION + "Guest",),
}
ADMIN_FUNCTIONS = {Function.ADMIN_LOCAL, Function.SUPER_ADMIN}


# -- helpers ---------------------------------------------------------------------------------------------


def issuer() -> str:
    """The platform's issuer: configured (``LTI13_ISSUER``) or this site's root URL."""
    return current_app.config.get("LTI13_ISSUER") or request.url_root.rstrip("/")


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"preau.lti13.{salt}")


def opaque_id(kind: str, client_id: str, number: int) -> str:
    """A stable id telling the tool nothing, different from tool to tool (users cannot be matched across)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"lti13|{kind}|{client_id}|{number}".encode(), hashlib.sha256).hexdigest()[:32]


def _error(message: str, status: int = 400) -> ResponseReturnValue:
    return render_template("lti/error.html", message=message), status


def _json_error(reason: str, message: str, status: int):
    return jsonify(error=reason, message=message), status


def _json_abort(reason: str, message: str, status: int) -> NoReturn:
    abort(make_response(jsonify(error=reason, message=message), status))


def lti_roles(user: User, structure_id: int) -> list[str]:
    profiles = {r.profile for r in user.roles if r.structure_id == structure_id}
    roles = [uri for profile in sorted(profiles) for uri in PROFILE_ROLES.get(profile, ())]
    if any(f.code in ADMIN_FUNCTIONS and f.structure_id in (None, structure_id) for f in user.functions):
        roles.append(INSTITUTION + "Administrator")
    return roles


def _class_of(session: Session, user: User, structure_id: int) -> SchoolClass | None:
    """The person's class in the structure (a parent's: their child's), the launch context."""
    return next((c for c in classes_of(session, user) if c.structure_id == structure_id), None)


def _is_teacher_of(session: Session, user: User, school_class: SchoolClass) -> bool:
    return any(c.id == school_class.id for c in classes_of(session, user, Profile.TEACHER))


def _is_member_of(session: Session, user: User, school_class: SchoolClass) -> bool:
    return any(c.id == school_class.id for c in classes_of(session, user))


def _use_once(session: Session, client_id: str, value: str, lifetime: int) -> bool:
    """Record ``value`` as used for ``client_id``; False when it already was (a replay)."""
    # The unique constraint decides, whichever worker comes first (one statement, no savepoint).
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(LtiNonce).values(client_id=client_id, value=value[:255],
                                        expires_at=utcnow() + timedelta(seconds=lifetime))
    inserted = session.execute(statement.on_conflict_do_nothing(index_elements=["client_id", "value"])
                               .returning(LtiNonce.id))
    return inserted.scalar() is not None


def purge_nonces(session: Session) -> int:
    """Forget the used nonces and assertion ids once they have expired (``preau purge``)."""
    result = session.execute(delete(LtiNonce).where(LtiNonce.expires_at < utcnow()))
    return cast("CursorResult[Any]", result).rowcount


# -- login initiation ------------------------------------------------------------------------------------


def _login_redirect(tool: LtiTool, user: User, deployment_id: str, target: str, hint: dict[str, Any]):
    query = {
        "iss": issuer(), "login_hint": opaque_id("user", tool.client_id, user.id), "target_link_uri": target,
        "lti_message_hint": _serializer("hint").dumps(hint), "lti_deployment_id": deployment_id,
        "client_id": tool.client_id,
    }
    separator = "&" if "?" in tool.login_url else "?"
    response = redirect(tool.login_url + separator + urlencode(query), 303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _tool_and_deployment(session: Session, key: str, structure_id: int):
    return tool_and_deployment(session, key, structure_id)


def launch_lti13(launch: Launch) -> ResponseReturnValue:
    """The launcher of ``lti13`` connectors (a "Mes Applis" tile): the resource link is the tile itself, the
    context the person's class."""
    session = db_session()
    tool, deployment = _tool_and_deployment(session, launch.key, launch.structure_id)
    if tool is None or deployment is None:
        return _error(_("Ce service LTI 1.3 n'est pas encore enregistré par l'administrateur de votre "
                        "établissement."), 404)
    hint = {"u": launch.user.id, "k": launch.key, "s": launch.structure_id, "r": launch.role.id, "m": "tile",
            "c": launch.connector_id, "n": launch.name}
    return _login_redirect(tool, launch.user, deployment.deployment_id, tool.target_link_uri, hint)


# -- the authorization endpoint --------------------------------------------------------------------------


class AuthRefused(PreauError):
    """A refused LTI authorization request (``status`` 400 or 403), the message for the person."""


def _reaching_launch(user: User, hint: dict[str, Any], age: float) -> Launch:
    """The connector launch named by the hint, if it still reaches the person (the grant may have gone)."""
    found = confirm_launch(user, str(hint.get("k") or ""), kind="lti13", role_id=hint.get("r") or 0,
                           structure_id=hint.get("s") or 0, connector_id=hint.get("c") if hint.get("m") == "tile"
                           else None, name=str(hint.get("n") or ""), age=age)
    if found is None:
        raise AuthRefused(_("Ce service ne vous est plus ouvert."), 403)
    return found


def _checked_request(session: Session, params: dict[str, str]) -> tuple[LtiTool, dict[str, Any], float]:
    """The tool and the launch's hint, with the hint's age in seconds; every check of the request done."""
    tool = session.scalar(select(LtiTool).where(LtiTool.client_id == params.get("client_id", "")))
    if tool is None:
        raise AuthRefused(_("Outil LTI inconnu (client_id)."))
    if params.get("redirect_uri") not in tool.redirect_uris:
        raise AuthRefused(_("Adresse de retour non enregistrée pour cet outil : la connexion est refusée."))
    if params.get("response_type") != "id_token" or params.get("response_mode") != "form_post":
        raise AuthRefused(_("Demande LTI invalide (response_type / response_mode)."))
    if "openid" not in params.get("scope", "").split() or params.get("prompt", "none") != "none":
        raise AuthRefused(_("Demande LTI invalide (scope / prompt)."))
    if not params.get("nonce") or len(params["nonce"]) > 200:
        raise AuthRefused(_("Demande LTI invalide (nonce absent)."))
    try:
        hint, signed_at = _serializer("hint").loads(params.get("lti_message_hint", ""), max_age=HINT_MAX_AGE,
                                                    return_timestamp=True)
    except BadSignature as error:
        raise AuthRefused(_("Le lancement a expiré ou a été modifié : relancez le service depuis l'ENT.")) from error
    user = current_user._get_current_object()
    if hint.get("u") != user.id or params.get("login_hint") != opaque_id("user", tool.client_id, user.id):
        raise AuthRefused(_("Ce lancement a été préparé pour une autre personne."), 403)
    return tool, hint, max(0.0, time.time() - signed_at.timestamp())


OPENID_CLAIMS = {"display_name": "name", "first_name": "given_name", "last_name": "family_name", "email": "email"}


def _person_claims(user: User, attributes: tuple[str, ...]) -> dict[str, Any]:
    """OpenID name and e-mail claims, only those the connector releases."""
    return {OPENID_CLAIMS[name]: value for name, value in released_values(user, attributes).items()
            if name in OPENID_CLAIMS}


def _context_claims(tool: LtiTool, school_class: SchoolClass | None) -> dict[str, Any]:
    if school_class is None:
        return {}
    claims: dict[str, Any] = {LTI + "context": {
        "id": opaque_id("class", tool.client_id, school_class.id), "label": school_class.name,
        "title": f"{school_class.name} · {school_class.structure.name}",
        "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection"]}}
    base = issuer()
    if "nrps" in tool.services:
        claims[NRPS_CLAIM] = {"context_memberships_url": base + url_for("lti13.nrps", class_id=school_class.id),
                              "service_versions": ["2.0"]}
    if "ags" in tool.services:
        claims[AGS_CLAIM] = {"scope": list(AGS_SCOPES),
                             "lineitems": base + url_for("lti13.line_items", class_id=school_class.id)}
    if school_class.external_id:
        claims[LTI + "lis"] = {"course_section_sourcedid": school_class.external_id}
    return claims


def _message_claims(session: Session, tool: LtiTool, launch: Launch, hint: dict[str, Any]):
    """Message type, target, resource link, class and custom claims of the hinted message."""
    user, mode = launch.user, hint.get("m")
    if mode == "tile":
        school_class = _class_of(session, user, launch.structure_id)
        return tool.target_link_uri, school_class, {
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "resource_link": {"id": opaque_id("tile", tool.client_id, launch.structure_id),
                                    "title": launch.name}}
    school_class = session.get(SchoolClass, hint.get("c") or 0)
    if school_class is None or school_class.structure_id != launch.structure_id \
            or not _is_member_of(session, user, school_class):
        raise AuthRefused(_("Vous n'êtes plus membre de cette classe."), 403)
    if mode == "link":
        link = session.get(LtiResourceLink, hint.get("l") or 0)
        if link is None or link.tool_id != tool.id or link.class_id != school_class.id:
            raise AuthRefused(_("Cette ressource n'existe plus."), 404)
        return link.url or tool.target_link_uri, school_class, {
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "resource_link": {"id": f"link-{link.id}", "title": link.title},
            LTI + "custom": dict(link.custom or {})}
    if mode == "deep" and tool.deep_link_url and _is_teacher_of(session, user, school_class):
        data = _serializer("deep").dumps({"t": tool.id, "c": school_class.id, "u": user.id})
        return tool.deep_link_url, school_class, {
            LTI + "message_type": "LtiDeepLinkingRequest",
            DL + "deep_linking_settings": {
                "deep_link_return_url": issuer() + url_for("lti13.deep_link_return"),
                "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True, "auto_create": True, "data": data}}
    raise AuthRefused(_("Demande LTI invalide."), 403)


def id_token_claims(session: Session, tool: LtiTool, launch: Launch, hint: dict[str, Any], nonce: str,
                    deployment_id: str) -> dict[str, Any]:
    user = launch.user
    target, school_class, message = _message_claims(session, tool, launch, hint)
    now = keys.now()
    roles = lti_roles(user, launch.structure_id)
    claims: dict[str, Any] = {
        "iss": issuer(), "aud": tool.client_id, "azp": tool.client_id,
        "sub": opaque_id("user", tool.client_id, user.id),
        "iat": now, "exp": now + keys.ID_TOKEN_LIFETIME, "nonce": nonce,
        LTI + "version": "1.3.0", LTI + "deployment_id": deployment_id, LTI + "target_link_uri": target,
        LTI + "roles": roles,
        LTI + "tool_platform": {"guid": issuer(), "name": "Préau", "product_family_code": "preau",
                                "version": __version__},
        LTI + "launch_presentation": {"document_target": "window", "locale": "fr-FR",
                                      "return_url": issuer() + url_for("portal.my_apps")},
        **_person_claims(user, launch.attributes),
        **_context_claims(tool, school_class),
        **message,
    }
    if MEMBERSHIP + "Mentor" in roles:
        claims[LTI + "role_scope_mentor"] = [opaque_id("user", tool.client_id, child.id)
                                             for child in children_of(session, user)]
    if "external_id" in launch.attributes and user.external_id:
        claims.setdefault(LTI + "lis", {})["person_sourcedid"] = user.external_id
    return claims


@bp.route("/auth", methods=["GET", "POST"])
@public_endpoint  # whoever a launch reaches, wherever the app is enabled: the checks below decide
@csrf_exempt  # the tool's browser form, authenticated by the signed hint and the session
@login_required
def auth():
    """OIDC authorization endpoint of the LTI launch: checks everything, then POSTs the id_token."""
    session = db_session()
    params = request.values.to_dict()
    try:
        tool, hint, age = _checked_request(session, params)
        launch = _reaching_launch(current_user._get_current_object(), hint, age)
        if launch.key != tool.launch_key:
            raise AuthRefused(_("Cet outil ne correspond pas au service lancé."), 403)
        tool_here, deployment = _tool_and_deployment(session, launch.key, launch.structure_id)
        if tool_here is None or tool_here.id != tool.id or deployment is None:
            raise AuthRefused(_("Cet outil n'est pas déployé pour votre établissement."), 403)
        claims = id_token_claims(session, tool, launch, hint, params["nonce"], deployment.deployment_id)
        if not _use_once(session, tool.client_id, "nonce:" + params["nonce"], HINT_MAX_AGE + keys.ID_TOKEN_LIFETIME):
            raise AuthRefused(_("Ce lancement a déjà été utilisé (nonce rejoué)."))
    except AuthRefused as refusal:
        session.rollback()
        return _error(refusal.message, refusal.status)
    token = keys.sign(session, claims)
    fields = {"id_token": token}
    if "state" in params:
        fields["state"] = params["state"]
    session.commit()
    return autosubmit_page(params["redirect_uri"], fields, title=launch.name)


@bp.route("/jwks.json")
@public_endpoint
@before_charter
def jwks():
    session = db_session()
    body = keys.jwks(session)
    session.commit()  # the first key, when created here
    response = jsonify(body)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# -- class pages: resource links, deep linking, grades ---------------------------------------------------


def _class_page_class(class_id: int) -> SchoolClass:
    school_class = db_session().get(SchoolClass, class_id)
    if school_class is None or not _is_member_of(db_session(), current_user, school_class):
        abort(404)
    return school_class


def _class_launches(session: Session, user: User, school_class: SchoolClass) -> list[tuple[Launch, LtiTool]]:
    """The LTI 1.3 connectors reaching the person in the class's structure, with their tool."""
    result: list[tuple[Launch, LtiTool]] = []
    for launch in reachable_launches(user, kinds={"lti13"}):
        if launch.structure_id != school_class.structure_id:
            continue
        tool, deployment = _tool_and_deployment(session, launch.key, launch.structure_id)
        if tool is not None and deployment is not None and all(t.id != tool.id for _l, t in result):
            result.append((launch, tool))
    return result


@bp.route("/classes/")
@login_required
def my_classes():
    """The person's classes that have online activities (LTI 1.3 tools): resources, and grades for teachers."""
    session, user = db_session(), current_user._get_current_object()
    classes = [c for c in classes_of(session, user) if _class_launches(session, user, c)]
    return render_template("lti/classes.html", classes=classes)


@bp.route("/classes/<int:class_id>")
@login_required
def class_page(class_id: int):
    session = db_session()
    school_class = _class_page_class(class_id)
    user = current_user._get_current_object()
    teacher = _is_teacher_of(session, user, school_class)
    tools = _class_launches(session, user, school_class)
    tool_ids = [tool.id for _launch, tool in tools]
    links = session.scalars(select(LtiResourceLink).where(LtiResourceLink.class_id == class_id,
                                                          LtiResourceLink.tool_id.in_(tool_ids))
                            .order_by(LtiResourceLink.id)).all()
    grades = _grade_table(session, school_class, tool_ids) if teacher else []
    return render_template("lti/class.html", school_class=school_class, teacher=teacher, tools=tools,
                           links=links, grades=grades)


def _grade_table(session: Session, school_class: SchoolClass, tool_ids: list[int]) -> list[dict[str, Any]]:
    items = session.scalars(select(LtiLineItem).where(LtiLineItem.class_id == school_class.id,
                                                      LtiLineItem.tool_id.in_(tool_ids))
                            .order_by(LtiLineItem.id)).all()
    students = _members(session, school_class, Profile.STUDENT)
    table = []
    for item in items:
        scores = {s.user_id: s for s in session.scalars(select(LtiScore).where(LtiScore.line_item_id == item.id))}
        table.append({"item": item, "rows": [(student, scores.get(student.id)) for student in students]})
    return table


def _launch_for_class(school_class: SchoolClass, tool_id: int) -> tuple[Launch, LtiTool]:
    session = db_session()
    found = next(((launch, tool) for launch, tool in _class_launches(session, current_user, school_class)
                  if tool.id == tool_id), None)
    if found is None:
        abort(404)
    return found


@bp.route("/links/<int:link_id>/launch")
@login_required
def launch_link(link_id: int):
    session = db_session()
    link = session.get(LtiResourceLink, link_id) or abort(404)
    school_class = _class_page_class(link.class_id)
    launch, tool = _launch_for_class(school_class, link.tool_id)
    deployment = deployment_for(session, tool, launch.structure_id)
    assert deployment is not None  # _class_launches keeps only the tools deployed for the structure
    record_launch(session, launch.user, key=launch.key, kind=launch.kind, structure_id=launch.structure_id,
                  profile=launch.role.profile)
    session.commit()
    hint = {"u": launch.user.id, "k": launch.key, "s": launch.structure_id, "r": launch.role.id, "m": "link",
            "c": school_class.id, "l": link.id}
    return _login_redirect(tool, launch.user, deployment.deployment_id, link.url or tool.target_link_uri, hint)


@bp.route("/classes/<int:class_id>/deep-link/<int:tool_id>")
@login_required
def deep_link_start(class_id: int, tool_id: int):
    session = db_session()
    school_class = _class_page_class(class_id)
    if not _is_teacher_of(session, current_user, school_class):
        abort(403)
    launch, tool = _launch_for_class(school_class, tool_id)
    if not tool.deep_link_url:
        abort(404)
    deployment = deployment_for(session, tool, launch.structure_id)
    assert deployment is not None  # _class_launches keeps only the tools deployed for the structure
    hint = {"u": launch.user.id, "k": launch.key, "s": launch.structure_id, "r": launch.role.id, "m": "deep",
            "c": school_class.id}
    return _login_redirect(tool, launch.user, deployment.deployment_id, tool.deep_link_url, hint)


@bp.route("/deep-link/return", methods=["POST"])
@public_endpoint
@csrf_exempt
@before_charter
def deep_link_return():
    """The tool's LtiDeepLinkingResponse (auto-POSTed by the browser from the tool: no session cookie is
    needed, the signed ``data`` claim says who asked, for which class)."""
    session = db_session()
    token = request.form.get("JWT", "")
    try:
        client_id = str(keys.unverified_claims(token).get("iss", ""))
        tool = session.scalar(select(LtiTool).where(LtiTool.client_id == client_id))
        if tool is None:
            return _error(_("Outil LTI inconnu."))
        claims = keys.verify_tool_jwt(tool, token, issuer())
    except keys.ToolTokenError:
        return _error(_("La réponse de l'outil n'est pas signée par sa clé enregistrée : elle est refusée."))
    try:
        data = _serializer("deep").loads(str(claims.get(DL + "data") or ""), max_age=DEEP_LINK_DATA_MAX_AGE)
    except BadSignature:
        return _error(_("La réponse de l'outil ne correspond à aucune demande en cours."))
    school_class = session.get(SchoolClass, data.get("c") or 0)
    nonce = str(claims.get("nonce") or claims.get("jti") or "")
    if (data.get("t") != tool.id or school_class is None or claims.get(LTI + "message_type")
            != "LtiDeepLinkingResponse" or claims.get(LTI + "version") != "1.3.0"
            or deployment_for(session, tool, school_class.structure_id) is None
            or claims.get(LTI + "deployment_id") != deployment_for(session, tool, school_class.structure_id)
            .deployment_id):
        return _error(_("La réponse de l'outil est invalide."))
    if not nonce or not _use_once(session, tool.client_id, "dl:" + nonce, DEEP_LINK_DATA_MAX_AGE):
        session.rollback()
        return _error(_("Cette réponse de l'outil a déjà été reçue."))
    added = _store_links(session, tool, school_class, data.get("u"), claims.get(DL + "content_items") or [])
    session.commit()
    return redirect(url_for("lti13.class_page", class_id=school_class.id, added=added), 303)


def _store_links(session: Session, tool: LtiTool, school_class: SchoolClass, user_id: Any,
                 items: list[Any]) -> int:
    added = 0
    for item in items[:50]:
        if not isinstance(item, dict) or item.get("type") != "ltiResourceLink":
            continue
        url = item.get("url")
        custom = item.get("custom")
        if not isinstance(custom, dict):
            custom = {}
        session.add(LtiResourceLink(
            tool_id=tool.id, class_id=school_class.id, title=str(item.get("title") or tool.name)[:200],
            url=url if isinstance(url, str) and url.startswith(("https://", "http://")) else None,
            custom={str(k)[:100]: str(v)[:1000] for k, v in list(custom.items())[:50]},
            created_by=user_id if isinstance(user_id, int) else None))
        added += 1
    return added


# -- OAuth 2 token endpoint and the services ------------------------------------------------------------


@bp.route("/token", methods=["POST"])
@public_endpoint
@csrf_exempt
@before_charter
def token():
    """Client credentials grant with a JWT client assertion signed by the tool (IMS Security Framework)."""
    session = db_session()
    form = request.form
    if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != ASSERTION_TYPE:
        return _json_error("unsupported_grant_type", "client_credentials with a JWT assertion expected", 400)
    assertion = form.get("client_assertion", "")
    try:
        client_id = str(keys.unverified_claims(assertion).get("iss", ""))
        tool = session.scalar(select(LtiTool).where(LtiTool.client_id == client_id))
        if tool is None:
            raise keys.ToolTokenError("unknown client")
        claims = keys.verify_tool_jwt(tool, assertion, issuer() + url_for("lti13.token"))
        if claims.get("sub") != client_id or not claims.get("jti"):
            raise keys.ToolTokenError("sub and jti required")
    except keys.ToolTokenError:
        return _json_error("invalid_client", "the client assertion does not verify", 401)
    if not _use_once(session, client_id, "jti:" + str(claims["jti"]), 3600):
        session.rollback()
        return _json_error("invalid_client", "client assertion replayed", 401)
    allowed = {scope for service in tool.services for scope in SERVICE_SCOPES.get(service, ())}
    granted = sorted(set(form.get("scope", "").split()) & allowed)
    if not granted:
        session.rollback()
        return _json_error("invalid_scope", "none of the requested scopes is allowed for this tool", 400)
    session.commit()
    access = _serializer("access").dumps({"t": tool.id, "s": granted})
    return jsonify(access_token=access, token_type="Bearer",  # noqa: S106 - the token type, not a secret
                   expires_in=ACCESS_TOKEN_LIFETIME, scope=" ".join(granted))


def _bearer_tool(*scopes: str) -> LtiTool:
    """The tool of the request's bearer token if it holds one of ``scopes``; else a 401/403 JSON answer."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        _json_abort("invalid_token", "bearer token required", 401)
    try:
        data = _serializer("access").loads(header[7:], max_age=ACCESS_TOKEN_LIFETIME)
    except BadSignature:
        _json_abort("invalid_token", "invalid or expired token", 401)
    if not set(scopes) & set(data.get("s", ())):
        _json_abort("insufficient_scope", "scope not granted", 403)
    tool = db_session().get(LtiTool, data.get("t"))
    if tool is None:
        _json_abort("invalid_token", "tool removed", 401)
    return tool


def _service_class(tool: LtiTool, class_id: int) -> SchoolClass:
    """The class, if the tool is deployed for its structure (a tool sees no other school's classes)."""
    session = db_session()
    school_class = session.get(SchoolClass, class_id)
    if school_class is None or deployment_for(session, tool, school_class.structure_id) is None:
        _json_abort("forbidden", "this class is outside the tool's deployments", 403)
    return school_class


def _members(session: Session, school_class: SchoolClass, profile: str | None = None) -> list[User]:
    query = (select(User, Group.profile).join(GroupMember, GroupMember.user_id == User.id)
             .join(Group, Group.id == GroupMember.group_id).where(Group.class_id == school_class.id))
    if profile:
        query = query.where(Group.profile == profile)
    seen: dict[int, User] = {}
    for user, _profile in session.execute(query.order_by(User.last_name, User.first_name)):
        seen.setdefault(user.id, user)
    return list(seen.values())


@bp.route("/nrps/<int:class_id>")
@public_endpoint  # a tool's call, authenticated by its bearer token
@csrf_exempt
@before_charter
def nrps(class_id: int):
    session = db_session()
    tool = _bearer_tool(SCOPE_NRPS)
    school_class = _service_class(tool, class_id)
    released = connector_released_attributes(tool.launch_key, school_class.structure_id)
    members = []
    for user in _members(session, school_class):
        member = {"status": "Active", "user_id": opaque_id("user", tool.client_id, user.id),
                  "roles": [r for r in lti_roles(user, school_class.structure_id) if r.startswith(MEMBERSHIP)]}
        member.update(_person_claims(user, released))
        members.append(member)
    body = {"id": request.base_url, "members": members,
            "context": {"id": opaque_id("class", tool.client_id, school_class.id), "label": school_class.name,
                        "title": f"{school_class.name} · {school_class.structure.name}"}}
    response = jsonify(body)
    response.content_type = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
    return response


def _line_item_json(item: LtiLineItem) -> dict[str, Any]:
    body: dict[str, Any] = {"id": issuer() + url_for("lti13.line_item", class_id=item.class_id, item_id=item.id),
                            "label": item.label, "scoreMaximum": item.score_maximum}
    for key, value in (("resourceLinkId", item.resource_link_id), ("resourceId", item.resource_id),
                       ("tag", item.tag)):
        if value:
            body[key] = value
    return body


@bp.route("/ags/<int:class_id>/lineitems", methods=["GET", "POST"])
@public_endpoint  # a tool's call, authenticated by its bearer token
@csrf_exempt
@before_charter
def line_items(class_id: int):
    session = db_session()
    if request.method == "POST":
        tool = _bearer_tool(SCOPE_LINEITEM)
        school_class = _service_class(tool, class_id)
        data = request.get_json(silent=True, force=True)
        if not isinstance(data, dict) or not str(data.get("label") or "").strip():
            return _json_error("invalid_request", "label required", 400)
        try:
            maximum = float(data["scoreMaximum"])
        except (KeyError, TypeError, ValueError):
            return _json_error("invalid_request", "scoreMaximum must be a number", 400)
        if not (math.isfinite(maximum) and maximum > 0):
            return _json_error("invalid_request", "scoreMaximum must be positive", 400)
        item = LtiLineItem(tool_id=tool.id, class_id=school_class.id, label=str(data["label"])[:200],
                           score_maximum=maximum, resource_link_id=_short(data.get("resourceLinkId"), 64),
                           resource_id=_short(data.get("resourceId"), 200), tag=_short(data.get("tag"), 200))
        session.add(item)
        session.commit()
        response = jsonify(_line_item_json(item))
        response.status_code = 201
        response.content_type = "application/vnd.ims.lis.v2.lineitem+json"
        return response
    tool = _bearer_tool(SCOPE_LINEITEM, SCOPE_LINEITEM_READ)
    school_class = _service_class(tool, class_id)
    query = select(LtiLineItem).where(LtiLineItem.tool_id == tool.id, LtiLineItem.class_id == school_class.id)
    for arg, column in (("resource_link_id", LtiLineItem.resource_link_id), ("resource_id", LtiLineItem.resource_id),
                        ("tag", LtiLineItem.tag)):
        if request.args.get(arg):
            query = query.where(column == request.args[arg])
    response = jsonify([_line_item_json(item) for item in session.scalars(query.order_by(LtiLineItem.id))])
    response.content_type = "application/vnd.ims.lis.v2.lineitemcontainer+json"
    return response


def _short(value: Any, length: int) -> str | None:
    return str(value)[:length] if value not in (None, "") else None


def _tool_line_item(tool: LtiTool, class_id: int, item_id: int) -> LtiLineItem:
    item = db_session().get(LtiLineItem, item_id)
    if item is None or item.tool_id != tool.id or item.class_id != class_id:
        _json_abort("not_found", "no such line item", 404)
    return item


@bp.route("/ags/<int:class_id>/lineitems/<int:item_id>", methods=["GET", "DELETE"])
@public_endpoint  # a tool's call, authenticated by its bearer token
@csrf_exempt
@before_charter
def line_item(class_id: int, item_id: int):
    session = db_session()
    if request.method == "DELETE":
        tool = _bearer_tool(SCOPE_LINEITEM)
        session.delete(_tool_line_item(tool, class_id, item_id))
        session.commit()
        return "", 204
    tool = _bearer_tool(SCOPE_LINEITEM, SCOPE_LINEITEM_READ)
    response = jsonify(_line_item_json(_tool_line_item(tool, class_id, item_id)))
    response.content_type = "application/vnd.ims.lis.v2.lineitem+json"
    return response


ACTIVITY = {"Initialized", "Started", "InProgress", "Submitted", "Completed"}
GRADING = {"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}


def _student_by_opaque_id(session: Session, tool: LtiTool, school_class: SchoolClass, user_id: str) -> User | None:
    return next((u for u in _members(session, school_class, Profile.STUDENT)
                 if opaque_id("user", tool.client_id, u.id) == user_id), None)


@bp.route("/ags/<int:class_id>/lineitems/<int:item_id>/scores", methods=["POST"])
@public_endpoint  # a tool's call, authenticated by its bearer token
@csrf_exempt
@before_charter
def scores(class_id: int, item_id: int):
    session = db_session()
    tool = _bearer_tool(SCOPE_SCORE)
    school_class = _service_class(tool, class_id)
    item = _tool_line_item(tool, class_id, item_id)
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        return _json_error("invalid_request", "a JSON score is expected", 400)
    student = _student_by_opaque_id(session, tool, school_class, str(data.get("userId", "")))
    if student is None:
        return _json_error("invalid_request", "userId is not a student of this class", 400)
    if data.get("activityProgress") not in ACTIVITY or data.get("gradingProgress") not in GRADING:
        return _json_error("invalid_request", "activityProgress and gradingProgress required", 400)
    try:
        given = None if data.get("scoreGiven") is None else float(data["scoreGiven"])
        maximum = None if data.get("scoreMaximum") is None else float(data["scoreMaximum"])
    except (TypeError, ValueError):
        return _json_error("invalid_request", "scoreGiven and scoreMaximum must be numbers", 400)
    if given is not None and (maximum is None or not (math.isfinite(given) and math.isfinite(maximum))
                              or maximum <= 0 or given < 0):
        return _json_error("invalid_request", "scoreGiven needs a positive scoreMaximum", 400)
    stamp = _timestamp(data.get("timestamp"))
    score = session.scalar(select(LtiScore).where(LtiScore.line_item_id == item.id,
                                                  LtiScore.user_id == student.id))
    if score is not None and score.timestamp > stamp:
        return "", 204  # older than what we have: ignored, as the spec asks
    if score is None:
        score = LtiScore(line_item_id=item.id, user_id=student.id)
        session.add(score)
    score.score_given, score.score_maximum, score.timestamp = given, maximum, stamp
    score.activity_progress, score.grading_progress = data["activityProgress"], data["gradingProgress"]
    score.comment = str(data["comment"])[:2000] if data.get("comment") else None
    session.commit()
    return "", 204


def _timestamp(raw: Any) -> datetime:
    try:
        stamp = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return utcnow()
    return stamp.astimezone(UTC).replace(tzinfo=None) if stamp.tzinfo else stamp


@bp.route("/ags/<int:class_id>/lineitems/<int:item_id>/results")
@public_endpoint  # a tool's call, authenticated by its bearer token
@csrf_exempt
@before_charter
def results(class_id: int, item_id: int):
    session = db_session()
    tool = _bearer_tool(SCOPE_RESULT)
    item = _tool_line_item(tool, class_id, item_id)
    rows = session.scalars(select(LtiScore).where(LtiScore.line_item_id == item.id, LtiScore.score_given.is_not(None)))
    line_item_url = _line_item_json(item)["id"]
    body = [{"id": f"{line_item_url}/results/{row.id}", "scoreOf": line_item_url,
             "userId": opaque_id("user", tool.client_id, row.user_id), "resultScore": row.score_given,
             "resultMaximum": row.score_maximum, **({"comment": row.comment} if row.comment else {})}
            for row in rows]
    response = jsonify(body)
    response.content_type = "application/vnd.ims.lis.v2.resultcontainer+json"
    return response
