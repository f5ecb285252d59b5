"""Zip uploads are checked before anything is extracted, and counted while they inflate (issue 16, point 9).

A 0.83 MB archive expanding to 78 MB used to be read whole into memory (318 MB for the server). Now a bomb, an
archive of 100,000 members and one whose headers lie about a member's size are refused with a French message
naming the archive and the member, through ``preau import`` and through the imports pages, and the directory
stays as it was.
"""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import textwrap
import zipfile

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from preau import ZipRefused, is_zip, open_zip
from preau.cli import cli
from preau.models import Job, User
from preau.testing import run_jobs

from .aaf_files import small_set
from .test_import_bad_input import checksum
from .test_imports_admin import super_admin
from .zip_bombs import MB, bomb, liar, swarm

CSV_HEAD = "Nom;Prénom;Date de naissance;Classe\n".encode()


# -- the kernel's reader --------------------------------------------------------------------------------


def test_a_bomb_is_refused_from_its_central_directory_naming_the_member(tmp_path):
    path = bomb(tmp_path / "bombe.zip")
    assert path.stat().st_size < MB and is_zip(path)
    with pytest.raises(ZipRefused) as caught:
        open_zip(path)
    message = str(caught.value)
    assert "bombe.zip" in message and "« eleves.csv »" in message and "compressé plus de 100 fois" in message


def test_too_many_members_are_refused(tmp_path):
    path = swarm(tmp_path / "essaim.zip", 1001)
    with pytest.raises(ZipRefused, match="l'archive contient 1001 fichiers, 1000 au plus"):
        open_zip(path)


def test_a_declared_size_over_the_limits_is_refused(app, tmp_path):
    path = tmp_path / "gros.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.xml", b"x" * (2 * MB))
        archive.writestr("b.xml", b"y" * (2 * MB))
    with pytest.raises(ZipRefused, match="« a.xml » ferait 2.0 Mo"):
        open_zip(path, max_member_bytes=MB)
    with pytest.raises(ZipRefused, match="dépasserait 3.0 Mo \\(à « b.xml »\\)"):
        open_zip(path, max_total_bytes=3 * MB)
    original = app.config["ZIP_MAX_TOTAL_BYTES"]
    app.config["ZIP_MAX_TOTAL_BYTES"] = 3 * MB  # the configuration, and a caller cannot raise it
    try:
        with app.app_context(), pytest.raises(ZipRefused, match="dépasserait 3.0 Mo"):
            open_zip(path, max_total_bytes=100 * MB)
    finally:
        app.config["ZIP_MAX_TOTAL_BYTES"] = original


def test_a_member_inflating_past_its_declared_size_is_refused_while_read(tmp_path):
    path = liar(tmp_path / "menteur.zip")
    with open_zip(path) as archive:  # the headers look harmless
        assert archive.names == ["eleves.csv"] and archive.members[0].file_size == 100
        with pytest.raises(ZipRefused, match="« eleves.csv » est endommagé ou falsifié"):
            archive.read("eleves.csv")


def test_a_sound_archive_is_read_with_its_wanted_members_in_order(tmp_path):
    path = tmp_path / "ok.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("b/Eleves.csv", "Nom;Prénom\n" * 1000)
        archive.writestr("a.csv", "x")
        archive.writestr("lisez-moi.pdf", "%PDF")
    with open_zip(path, suffixes=(".csv",)) as opened:
        assert opened.names == ["a.csv", "b/Eleves.csv"]
        assert opened.read("b/Eleves.csv") == ("Nom;Prénom\n" * 1000).encode()
    assert not is_zip(io.BytesIO(b"Nom;Prenom\n"))


# -- preau import (CLI) ---------------------------------------------------------------------------------


def _users(path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM users").fetchone()[0]


@pytest.mark.parametrize(("make", "expected"), [
    (lambda p: bomb(p, "ENT_Complet_Eleve_0000.xml"), "« ENT_Complet_Eleve_0000.xml » est compressé plus de 100 fois"),
    (lambda p: swarm(p, 100_000, ".xml"), "l'archive contient 100000 fichiers"),
    (lambda p: liar(p, "ENT_Complet_Eleve_0000.xml"), "« ENT_Complet_Eleve_0000.xml » est endommagé ou falsifié"),
])
def test_preau_import_refuses_hostile_archives_and_writes_nothing(database, tmp_path, make, expected):
    archive = make(tmp_path / "aaf.zip")
    before = _users(database)
    result = CliRunner().invoke(cli, ["import", "aaf", str(archive), "--db", f"sqlite:///{database}"])
    assert result.exit_code == 1
    assert "Erreur : aaf.zip : " in result.stderr and expected in result.stderr
    assert "Traceback" not in result.output
    assert _users(database) == before
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT state FROM import_runs").fetchall() == [("failed",)]


def test_a_sound_aaf_archive_still_imports(database, tmp_path):
    folder = small_set(tmp_path / "feed")
    archive = tmp_path / "aaf.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.glob("*.xml")):
            out.write(path, f"flux/{path.name}")
    result = CliRunner().invoke(cli, ["import", "aaf", str(archive), "--db", f"sqlite:///{database}"])
    assert result.exit_code == 0, result.output
    assert _users(database) == 6


MEASURE = textwrap.dedent("""
    import json, resource, sys
    from click.testing import CliRunner
    from preau.cli import cli
    result = CliRunner().invoke(cli, ["import", "csv", sys.argv[1], "--structure", "1", "--dry-run",
                                      "--db", sys.argv[2]])
    print(json.dumps({"exit": result.exit_code, "stderr": result.stderr,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""")


def _peak(script, archive, database) -> dict:
    output = subprocess.run([sys.executable, str(script), str(archive), f"sqlite:///{database}"],
                            capture_output=True, text=True, timeout=120, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_the_csv_bomb_of_the_issue_leaves_the_process_memory_bounded(database, tmp_path):
    """The issue's archive (under 1 MB, 78 MB inside) through the CSV source, in a fresh process: refused at
    once, the peak resident memory stays that of importing a one-line file (reading it whole, as before, peaked
    near 690 MB on the machine where this was written; 135 MB now, as for the small file)."""
    archive = bomb(tmp_path / "eleves.zip", "CSV_Eleves.csv", 78 * MB, CSV_HEAD)
    assert archive.stat().st_size < 0.9 * MB
    small = tmp_path / "petit.zip"
    with zipfile.ZipFile(small, "w") as out:
        out.writestr("CSV_Eleves.csv", CSV_HEAD + "Martin;Léa;01/02/2012;6A\n".encode())
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO structures (id, name, kind, source, created_at) "
                           "VALUES (1, 'École', 'ecole', 'manual', '2025-09-01')")
    script = tmp_path / "measure.py"
    script.write_text(MEASURE)
    baseline, measured = _peak(script, small, database), _peak(script, archive, database)
    assert baseline["exit"] == 0, baseline["stderr"]
    assert measured["exit"] == 1
    assert "eleves.zip : « CSV_Eleves.csv » est compressé plus de 100 fois" in measured["stderr"]
    print(f"peak memory of `preau import csv`: {baseline['peak_mb']:.0f} MB for a one-line file, "
          f"{measured['peak_mb']:.0f} MB for the bomb")
    assert measured["peak_mb"] < baseline["peak_mb"] + 20


# -- the administration's uploads -----------------------------------------------------------------------


def _upload(client, url, archive, **fields):
    return client.post_form(url, {"files": [(io.BytesIO(archive.read_bytes()), archive.name)], **fields},
                            content_type="multipart/form-data")


@pytest.mark.parametrize(("make", "expected"), [
    (lambda p: bomb(p, "CSV_Eleves.csv", 80 * MB, CSV_HEAD), "« CSV_Eleves.csv » est compressé plus de 100 fois"),
    (lambda p: swarm(p, 100_000), "l'archive contient 100000 fichiers"),
])
def test_the_imports_page_refuses_a_hostile_archive_before_storing_it(app, db, client, school, login_as, tmp_path,
                                                                      make, expected):
    login_as(super_admin(db, school))
    archive = make(tmp_path / "eleves.zip")
    before = checksum(db)
    for url, fields in ((f"/admin/structures/{school.structure.id}/imports", {"source": "csv"}),
                        (f"/admin/structures/{school.structure.id}/imports/csv/columns", {})):
        response = _upload(client, url, archive, **fields)
        assert response.status_code == 400
        text = response.text.replace("&#39;", "'").replace("&#34;", '"')
        assert "eleves.zip : " in text and expected in text
    assert db.scalar(select(func.count()).select_from(Job)) == 0
    assert checksum(db) == before


def test_a_lying_archive_fails_its_job_with_the_member_named_and_writes_nothing(app, db, client, school, login_as,
                                                                                tmp_path):
    login_as(super_admin(db, school))
    archive = liar(tmp_path / "eleves.zip", "CSV_Eleves.csv", head=CSV_HEAD)
    before = checksum(db)
    response = _upload(client, f"/admin/structures/{school.structure.id}/imports", archive, source="csv")
    assert response.status_code == 302  # its headers look harmless: the job reads it, counting
    run_jobs(app)
    page = client.get(response.headers["Location"]).text.replace("&#39;", "'")
    assert "L'import a échoué" in page and "« CSV_Eleves.csv » est endommagé ou falsifié" in page
    assert checksum(db) == before
    assert db.scalar(select(func.count()).select_from(User).where(User.source == "csv")) == 0
