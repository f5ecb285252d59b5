"""``preau new-plugin`` copies the example plugin shipped in the preau package (core/plugin_template/, its Python
files ending in .py-tpl) into a new distribution with every name replaced; plugin_template/ at the root is its
rendering for the name "hello", and new-plugin works from an installed Préau (a wheel), not only a checkout."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from preau.cli import TEMPLATE_SUFFIX, cli, copy_plugin_template, plugin_template_dir

ROOT = Path(__file__).resolve().parent.parent

SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".ruff_cache"}


def _new_plugin(*args):
    return CliRunner().invoke(cli, ["new-plugin", *args])


def _template_files():
    template = plugin_template_dir()
    return {p.relative_to(template) for p in template.rglob("*") if p.is_file()
            and not any(part in SKIPPED_PARTS or part.endswith(".egg-info") for part in p.relative_to(template).parts)
            and p.suffix != ".pyc"}


def _isolated_env(src):
    # The child must never touch the database of this test session (PostgreSQL runs share it).
    env = {k: v for k, v in os.environ.items() if k not in ("PREAU_TEST_DATABASE_URL", "PREAU_DATABASE_URL")}
    env["PYTHONPATH"] = str(src)
    return env


@pytest.fixture
def cantine(tmp_path):
    result = _new_plugin("cantine", "--dest", str(tmp_path))
    assert result.exit_code == 0, result.output
    return tmp_path / "preau-cantine"


def test_new_plugin_copies_every_file_of_the_template_with_names_replaced(cantine):
    generated = {p.relative_to(cantine) for p in cantine.rglob("*") if p.is_file()}
    expected = {type(p)(str(p).removesuffix(TEMPLATE_SUFFIX).replace("preau_hello", "preau_cantine")
                        .replace("hello", "cantine")) for p in _template_files()}
    assert generated == expected
    assert len(generated) >= 10
    for path in generated:
        assert "hello" not in str(path).lower()
        assert "hello" not in (cantine / path).read_text(encoding="utf-8").lower(), f"'hello' left in {path}"


def test_new_plugin_gives_the_distribution_package_entry_point_and_revision_their_new_names(cantine):
    pyproject = (cantine / "pyproject.toml").read_text()
    assert 'name = "preau-cantine"' in pyproject
    assert '[project.entry-points."preau.plugins"]\ncantine = "preau_cantine"' in pyproject
    migration = cantine / "src/preau_cantine/migrations/versions/0001_cantine_initial.py"
    assert 'revision = "cantine_0001"' in migration.read_text()
    assert "class CantineNote(Model)" in (cantine / "src/preau_cantine/models.py").read_text()
    assert (cantine / "src/preau_cantine/templates/cantine/index.html").is_file()


def test_generated_package_imports_and_its_manifest_validates(cantine):
    probe = (
        "import json, preau_cantine as p\n"
        "m = p.preau_app(); m.validate()\n"
        "items = [*p.preau_rights(), *p.preau_widgets(), *p.preau_connectors()]\n"
        "for item in items: item.validate(m.id)\n"
        "print(json.dumps({'id': m.id, 'entry': m.entry_endpoint, 'items': sorted(i.id for i in items),\n"
        "                  'table': p.CantineNote.__tablename__, 'blueprint': p.preau_blueprints()[0].name}))\n")
    run = subprocess.run([sys.executable, "-c", probe], env=_isolated_env(cantine / "src"), capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"id": "cantine", "entry": "cantine.index", "blueprint": "cantine",
                                      "items": ["cantine.access", "cantine.eduscol", "cantine.notes"],
                                      "table": "cantine_notes"}


def test_generated_plugin_passes_its_own_tests(cantine):
    # Not pip-installed here: load it as an extra plugin instead of through its entry point.
    (cantine / "tests" / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture(scope='session')\n"
        "def preau_config():\n    return {'PLUGINS_EXTRA': ['preau_cantine']}\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=cantine,
                         env=_isolated_env(cantine / "src"), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout


@pytest.mark.parametrize("name", ["Cantine", "1cantine", "c", "vie-scolaire", "cantine!", "x" * 41])
def test_new_plugin_refuses_a_name_that_is_not_an_app_id(tmp_path, name):
    result = _new_plugin(name, "--dest", str(tmp_path))
    assert result.exit_code != 0
    assert "Nom d'extension invalide" in result.output
    assert list(tmp_path.iterdir()) == []


def test_new_plugin_refuses_an_existing_destination_and_leaves_it_untouched(tmp_path):
    existing = tmp_path / "preau-cantine"
    existing.mkdir()
    (existing / "mine.txt").write_text("à garder")
    result = _new_plugin("cantine", "--dest", str(tmp_path))
    assert result.exit_code != 0 and "existe déjà" in result.output
    assert [p.name for p in existing.iterdir()] == ["mine.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["preau-cantine"]


def test_new_plugin_names_with_underscores_get_a_dashed_distribution(tmp_path):
    result = _new_plugin("vie_scolaire", "--dest", str(tmp_path))
    assert result.exit_code == 0, result.output
    target = tmp_path / "preau-vie-scolaire"
    assert 'name = "preau-vie-scolaire"' in (target / "pyproject.toml").read_text()
    assert "class VieScolaireNote(Model)" in (target / "src/preau_vie_scolaire/models.py").read_text()


def test_new_plugin_explains_when_the_template_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr("preau.cli.plugin_template_dir", lambda: tmp_path / "absent")
    result = _new_plugin("cantine", "--dest", str(tmp_path / "out"))
    assert result.exit_code != 0 and "Modèle d'extension introuvable" in result.output
    assert not (tmp_path / "out").exists()


def test_the_template_ships_inside_the_preau_package_and_plugin_template_is_its_rendering(tmp_path):
    import preau

    template = plugin_template_dir()
    assert template.parent == Path(preau.__file__).resolve().parent  # package data, not the checkout's root
    assert not list(template.rglob("*.py")), "template Python files end in .py-tpl: no tool takes them for preau's"
    copy_plugin_template(template, tmp_path / "hello", "hello")
    rendered = {p.relative_to(tmp_path / "hello") for p in (tmp_path / "hello").rglob("*") if p.is_file()}
    example = ROOT / "plugin_template"
    tracked = {p.relative_to(example) for p in example.rglob("*") if p.is_file()
               and not any(part in SKIPPED_PARTS or part.endswith(".egg-info") for part in p.relative_to(example).parts)
               and p.suffix != ".pyc"}
    fix = "edit core/plugin_template/ (the one source), then run: python .ci/render-plugin-template"
    assert rendered == tracked, fix
    for relative in sorted(rendered):
        assert (tmp_path / "hello" / relative).read_bytes() == (example / relative).read_bytes(), f"{relative}: {fix}"


def test_new_plugin_works_from_an_installed_preau(tmp_path):
    # Build Préau's wheel from a copy of the sources, unpack it as an installation and run new-plugin from it.
    source = tmp_path / "source"
    for name in ("core", "plugins"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"),
                            str(source)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    [wheel] = (tmp_path / "dist").glob("preau-*.whl")
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(installed)
    probe = ("import sys, preau; from preau.cli import main\n"
             "print(preau.__file__, file=sys.stderr)\n"
             "sys.argv = ['preau', 'new-plugin', 'cantine', '--dest', sys.argv[1]]; main()\n")
    env = {**_isolated_env(installed), "PYTHONNOUSERSITE": "1"}
    run = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "out")], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr.startswith(str(installed / "preau" / "__init__.py"))  # not the checkout's preau
    generated = {p.relative_to(tmp_path / "out" / "preau-cantine")
                 for p in (tmp_path / "out" / "preau-cantine").rglob("*") if p.is_file()}
    assert len(generated) == len(_template_files()) and Path(".gitignore") in generated
    assert Path("src/preau_cantine/__init__.py") in generated


def test_copy_skips_caches_and_egg_info(tmp_path):
    template = tmp_path / "template"
    for relative in ("src/preau_hello/__init__.py", "src/preau_hello/__pycache__/x.cpython-311.pyc",
                     "src/preau_hello.egg-info/PKG-INFO", ".pytest_cache/v/cache", "README.md"):
        (template / relative).parent.mkdir(parents=True, exist_ok=True)
        (template / relative).write_text("hello")
    copy_plugin_template(template, tmp_path / "out", "cantine")
    copied = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert copied == ["README.md", "src/preau_cantine/__init__.py"]
    assert (tmp_path / "out" / "README.md").read_text() == "cantine"
