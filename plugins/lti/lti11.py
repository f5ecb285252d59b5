"""LTI 1.1 consumer: Préau opens an LTI 1.1 tool (a Moodle, an exerciser…) with a signed launch form.

The form is an OAuth 1.0a "body" signature (HMAC-SHA1) made by oauthlib over the launch parameters, with the
consumer key and shared secret the structure's administrator typed in the connector. The browser POSTs it to the
tool at once (:func:`preau.autosubmit_page`). The tool checks the signature, the timestamp and the
nonce: Préau keeps no state for a launch.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl

from flask import abort, current_app, request, url_for
from flask.typing import ResponseReturnValue
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_BODY, Client
from sqlalchemy.orm import Session

from preau import (
    Function,
    Launch,
    Profile,
    Role,
    Structure,
    User,
    autosubmit_page,
    children_of,
    classes_of,
    db_session,
    released_values,
)

# LIS roles of LTI 1.1 (context roles, short form; institution roles as URNs).
PROFILE_ROLES: dict[str, tuple[str, ...]] = {
    Profile.TEACHER: ("Instructor",),
    Profile.STUDENT: ("Learner",),
    Profile.RELATIVE: ("Mentor",),
    Profile.PERSONNEL: ("urn:lti:instrole:ims/lis/Staff",),
    Profile.GUEST: ("urn:lti:instrole:ims/lis/Guest",),
}
ADMINISTRATOR = "Administrator"
ADMIN_FUNCTIONS = {Function.ADMIN_LOCAL, Function.SUPER_ADMIN}


def opaque_id(kind: str, consumer_key: str, number: int) -> str:
    """A stable identifier that tells the tool nothing (not the database id) and differs from tool to tool,
    so two tools cannot match their users. Stable as long as the instance's SECRET_KEY is."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"lti11|{kind}|{consumer_key}|{number}".encode(), hashlib.sha256).hexdigest()[:32]


def lis_roles(user: User, role: Role) -> list[str]:
    """The person's LIS roles in the structure through which the tool reaches them."""
    profiles = [r.profile for r in user.roles if r.structure_id == role.structure_id] or [role.profile]
    roles: list[str] = []
    for profile in sorted(set(profiles)):
        roles.extend(PROFILE_ROLES.get(profile, ()))
    if any(f.code in ADMIN_FUNCTIONS and f.structure_id in (None, role.structure_id) for f in user.functions):
        roles.append(ADMINISTRATOR)
    return roles


def _context(session: Session, launch: Launch, consumer_key: str) -> dict[str, str]:
    """The context is the person's class in the structure (a parent's: their child's); else the school."""
    structure_id = launch.role.structure_id
    classes = [c for c in classes_of(session, launch.user) if c.structure_id == structure_id]
    if classes:
        school_class = classes[0]
        return {"context_id": opaque_id("class", consumer_key, school_class.id),
                "context_title": f"{school_class.name} · {school_class.structure.name}",
                "context_label": school_class.name, "context_type": "CourseSection"}
    structure = session.get(Structure, structure_id)
    return {"context_id": opaque_id("structure", consumer_key, structure_id),
            "context_title": structure.name if structure else "", "context_label": structure.uai or ""
            if structure else "", "context_type": "Group"}


LIS_PERSON = {"display_name": "lis_person_name_full", "first_name": "lis_person_name_given",
              "last_name": "lis_person_name_family", "email": "lis_person_contact_email_primary",
              "login": "lis_person_sourcedid", "external_id": "ext_preau_external_id"}


def _person(launch: Launch) -> dict[str, str]:
    """``lis_person_*`` only for the attributes the connector releases."""
    return {LIS_PERSON[name]: value for name, value in released_values(launch.user, launch.attributes).items()
            if name in LIS_PERSON}


def launch_parameters(session: Session, launch: Launch) -> dict[str, str]:
    """The unsigned LTI 1.1 basic launch parameters for this person and connector."""
    consumer_key = launch.values.get("consumer_key", "")
    roles = lis_roles(launch.user, launch.role)
    fields = {
        "lti_message_type": "basic-lti-launch-request",
        "lti_version": "LTI-1p0",
        "resource_link_id": opaque_id("link", launch.key, launch.structure_id),
        "resource_link_title": launch.name,
        "user_id": opaque_id("user", consumer_key, launch.user.id),
        "roles": ",".join(roles),
        **_context(session, launch, consumer_key),
        **_person(launch),
        "launch_presentation_locale": "fr-FR",
        "launch_presentation_document_target": "window",
        "launch_presentation_return_url": url_for("portal.my_apps", _external=True),
        "tool_consumer_info_product_family_code": "preau",
        "tool_consumer_instance_guid": request.host,
        "tool_consumer_instance_name": "Préau",
    }
    if "Mentor" in roles:
        children = children_of(session, launch.user)
        if children:
            fields["role_scope_mentor"] = ",".join(opaque_id("user", consumer_key, c.id) for c in children)
    return fields


def signed_launch(url: str, fields: dict[str, str], consumer_key: str, shared_secret: str) -> dict[str, str]:
    """``fields`` plus the OAuth 1.0a HMAC-SHA1 body signature (oauthlib) for a POST to ``url``."""
    client = Client(consumer_key, client_secret=shared_secret, signature_method=SIGNATURE_HMAC_SHA1,
                    signature_type=SIGNATURE_TYPE_BODY)
    _uri, _headers, body = client.sign(url, http_method="POST", body=fields,
                                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    return dict(parse_qsl(body, keep_blank_values=True))


def launch_lti11(launch: Launch) -> ResponseReturnValue:
    """The launcher of ``lti11`` connectors: the signed form, auto-POSTed to the tool."""
    consumer_key = launch.values.get("consumer_key")
    shared_secret = launch.secrets.get("shared_secret")
    if not consumer_key or not shared_secret:
        abort(404)  # an unconfigured connector does not reach anyone
    fields = launch_parameters(db_session(), launch)
    return autosubmit_page(launch.url, signed_launch(launch.url, fields, consumer_key, shared_secret),
                           title=launch.name)
