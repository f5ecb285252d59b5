"""The plugin system: built-ins and extras load the same way; broken plugins are quarantined."""

from click.testing import CliRunner


def _records(app):
    return app.extensions["preau.plugins"].records


def test_builtin_plugin_is_loaded_through_its_entry_point(app):
    record = _records(app)["welcome"]
    assert record.active and record.source == "builtin"
    assert record.manifest.id == "welcome"
    assert [r.id for r in record.rights] == ["welcome.access"]


def test_plugin_that_fails_to_import_is_quarantined_with_its_error(app):
    record = _records(app)["broken_import"]
    assert record.state == "broken"
    assert "ModuleNotFoundError" in record.error and "preau_this_module_does_not_exist" in record.error


def test_plugin_whose_manifest_raises_is_quarantined(app):
    record = _records(app)["raising_manifest"]
    assert record.state == "broken" and "manifest exploded" in record.error
    assert not app.extensions["preau.plugins"].pm.is_registered(record.plugin)


def test_plugin_with_an_unknown_hook_is_quarantined(app):
    record = _records(app)["unknown_hook"]
    assert record.state == "broken" and "preau_no_such_hook" in record.error


def test_other_plugins_keep_working_when_one_widget_fails(school, login_as, enable_plugin):
    enable_plugin("welcome", school.city)
    enable_plugin("failing", school.city)
    client = login_as(school.parent)
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-widget="failing.boom"' in page.get_data(as_text=True)  # its frame; contents load afterwards
    failing = client.get("/portal/widgets/failing.boom?size=apercu")
    assert failing.status_code == 500 and "Ce widget n'a pas pu s'afficher" in failing.get_data(as_text=True)
    healthy = client.get("/portal/widgets/welcome.hello?size=apercu")
    assert healthy.status_code == 200 and "Bienvenue sur l’ENT, Pierre" in healthy.get_data(as_text=True)


def test_broken_plugins_are_shown_to_administrators(school, login_as):
    client = login_as(school.admin)
    html = client.get("/admin/").get_data(as_text=True)
    assert "Extensions en erreur" in html and "manifest exploded" in html


def test_preau_plugins_command_lists_state_and_error(app, monkeypatch, preau_database_url):
    from preau.cli import cli

    monkeypatch.setenv("PREAU_DATABASE_URL", preau_database_url)
    monkeypatch.setenv("PREAU_PLUGINS_EXTRA", "tests.fixtures_plugins.broken_import")
    result = CliRunner().invoke(cli, ["plugins"])
    assert result.exit_code == 0, result.output
    assert "welcome" in result.output and "builtin" in result.output
    assert "broken_import" in result.output and "ModuleNotFoundError" in result.output


def test_plugin_routes_answer_404_where_the_app_is_not_enabled(school, login_as):
    client = login_as(school.teacher)
    assert client.get("/apps/welcome/").status_code == 403


def test_plugin_routes_answer_once_enabled_and_granted(school, login_as, enable_plugin):
    enable_plugin("welcome", school.structure)
    client = login_as(school.teacher)
    assert client.get("/apps/welcome/").status_code == 200


def test_lifecycle_events_reach_plugins(school, db):
    from preau.directory.lifecycle import transition
    from preau.directory.users import create_user
    from tests.fixtures_plugins.recorder import EVENTS

    EVENTS.clear()
    user = create_user(db, first_name="Zoé", last_name="Événement")
    transition(db, user, "blocked", reason="test")
    assert ("created", "zoe.evenement") in EVENTS
    assert ("updated", ("zoe.evenement", ("state",))) in EVENTS


def test_a_raising_event_hook_is_reported_not_raised(app, db):
    from preau.plugins import KERNEL_WIDE, HookFailure

    registry = app.extensions["preau.plugins"]
    results = {r.app_id: res for r, res in registry.call_each("preau_user_deleted", apps=KERNEL_WIDE, user_id=1)}
    assert isinstance(results["recorder"], HookFailure) and "must not stop" in results["recorder"].error
    assert registry.records["recorder"].active  # still enabled: event hooks are robust, not quarantining


def test_a_scoped_call_reaches_only_the_given_plugins(app):
    registry = app.extensions["preau.plugins"]
    rights = [r.id for batch in registry.call("preau_rights", apps={"welcome"}) for r in batch]
    assert "welcome.access" in rights and "failing.access" not in rights


def test_plugin_for_an_incompatible_preau_is_quarantined(app):
    record = _records(app)["incompatible"]
    assert record.state == "broken" and "needs Préau >=99" in record.error


def test_plugin_using_an_undeclared_right_is_quarantined(app):
    record = _records(app)["undeclared_right"]
    assert record.state == "broken" and "undeclared right 'sloppy.access'" in record.error


def test_denied_plugins_are_not_loaded(tmp_path):
    from preau.app import create_app

    other = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'deny.db'}", "SECRET_KEY": "x",
                        "PLUGINS_DENY": ["welcome"]})
    registry = other.extensions["preau.plugins"]
    assert registry.records["welcome"].state == "denied"
    assert registry.by_app_id("welcome") is None


def test_two_apps_in_one_process_both_mount_the_plugins(app, tmp_path):
    from preau.app import create_app

    other = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'two.db'}", "SECRET_KEY": "x"})
    registry = other.extensions["preau.plugins"]
    assert registry.records["welcome"].active, registry.records["welcome"].error
    assert "welcome.index" in other.view_functions


def test_a_call_for_the_request_reaches_only_the_apps_of_the_current_user(app, school, login_as, enable_plugin):
    from preau.web import apps_for_request

    enable_plugin("welcome", school.structure)
    client = login_as(school.teacher)
    with client:
        client.get("/")
        apps = apps_for_request()
        rights = [r.id for batch in app.extensions["preau.plugins"].call("preau_rights", apps=apps) for r in batch]
    assert "welcome.access" in rights
    assert "failing.access" not in rights  # installed, but not enabled for this school


def test_admin_index_shows_kinds_sources_and_states_in_words(school, login_as):
    html = login_as(school.admin).get("/admin/").get_data(as_text=True)
    assert "École · UAI 0750001A" in html
    assert "intégrée à Préau" in html and "chargée" in html and "module ajouté par la configuration" in html


def test_runtime_failures_of_plugins_are_shown_to_administrators(school, login_as, enable_plugin, app):
    enable_plugin("failing", school.city)
    app.extensions["preau.plugins"].records["failing_widget"].runtime_errors.clear()
    client = login_as(school.admin)
    assert "Ce widget n'a pas pu s'afficher" in client.get("/portal/widgets/failing.boom").get_data(as_text=True)
    html = client.get("/admin/").get_data(as_text=True)
    assert "Erreurs récentes des extensions" in html
    assert "widget failing.boom" in html and "ValueError: widget exploded" in html


def test_final_deletion_tells_plugins_even_if_one_of_them_fails(school, db):
    from preau.directory.lifecycle import transition
    from tests.fixtures_plugins.recorder import EVENTS

    EVENTS.clear()
    for state in ("pending_deletion", "pre_deleted", "deleted"):
        transition(db, school.guest, state, reason="absent du flux")
    assert ("deleted", school.guest.id) in EVENTS
    assert school.guest.state == "deleted"
    from sqlalchemy import select

    from preau.models import AuditEvent

    db.flush()  # the kernel's session is still usable…
    actions = set(db.scalars(select(AuditEvent.action)))
    assert "account.deleted" in actions and "recorder.half_done" not in actions  # …and the plugin left nothing


def test_a_plugins_packaged_assets_are_served_without_a_session_but_its_pages_are_not(client, school,
                                                                                     enable_plugin):
    enable_plugin("actualites", school.city)
    css = client.get("/apps/actualites/static/actualites/actualites.css")
    assert css.status_code == 200 and b".actualites-body" in css.data
    assert client.get("/apps/actualites/").status_code == 302  # the app itself still asks for a login
