import pytest


@pytest.fixture(scope="session")
def preau_config():
    # A deliberately broken plugin and a healthy extra one, loaded exactly like third-party plugins.
    return {"PLUGINS_EXTRA": ["tests.fixtures_plugins.broken_import", "tests.fixtures_plugins.raising_manifest",
                              "tests.fixtures_plugins.unknown_hook", "tests.fixtures_plugins.failing_widget",
                              "tests.fixtures_plugins.recorder", "tests.fixtures_plugins.incompatible",
                              "tests.fixtures_plugins.undeclared_right", "tests.fixtures_plugins.translated",
                              "tests.fixtures_plugins.comm_rules", "tests.fixtures_plugins.portal_service",
                              "tests.fixtures_plugins.spy", "tests.fixtures_plugins.server_endpoints",
                              # an app that requires another (AppManifest.requires), as module:object extras
                              "tests.fixtures_plugins.requirements:aa_dependent",
                              "tests.fixtures_plugins.requirements:zz_base",
                              # blueprints mounted at the site's root (preau.at_site_root)
                              "tests.fixtures_plugins.root_mounted:good", "tests.fixtures_plugins.root_mounted:stray",
                              "tests.fixtures_plugins.root_mounted:clash",
                              "tests.fixtures_plugins.launchers:opener", "tests.fixtures_plugins.launchers:orphan",
                              "tests.fixtures_plugins.launchers:usurper"]}
