"""Préau's CAS server (Apereo CAS protocol 1, 2 and 3, SAML 1.1 validation, single logout).

Services are the CAS connectors that reach the person (see :mod:`preau.sso.cas_tickets` for the rule); the
SSO session is Préau's login session, so a logged-in person gets a service ticket without typing a password.
The password is checked by the kernel's login service (:func:`preau.auth.service.authenticate`) behind the
kernel's login form. Endpoints called by services (validation, proxy, samlValidate) are CSRF-exempt and open.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any
from xml.etree import ElementTree

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..auth import service as auth_service
from ..auth import sessions
from ..auth import views as auth_views  # the kernel's login helpers: one password check in Préau
from ..auth.forms import LoginForm, LogoutForm
from ..db import db_session, prepare_write
from ..errors import PreauError
from ..extensions import OPEN_ENDPOINTS, csrf
from ..jobs import enqueue, job_handler
from ..models import CasTicket, Job, StructureConnector, User
from ..models._time import utcnow
from ..portal.catalogue import PLACEHOLDER_VALUE, catalogue, placeholders_of
from ..web import client_ip
from . import cas_tickets as tickets
from . import cas_xml as xml
from .launch import request_access

bp = Blueprint("cas", __name__, url_prefix="/cas")

GRANT_MEMORY_SECONDS = 60  # how long a login session reuses the reach computed for a service
FRESH_LOGIN_SECONDS = 60  # the password typed at /cas/login counts as "primary credentials" this long
LOGOUT_JOB = "cas.single_logout"
SAML_MAX_BYTES = 16 * 1024
HOST_LABEL = r"[A-Za-z0-9][A-Za-z0-9-]{0,62}"  # one DNS label: a placeholder cannot add dots or a port
_VALIDATION_ENDPOINTS = ("validate", "service_validate", "proxy_validate", "p3_service_validate",
                         "p3_proxy_validate", "proxy", "saml_validate")


@bp.before_request
def _every_cas_request_writes() -> None:
    """Tickets are issued or used up by GETs: on SQLite the transaction must begin IMMEDIATE."""
    prepare_write(db_session())


def _registry() -> Any:
    return current_app.extensions["preau.plugins"]


def _flag(name: str) -> bool:
    return (request.values.get(name) or "").lower() in ("true", "1", "yes", "on")


def _sso_session() -> str:
    return tickets.sso_session_of(session.get("sid"))


def _with_ticket(service: str, ticket: str) -> str:
    base, hash_mark, fragment = service.partition("#")
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}{urllib.parse.urlencode({'ticket': ticket})}{hash_mark}{fragment}"


def _refused_page(reason: str, status: int = 403, service: str | None = None) -> Response:
    """A clear page for the person: no ticket, no redirect."""
    audit.record(db_session(), "security.cas_service_refused", actor=current_user.get_id() and current_user.id,
                 ip=client_ip(), service=auth_service.loggable(service or "", 200), reason=reason)
    db_session().commit()
    return Response(render_template("sso/cas_refused.html", reason=reason), status)


# -- login -----------------------------------------------------------------------------------------------


def registered_anywhere(session_: Session, service: str) -> bool:
    """Whether ``service`` lies under an enabled CAS data connector of any structure (gateway and logout of a
    person who is not logged in, where there is nobody to check the grant for). A placeholder of the host
    (``{uai}``) matches host-name characters only, as administrators' values do."""
    ids = [e.id for e in catalogue().values() if e.kind == "cas"]
    rows = session_.execute(select(StructureConnector.catalogue_id, StructureConnector.values).where(
        StructureConnector.catalogue_id.in_(ids), StructureConnector.enabled.is_(True))).all()
    wanted = urllib.parse.urlsplit(service)
    for catalogue_id, values in rows:
        template = catalogue()[catalogue_id].url
        filled = {k: v for k, v in (values or {}).items() if isinstance(v, str) and PLACEHOLDER_VALUE.match(v)}
        parts = urllib.parse.urlsplit(template)
        netloc = re.escape(parts.netloc)
        for name in placeholders_of(parts.netloc):
            value = re.escape(filled[name]) if name in filled else HOST_LABEL
            netloc = netloc.replace(re.escape("{" + name + "}"), value)
        if not re.fullmatch(netloc, wanted.netloc, re.IGNORECASE):
            continue
        try:
            path = parts.path.format(**{n: filled.get(n, "") for n in placeholders_of(parts.path)})
        except (KeyError, ValueError):
            continue
        if tickets.service_matches(service, urllib.parse.urlunsplit((parts.scheme, wanted.netloc, path, "", ""))):
            return True
    return False


@bp.route("/login", methods=["GET", "POST"])
def login():
    raw = request.values.get("service")
    service = tickets.well_formed_service(raw)
    if raw and service is None:
        return _refused_page("malformed", 400, raw)
    renew = _flag("renew")
    gateway = _flag("gateway") and not renew  # the specification: renew wins over gateway
    if request.method == "POST":
        return _login_submitted(service, renew)
    fresh = _take_fresh_login(service)
    if current_user.is_authenticated and (fresh or not renew):
        if not service:
            return redirect(url_for("portal.dashboard"))
        return _grant(service, primary=fresh)
    if gateway and service:
        if registered_anywhere(db_session(), service):
            return redirect(service)
        return _refused_page("unknown_service", 403, service)
    return render_template("sso/cas_login.html", form=LoginForm(), service=service or "", renew=renew)


def _take_fresh_login(service: str | None) -> bool:
    """Whether the password was typed a moment ago for this service. The mark is in the cookie, so it is made
    single-use on the server: a login session issues one primary ticket, and a replayed cookie finds it."""
    fresh = session.pop("cas_fresh", None)
    return (isinstance(fresh, dict) and fresh.get("service") == (service or "")
            and time.time() - fresh.get("at", 0) < FRESH_LOGIN_SECONDS
            and not tickets.primary_issued(db_session(), _sso_session()))


def _login_submitted(service: str | None, renew: bool):
    form = LoginForm()
    page: dict[str, Any] = {"service": service or "", "renew": renew}
    if not form.validate_on_submit():
        return auth_views._invalid_form("sso/cas_login.html", form, form.login.data or "", "auth.login_failed",
                                        **page)
    try:
        user = auth_service.authenticate(db_session(), form.login.data, form.password.data, auth_views._ctx())
    except auth_service.AuthError as error:
        return auth_views._refused("sso/cas_login.html", error, status=401, form=form, **page)
    auth_views._start_session(user)
    session["cas_fresh"] = {"service": service or "", "at": time.time()}
    # Back to GET: the charter check of every page runs before any ticket is issued.
    return redirect(url_for("cas.login", service=service or None, renew="true" if renew else None))


def _remembered_launch(user: Any, service: str) -> tickets.Launch | None:
    """The grant found for this service a moment ago in this login session, checked again cheaply: the
    connector is still enabled (its attributes read afresh) and the person still holds the role. Computing
    everything that reaches a person is the dearest part of issuing a ticket, and services ask often."""
    now = time.time()
    for item in session.get("cas_grants") or ():
        if now - item["at"] > GRANT_MEMORY_SECONDS or not tickets.service_matches(service, item["base"]):
            continue
        role = next((r for r in user.roles if r.id == item["role"]), None)
        row = db_session().execute(select(StructureConnector.enabled, StructureConnector.attributes).where(
            StructureConnector.id == item["connector"])).first()
        if role is None or row is None or not row.enabled:
            return None
        return tickets.Launch(item["key"], "cas", "", service, item["base"], user, role, item["structure"],
                              attributes=tuple(row.attributes or ("login",)), connector_id=item["connector"])
    return None


def _remember(launch: tickets.Launch) -> None:
    if launch.connector_id is None:
        return  # plugin connectors: their grant comes from rights, computed each time
    kept = [item for item in session.get("cas_grants") or () if item["base"] != launch.base_url][-7:]
    session["cas_grants"] = [*kept, {"base": launch.base_url, "key": launch.key, "role": launch.role.id,
                                     "structure": launch.structure_id, "connector": launch.connector_id,
                                     "at": time.time()}]


def _grant(service: str, *, primary: bool):
    user = current_user._get_current_object()
    launch = _remembered_launch(user, service)
    if launch is None:
        launch = tickets.authorised_launch(db_session(), _registry(), user, service, access=request_access(user))
        if launch is not None:
            _remember(launch)
    if launch is None:
        return _refused_page("not_granted", 403, service)
    ticket = tickets.issue(db_session(), current_app.config, "ST", user_id=user.id, service=service,
                           sso_session=_sso_session(), launch=launch, primary=primary)
    db_session().commit()
    return redirect(_with_ticket(service, ticket.id))


# -- validation ------------------------------------------------------------------------------------------


class _Refusal(PreauError):
    """A CAS validation failure: ``code`` as the protocol names it, the message for the service."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, reason=code)
        self.code = code


def _check_ticket(ticket_id: str | None, service: str | None, kinds: tuple[str, ...], renew: bool) -> CasTicket:
    """The consumed ticket, or :class:`_Refusal` with the CAS error code. Any attempt uses the ticket up."""
    if not ticket_id or not service:
        raise _Refusal("INVALID_REQUEST", "Les paramètres « ticket » et « service » sont obligatoires.")
    prefix = ticket_id.split("-", 1)[0]
    if prefix not in ("ST", "PT"):
        raise _Refusal("INVALID_TICKET", "Ticket inconnu.")
    if prefix not in kinds:
        tickets.consume(db_session(), ticket_id, ("ST", "PT"))
        db_session().commit()
        raise _Refusal("INVALID_TICKET_SPEC", "Un ticket de mandataire (PT) ne se valide que par proxyValidate.")
    ticket = tickets.consume(db_session(), ticket_id, kinds)
    db_session().commit()
    if ticket is None:
        raise _Refusal("INVALID_TICKET", "Ticket inconnu, expiré ou déjà utilisé.")
    if ticket.service != service:
        raise _Refusal("INVALID_SERVICE", "Ce ticket n'a pas été délivré pour ce service.")
    if renew and not ticket.primary:
        raise _Refusal("INVALID_TICKET_SPEC", "Le service exige une saisie du mot de passe (renew).")
    return ticket


def _proxy_callback(ticket: CasTicket, pgt_url: str) -> str | None:
    """Issue a PGT to ``pgt_url`` (https, a service of the same person) and return its IOU, or None when the
    callback does not answer 200 (the validation still succeeds, without PGT)."""
    url = tickets.well_formed_service(pgt_url)
    if url is None or not _callback_allowed(url):
        raise _Refusal("INVALID_PROXY_CALLBACK", "L'adresse de rappel doit être en https.")
    user = db_session().get(User, ticket.user_id)
    if user is None or tickets.authorised_launch(db_session(), _registry(), user, url) is None:
        raise _Refusal("INVALID_PROXY_CALLBACK", "L'adresse de rappel n'est pas un service autorisé.")
    pgt = tickets.issue(db_session(), current_app.config, "PGT", user_id=ticket.user_id, service=url,
                        sso_session=ticket.sso_session, parent=ticket, proxies=[url, *ticket.proxies])
    iou = tickets.new_ticket("PGTIOU")
    separator = "&" if "?" in url else "?"
    callback = f"{url}{separator}{urllib.parse.urlencode({'pgtIou': iou, 'pgtId': pgt.id})}"
    if not _http_ok("GET", callback):
        db_session().delete(pgt)
        db_session().commit()
        return None
    db_session().commit()
    return iou


def _callback_allowed(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        return True
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    return local and bool(current_app.testing or current_app.config.get("CAS_ALLOW_HTTP_LOCALHOST_CALLBACK"))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a callback that redirects elsewhere has not answered


def _http_ok(method: str, url: str, data: bytes | None = None, timeout: float = 5.0) -> bool:
    opener = urllib.request.build_opener(_NoRedirect)
    request_ = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) URLs only
    if data is not None:
        request_.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with opener.open(request_, timeout=timeout) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _validation(kinds: tuple[str, ...], *, attributes: bool, v3_json: bool = True) -> Response:
    as_json = v3_json and (request.values.get("format") or "").upper() == "JSON"
    try:
        ticket = _check_ticket(request.values.get("ticket"), request.values.get("service"), kinds, _flag("renew"))
        identity = tickets.identity_of(db_session(), ticket)
        if identity is None:
            raise _Refusal("INVALID_TICKET", "Le compte n'existe plus.")
        pgt_url = request.values.get("pgtUrl")
        iou = _proxy_callback(ticket, pgt_url) if pgt_url else None
    except _Refusal as refusal:
        return xml.failure(refusal.code, refusal.message, as_json=as_json)
    return xml.success(identity.user, identity.attributes if attributes else None, pgt_iou=iou,
                       proxies=ticket.proxies if ticket.kind == "PT" else None, as_json=as_json)


@bp.route("/validate")
def validate():
    """CAS 1.0: ``yes\\n<login>\\n`` or ``no\\n\\n``."""
    try:
        ticket = _check_ticket(request.values.get("ticket"), request.values.get("service"), ("ST",),
                               _flag("renew"))
        identity = tickets.identity_of(db_session(), ticket)
    except _Refusal:
        identity = None
    body = f"yes\n{identity.user}\n" if identity else "no\n\n"
    return Response(body, content_type="text/plain; charset=utf-8", headers={"Cache-Control": "no-store"})


@bp.route("/serviceValidate")
def service_validate():
    return _validation(("ST",), attributes=False)


@bp.route("/proxyValidate")
def proxy_validate():
    return _validation(("ST", "PT"), attributes=False)


@bp.route("/p3/serviceValidate")
def p3_service_validate():
    return _validation(("ST",), attributes=True)


@bp.route("/p3/proxyValidate")
def p3_proxy_validate():
    return _validation(("ST", "PT"), attributes=True)


@bp.route("/proxy")
def proxy():
    as_json = (request.values.get("format") or "").upper() == "JSON"
    pgt_id, target = request.values.get("pgt"), request.values.get("targetService")
    if not pgt_id or not target:
        return xml.failure("INVALID_REQUEST", "Les paramètres « pgt » et « targetService » sont obligatoires.",
                           as_json=as_json, element="proxyFailure")
    pgt = tickets.live_pgt(db_session(), pgt_id)
    if pgt is None:
        return xml.failure("INVALID_TICKET", "Ticket de mandataire (PGT) inconnu ou expiré.", as_json=as_json,
                           element="proxyFailure")
    user = db_session().get(User, pgt.user_id)
    service = tickets.well_formed_service(target)
    launch = tickets.authorised_launch(db_session(), _registry(), user, service) if user and service else None
    if launch is None:
        return xml.failure("UNAUTHORIZED_SERVICE", "Ce service n'est pas autorisé pour cette personne.",
                           as_json=as_json, element="proxyFailure")
    ticket = tickets.issue(db_session(), current_app.config, "PT", user_id=pgt.user_id, service=service,
                           sso_session=pgt.sso_session, launch=launch, proxies=list(pgt.proxies))
    db_session().commit()
    return xml.proxy_success(ticket.id, as_json=as_json)


@bp.route("/samlValidate", methods=["POST"])
def saml_validate():
    """SAML 1.1 over SOAP: the service ticket in ``AssertionArtifact``, the service in ``TARGET``."""
    now = utcnow()
    body = request.get_data(cache=False)[:SAML_MAX_BYTES + 1]
    artifact, request_id = None, ""
    if len(body) <= SAML_MAX_BYTES and b"<!DOCTYPE" not in body.upper():
        try:
            root = ElementTree.fromstring(body)  # noqa: S314 - small, no DOCTYPE: no entity can expand
            node = root.find(f".//{{{xml.SAML1_PROTOCOL}}}Request")
            request_id = node.get("RequestID", "") if node is not None else ""
            found = root.find(f".//{{{xml.SAML1_PROTOCOL}}}AssertionArtifact")
            artifact = (found.text or "").strip() if found is not None else None
        except ElementTree.ParseError:
            artifact = None
    try:
        service = request.args.get("TARGET")
        ticket = _check_ticket(artifact, service, ("ST",), False)
        identity = tickets.identity_of(db_session(), ticket)
        if identity is None:
            raise _Refusal("INVALID_TICKET", "Le compte n'existe plus.")
    except _Refusal as refusal:
        return xml.saml_failure(now, request_id, f"{refusal.code}: {refusal.message}")
    return xml.saml_success(now, request_id, request.host, service, identity.user, identity.attributes,
                            ticket.created_at)


# -- logout ----------------------------------------------------------------------------------------------


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """GET asks for confirmation (an image must not log anyone out); POST, CSRF-checked, ends Préau's session,
    notifies every service that received a ticket in it, and returns to ``service`` (or ``url``) only when
    it is a registered service."""
    raw = request.values.get("service") or request.values.get("url") or ""
    service = tickets.well_formed_service(raw) if raw else None
    if request.method == "GET" and current_user.is_authenticated:
        return render_template("sso/cas_logout.html", form=LogoutForm(), service=service or "")
    back = None
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        if service and tickets.authorised_launch(db_session(), _registry(), user, service,
                                                 access=request_access(user)):
            back = service
        _single_logout(db_session(), user)
        sessions.end_session(db_session(), session.get("sid"))
        logout_user()
        session.clear()
    elif service and registered_anywhere(db_session(), service):
        back = service
    if back:
        return redirect(back)
    if raw:
        audit.record(db_session(), "security.redirect_rejected", ip=client_ip(),
                     next_url=auth_service.loggable(raw, 200), reason="cas_logout_service")
        db_session().commit()
    return render_template("sso/cas_logged_out.html")


def _single_logout(session_: Session, user: Any) -> None:
    """Queue one back-channel LogoutRequest per service of this SSO session; never wait for them."""
    sso = _sso_session()
    for service, first_ticket in tickets.services_of_sso_session(session_, sso):
        enqueue(session_, LOGOUT_JOB, {"service": service, "ticket": first_ticket}, max_attempts=2)
    tickets.end_sso_session(session_, sso)
    audit.record(session_, "auth.logout", actor=user.id, target=user, ip=client_ip(), via="cas")
    session_.commit()


@job_handler(LOGOUT_JOB)
def send_logout_request(session_: Session, job: Job) -> None:
    payload = job.payload
    message = xml.logout_request(utcnow(), payload["ticket"])
    data = urllib.parse.urlencode({"logoutRequest": message}).encode()
    if not _http_ok("POST", payload["service"], data=data, timeout=10):
        raise RuntimeError("le service n'a pas accepté la demande de déconnexion")


def init_app(app: Flask) -> None:
    for name in _VALIDATION_ENDPOINTS:
        csrf.exempt(f"{__name__}.{name}")
    app.register_blueprint(bp)
    # Services call the validation endpoints; logging out must not wait for a charter either.
    OPEN_ENDPOINTS.update({f"cas.{name}" for name in _VALIDATION_ENDPOINTS} | {"cas.logout"})
