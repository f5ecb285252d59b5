"""The public surface is `preau` and `preau.testing`, documented in one place, and the only thing plugins import.

- every public name has a docstring and is listed in docs/plugins.md ("The public API"), and every name listed
  there exists; every fixture of `preau.testing` is listed too;
- the built-in plugins, the template and the examples import no other module of the kernel (quick feedback,
  before import-linter's contracts);
- what an outside author missed: the structures of a person, a right checked within one structure,
  `access_for` without the registry, settings read and written, the directory read API, the admin-page
  helpers, and fixtures that enable an app without its defaults and grant one right to one profile group.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
from flask import Blueprint
from flask_login import login_user
from werkzeug.exceptions import HTTPException
from werkzeug.local import LocalProxy

import preau
import preau.testing
from preau import Profile
from preau.directory.users import add_role, link_relative
from preau.testing import build_school

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "plugins.md"
PUBLIC_MODULES = {"preau", "preau.testing"}
PLUGIN_TREES = [ROOT / "plugins", ROOT / "plugin_template", ROOT / "examples"]


def _public_api_section() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    return text.split("\n## The public API\n", 1)[1].split("\n## ", 1)[0]


def _reference_names(section: str) -> set[str]:
    """The names a row of the reference tables documents: the backticked identifiers of its first cell."""
    names = set()
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = line.split("|")[1]
        names |= {re.match(r"\w+", code).group() for code in re.findall(r"`([^`]+)`", first_cell)}
    return names


def _fixtures() -> set[str]:
    from _pytest.fixtures import FixtureFunctionDefinition

    return {name for name, value in vars(preau.testing).items() if isinstance(value, FixtureFunctionDefinition)}


# -- documented, and nothing documented that does not exist -----------------------------------------------


def test_the_surface_has_what_an_outside_author_missed():
    assert {"structures_of", "people_of", "members_of", "parents_of", "access_for", "Access", "app_enabled",
            "setting", "set_setting", "require_admin", "abort_refused", "cli_app", "Role", "PROFILE_LABELS",
            "record_launch", "profile_group", "Job"} <= set(preau.__all__)
    assert {"enable_plugin", "grant_right"} <= _fixtures()


def test_names_no_plugin_needs_are_not_public():
    assert not {"hookspec", "render_page", "plugin_hook"} & set(preau.__all__)


@pytest.mark.parametrize("name", sorted(preau.__all__))
def test_every_public_callable_has_a_docstring(name):
    value = getattr(preau, name)
    if isinstance(value, LocalProxy):  # current_user: Flask-Login's proxy, documented in the guide's table
        return
    if callable(value) or inspect.isclass(value):
        doc = inspect.getdoc(value) if not inspect.isclass(value) else value.__doc__
        assert doc and len(doc.strip()) > 20, f"preau.{name} needs a docstring"


def test_every_public_name_is_in_the_reference_section():
    section = _public_api_section()
    missing = [name for name in preau.__all__ if f"`{name}" not in section]
    assert not missing, f"docs/plugins.md, 'The public API', does not document: {missing}"


def test_every_name_the_reference_section_documents_exists():
    section = _public_api_section().split("\n### preau.testing\n", 1)[0]
    documented = _reference_names(section)
    assert {"people_of", "require_admin", "User"} <= documented  # the parser still reads the tables
    unknown = sorted(documented - set(preau.__all__))
    assert not unknown, f"docs/plugins.md documents names that preau does not have: {unknown}"


def test_every_fixture_of_preau_testing_is_in_the_reference_section():
    testing = _public_api_section().split("\n### preau.testing\n", 1)[1]
    missing = sorted(name for name in _fixtures() if f"`{name}`" not in testing)
    assert not missing, f"docs/plugins.md, 'preau.testing', does not list the fixtures {missing}"
    listed = set(re.findall(r"`(\w+)`", testing.split("House rules", 1)[0]))
    unknown = sorted(name for name in listed - _fixtures() if not hasattr(preau.testing, name))
    assert not unknown, f"docs/plugins.md lists names preau.testing does not have: {unknown}"


# -- plugins import only the public surface -----------------------------------------------------------------


def _kernel_imports(path: Path) -> list[tuple[int, str]]:
    """The (line, module) of every import of a ``preau…`` module in a file, whatever the form."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            if node.module == "preau":  # `from preau import rights` imports a module too
                found += [(node.lineno, f"preau.{alias.name}") for alias in node.names
                          if alias.name not in preau.__all__]
    return [(line, module) for line, module in found if module == "preau" or module.startswith("preau.")]


def _plugin_files() -> list[Path]:
    return sorted(path for tree in PLUGIN_TREES for path in tree.rglob("*.py"))


def test_the_walk_finds_the_plugins_and_their_imports_of_preau():
    files = _plugin_files()
    assert any(path.parts[-2:] == ("messaging", "__init__.py") for path in files)
    assert any(path.name == "test_hello.py" for path in files)
    assert any("preau_cantine" in path.parts for path in files)
    assert sum(len(_kernel_imports(path)) for path in files) > 50


def test_the_walk_catches_an_internal_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import preau.rights\nfrom preau.settings import get_setting\nfrom preau import people_of\n"
                      "def later():\n    from preau.models import Role\n", encoding="utf-8")
    internal = [module for _line, module in _kernel_imports(sample) if module not in PUBLIC_MODULES]
    assert internal == ["preau.rights", "preau.settings", "preau.models"]
    assert [module for _line, module in _kernel_imports(sample)].count("preau") == 1


def test_plugins_and_the_template_import_only_the_public_surface():
    offenders = [f"{path.relative_to(ROOT)}:{line} imports {module}" for path in _plugin_files()
                 for line, module in _kernel_imports(path) if module not in PUBLIC_MODULES]
    assert not offenders, "plugins may import only preau and preau.testing:\n" + "\n".join(offenders)


def test_plugins_use_only_public_names_of_preau():
    """`import preau` then `preau.X`, or `from preau import X`: X must be public."""
    offenders = []
    for path in _plugin_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "preau"
                    and node.attr not in preau.__all__):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} preau.{node.attr}")
    assert not offenders, "not public:\n" + "\n".join(offenders)


# -- the new names, at work ---------------------------------------------------------------------------------


@pytest.fixture
def two_schools(db):
    """School A's teacher is also a parent in school B (another city)."""
    a = build_school(db)
    b = build_school(db, name="École Voisine", uai="0750009Z", city_name="Ville Voisine")
    add_role(db, a.teacher, b.structure, Profile.RELATIVE)
    link_relative(db, a.teacher, b.student)
    db.flush()
    return a, b


def test_structures_of_a_person_with_roles_in_two_schools(db, two_schools):
    a, b = two_schools
    assert {s.id for s in preau.structures_of(db, a.teacher)} == {a.structure.id, b.structure.id}
    assert [s.id for s in preau.structures_of(db, a.teacher, Profile.RELATIVE)] == [b.structure.id]
    assert preau.structures_of(db, a.student) == [a.structure]


def test_a_right_checked_within_one_structure(db, two_schools, enable_plugin, grant_right):
    a, b = two_schools
    enable_plugin("timetable", a.structure, defaults=False)
    enable_plugin("timetable", b.structure, defaults=False)
    grant_right("timetable.access", a.structure, Profile.TEACHER)
    access = preau.access_for(a.teacher, session=db)
    assert access.has("timetable.access")
    assert access.has("timetable.access", structure=a.structure)
    assert not access.has("timetable.access", structure=b.structure)  # a parent there: no grant reaches them
    grant_right("timetable.access", b.structure, Profile.RELATIVE)
    assert preau.access_for(a.teacher, session=db).has("timetable.access", structure=b.structure.id)


def test_a_right_within_a_structure_where_the_app_is_disabled_does_not_reach(db, two_schools, enable_plugin,
                                                                             grant_right):
    a, b = two_schools
    enable_plugin("timetable", a.structure, defaults=False)
    grant_right("timetable.access", a.structure, Profile.TEACHER)
    grant_right("timetable.access", b.structure, Profile.RELATIVE)  # granted, but not enabled in B
    access = preau.access_for(a.teacher, session=db)
    assert access.has("timetable.access", structure=a.structure)
    assert not access.has("timetable.access", structure=b.structure)
    assert not preau.app_enabled(db, "timetable", b.structure) and preau.app_enabled(db, "timetable", a.structure)


def test_access_for_follows_the_roles_given(db, two_schools, enable_plugin):
    a, b = two_schools
    enable_plugin("timetable", b.structure)
    parent_role = next(r for r in a.teacher.roles if r.structure_id == b.structure.id)
    teacher_role = next(r for r in a.teacher.roles if r.structure_id == a.structure.id)
    assert preau.access_for(a.teacher, roles=[parent_role], session=db).has("timetable.access")
    assert not preau.access_for(a.teacher, roles=[teacher_role], session=db).has("timetable.access")


def test_enabled_without_defaults_reaches_nobody_until_one_right_is_granted(school, login_as, enable_plugin,
                                                                          grant_right):
    enable_plugin("timetable", school.structure, defaults=False)
    client = login_as(school.teacher)
    assert client.get("/apps/timetable/").status_code == 403
    grant_right("timetable.access", school.structure, Profile.TEACHER)
    assert client.get("/apps/timetable/").status_code == 200
    assert login_as(school.student).get("/apps/timetable/").status_code == 403


def test_the_fixtures_refuse_an_unknown_app_or_right(school, enable_plugin, grant_right):
    with pytest.raises(KeyError):
        enable_plugin("no_such_app", school.structure, defaults=False)
    with pytest.raises(KeyError):
        grant_right("timetable.no_such_right", school.structure, Profile.TEACHER)


def test_the_directory_read_api(db, two_schools):
    a, b = two_schools
    assert [u.id for u in preau.people_of(db, a.structure, [Profile.STUDENT])] == [a.student.id]
    everyone_in_b = {u.id for u in preau.people_of(db, b.structure.id)}
    assert a.teacher.id in everyone_in_b and b.teacher.id in everyone_in_b and a.student.id not in everyone_in_b
    assert {u.id for u in preau.parents_of(db, b.student)} == {b.parent.id, a.teacher.id}
    teachers = preau.profile_group(db, a.structure.id, Profile.TEACHER)
    assert [u.id for u in preau.members_of(db, teachers)] == [a.teacher.id]
    assert [u.id for u in preau.members_of(db, teachers.id)] == [a.teacher.id]


def test_settings_set_then_read_with_inheritance(app, db, school):
    preau.set_setting("timetable", "week_a_monday", "2025-09-01", structure_id=school.city.id, session=db)
    assert preau.setting("timetable", "week_a_monday", structure_id=school.structure.id, session=db) == "2025-09-01"
    preau.set_setting("timetable", "week_a_monday", "2025-09-08", structure_id=school.structure.id)
    assert preau.setting("timetable", "week_a_monday", structure_id=school.structure.id) == "2025-09-08"
    assert preau.setting("timetable", "week_a_monday", structure_id=school.city.id) == "2025-09-01"
    with pytest.raises(ValueError):
        preau.set_setting("timetable", "week_a_monday", 12, structure_id=school.structure.id)


def test_require_admin_answers_as_the_kernel_administration(app, db, two_schools):
    from preau.models import AuditEvent

    a, b = two_schools
    with app.test_request_context("/apps/anything/admin"):
        login_user(a.admin)
        assert preau.require_admin(a.structure.id) == a.structure
        assert preau.require_admin() is None
        with pytest.raises(preau.PreauError) as refused:
            preau.require_admin(b.structure)
        assert refused.value.status == 403 and "n'administrez pas cette structure" in str(refused.value)
        with pytest.raises(HTTPException) as missing:
            preau.require_admin(987654321)
        assert missing.value.code == 404
        login_user(a.teacher)
        with pytest.raises(preau.PreauError) as not_admin:
            preau.require_admin()
        assert not_admin.value.status == 403 and "réservée aux administrateurs" in str(not_admin.value)
    denied = db.query(AuditEvent).filter_by(action="security.scope_denied", target_id=str(b.structure.id)).all()
    assert len(denied) == 1 and denied[0].actor_id == a.admin.id


def test_descendant_ids_walks_down_from_a_city_and_not_up(db, school):
    assert preau.descendant_ids(db, [school.city.id]) == {school.city.id, school.structure.id}
    assert preau.descendant_ids(db, [school.structure.id]) == {school.structure.id}


def test_safe_next_keeps_local_paths_only(app):
    with app.test_request_context("/"):
        assert preau.safe_next("/apps/flash/?x=1") == "/apps/flash/?x=1"
        for outside in ("https://evil.example/", "//evil.example/", "/%2F%2Fevil.example", None, ""):
            assert preau.safe_next(outside) == "/", outside
        assert preau.safe_next("javascript:alert(1)", "/home") == "/home"


def test_client_ip_is_the_printable_remote_address(app):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        assert preau.client_ip() == "10.1.2.3"
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3\n\x00" + "9" * 60}):
        assert preau.client_ip().startswith("10.1.2.3") and len(preau.client_ip()) == 45
        assert preau.client_ip().isprintable()


def _answer_to(app, refusal):
    """The response the application's own error handlers give for an exception a view let through."""
    return app.make_response(app.handle_user_exception(refusal))


def test_abort_refused_shows_the_kernel_page_or_json(app, db, school):
    with app.test_request_context("/apps/anything/"):
        login_user(school.teacher)
        with pytest.raises(preau.PreauError) as page:
            preau.abort_refused("Le menu est déjà publié.", 409)
        response = _answer_to(app, page.value)
        assert response.status_code == 409
        html = response.get_data(as_text=True)
        assert "Le menu est déjà publié." in html and 'id="main"' in html  # the kernel's layout
    with app.test_request_context("/apps/anything/", headers={"Accept": "application/json"}):
        with pytest.raises(preau.PreauError) as json_refusal:
            preau.abort_refused("Non.")
        response = _answer_to(app, json_refusal.value)
        assert response.status_code == 403 and response.mimetype == "application/problem+json"
        assert response.get_json()["detail"] == "Non." and response.get_json()["reason"] == "refused"


def test_record_launch_counts_in_the_statistics(app, db, school):
    from preau.models import ConnectorLaunch
    from preau.statistics import summary, today

    preau.record_launch(db, school.teacher, key="hello:atlas", kind="link", structure_id=school.structure.id,
                        profile=Profile.TEACHER)
    db.flush()
    assert db.query(ConnectorLaunch).filter_by(key="hello:atlas", user_id=school.teacher.id).count() == 1
    figures = summary(db, [school.structure.id], today(), today())
    assert ("hello:atlas", 1) in figures.connectors


def test_cli_app_is_built_on_the_database_given(tmp_path):
    url = f"sqlite:///{tmp_path / 'other.db'}"
    built = preau.cli_app(url, TESTING=True, JOBS_INLINE_WORKER=False)
    assert built.config["DATABASE_URL"] == url and built.config["JOBS_INLINE_WORKER"] is False






def test_server_endpoints_of_a_plugin(db, school, login_as, enable_plugin):
    """tests/fixtures_plugins/server_endpoints.py: public_endpoint, csrf_exempt and before_charter."""
    from preau.auth.service import publish_charter

    base = "/apps/server_endpoints/spy-endpoints"
    client = login_as(school.teacher)
    assert client.get(f"{base}/page").status_code == 403  # enabled nowhere: only the public view answers
    assert client.post(f"{base}/token").get_data(as_text=True) == "token"  # and without a CSRF token
    client.post_form("/auth/logout", {})
    assert client.post(f"{base}/token").get_data(as_text=True) == "token"  # anonymous: another server
    assert "/auth/login" in client.get(f"{base}/page").headers["Location"]

    enable_plugin("server_endpoints", school.structure)
    publish_charter(db, Profile.TEACHER, "Charte", "<p>Charte</p>")
    db.commit()
    client = login_as(school.teacher)
    assert client.post(f"{base}/token").get_data(as_text=True) == "token"  # charter not accepted yet
    assert client.post(f"{base}/form").status_code == 400  # open before the charter, but a form needs its token
    assert "/auth/charter" in client.get(f"{base}/page").headers["Location"]  # every other page waits for it


def test_a_blueprint_at_the_site_root_keeps_to_its_declared_paths(app, client):
    """tests/fixtures_plugins/root_mounted.py: the addresses other servers know stay where they are."""
    assert client.get("/.well-known/spy-configuration").get_json() == {"issuer": "spy"}
    assert client.post("/spy-protocol/token").get_data(as_text=True) == "token"
    registry = app.extensions["preau.plugins"]
    errors = {record.manifest.id: record.error for record in registry.records.values() if record.manifest}
    assert errors["root_good"] is None
    assert "outside the declared root paths" in errors["root_stray"]
    assert "already served (auth." in errors["root_clash"]
    assert client.get("/elsewhere").status_code == 404  # the stray plugin mounted nothing
    with pytest.raises(ValueError):
        preau.at_site_root(Blueprint("no_paths", __name__))
    with pytest.raises(ValueError):
        preau.at_site_root(Blueprint("relative", __name__), "oauth")


def test_installed_apps_are_the_active_apps_without_the_services_and_sources(app):
    with app.app_context():
        manifests = preau.installed_apps()
    ids = {manifest.id for manifest in manifests}
    assert {"messaging", "carnet"} <= ids and not {"oidc", "aaf", "csvimport"} & ids
    assert all(isinstance(manifest, preau.AppManifest) and manifest.is_app for manifest in manifests)


def test_encrypted_text_stores_ciphertext_and_reads_clear_text(app):
    column = preau.EncryptedText()
    with app.app_context():
        stored = column.process_bind_param("-----BEGIN PRIVATE KEY-----", None)
        assert stored.startswith("fernet:") and "PRIVATE" not in stored
        assert column.process_result_value(stored, None) == "-----BEGIN PRIVATE KEY-----"


def test_a_plugin_opens_the_connector_kind_it_gives(app, db, school, login_as, enable_plugin):
    """tests/fixtures_plugins/launchers.py: preau_launchers, Launch, released_values and autosubmit_page."""
    from tests.fixtures_plugins.launchers import OPENED

    registry = app.extensions["preau.plugins"]
    errors = {record.name: record.error for record in registry.records.values()}
    assert errors["opener"] is None and registry.launchers()["spy"].__name__ == "open_spy"
    assert "'nobody_opens_this' is opened by no active plugin" in errors["orphan"]
    assert "the kernel opens 'link'" in errors["usurper"]
    enable_plugin("spy_opener", school.structure)
    page = login_as(school.teacher).get("/launch/plugin:spy_opener.tile")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert 'action="https://spy.exemple.fr/launch"' in html and 'value="Paul"' in html and "form-action" in \
        page.headers["Content-Security-Policy"]
    launch = OPENED[-1]
    assert isinstance(launch, preau.Launch) and launch.kind == "spy" and launch.role.structure_id == school.structure.id
    assert preau.released_values(school.teacher, ("login", "email", "first_name")) == {"login": school.teacher.login,
                                                                                        "first_name": "Paul"}


def test_reachable_launches_and_confirm_launch(app, db, school, enable_plugin):
    enable_plugin("spy_opener", school.structure)
    role = school.teacher.roles[0]
    with app.test_request_context():
        keys = [launch.key for launch in preau.reachable_launches(school.teacher, kinds={"spy"})]
        assert keys == ["plugin:spy_opener.tile"]
        assert preau.reachable_launches(school.student, kinds={"spy"}) == []
        confirmed = preau.confirm_launch(school.teacher, "plugin:spy_opener.tile", kind="spy", role_id=role.id,
                                         structure_id=school.structure.id, age=120)
        assert confirmed is not None and confirmed.user is school.teacher
        assert preau.confirm_launch(school.teacher, "plugin:spy_opener.tile", kind="link", role_id=role.id,
                                    structure_id=school.structure.id) is None  # another kind
        assert preau.confirm_launch(school.student, "plugin:spy_opener.tile", kind="spy",
                                    role_id=school.student.roles[0].id, structure_id=school.structure.id) is None
        assert preau.connector_released_attributes("plugin:spy_opener.tile", school.structure.id) == \
            ("login", "first_name")
        assert preau.connector_released_attributes("connector:nothing", school.structure.id) == ("login",)
        choices = dict(preau.connector_choices("spy"))
        assert choices == {"plugin:spy_opener.tile": "Outil espion"}
        assert "connector:elea" in dict(preau.connector_choices("lti13"))  # a catalogue entry


def test_descendant_ids_and_encrypted_text(app, db, school):
    assert preau.descendant_ids(db, [school.city.id]) >= {school.city.id, school.structure.id}
    assert preau.descendant_ids(db, [school.structure.id]) == {school.structure.id}
    column = preau.EncryptedText()
    stored = column.process_bind_param("secret", None)
    assert stored != "secret" and column.process_result_value(stored, None) == "secret"


def test_icon_names_and_the_icon_macro_draw_a_bundled_icon(app):
    assert {"school", "calendar-days", "book-open", "mail", "link"} <= set(preau.icon_names())
    with app.test_request_context():
        from flask import render_template_string
        decorative = render_template_string('{% from "_icons.html" import icon %}{{ icon("school") }}')
        labelled = render_template_string('{% from "_icons.html" import icon %}{{ icon("mail", label="Messages") }}')
    assert 'aria-hidden="true"' in decorative and "sprite.svg#school" in decorative
    assert 'role="img" aria-label="Messages"' in labelled and "<title>Messages</title>" in labelled
