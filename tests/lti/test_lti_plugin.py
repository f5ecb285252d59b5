"""The LTI platform is a plugin like any other: it gives the launchers of ``lti11`` and ``lti13``, its protocol
endpoints keep their addresses at the site's root, and without it Éléa (which requires it) is quarantined."""

from __future__ import annotations

from preau.plugins import PluginRegistry


def test_the_plugin_opens_the_lti_kinds_and_keeps_the_protocol_addresses(app, client):
    registry = app.extensions["preau.plugins"]
    record = registry.by_app_id("lti")
    assert record is not None and record.manifest.is_app and record.source == "builtin"
    assert set(registry.launchers()) >= {"lti11", "lti13"}
    assert client.get("/lti13/jwks.json").get_json()["keys"][0]["alg"] == "RS256"  # public, no login
    assert client.post("/lti13/token", data={"grant_type": "client_credentials"}).status_code == 400  # no CSRF
    assert "/auth/login" in client.get("/lti13/auth").headers["Location"]


def test_without_the_plugin_eleas_lti13_connector_quarantines_it():
    registry = PluginRegistry()
    registry.load(deny=["lti"])
    assert "lti13" not in registry.launchers()
    elea = registry.records["elea"]
    assert not elea.active and "requires the plugin 'lti', which is denied here" in elea.error
