"""Imported values the database would refuse or cut are reported by the dry run (issue 16, point 9).

A NUL or another control character in a CSV value used to pass the dry run, then fail the application on
PostgreSQL; a name longer than its column was silently cut to 100 characters. Now both are fatal problems
naming the file, the line and the column, the application refuses the same way, and nothing is written.
Run on SQLite and on PostgreSQL (``PREAU_TEST_DATABASE_URL``).
"""

from __future__ import annotations

import pytest

from preau.directory.sync import FeedError, apply_import, plan_import
from preau_plugins.aaf.reader import read_aaf
from preau_plugins.csvimport.feed import CsvInput, read_feed

from .aaf_files import small_set, structure, write
from .test_import_bad_input import checksum

HEADER = "Nom*;Prénom*;Date de naissance*;Classe*\n"


def students(*lines: str) -> CsvInput:
    return CsvInput("CSV_Eleves.csv", (HEADER + "".join(lines)).encode("utf-8"))


def refused(db, feed, *expected: str) -> list:
    """The dry run's fatal problems contain ``expected``; applying raises the same and writes nothing."""
    before = checksum(db)
    plan = plan_import(db, feed)
    texts = [f"{p.place.file}|{p.place.line}|{p.place.column}|{p.message}" for p in plan.fatal]
    for text in expected:
        assert any(text in t for t in texts), (text, texts)
    with pytest.raises(FeedError) as caught:
        apply_import(db, feed)
    assert "CSV_Eleves.csv" in str(caught.value) or ".xml" in str(caught.value)
    db.flush()
    assert checksum(db) == before
    return plan.fatal


@pytest.mark.parametrize(("value", "shown", "line"), [
    ("Lé\x00a", "U+0000", 3),  # NUL: PostgreSQL refuses it
    ("Léa\x1b[31m", "U+001B", 3),  # an escape sequence
    ("\"Léa\tMarie\"", "U+0009", 3),  # a tab inside a quoted value
    ("\"Léa\nMarie\"", "U+000A", 4),  # a line break in a quoted value: legal CSV (the record ends on line 4),
    ("Lé\u0085a", "U+0085", 3),  # a C1 control (NEL)                       but not a first name
])
def test_a_control_character_in_a_value_is_reported_at_its_line_and_column(db, school, value, shown, line):
    feed = read_feed([students("Martin;Hugo;01/02/2012;6A\n", f"Martin;{value};03/04/2012;6A\n")],
                     school.structure.id)
    [problem] = refused(db, feed, f"CSV_Eleves.csv|{line}|Prénom|Caractère de contrôle interdit ({shown}) en position")
    assert "\x00" not in problem.message and "\x1b" not in problem.message


def test_a_value_longer_than_its_column_is_reported_never_cut(db, school):
    long_name = "Bartholomé-" + "x" * 140
    feed = read_feed([students(f"{long_name};Léa;01/02/2012;6A\n")], school.structure.id)
    refused(db, feed, "CSV_Eleves.csv|2|Nom|Valeur trop longue (151 caractères, 100 au plus)")


def test_a_class_name_longer_than_its_column_is_reported(db, school):
    feed = read_feed([students(f"Martin;Léa;01/02/2012;{'6' * 101}\n")], school.structure.id)
    refused(db, feed, "CSV_Eleves.csv|2|Classe*|Valeur trop longue (101 caractères, 100 au plus)")


def test_the_failure_is_recorded_without_the_control_character(db, school):
    from sqlalchemy import select

    from preau.directory.imports import record_failure
    from preau.models.imports import ImportRun

    feed = read_feed([students("Martin;Lé\x00a;01/02/2012;6A\n")], school.structure.id)
    db.commit()  # record_failure rolls back what the import wrote, not the school
    with pytest.raises(FeedError) as caught:
        apply_import(db, feed)
    record_failure(db, "csv", caught.value, dry_run=False, structure_id=school.structure.id)
    db.flush()  # PostgreSQL refuses a NUL in the stored report
    run = db.scalar(select(ImportRun).order_by(ImportRun.id.desc()))
    assert run.state == "failed" and "\x00" not in run.message and "U+0000" in run.message


def test_a_sound_file_with_accents_and_apostrophes_still_imports(db, school):
    feed = read_feed([students("N'Diaye-Lefèvre;Zoé Ñuñez;01/02/2012;6A\n")], school.structure.id)
    plan = plan_import(db, feed)
    assert plan.fatal == []
    apply_import(db, feed)


def test_aaf_values_longer_than_their_columns_are_reported(db, tmp_path):
    small_set(tmp_path)
    write(tmp_path, "ENT_Complet_20250901_EtabEducNat_0001.xml",
          structure("999", "0759999Z", "Collège " + "Z" * 250))
    feed = read_aaf([tmp_path])
    fatal = refused(db, feed, "ENT_Complet_20250901_EtabEducNat_0001.xml|")
    assert any(p.place.column == "Nom de la structure" and "200 au plus" in p.message for p in fatal)
