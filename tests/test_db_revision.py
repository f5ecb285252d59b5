"""``preau db revision PLUGIN -m MESSAGE`` writes the plugin's next revision with its branch label and a revision id
named after the branch; ``preau db upgrade`` says which revisions it applied. Run for real, in a child process (the
plugin's models must not join this test session's metadata), against a throwaway SQLite database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from preau.migrate import next_revision_id

PLUGIN = '''
from pathlib import Path

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from preau import AppManifest, Model, hookimpl


class NotesxItem(Model):
    __tablename__ = "notesx_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(80))
    {extra}

@hookimpl
def preau_app():
    return AppManifest(id="notesx", name="Notes X", version="1.0", editor="Tests")


@hookimpl
def preau_migrations():
    return str(Path(__file__).parent / "versions")
'''


CLI = "from preau.cli import main; main()"


@pytest.fixture
def project(tmp_path):
    package = tmp_path / "src" / "preau_notesx"
    (package / "versions").mkdir(parents=True)
    (package / "__init__.py").write_text(PLUGIN.replace("{extra}", ""))
    return tmp_path


def _preau(project, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("PREAU_TEST_DATABASE_URL", "PREAU_DATABASE_URL")}
    env.update(PYTHONPATH=str(project / "src"), PREAU_PLUGINS_EXTRA="preau_notesx")
    run = subprocess.run([sys.executable, "-c", CLI, *args, "--db", f"sqlite:///{project / 'dev.db'}"],
                         env=env, cwd=project, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def test_revisions_are_named_after_their_branch_and_upgrade_lists_what_it_applied(project):
    versions = project / "src" / "preau_notesx" / "versions"
    first_upgrade = _preau(project, "db", "upgrade")
    assert re.search(r"^kernel : \d+ révisions appliquées : k0001, ", first_upgrade, re.M)
    assert "notesx : à jour (aucune révision)" in first_upgrade

    written = _preau(project, "db", "revision", "notesx", "-m", "notesx initial")
    first = versions / "0001_notesx_initial.py"
    assert f"Révision écrite : {first}" in written
    source = first.read_text()
    assert re.search(r"""^revision[^=]*= ['"]notesx_0001['"]""", source, re.M)
    assert re.search(r"""^branch_labels[^=]*= \(['"]notesx['"],\)""", source, re.M)
    assert "create_table('notesx_items'" in source.replace('"', "'")
    assert "users" not in source  # the kernel's tables are not the branch's business

    assert "notesx : 1 révision appliquée : notesx_0001" in _preau(project, "db", "upgrade")
    (project / "src" / "preau_notesx" / "__init__.py").write_text(PLUGIN.replace(
        "{extra}", 'colour: Mapped[str | None] = mapped_column(String(20))'))
    _preau(project, "db", "revision", "notesx", "-m", "add a colour")
    second = (versions / "0002_add_a_colour.py").read_text()
    assert re.search(r"""^revision[^=]*= ['"]notesx_0002['"]""", second, re.M)
    assert re.search(r"""^down_revision[^=]*= ['"]notesx_0001['"]""", second, re.M)
    assert re.search(r"^branch_labels[^=]*= None", second, re.M)
    assert "add_column" in second and "colour" in second
    upgraded = _preau(project, "db", "upgrade")
    assert "notesx : 1 révision appliquée : notesx_0002" in upgraded
    assert re.search(r"^kernel : à jour \(k\d{4}\)$", upgraded, re.M)


def test_a_revision_for_an_unknown_branch_is_refused_with_a_clear_message(project):
    _preau(project, "db", "upgrade")
    env = {k: v for k, v in os.environ.items() if k not in ("PREAU_TEST_DATABASE_URL", "PREAU_DATABASE_URL")}
    run = subprocess.run([sys.executable, "-c", CLI, "db", "revision", "nowhere", "-m", "x", "--db",
                          f"sqlite:///{project / 'dev.db'}"], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and "Pas de branche de migrations « nowhere »" in run.stderr


@pytest.mark.parametrize("branch, head, count, expected", [
    ("kernel", "k0014", 14, ("k0015", 15)), ("actualites", "actualites0002", 2, ("actualites0003", 3)),
    ("messaging", "m0009", 9, ("m0010", 10)), ("hello", "hello_0001", 1, ("hello_0002", 2)),
    ("cantine", None, 0, ("cantine_0001", 1)), ("x", "abcdef", 3, ("x_0004", 4)),
    ("vie_scolaire", "vie_scolaire0099", 99, ("vie_scolaire0100", 100)),
])
def test_the_next_revision_id_continues_the_branch_numbering(branch, head, count, expected):
    assert next_revision_id(branch, head, count) == expected


def test_the_docs_show_the_command_and_its_naming():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert "preau db revision hello -m" in docs and "hello_0002" in docs


def test_a_plugin_branch_goes_back_to_base_and_up_again(project):
    """``preau db downgrade PLUGIN base`` drops a plugin's tables (before uninstalling it); the rest stays."""
    import sqlite3

    _preau(project, "db", "upgrade")
    _preau(project, "db", "revision", "notesx", "-m", "notesx initial")
    _preau(project, "db", "upgrade")
    database = project / "dev.db"

    def tables() -> set[str]:
        with sqlite3.connect(database) as connection:
            return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    assert {"notesx_items", "users"} <= tables()
    undone = _preau(project, "db", "downgrade", "notesx", "base")
    assert "notesx : 1 révision(s) défaite(s) : notesx_0001 ; révision actuelle : aucune" in undone
    assert "notesx_items" not in tables() and "users" in tables()  # the kernel's tables are kept
    assert "notesx : 1 révision appliquée : notesx_0001" in _preau(project, "db", "upgrade")
    assert "notesx_items" in tables()


def test_the_kernel_is_never_taken_to_base(project):
    _preau(project, "db", "upgrade")
    env = {k: v for k, v in os.environ.items() if k not in ("PREAU_TEST_DATABASE_URL", "PREAU_DATABASE_URL")}
    run = subprocess.run([sys.executable, "-c", CLI, "db", "downgrade", "kernel", "base", "--db",
                          f"sqlite:///{project / 'dev.db'}"], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and "jamais base" in run.stderr
