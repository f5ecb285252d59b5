"""The OpenID Connect provider as a plugin: a service every person reaches whatever their school's apps, its
addresses kept at the site's root, its tables owned by its own Alembic branch (a database created while the
kernel owned them keeps its data), the nightly purge and the account page's link through hooks."""

from __future__ import annotations

from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.orm import Session

from preau.cli import cli
from preau.db import Model
from preau.directory.users import grant_function
from preau.migrate import branches
from preau.models import Function, User
from preau_plugins.oidc import service
from preau_plugins.oidc.models import OAuthClient, OAuthCode, OAuthSigningKey, utcnow

TABLES = {"oauth_clients", "oauth_codes", "oauth_tokens", "oauth_consents", "oauth_signing_keys"}


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_the_provider_is_a_service_no_school_enables(app):
    record = app.extensions["preau.plugins"].by_app_id("oidc")
    assert record is not None and record.manifest.kind == "service"
    assert "oidc" not in {r.app_id for r in app.extensions["preau.plugins"].apps()}


def test_its_addresses_are_at_the_site_root(app):
    rules = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("oidc.")}
    assert {"/oauth/authorize", "/oauth/token", "/oauth/revoke", "/oauth/userinfo", "/oauth/jwks.json",
            "/.well-known/openid-configuration", "/account/applications", "/admin/oauth-clients"} <= set(rules)


def test_a_person_whose_school_enabled_no_app_reaches_the_provider_pages(app, login_as, school):
    page = login_as(school.student).get("/account/applications")
    assert page.status_code == 200 and "Applications autorisées" in page.get_data(as_text=True)
    visitor = app.test_client()
    assert "/auth/login" in visitor.get("/account/applications").headers["Location"]  # the login page first
    assert visitor.get("/.well-known/openid-configuration").status_code == 200


def test_the_account_page_links_to_the_applications_through_the_hook(login_as, school):
    page = login_as(school.teacher).get("/account/tokens").get_data(as_text=True)
    assert 'href="/account/applications"' in page


def test_the_clients_page_is_the_super_administrators_only(app, db, login_as, school):
    assert login_as(school.teacher).get("/admin/oauth-clients").status_code == 403
    assert login_as(school.admin).get("/admin/oauth-clients").status_code == 403
    assert "/auth/login" in app.test_client().get("/admin/oauth-clients").headers["Location"]
    grant_function(db, school.staff, Function.SUPER_ADMIN)
    db.commit()
    assert login_as(school.staff).get("/admin/oauth-clients").status_code == 200


def test_app_scopes_come_from_the_installed_apps_only(app):
    with app.test_request_context():
        scopes = service.known_scopes()
    assert "preau.messaging" in scopes and "preau.oidc" not in scopes and "preau.aaf" not in scopes


def test_the_signing_key_is_encrypted_at_rest(db):
    service.signing_key(db)
    db.commit()
    stored = db.execute(text("SELECT private_pem FROM oauth_signing_keys")).scalar()
    assert stored.startswith("fernet:") and "PRIVATE KEY" in db.scalar(select(OAuthSigningKey.private_pem))


def test_its_branch_owns_its_tables_and_matches_the_models(app):
    branch = next(b for b in branches(app.extensions["preau.plugins"]) if b.name == "oidc")
    assert branch.owned_tables == TABLES
    kernel = next(b for b in branches(app.extensions["preau.plugins"]) if b.name == "kernel")
    assert not TABLES & kernel.owned_tables

    def include(obj, name, type_, reflected, compare_to):
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table in branch.owned_tables if table else True

    with app.extensions["preau.engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": include, "compare_type": True, "version_table": branch.version_table})
        assert compare_metadata(context, Model.metadata) == []


def test_a_database_created_before_the_move_keeps_its_clients(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    assert _run("db", "upgrade", "--db", url).exit_code == 0
    engine = create_engine(url)
    with Session(engine) as session:
        session.add(OAuthClient(client_id="kept", name="Avant", confidential=False, scopes=["openid"],
                                redirect_uris=["https://a.example/cb"], enabled=True))
        # The tables are there but the plugin's branch was never recorded: as the kernel left them.
        session.execute(text("DELETE FROM alembic_version_oidc"))
        session.commit()
    result = _run("db", "upgrade", "--db", url)
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        assert session.scalars(select(OAuthClient.client_id)).all() == ["kept"]
        assert session.execute(text("SELECT version_num FROM alembic_version_oidc")).scalar() == "oidc_0001"


def test_the_nightly_purge_forgets_expired_codes_through_the_hook(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'purge.db'}"
    _run("db", "upgrade", "--db", url)
    _run("oauth", "add-client", "--name", "Appli", "--redirect-uri", "https://a.example/cb", "--db", url)
    engine = create_engine(url)
    with Session(engine) as session:
        user = User(login="u", first_name="U", last_name="U", display_name="U U")
        session.add(user)
        session.flush()
        client_id, user_id = session.scalar(select(OAuthClient.id)), user.id
        old = utcnow() - timedelta(days=3)
        session.add(OAuthCode(code_hash="a" * 64, client_id=client_id, user_id=user_id, redirect_uri="https://a",
                              scope="openid", auth_time=0, expires_at=old))
        session.commit()
    result = _run("purge", "--db", url)
    assert result.exit_code == 0 and "1 code(s) et jeton(s) OAuth expiré(s) oublié(s)." in result.output
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(OAuthCode)) == 0

    def broken(session, now=None):
        session.execute(delete(OAuthClient))
        raise RuntimeError("purge en panne")

    monkeypatch.setattr(service, "purge", broken)
    result = _run("purge", "--db", url)
    assert result.exit_code == 0 and "oidc : échec de la purge" in result.output and "purge en panne" in result.output
    with Session(engine) as session:  # the failing plugin's savepoint was rolled back
        assert session.scalar(select(func.count()).select_from(OAuthClient)) == 1


def test_the_test_database_upgrades_again_without_the_branchs_record(app):
    """The same path on the suite's database (SQLite or PostgreSQL): the tables exist, the branch is re-recorded."""
    from preau.migrate import upgrade

    engine = app.extensions["preau.engine"]
    with Session(engine) as session:
        session.add(OAuthClient(client_id="gardee", name="Gardée", confidential=False, scopes=["openid"],
                                redirect_uris=["https://a.example/cb"], enabled=True))
        session.execute(text("DELETE FROM alembic_version_oidc"))
        session.commit()
    try:
        done = upgrade(engine, app.extensions["preau.plugins"])
        assert next(step for step in done if step.branch == "oidc").applied == ("oidc_0001",)
        with Session(engine) as session:
            assert session.scalars(select(OAuthClient.name)).all() == ["Gardée"]
    finally:
        with Session(engine) as session:
            session.execute(delete(OAuthClient))
            session.commit()
