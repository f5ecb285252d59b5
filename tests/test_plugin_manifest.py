"""The manifest beyond id and name: requirements between plugins (``requires``, ``optional_requires``), the plugin
API version (``requires_preau`` against ``preau.API_VERSION``), deprecations, non-app plugins (``kind``) and
link plugins (``preau.link_plugin``)."""

from __future__ import annotations

import warnings

import pytest
from packaging.version import Version

import preau
from preau import AppManifest, Profile
from preau.link_plugins import LinkPlugin
from preau.plugins import PluginRegistry
from preau.rights import access_for, enable_with_defaults, set_enabled
from preau.types import ManifestError
from tests.fixtures_plugins import requirements

FIXTURES = [*(f"tests.fixtures_plugins.requirements:{name}" for name in requirements.ALL),
            "tests.fixtures_plugins.link:cantine_menu"]


@pytest.fixture(scope="module")
def registry():
    loaded = PluginRegistry()
    loaded.load(extra=[*FIXTURES, "tests.fixtures_plugins.raising_manifest"], deny=["elea"])
    return loaded


def _state(registry, name):
    record = registry.records[name]
    return record.state, record.error


# -- requirements at load --------------------------------------------------------------------------------


def test_a_plugin_whose_requirement_is_not_installed_is_quarantined_with_the_reason(registry):
    state, error = _state(registry, "needs_missing")
    assert state == "broken" and error == "requires the plugin 'not_installed', which is not installed"


def test_a_plugin_whose_requirement_is_quarantined_is_quarantined_too_and_its_dependents(registry):
    state, error = _state(registry, "needs_broken")
    assert state == "broken"
    assert "requires the plugin 'raising_manifest', which is quarantined" in error and "manifest exploded" in error
    state, error = _state(registry, "needs_needs_missing")
    assert state == "broken" and "'needs_missing', which is quarantined" in error


def test_a_requirement_denied_by_the_operator_quarantines_its_dependents():
    loaded = PluginRegistry()
    loaded.load(extra=["tests.fixtures_plugins.requirements:aa_dependent",
                       "tests.fixtures_plugins.requirements:zz_base"], deny=["zz_base"])
    assert _state(loaded, "aa_dependent") == (
        "broken", "requires the plugin 'zz_base', which is denied here (PLUGINS_DENY)")


def test_a_requirement_cycle_quarantines_the_plugins_in_it(registry):
    for name in ("cycle_a", "cycle_b"):
        state, error = _state(registry, name)
        assert state == "broken" and error.startswith("requirement cycle: ")


def test_a_missing_optional_requirement_does_not_stop_a_plugin(registry):
    assert registry.records["soft_user"].active
    assert registry.records["soft_user"].manifest.optional_requires == ("zz_base", "not_installed")


def test_requirements_load_and_answer_hooks_before_the_plugins_that_name_them(registry):
    names = list(registry.records)
    assert names.index("zz_base") < names.index("aa_dependent")  # though the dependent came first
    assert names.index("zz_base") < names.index("soft_user")  # optional requirements too
    assert names.index("pronote") < names.index("timetable")
    rights = [r.id for batch in registry.pm.hook.preau_rights() for r in batch]
    assert rights.index("zz_base.access") < rights.index("aa_dependent.access")
    assert registry.records["aa_dependent"].active


def test_the_built_in_plugins_declare_what_they_use_of_pronote(app):
    registry = app.extensions["preau.plugins"]
    for app_id in ("timetable", "vie_scolaire"):
        manifest = registry.by_app_id(app_id).manifest
        assert manifest.optional_requires == ("pronote",), app_id


# -- requirements per structure ----------------------------------------------------------------------------


def test_an_app_is_off_where_an_app_it_requires_is_off(app, db, school, enable_plugin):
    registry = app.extensions["preau.plugins"]
    enable_plugin("aa_dependent", school.structure)
    assert "aa_dependent" not in access_for(db, registry, school.teacher).apps  # zz_base is not enabled
    enable_plugin("zz_base", school.structure)
    assert {"aa_dependent", "zz_base"} <= access_for(db, registry, school.teacher).apps
    set_enabled(db, school.structure, "zz_base", False)
    assert "aa_dependent" not in access_for(db, registry, school.teacher).apps
    assert not access_for(db, registry, school.teacher).has("aa_dependent.access")


def test_administrators_see_why_an_app_is_hidden_where_its_requirement_is_off(app, db, school, enable_plugin,
                                                                              login_as):
    enable_plugin("aa_dependent", school.structure)
    page = login_as(school.admin).get(f"/admin/structures/{school.structure.id}/apps").get_data(as_text=True)
    section = page[page.index('id="row-app-aa_dependent"'):]
    section = section[:section.index("</tr>")]
    assert 'id="requires-aa_dependent"' in section and "Nécessite Zz_base, désactivé ici" in section
    assert "désactivée</span>" in section  # enabled here, yet off: its requirement is off
    enable_plugin("zz_base", school.structure)
    page = login_as(school.admin).get(f"/admin/structures/{school.structure.id}/apps").get_data(as_text=True)
    assert 'id="requires-aa_dependent"' not in page


def test_administrators_see_which_features_an_optional_requirement_hides(app, db, school, enable_plugin, login_as):
    enable_plugin("timetable", school.structure)
    client = login_as(school.admin)
    page = client.get(f"/admin/structures/{school.structure.id}/apps").get_data(as_text=True)
    assert 'id="uses-timetable"' in page and "Utilise Pronote, désactivé ici" in page
    enable_plugin("pronote", school.structure)
    page = client.get(f"/admin/structures/{school.structure.id}/apps").get_data(as_text=True)
    assert 'id="uses-timetable"' not in page


# -- manifest validation ------------------------------------------------------------------------------------


def _manifest(**fields):
    return AppManifest(id="notes", name="Notes", version="1.0", editor="Tests", **fields)


def test_requirements_are_app_ids_named_once_and_never_oneself():
    _manifest(requires=["pronote"], optional_requires=["gar"]).validate()
    assert _manifest(requires=["pronote"]).requires == ("pronote",)  # a list is kept as a tuple
    for fields, message in [({"requires": ["Pronote"]}, "is not an app id"), ({"requires": ["notes"]}, "itself"),
                            ({"requires": ["gar"], "optional_requires": ["gar"]}, "named once"),
                            ({"requires": ["gar", "gar"]}, "named once")]:
        with pytest.raises(ManifestError, match=message):
            _manifest(**fields).validate()


def test_a_plugin_kind_is_known_and_a_non_app_grants_nothing_by_default():
    _manifest(kind="directory_source").validate()
    with pytest.raises(ManifestError, match="kind 'widget'"):
        _manifest(kind="widget").validate()
    with pytest.raises(ManifestError, match="no default profiles"):
        _manifest(kind="service", default_profiles=(Profile.TEACHER,)).validate()


# -- the plugin API version ----------------------------------------------------------------------------------


def test_requires_preau_is_checked_against_the_plugin_api_not_the_package_version(registry):
    assert Version(preau.API_VERSION) != Version(preau.__version__)
    assert registry.records["api_one"].active  # >=1.0,<2: the API's range, though the package is 0.x
    state, error = _state(registry, "api_zero")
    assert state == "broken"
    assert error == ("ManifestError: needs Préau >=0.1,<1.0 (plugin API), this Préau offers API "
                     f"{preau.API_VERSION}")


def test_the_api_version_is_semver():
    major, minor, patch = (int(part) for part in preau.API_VERSION.split("."))
    assert major >= 1 and minor >= 0 and patch >= 0 and "API_VERSION" in preau.__all__


# -- deprecations ---------------------------------------------------------------------------------------------


def test_a_deprecated_public_name_still_works_and_warns_with_its_replacement_and_removal(monkeypatch):
    monkeypatch.setitem(preau._DEPRECATED, "old_sanitize", ("sanitize_html", "1.1", "2.0"))
    with pytest.warns(DeprecationWarning) as caught:
        old = preau.old_sanitize
    assert old is preau.sanitize_html
    message = str(caught[0].message)
    assert message == ("preau.old_sanitize is deprecated since Préau API 1.1 and will be removed in API 2.0: "
                       "use preau.sanitize_html instead")
    assert caught[0].filename == __file__  # the warning points at the code that used the old name
    with pytest.warns(DeprecationWarning):  # every use warns, not only the first
        preau.old_sanitize  # noqa: B018


def test_the_deprecated_decorator_warns_at_each_call_and_runs_the_function():
    @preau.deprecated("preau_notes.api.count", since="1.2", removal="2.0")
    def total(a, b):
        """The sum."""
        return a + b

    with pytest.warns(DeprecationWarning, match=r"total is deprecated since Préau API 1\.2 .* use preau_notes"):
        assert total(2, 3) == 5
    assert total.__doc__ == "The sum." and "removed in API 2.0" in total.__deprecated__


def test_no_deprecated_name_outlives_its_removal_version():
    for name, (replacement, since, removal) in preau._DEPRECATED.items():
        assert Version(since) <= Version(preau.API_VERSION) < Version(removal), f"remove preau.{name} now"
        assert replacement in preau.__all__


def test_public_names_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert preau.sanitize_html and preau.link_plugin and preau.API_VERSION


# -- non-app plugins ----------------------------------------------------------------------------------------------


def test_directory_sources_are_not_apps_and_are_never_offered_to_enable(app, school, login_as):
    registry = app.extensions["preau.plugins"]
    for app_id in ("aaf", "csvimport"):
        assert registry.by_app_id(app_id).manifest.kind == "directory_source"
        assert app_id not in {r.app_id for r in registry.apps()}
    client = login_as(school.admin)
    page = client.get(f"/admin/structures/{school.structure.id}/apps").get_data(as_text=True)
    assert 'id="row-app-welcome"' in page
    assert 'id="row-app-aaf"' not in page and 'id="row-app-csvimport"' not in page and "Import AAF" not in page
    response = client.post_form(f"/admin/structures/{school.structure.id}/apps/aaf/state", {"state": "enabled"})
    assert response.status_code == 404


def test_a_non_app_requirement_is_always_on(registry, db, school):
    enable_with_defaults(db, registry, school.structure, "needs_source")
    assert "needs_source" in access_for(db, registry, school.teacher).apps
    with pytest.raises(KeyError):
        enable_with_defaults(db, registry, school.structure, "source_only")


# -- link plugins -------------------------------------------------------------------------------------------------


def test_a_link_plugin_is_an_app_with_one_right_and_one_connector(registry, db, school):
    record = registry.by_app_id("cantine_menu")
    assert isinstance(record.plugin, LinkPlugin) and record.name == "cantine_menu"
    assert record.active and record.manifest.default_profiles == (Profile.RELATIVE, Profile.STUDENT)
    assert (record.manifest.version, record.manifest.theme) == ("2.1.0", "Vie scolaire")
    assert [(r.id, r.label, r.default_profiles) for r in record.rights] == [
        ("cantine_menu.access", "Voir les menus", (Profile.RELATIVE, Profile.STUDENT))]
    [connector] = record.connectors
    assert (connector.id, connector.kind, connector.right) == ("cantine_menu.link", "link", "cantine_menu.access")
    assert connector.url_for_profile({"relative"}) == "https://menus.example/parents/{uai}"
    assert connector.url_for_profile({"student"}) == "https://menus.example/{uai}"
    assert "cantine_menu" not in access_for(db, registry, school.parent).apps
    enable_with_defaults(db, registry, school.structure, "cantine_menu")
    parent = access_for(db, registry, school.parent)
    assert "cantine_menu" in parent.apps and [c.id for c in parent.connectors] == ["cantine_menu.link"]
    assert access_for(db, registry, school.teacher).connectors == []


def test_the_built_in_link_plugins_are_declared_with_the_helper(app):
    registry = app.extensions["preau.plugins"]
    for app_id, connector in (("capytale", "capytale.link"), ("avenirs", "avenirs.link"),
                              ("appseducation", "appseducation.nuage")):
        record = registry.by_app_id(app_id)
        assert isinstance(record.plugin, LinkPlugin), app_id
        assert record.module == f"preau_plugins.{app_id}:plugin"
        assert [c.id for c in record.connectors] == [connector]


# -- docs -------------------------------------------------------------------------------------------------------


def test_every_id_and_field_name_of_the_layout_is_listed_as_reserved_in_the_guide():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    guide = (root / "docs" / "plugins.md").read_text(encoding="utf-8")
    section = guide.split("\n## Page ids and names the layout reserves\n", 1)[1].split("\n## ", 1)[0]
    found = set()
    # the flash messages' banner (a built-in plugin's preau_page_banners) shows on every page of its readers too
    for template in ("core/templates/base.html", "core/templates/portal/dashboard.html",
                     "plugins/flash/templates/flash/_banner.html"):
        html = (root / template).read_text(encoding="utf-8")
        html = re.sub(r"<meta[^>]*>", "", html)  # <meta name="viewport"> is not a field
        found |= {re.sub(r"\{\{.*?\}\}", "<n>", value) for value in re.findall(r'\b(?:id|name)="([^"]+)"', html)}
    assert {"main", "lang", "csrf_token", "dashboard"} <= found
    missing = sorted(value for value in found if f"`{value}`" not in section)
    assert not missing, f"docs/plugins.md, 'Page ids and names the layout reserves', does not list {missing}"
