"""Registering OpenID Connect clients: the super administrator's page and ``preau oauth add-client``; the secret
is shown once and stored hashed; redirect URIs and scopes are checked; others get 403."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from preau.auth.passwords import verify_password
from preau.cli import cli
from preau.directory.users import grant_function
from preau.models import AuditEvent, Function
from preau_plugins.oidc.models import OAuthClient
from preau_plugins.oidc.service import OidcError, register_client


@pytest.fixture
def super_admin(db, school):
    grant_function(db, school.staff, Function.SUPER_ADMIN)
    db.flush()
    return school.staff


def test_the_super_admin_registers_a_client_and_sees_its_secret_once(db, login_as, super_admin):
    client = login_as(super_admin)
    response = client.post_form("/admin/oauth-clients", {
        "name": "Éditeur de manuels", "redirect_uris": "https://manuels.example/cb\nhttps://manuels.example/cb2",
        "kind": "confidential", "scopes": ["openid", "profile", "preau.messaging"]})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="client-secret"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)
    row = db.scalar(select(OAuthClient).where(OAuthClient.name == "Éditeur de manuels"))
    assert row.redirect_uris == ["https://manuels.example/cb", "https://manuels.example/cb2"]
    assert row.scopes == ["openid", "preau.messaging", "profile"]
    assert secret not in row.secret_hash and verify_password(row.secret_hash, secret)
    assert secret not in client.get("/admin/oauth-clients").get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "oidc.client_registered")) == 1


def test_a_bad_redirect_uri_is_refused_with_a_french_message_and_nothing_saved(db, login_as, super_admin):
    response = login_as(super_admin).post_form("/admin/oauth-clients", {
        "name": "Appli", "redirect_uris": "http://evil.example/cb", "kind": "public", "scopes": ["openid"]})
    assert response.status_code == 400 and "Adresse de retour refusée" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(OAuthClient)) == 0


def test_an_adml_cannot_reach_the_clients_page(login_as, school):
    client = login_as(school.admin)
    assert client.get("/admin/oauth-clients").status_code == 403
    assert client.post_form("/admin/oauth-clients", {"name": "x", "redirect_uris": "https://a.example/cb"}
                            ).status_code == 403


def test_removing_a_client_deletes_it(db, app, login_as, super_admin):
    row, _secret = register_client(db, name="Vieille appli",
                                   redirect_uris=["https://old.example/cb"], confidential=True, scopes=["openid"])
    response = login_as(super_admin).post_form(f"/admin/oauth-clients/{row.id}/remove")
    assert response.status_code == 303 and db.get(OAuthClient, row.id) is None


@pytest.mark.parametrize("uris, scopes", [([], ["openid"]), (["https://a.example/cb#frag"], ["openid"]),
                                          (["https://a.example/cb"], ["admin"])])
def test_register_client_refuses_bad_input(db, app, uris, scopes):
    with pytest.raises(OidcError):
        register_client(db, name="Appli", redirect_uris=uris, confidential=False,
                        scopes=scopes)


def test_a_public_client_has_no_secret_and_native_redirects_are_allowed(db, app):
    row, secret = register_client(db, name="Appli mobile",
                                  redirect_uris=["fr.editeur.appli:/callback", "http://127.0.0.1:8765/cb"],
                                  confidential=False, scopes=["openid"])
    assert secret is None and row.secret_hash is None and not row.confidential


def test_the_cli_registers_a_client(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert CliRunner().invoke(cli, ["db", "upgrade", "--db", url], catch_exceptions=False).exit_code == 0
    result = CliRunner().invoke(cli, ["oauth", "add-client", "--name", "Appli CLI", "--redirect-uri",
                                      "https://cli.example/cb", "--scope", "openid", "--scope", "email",
                                      "--db", url], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    client_id = re.search(r"client_id: (\S+)", result.output).group(1)
    secret = re.search(r"client_secret: (\S+)", result.output).group(1)
    with Session(create_engine(url)) as session:
        row = session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
        assert row.scopes == ["email", "openid"] and verify_password(row.secret_hash, secret)
    refused = CliRunner().invoke(cli, ["oauth", "add-client", "--name", "X", "--redirect-uri", "ftp://x/cb",
                                       "--db", url])
    assert refused.exit_code != 0 and "Adresse de retour refusée" in refused.output
