"""Bad input: a clear report naming the place, and the directory exactly as it was (issue 7, "Bad input")."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from preau.directory.imports import record_failure
from preau.directory.sync import FeedError, apply_import, plan_import
from preau_plugins.aaf.reader import read_aaf

from .aaf_files import relative, small_set, structure, student, write

DIRECTORY_TABLES = ("structures", "structure_links", "classes", "groups", "group_members", "users", "roles",
                    "user_functions", "relatives", "subjects", "mefs", "import_fingerprints",
                    "import_pending_deletions", "comm_links")


def checksum(db) -> str:
    """Every row of the directory tables, hashed: equal checksums mean an unchanged directory."""
    digest = hashlib.sha256()
    for table in DIRECTORY_TABLES:
        rows = db.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608 - fixed table names
        digest.update(table.encode())
        for row in sorted(repr(tuple(r)) for r in rows):
            digest.update(row.encode())
    return digest.hexdigest()


def test_a_truncated_xml_file_is_refused_naming_the_file_and_line(db, tmp_path):
    small_set(tmp_path)
    path = tmp_path / "ENT_Complet_20250901_Eleve_0000.xml"
    content = path.read_text(encoding="utf-8")
    path.write_text(content[: len(content) * 2 // 3], encoding="utf-8")
    before = checksum(db)
    with pytest.raises(FeedError) as caught:
        read_aaf([tmp_path])
    message = str(caught.value)
    assert "ENT_Complet_20250901_Eleve_0000.xml" in message
    assert "ligne" in message and caught.value.problems[0].place.line > 1
    record_failure(db, "aaf", caught.value, dry_run=False)
    assert checksum(db) == before


def test_duplicate_external_ids_are_fatal_naming_both_places_and_nothing_is_written(db, tmp_path):
    small_set(tmp_path)
    write(tmp_path, "ENT_Complet_20250901_Eleve_0001.xml", student("1002", "Hugo", "Bis", "100", ["5B"]))
    feed = read_aaf([tmp_path])
    before = checksum(db)
    plan = plan_import(db, feed)
    [fatal] = plan.fatal
    assert fatal.place.file == "ENT_Complet_20250901_Eleve_0001.xml" and fatal.place.line
    assert "1002" in fatal.message and "ENT_Complet_20250901_Eleve_0000.xml" in fatal.message
    with pytest.raises(FeedError) as caught:
        apply_import(db, feed)
    assert "ENT_Complet_20250901_Eleve_0001.xml" in str(caught.value)
    assert checksum(db) == before


def test_a_student_with_no_class_is_reported_by_name_and_still_imported(db, tmp_path):
    small_set(tmp_path)
    write(tmp_path, "ENT_Complet_20250901_Eleve_0001.xml", student("1004", "Noé", "Sansclasse", "100", []))
    report = apply_import(db, read_aaf([tmp_path]))
    [problem] = [p for p in report.problems if "1004" in p.message]
    assert "aucune classe" in problem.message and "Noé Sansclasse" in problem.message
    assert problem.place.file == "ENT_Complet_20250901_Eleve_0001.xml" and problem.place.line == 4
    assert report.counts["students"]["created"] == 4


def test_an_unknown_structure_reference_is_named_and_the_rest_imports(db, tmp_path):
    small_set(tmp_path)
    write(tmp_path, "ENT_Complet_20250901_Eleve_0001.xml", student("1005", "Zoé", "Ailleurs", "999", ["3C"]))
    report = apply_import(db, read_aaf([tmp_path]))
    messages = [p.message for p in report.problems]
    assert any("999$3C" in m and "structure 999 inconnue" in m for m in messages)  # the class
    assert any("1005" in m and "structure 999 inconnue" in m for m in messages)  # the student
    assert report.counts["structures"]["created"] == 1 and report.counts["classes"]["created"] == 2


def test_a_relative_pointing_at_a_missing_student_is_named(db, tmp_path):
    small_set(tmp_path)
    write(tmp_path, "ENT_Complet_20250901_Eleve_0001.xml", student("1006", "Max", "Seul", "100", ["6A"], ["3999"]))
    write(tmp_path, "ENT_Complet_20250901_PersRelEleve_0001.xml", relative("3003", "Orphée", "Sans"))
    report = apply_import(db, read_aaf([tmp_path]))
    messages = [p.message for p in report.problems]
    assert any("1006" in m and "3999" in m and "absent du flux" in m for m in messages)
    assert any("3003" in m and "aucun élève" in m for m in messages)


def test_an_unreadable_structure_code_is_dropped_with_a_problem(db, tmp_path):
    write(tmp_path, "ENT_Complet_20250901_EtabEducNat_0000.xml", structure("7", "BAD", "ECOLE$X", "ECOLE"))
    report = apply_import(db, read_aaf([tmp_path]))
    assert any("UAI" in p.message and "BAD" in p.message for p in report.problems)
    assert report.counts["structures"]["created"] == 1


def test_two_structures_with_the_same_uai_keep_it_once_and_the_second_is_named(db, tmp_path):
    write(tmp_path, "ENT_Complet_20250901_EtabEducNat_0000.xml", structure("7", "0990007A", "ECOLE$A", "ECOLE"),
          structure("8", "0990007A", "ECOLE$B", "ECOLE"))
    report = apply_import(db, read_aaf([tmp_path]))
    [problem] = [p for p in report.problems if "0990007A" in p.message]
    assert "Structure 8" in problem.message and problem.place.line
    assert report.counts["structures"]["created"] == 2
