"""Attribute release per connector, set on the connector page of the services admin."""

from __future__ import annotations

from sqlalchemy import select

from preau.models import AuditEvent
from preau.portal.services import add_connector


def _url(school, connector) -> str:
    return f"/admin/structures/{school.structure.id}/services/connectors/{connector.id}"


def test_an_adml_chooses_the_released_attributes_and_the_change_is_audited(db, school, login_as):
    connector = add_connector(db, school.structure, "pronote")
    db.commit()
    client = login_as(school.admin)
    page = client.get(_url(school, connector)).get_data(as_text=True)
    assert "Attributs transmis au service" in page and 'value="email"' in page
    form = {"profiles": ["student"], "enabled": "1", "attributes_shown": "1", "attributes": ["email", "uai"]}
    assert client.post_form(_url(school, connector), form).status_code == 302
    db.expire_all()
    assert connector.attributes == ["email", "uai"]
    detail = db.scalar(select(AuditEvent.detail).where(AuditEvent.action == "services.connector_configured"))
    assert detail["attributes"] == ["email", "uai"]
    assert 'id="attribute-email" name="attributes" value="email" checked' in client.get(
        _url(school, connector)).get_data(as_text=True)


def test_an_unknown_attribute_is_refused_and_nothing_changes(db, school, login_as):
    connector = add_connector(db, school.structure, "pronote")
    db.commit()
    client = login_as(school.admin)
    form = {"profiles": ["student"], "attributes_shown": "1", "attributes": ["email", "password_hash"]}
    response = client.post_form(_url(school, connector), form)
    assert response.status_code == 400 and "Attribut inconnu" in response.get_data(as_text=True)
    db.expire_all()
    assert connector.attributes == [] and connector.profiles != ["student"]


def test_a_link_connector_has_no_attribute_choice(db, school, login_as):
    connector = add_connector(db, school.structure, "pix")
    db.commit()
    page = login_as(school.admin).get(_url(school, connector)).get_data(as_text=True)
    assert "Attributs transmis au service" not in page
