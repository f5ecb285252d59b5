"""A minimal LTI 1.3 tool built on pylti1p3 (its Flask adapter), served on its own loopback port, and the
fixtures that register it in Préau (served by ``live_server``) for the LTI 1.3 tests.

The test plays the browser with a ``requests.Session``: logs in to Préau, opens the launch page, follows the
redirect to the tool's login initiation, then to ``/lti13/auth``, and POSTs the auto-submitted form to the tool.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException
from pylti1p3.tool_config import ToolConfDict
from werkzeug.serving import make_server

from preau.portal.services import add_connector, configure_connector
from preau.testing import TEST_PASSWORD
from preau_plugins.lti.tools import ToolForm, register_tool


def rsa_pair() -> tuple[str, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private_pem, public_pem


@dataclass
class ToolServer:
    """The tool: ``/login`` (OIDC initiation), ``/launch`` (id_token POST, validated by pylti1p3),
    ``/jwks.json``. ``launches`` keeps each validated message launch for the test to use its services."""

    url: str = ""
    private_pem: str = ""
    public_pem: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    launches: list[FlaskMessageLaunch] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    deep_link_items: list[DeepLinkResource] = field(default_factory=list)

    def tool_conf(self) -> ToolConfDict:
        conf = ToolConfDict(self.config)
        for iss, registration in self.config.items():
            conf.set_private_key(iss, self.private_pem, client_id=registration["client_id"])
            conf.set_public_key(iss, self.public_pem, client_id=registration["client_id"])
        return conf

    def register_platform(self, issuer: str, client_id: str, deployment_ids: list[str]) -> None:
        self.config = {issuer: {"default": True, "client_id": client_id,
                                "auth_login_url": f"{issuer}/lti13/auth",
                                "auth_token_url": f"{issuer}/lti13/token",
                                "key_set_url": f"{issuer}/lti13/jwks.json", "key_set": None,
                                "deployment_ids": deployment_ids}}

    def make_app(self) -> Flask:
        tool = Flask("lti13_test_tool")
        tool.secret_key = "tool-test-secret"  # noqa: S105
        tool.config["SESSION_COOKIE_NAME"] = "tool_session"  # both servers live on "localhost"

        @tool.route("/login", methods=["GET", "POST"])
        def login():
            request = FlaskRequest()
            return FlaskOIDCLogin(request, self.tool_conf()).redirect(request.get_param("target_link_uri"))

        @tool.route("/launch", methods=["POST"])
        def launch():
            message_launch = FlaskMessageLaunch(FlaskRequest(), self.tool_conf())
            try:
                data = message_launch.get_launch_data()
            except LtiException as error:
                self.errors.append(str(error))
                return jsonify(error=str(error)), 400
            self.launches.append(message_launch)
            if message_launch.is_deep_link_launch():
                return message_launch.get_deep_link().output_response_form(self.deep_link_items)
            return jsonify(launched=True, sub=data["sub"])

        @tool.route("/jwks.json")
        def jwks():
            return jsonify(self.tool_conf().get_jwks())

        return tool


@pytest.fixture
def lti_tool() -> Iterator[ToolServer]:
    private_pem, public_pem = rsa_pair()
    tool = ToolServer(private_pem=private_pem, public_pem=public_pem)
    server = make_server("127.0.0.1", 0, tool.make_app(), threaded=False)
    tool.url = f"http://localhost:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="lti13-tool", daemon=True)
    thread.start()
    try:
        yield tool
    finally:
        server.shutdown()
        thread.join(timeout=5)


@dataclass
class LtiSetup:
    app: Any
    db: Any
    school: Any
    preau: str  # Préau's base URL (live server)
    tool: ToolServer
    registration: Any  # LtiTool
    connector: Any  # StructureConnector "elea"

    def browser(self, user: Any) -> requests.Session:
        """A requests session logged in to Préau as ``user`` through the real login form."""
        session = requests.Session()
        token = session.get(f"{self.preau}/auth/csrf-token", timeout=10).json()["csrf_token"]
        response = session.post(f"{self.preau}/auth/login", data={"login": user.login, "password": TEST_PASSWORD,
                                                                   "csrf_token": token},
                                allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text[:500]
        return session

    def launch_url(self) -> str:
        return f"{self.preau}/launch/connector:elea"


def form_of(html: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the (auto-submitted) form of a page."""
    action = unescape(re.search(r'<form[^>]*action="([^"]+)"', html).group(1))
    fields = {unescape(name): unescape(value) for name, value in
              re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}
    return action, fields


def follow_to_auth(browser: requests.Session, start_url: str) -> requests.Response:
    """Open a launch URL and follow the redirects (Préau → tool login initiation → Préau /lti13/auth)."""
    return browser.get(start_url, timeout=10)


def complete_launch(browser: requests.Session, start_url: str) -> requests.Response:
    """The whole launch as a browser does it: redirects, then POST of the auto-submitted id_token form."""
    page = follow_to_auth(browser, start_url)
    assert page.status_code == 200, page.text[:800]
    action, fields = form_of(page.text)
    return browser.post(action, data=fields, timeout=10)


@pytest.fixture
def lti_setup(app, db, live_server, school, lti_tool, enable_plugin) -> LtiSetup:
    enable_plugin("lti", school.structure)  # its class pages (the tiles open wherever the plugin is installed)
    connector = add_connector(db, school.structure, "elea")
    configure_connector(db, connector, values={"instance": "test", "client_id": "x", "deployment_id": "y"},
                        secrets={}, profiles=["teacher", "student"], enabled=True,
                        attributes=["login", "display_name", "first_name", "last_name", "email"])
    registration = register_tool(db, school.structure, ToolForm(
        name="Éléa test", launch_key="connector:elea", login_url=f"{lti_tool.url}/login",
        target_link_uri=f"{lti_tool.url}/launch", redirect_uris=[f"{lti_tool.url}/launch"],
        jwks_url=f"{lti_tool.url}/jwks.json", deep_link_url=f"{lti_tool.url}/launch",
        services=("nrps", "ags")), allow_local_http=True)
    deployment_id = registration_deployment(db, registration)
    lti_tool.register_platform(live_server.url, registration.client_id, [deployment_id])
    db.commit()
    return LtiSetup(app, db, school, live_server.url, lti_tool, registration, connector)


def registration_deployment(db, registration) -> str:
    from sqlalchemy import select

    from preau_plugins.lti.models import LtiDeployment

    return db.scalar(select(LtiDeployment.deployment_id).where(LtiDeployment.tool_id == registration.id))
