"""``preau import``: dry run, apply, progress and the readable report; a fatal error exits non-zero naming the place."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from preau.cli import cli

from .aaf_files import small_set


def aaf_users(path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM users WHERE source = 'aaf'").fetchone()[0]


def test_a_dry_run_prints_progress_and_the_diff_and_writes_no_account(database, tmp_path):
    folder = small_set(tmp_path / "feed")
    result = CliRunner().invoke(cli, ["import", "aaf", str(folder), "--dry-run", "--db", f"sqlite:///{database}"])
    assert result.exit_code == 0, result.output
    assert "Simulation (rien n'a été écrit)." in result.stdout
    assert "3 créés" in result.stdout and "création : Léa MARTIN [1001]" in result.stdout
    assert "[  1 %] Lecture des fichiers" in result.stderr and "[100 %] Terminé" in result.stderr
    assert aaf_users(database) == 0
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT dry_run, state FROM import_runs").fetchall() == [(1, "done")]


def test_apply_then_an_identical_import_reports_everything_unchanged(database, tmp_path):
    folder = small_set(tmp_path / "feed")
    url = f"sqlite:///{database}"
    first = CliRunner().invoke(cli, ["import", "aaf", str(folder), "--db", url])
    assert first.exit_code == 0, first.output
    assert "Import appliqué." in first.stdout and aaf_users(database) == 6
    second = CliRunner().invoke(cli, ["import", "aaf", str(folder), "--db", url])
    assert second.exit_code == 0
    assert "6 inchangés" in second.stdout and "créés" not in second.stdout


def test_a_truncated_file_exits_non_zero_naming_the_file_and_line(database, tmp_path):
    folder = small_set(tmp_path / "feed")
    path = folder / "ENT_Complet_20250901_Eleve_0000.xml"
    path.write_bytes(path.read_bytes()[:400])
    result = CliRunner().invoke(cli, ["import", "aaf", str(folder), "--db", f"sqlite:///{database}"])
    assert result.exit_code == 1
    assert "ENT_Complet_20250901_Eleve_0000.xml, ligne" in result.stderr
    assert aaf_users(database) == 0
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT state FROM import_runs").fetchall() == [("failed",)]


def test_an_unknown_source_is_refused(database, tmp_path):
    result = CliRunner().invoke(cli, ["import", "onde", str(tmp_path), "--db", f"sqlite:///{database}"])
    assert result.exit_code != 0 and "source inconnue : onde" in result.output
