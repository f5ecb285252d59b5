"""The answers of the CAS server: CAS 2/3 XML or JSON, SAML 1.1 (samlValidate) and the SAML 2 LogoutRequest of
single logout. Built as strings: every value goes through :func:`xml.sax.saxutils.escape`."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from flask import Response

CAS_NS = "http://www.yale.edu/tp/cas"
SAML1_PROTOCOL = "urn:oasis:names:tc:SAML:1.0:protocol"
SAML1_ASSERTION = "urn:oasis:names:tc:SAML:1.0:assertion"
SAML2_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML2_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
CAS_ATTRIBUTE_NAMESPACE = "http://www.ja-sig.org/products/cas/"
XML_TYPE = "application/xml; charset=utf-8"


def _instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _response(body: str, as_json: bool) -> Response:
    response = Response(body, mimetype="application/json" if as_json else None,
                        content_type=None if as_json else XML_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


def failure(code: str, message: str, *, as_json: bool = False, element: str = "authenticationFailure") -> Response:
    if as_json:
        return _response(json.dumps({"serviceResponse": {element: {"code": code, "description": message}}}), True)
    return _response(f'<cas:serviceResponse xmlns:cas="{CAS_NS}">\n  <cas:{element} code={quoteattr(code)}>'
                     f"{escape(message)}</cas:{element}>\n</cas:serviceResponse>\n", False)


def success(user: str, attributes: dict[str, list[str]] | None, *, pgt_iou: str | None = None,
            proxies: list[str] | None = None, as_json: bool = False) -> Response:
    if as_json:
        body: dict = {"user": user}
        if attributes is not None:
            body["attributes"] = attributes
        if pgt_iou:
            body["proxyGrantingTicket"] = pgt_iou
        if proxies:
            body["proxies"] = proxies
        return _response(json.dumps({"serviceResponse": {"authenticationSuccess": body}}), True)
    parts = [f'<cas:serviceResponse xmlns:cas="{CAS_NS}">\n  <cas:authenticationSuccess>\n',
             f"    <cas:user>{escape(user)}</cas:user>\n"]
    if attributes is not None:
        parts.append("    <cas:attributes>\n")
        for name, values in attributes.items():
            parts.extend(f"      <cas:{name}>{escape(value)}</cas:{name}>\n" for value in values)
        parts.append("    </cas:attributes>\n")
    if pgt_iou:
        parts.append(f"    <cas:proxyGrantingTicket>{escape(pgt_iou)}</cas:proxyGrantingTicket>\n")
    if proxies:
        parts.append("    <cas:proxies>\n")
        parts.extend(f"      <cas:proxy>{escape(proxy)}</cas:proxy>\n" for proxy in proxies)
        parts.append("    </cas:proxies>\n")
    parts.append("  </cas:authenticationSuccess>\n</cas:serviceResponse>\n")
    return _response("".join(parts), False)


def proxy_success(ticket: str, *, as_json: bool = False) -> Response:
    if as_json:
        return _response(json.dumps({"serviceResponse": {"proxySuccess": {"proxyTicket": ticket}}}), True)
    return _response(f'<cas:serviceResponse xmlns:cas="{CAS_NS}">\n  <cas:proxySuccess>\n'
                     f"    <cas:proxyTicket>{escape(ticket)}</cas:proxyTicket>\n"
                     "  </cas:proxySuccess>\n</cas:serviceResponse>\n", False)


def _soap(body: str) -> Response:
    return _response('<?xml version="1.0" encoding="UTF-8"?>\n'
                     '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
                     f"<SOAP-ENV:Header/><SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>", False)


def _saml_response_open(now: datetime, in_response_to: str, status: str, message: str = "") -> str:
    text = f"<samlp:StatusMessage>{escape(message)}</samlp:StatusMessage>" if message else ""
    return (f'<samlp:Response xmlns:samlp="{SAML1_PROTOCOL}" xmlns:saml="{SAML1_ASSERTION}" '
            f'IssueInstant="{_instant(now)}" MajorVersion="1" MinorVersion="1" '
            f'ResponseID="_{secrets.token_hex(16)}" InResponseTo={quoteattr(in_response_to)}>'
            f'<samlp:Status><samlp:StatusCode Value="samlp:{status}"/>{text}</samlp:Status>')


def saml_failure(now: datetime, in_response_to: str, message: str) -> Response:
    return _soap(_saml_response_open(now, in_response_to, "Responder", message) + "</samlp:Response>")


def saml_success(now: datetime, in_response_to: str, issuer: str, service: str, user: str,
                 attributes: dict[str, list[str]], authenticated_at: datetime) -> Response:
    subject = (f"<saml:Subject><saml:NameIdentifier>{escape(user)}</saml:NameIdentifier>"
               "<saml:SubjectConfirmation><saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:artifact"
               "</saml:ConfirmationMethod></saml:SubjectConfirmation></saml:Subject>")
    statements = "".join(
        f'<saml:Attribute AttributeName={quoteattr(name)} AttributeNamespace="{CAS_ATTRIBUTE_NAMESPACE}">'
        + "".join(f"<saml:AttributeValue>{escape(v)}</saml:AttributeValue>" for v in values)
        + "</saml:Attribute>" for name, values in attributes.items())
    attribute_statement = f"<saml:AttributeStatement>{subject}{statements}</saml:AttributeStatement>" \
        if attributes else ""
    assertion = (f'<saml:Assertion AssertionID="_{secrets.token_hex(16)}" IssueInstant="{_instant(now)}" '
                 f'Issuer={quoteattr(issuer)} MajorVersion="1" MinorVersion="1">'
                 f'<saml:Conditions NotBefore="{_instant(now)}" '
                 f'NotOnOrAfter="{_instant(now + timedelta(seconds=30))}">'
                 f"<saml:AudienceRestrictionCondition><saml:Audience>{escape(service)}</saml:Audience>"
                 "</saml:AudienceRestrictionCondition></saml:Conditions>"
                 f"{attribute_statement}"
                 f'<saml:AuthenticationStatement AuthenticationInstant="{_instant(authenticated_at)}" '
                 f'AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:password">{subject}'
                 "</saml:AuthenticationStatement></saml:Assertion>")
    return _soap(_saml_response_open(now, in_response_to, "Success") + assertion + "</samlp:Response>")


def logout_request(now: datetime, session_index: str) -> str:
    """The SAML 2 LogoutRequest that CAS POSTs (form field ``logoutRequest``) for single logout."""
    return (f'<samlp:LogoutRequest xmlns:samlp="{SAML2_PROTOCOL}" xmlns:saml="{SAML2_ASSERTION}" '
            f'ID="_{secrets.token_hex(16)}" Version="2.0" IssueInstant="{_instant(now)}">'
            "<saml:NameID>@NOT_USED@</saml:NameID>"
            f"<samlp:SessionIndex>{escape(session_index)}</samlp:SessionIndex></samlp:LogoutRequest>")
