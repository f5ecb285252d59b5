"""The connector catalogue (a data file shipped in the kernel) and connectors added from it to a structure:
configured per structure (placeholders, keys, secrets never shown back), targeted, enabled; scoped and audited."""

from __future__ import annotations

import copy
import json
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from preau.icons import contrast_with_white, is_icon
from preau.models import AuditEvent, StructureConnector
from preau.portal.catalogue import CATALOGUE_PATH, CatalogueError, parse_catalogue
from preau.portal.services import ServiceError, add_connector, configure_connector, reached_connectors
from preau.testing import build_school
from preau.types import KERNEL_CONNECTOR_KINDS, THEMES

REQUIRED_SERVICES = {"pronote", "gar", "elea", "capytale", "avenirs", "apps_education", "pix", "lumni",
                     "edutheque", "folios", "quiziniere", "vittascience", "cned"}


def _raw():
    return json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))


def test_the_shipped_catalogue_is_valid_with_at_least_25_unique_https_services():
    raw = _raw()
    entries = parse_catalogue(raw)
    assert len(entries) == len(raw["connectors"]) >= 25
    assert len({e["id"] for e in raw["connectors"]}) == len(raw["connectors"])
    assert set(entries) >= REQUIRED_SERVICES
    for entry in entries.values():
        # the kernel's kinds, or those the built-in lti plugin opens
        assert entry.kind in {*KERNEL_CONNECTOR_KINDS, "lti11", "lti13"} and entry.theme in THEMES
        assert entry.help.strip() and entry.editor.strip()
        assert is_icon(entry.icon) and contrast_with_white(entry.colour) >= 4.5, entry.id
        for template in (entry.url, *entry.launch_urls.values()):
            assert urlsplit(template).scheme == "https", template
    assert {e.kind for e in entries.values()} >= {"link", "cas", "saml", "lti11", "lti13"}


def test_avenirs_sends_students_to_educonnect_and_staff_to_hubagent():
    avenirs = parse_catalogue(_raw())["avenirs"]
    assert avenirs.template_for({"student"}).endswith("/authentification/educonnect")
    assert avenirs.template_for({"teacher"}).endswith("/authentification/hubagent")
    assert avenirs.template_for({"personnel"}).endswith("/authentification/hubagent")


def _broken(change) -> dict:
    raw = copy.deepcopy(_raw())
    change(raw["connectors"][0])
    return raw


@pytest.mark.parametrize("change, message", [
    (lambda e: e.update(url="http://{uai}.index-education.net/"), "https"),
    (lambda e: e.update(url="https://{nope}.exemple.fr/"), "unknown placeholder"),
    (lambda e: e.update(url="https://{uai.exemple.fr/"), "placeholder"),
    (lambda e: e.update(kind="OAuth 2"), "kind"),  # a kind a plugin may open, but no kind's name
    (lambda e: e.update(theme="Divers"), "theme"),
    (lambda e: e.update(default_profiles=["root"]), "default_profiles"),
    (lambda e: e.pop("help"), "help"),
    (lambda e: e.update(colour_name="red"), "unknown keys"),
    (lambda e: e.update(colour="red"), "CSS hex colour"),
    (lambda e: e.update(colour="#ffcc00"), "contrast"),  # white text on yellow is unreadable
    (lambda e: e.update(icon="food"), "icon set"),
    (lambda e: e.pop("icon"), "icon"),
    (lambda e: e.update(id="gar"), "already used"),
    (lambda e: e.update(fields=[{"key": "token", "label": "Jeton", "secret": True}],
                        url="https://x.exemple.fr/{token}"), "unknown placeholder"),
])
def test_a_catalogue_breaking_its_schema_is_refused_naming_the_entry(change, message):
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(_broken(change))


def _configure(db, connector, **overrides):
    arguments = {"values": {}, "secrets": {}, "profiles": ["relative"], "enabled": True, **overrides}
    configure_connector(db, connector, **arguments)


def _urls(db, user) -> dict[str, str]:
    """The service URL each reaching connector opens (its tile opens Préau's launch page, which goes there)."""
    return {r.entry.name: r.url for r in reached_connectors(db, user)}


def test_pronote_for_parents_reaches_parents_with_the_school_uai_and_the_parent_page(db, school):
    connector = add_connector(db, school.structure, "pronote")
    assert connector.enabled is False and _urls(db, school.parent) == {}
    _configure(db, connector)
    assert _urls(db, school.parent) == {"Pronote": "https://0750001a.index-education.net/pronote/parent.html"}
    assert _urls(db, school.student) == {} and _urls(db, school.teacher) == {}


def test_a_disabled_connector_reaches_nobody(db, school):
    connector = add_connector(db, school.structure, "lumni")
    _configure(db, connector, profiles=["student"], enabled=False)
    assert _urls(db, school.student) == {}


def test_a_connector_added_to_the_city_follows_each_school(db, school):
    other = build_school(db, "École Victor-Hugo", uai="0750002B", city_name="Autre ville")
    connector = add_connector(db, school.city, "esidoc")
    _configure(db, connector, profiles=["student"])
    assert _urls(db, school.student) == {"e-sidoc": "https://0750001a.esidoc.fr/"}
    assert _urls(db, other.student) == {}


def test_the_same_service_twice_in_a_structure_is_refused(db, school):
    add_connector(db, school.structure, "pix")
    with pytest.raises(ServiceError, match="déjà"):
        add_connector(db, school.structure, "pix")
    with pytest.raises(ServiceError, match="catalogue"):
        add_connector(db, school.structure, "minitel")


def test_required_values_must_be_filled_before_enabling(db, school):
    connector = add_connector(db, school.structure, "elea")
    with pytest.raises(ServiceError, match="Renseignez"):
        _configure(db, connector, values={"instance": "bassin-sud"}, profiles=["student"])
    db.rollback()


@pytest.mark.parametrize("instance", ["evil.com/x", "a@b", "x?y=1", "-dash", "é"])
def test_a_placeholder_value_cannot_change_the_shape_of_the_url(db, school, instance):
    connector = add_connector(db, school.structure, "elea")
    with pytest.raises(ServiceError, match="lettres, des chiffres"):
        _configure(db, connector, values={"instance": instance, "client_id": "c", "deployment_id": "d"},
                   profiles=["student"])
    db.rollback()


# -- through the admin pages -----------------------------------------------------------------------------


def _connector_form(**overrides):
    return {"profiles": ["relative"], "enabled": "1", **overrides}


def test_an_adml_adds_and_configures_pronote_for_parents_through_the_pages(db, school, login_as):
    client = login_as(school.admin)
    base = f"/admin/structures/{school.structure.id}/services"
    response = client.post_form(f"{base}/connectors", {"catalogue_id": "pronote"})
    connector = db.scalar(select(StructureConnector))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/connectors/{connector.id}")
    assert "Index Éducation" in client.get(f"{base}/connectors/{connector.id}").get_data(as_text=True)
    assert client.post_form(f"{base}/connectors/{connector.id}", _connector_form()).status_code == 302
    db.expire_all()
    assert connector.enabled and connector.profiles == ["relative"]
    assert _urls(db, school.parent) == {"Pronote": "https://0750001a.index-education.net/pronote/parent.html"}
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == school.admin.id)))
    assert {"services.connector_added", "services.connector_configured"} <= actions


def test_a_secret_is_stored_never_shown_back_nor_audited_and_a_blank_keeps_it(db, school, login_as):
    client = login_as(school.admin)
    connector = add_connector(db, school.structure, "moodle_lti11")
    db.commit()
    url = f"/admin/structures/{school.structure.id}/services/connectors/{connector.id}"
    form = _connector_form(value_host="outil.exemple.fr", value_consumer_key="cle-publique",
                           secret_shared_secret="S3cr3t-tres-long", profiles=["student"])
    assert client.post_form(url, form).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "S3cr3t-tres-long" not in page and "cle-publique" in page and "jamais réaffichée" in page
    assert client.post_form(url, {**form, "secret_shared_secret": ""}).status_code == 302
    db.expire_all()
    assert connector.secrets == {"shared_secret": "S3cr3t-tres-long"}
    details = [json.dumps(d) for d in db.scalars(select(AuditEvent.detail).where(
        AuditEvent.action == "services.connector_configured"))]
    assert len(details) == 2 and not any("S3cr3t" in d for d in details)
    assert '"secrets_changed": ["shared_secret"]' in details[0] and '"secrets_changed": []' in details[1]


def test_a_bad_configuration_is_refused_with_a_message_and_nothing_changes(db, school, login_as):
    client = login_as(school.admin)
    connector = add_connector(db, school.structure, "elea")
    db.commit()
    url = f"/admin/structures/{school.structure.id}/services/connectors/{connector.id}"
    response = client.post_form(url, _connector_form(value_instance="evil.com/x", value_client_id="c",
                                                     value_deployment_id="d", profiles=["student"]))
    assert response.status_code == 400 and "lettres, des chiffres" in response.get_data(as_text=True)
    db.expire_all()
    assert connector.values == {} and connector.enabled is False


def test_an_adml_of_another_school_cannot_touch_the_connectors(db, school, login_as):
    other = build_school(db, "École Victor-Hugo", uai="0750002B", city_name="Autre ville")
    connector = add_connector(db, school.structure, "pronote")
    db.commit()
    client = login_as(other.admin)
    base = f"/admin/structures/{school.structure.id}/services"
    assert client.post_form(f"{base}/connectors", {"catalogue_id": "lumni"}).status_code == 403
    assert client.get(f"{base}/connectors/{connector.id}").status_code == 403
    assert client.post_form(f"{base}/connectors/{connector.id}", _connector_form()).status_code == 403
    assert client.post_form(f"{base}/connectors/{connector.id}/remove").status_code == 403
    own = f"/admin/structures/{other.structure.id}/services/connectors/{connector.id}"
    assert client.post_form(own, _connector_form()).status_code == 404
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(StructureConnector)) == 1 and connector.enabled is False
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "security.scope_denied", AuditEvent.actor_id == other.admin.id)) == 4


def test_removing_a_connector_is_audited(db, school, login_as):
    connector = add_connector(db, school.structure, "pix")
    db.commit()
    client = login_as(school.admin)
    url = f"/admin/structures/{school.structure.id}/services/connectors/{connector.id}/remove"
    assert client.post_form(url).status_code == 302
    assert db.scalar(select(func.count()).select_from(StructureConnector)) == 0
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "services.connector_removed")) is not None


def test_secrets_are_encrypted_in_the_database_and_read_back_in_clear(app, db, school):
    from sqlalchemy import text

    from preau.crypto import EncryptedJSON

    connector = add_connector(db, school.structure, "moodle_lti11")
    _configure(db, connector, values={"host": "moodle.exemple.fr", "consumer_key": "cle"},
               secrets={"shared_secret": "S3cr3t-tres-long"}, profiles=["student"])
    db.flush()
    stored = db.execute(text("SELECT secrets FROM structure_connectors WHERE id = :id"), {"id": connector.id}).scalar()
    assert "S3cr3t-tres-long" not in str(stored) and "fernet" in str(stored)
    db.expire(connector)
    assert connector.secrets == {"shared_secret": "S3cr3t-tres-long"}
    # A row written before encryption is read as it is (and encrypted at its next write).
    assert EncryptedJSON().process_result_value({"shared_secret": "ancien"}, None) == {"shared_secret": "ancien"}


def test_secrets_encrypted_with_a_key_that_is_gone_read_as_empty(app, db):
    from cryptography.fernet import Fernet

    from preau.crypto import EncryptedJSON

    other = Fernet(Fernet.generate_key()).encrypt(b'{"shared_secret": "x"}').decode()
    assert EncryptedJSON().process_result_value({"fernet": other}, None) == {}
