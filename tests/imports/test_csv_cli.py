"""``preau import csv FILE… --structure UAI|ID``, run for real against a throwaway SQLite database."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select

from preau.cli import cli
from preau.models import User

TEMPLATES = Path(__file__).resolve().parents[1] / "data" / "csv-templates"
NAMES = ("CSV_Eleves.csv", "CSV_Enseignants.csv", "CSV_Personnels.csv", "CSV_Parents.csv", "CSV_Invites.csv")
UAI = "0750099Z"


def lines(name: str) -> int:
    return len([x for x in (TEMPLATES / name).read_text(encoding="latin-1").splitlines()[1:] if x.strip()])


@pytest.fixture
def db_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert CliRunner().invoke(cli, ["db", "upgrade", "--db", url]).exit_code == 0
    from preau.app import create_app
    from preau.db import db_session
    from preau.directory.structures import create_structure
    from preau.models import StructureKind

    with create_app({"DATABASE_URL": url}).app_context():
        session = db_session()
        create_structure(session, "École du CSV", StructureKind.ECOLE, uai=UAI)
        session.commit()
    return url


def run(db_url: str, *args: str):
    return CliRunner().invoke(cli, ["import", "csv", *args, "--db", db_url])


def csv_users(db_url: str) -> int:
    with create_engine(db_url).connect() as connection:
        return connection.scalar(select(func.count()).select_from(User).where(User.source == "csv"))


def test_dry_run_then_apply_then_nothing_changes(db_url):
    files = [str(TEMPLATES / name) for name in NAMES]
    dry = run(db_url, *files, "--structure", UAI, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"élèves         {lines('CSV_Eleves.csv')} créés" in dry.output
    assert csv_users(db_url) == 0
    applied = run(db_url, *files, "--structure", UAI)
    assert applied.exit_code == 0, applied.output
    assert csv_users(db_url) == sum(lines(name) for name in NAMES)
    again = run(db_url, *files, "--structure", UAI)
    assert "créés" not in again.output and "modifiés" not in again.output
    assert f"Personnes        {sum(lines(name) for name in NAMES)} inchangés" in again.output


def test_profile_and_mapping_options_read_a_file_with_other_headers(db_url, tmp_path):
    rows = (TEMPLATES / "CSV_Eleves.csv").read_text(encoding="latin-1").splitlines()[1:]
    path = tmp_path / "export.csv"
    path.write_text("\n".join(["Given;Family;Born;Group", *rows]), encoding="utf-8")
    mapping = json.dumps({"Given": "first_name", "Family": "last_name", "Born": "birth_date", "Group": "classes"})
    result = run(db_url, str(path), "--structure", UAI, "-o", "profile=student", "-o", f"mapping={mapping}")
    assert result.exit_code == 0, result.output
    assert csv_users(db_url) == lines("CSV_Eleves.csv")


def test_a_zip_of_the_templates_imports_like_the_files(db_url, tmp_path):
    archive = tmp_path / "annuaire.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in NAMES:
            zipped.write(TEMPLATES / name, f"modeles/{name}")
    result = run(db_url, str(archive), "--structure", UAI)
    assert result.exit_code == 0, result.output
    assert csv_users(db_url) == sum(lines(name) for name in NAMES)


def test_a_bad_file_exits_nonzero_naming_file_line_and_column(db_url, tmp_path):
    path = tmp_path / "eleves.csv"
    path.write_bytes("Prénom*;Nom*;Date de naissance*;Classes*\r\nPaul;MARTIN;2015-01-31;CP\r\n".encode("cp1252"))
    result = run(db_url, str(path), "--structure", UAI)
    assert result.exit_code == 1
    assert "eleves.csv, ligne 2, colonne Date de naissance*" in result.output
    assert csv_users(db_url) == 0


def test_an_unknown_structure_or_none_is_refused(db_url):
    assert run(db_url, str(TEMPLATES / "CSV_Eleves.csv"), "--structure", "9999999X").exit_code != 0
    result = run(db_url, str(TEMPLATES / "CSV_Eleves.csv"))
    assert result.exit_code == 1 and "structure cible" in result.output
    assert csv_users(db_url) == 0
