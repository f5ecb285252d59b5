"""Fixtures shared by the import tests."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from preau.cli import cli


@pytest.fixture
def database(tmp_path, monkeypatch):
    """An empty SQLite database file brought to the current schema by ``preau db upgrade``, for CLI tests."""
    monkeypatch.setenv("PREAU_INSTANCE_DIR", str(tmp_path / "instance"))
    path = tmp_path / "cli.db"
    result = CliRunner().invoke(cli, ["db", "upgrade", "--db", f"sqlite:///{path}"])
    assert result.exit_code == 0, result.output
    return path
