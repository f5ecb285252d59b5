"""The CSV source reads the ENT ONE templates (and UTF-8 / re-mapped variants) into a Feed, naming bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from preau.directory.feed import Feed
from preau_plugins.csvimport.feed import CsvInput, read_feed
from preau_plugins.csvimport.reader import normalise

TEMPLATES = Path(__file__).resolve().parents[1] / "data" / "csv-templates"
STRUCTURE = 42
PROFILE_OF = {"CSV_Eleves.csv": "student", "CSV_Enseignants.csv": "teacher", "CSV_Personnels.csv": "personnel",
              "CSV_Parents.csv": "relative", "CSV_Invites.csv": "guest"}


def template(name: str) -> CsvInput:
    return CsvInput(name, (TEMPLATES / name).read_bytes())


def table(name: str) -> tuple[list[str], list[list[str]]]:
    """An independent reading of a template: Latin-1, `;`, no quoting in these files."""
    lines = [line for line in (TEMPLATES / name).read_text(encoding="latin-1").splitlines() if line.strip()]
    rows = [line.split(";") for line in lines]
    return rows[0], rows[1:]


def all_templates() -> list[CsvInput]:
    return [template(name) for name in PROFILE_OF]


def fatal(feed: Feed) -> list:
    return [p for p in feed.problems if p.fatal]


def persons(feed: Feed, profile: str) -> list:
    return [p for p in feed.persons.values() if p.profile == profile]


def test_every_template_reads_without_fatal_problem_one_person_per_line():
    feed = read_feed(all_templates(), STRUCTURE)
    assert fatal(feed) == []
    for name, profile in PROFILE_OF.items():
        assert len(persons(feed, profile)) == len(table(name)[1]), name
    assert feed.complete_profiles == set(PROFILE_OF.values())
    assert feed.target_structure_id == STRUCTURE and feed.source == "csv"
    assert all(len(ext_id) <= 64 and ext_id.startswith(f"{STRUCTURE}:") for ext_id in feed.persons)


@pytest.mark.parametrize("name", list(PROFILE_OF))
def test_profile_is_detected_from_the_header_or_filename(name):
    feed = read_feed([template(name)], STRUCTURE)
    assert {p.profile for p in feed.persons.values()} == {PROFILE_OF[name]}


def test_profile_is_detected_from_the_header_alone():
    students = template("CSV_Eleves.csv")
    parents = template("CSV_Parents.csv")
    feed = read_feed([CsvInput("export1.csv", students.data), CsvInput("export2.csv", parents.data)], STRUCTURE)
    assert fatal(feed) == []
    assert {p.profile for p in feed.persons.values()} == {"student", "relative"}


def test_latin1_names_are_decoded():
    header, rows = table("CSV_Eleves.csv")
    feed = read_feed([template("CSV_Eleves.csv")], STRUCTURE)
    assert sorted(p.first_name for p in feed.persons.values()) == sorted(row[0] for row in rows)
    assert any("é" in p.first_name for p in feed.persons.values())


def test_students_get_their_class_and_birth_date():
    header, rows = table("CSV_Eleves.csv")
    feed = read_feed([template("CSV_Eleves.csv")], STRUCTURE)
    assert {c.name for c in feed.classes.values()} == {row[3] for row in rows}
    by_name = {(p.first_name, p.last_name): p for p in feed.persons.values()}
    for first, last, born, class_name in rows:
        person = by_name[(first, last)]
        assert person.birth_date.strftime("%d/%m/%Y") == born
        assert [feed.classes[c].name for c in person.class_external_ids] == [class_name]


def test_teachers_are_attached_to_every_classe_column():
    header, rows = table("CSV_Enseignants.csv")
    positions = [i for i, h in enumerate(header) if normalise(h) == "classe"]
    assert len(positions) == 2  # the template repeats the column
    feed = read_feed([template("CSV_Enseignants.csv")], STRUCTURE)
    by_name = {(p.first_name, p.last_name): p for p in feed.persons.values()}
    for row in rows:
        expected = [row[i] for i in positions if row[i]]
        assert [feed.classes[c].name for c in by_name[(row[0], row[1])].class_external_ids] == expected


def test_parents_are_linked_to_the_children_of_their_triplets():
    header, rows = table("CSV_Parents.csv")
    feed = read_feed(all_templates(), STRUCTURE)
    students = {(normalise(p.last_name), normalise(p.first_name)): p.external_id
                for p in persons(feed, "student")}
    parents = {(p.last_name, p.first_name): p for p in persons(feed, "relative")}
    assert len(parents) == len(rows)
    for row in rows:
        triplets = [row[i:i + 3] for i in range(8, len(row), 3)]
        expected = [students[(normalise(last), normalise(first))] for last, first, _c in triplets if last]
        assert list(parents[(row[0], row[1])].children_external_ids) == expected
    assert not [p for p in feed.problems if "Enfant" in p.message]


def test_personnel_functions_known_to_preau_are_kept():
    feed = read_feed([template("CSV_Personnels.csv")], STRUCTURE)
    functions = {p.last_name: p.functions for p in feed.persons.values()}
    assert functions["BARBOZA"] == ((f"#{STRUCTURE}", "CPE"),)
    assert functions["PERCEVAULT"] == ((f"#{STRUCTURE}", "DIRECTEUR"),)
    assert functions["CALAMARO"] == ()  # « AED » is not a Préau function


def test_a_second_reading_gives_the_same_identities():
    first = read_feed(all_templates(), STRUCTURE)
    second = read_feed(all_templates(), STRUCTURE)
    assert first.persons.keys() == second.persons.keys() and first.classes.keys() == second.classes.keys()
    other_school = read_feed(all_templates(), STRUCTURE + 1)
    assert not set(first.persons) & set(other_school.persons)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_variant_reads_like_the_latin1_template(tmp_path, bom):
    originals = all_templates()
    variants = []
    for item in originals:
        path = tmp_path / item.name.replace(".csv", "_utf8.csv")
        path.write_bytes(bom + item.data.decode("latin-1").encode("utf-8"))
        variants.append(CsvInput(path.name, path.read_bytes()))
    latin1, utf8 = read_feed(originals, STRUCTURE), read_feed(variants, STRUCTURE)
    assert fatal(utf8) == []
    assert utf8.persons.keys() == latin1.persons.keys()
    assert [p.first_name for p in utf8.persons.values()] == [p.first_name for p in latin1.persons.values()]


def test_comma_delimited_file_is_accepted(tmp_path):
    header, rows = table("CSV_Eleves.csv")
    text = "\n".join(",".join(f'"{v}"' for v in row) for row in [header, *rows])
    feed = read_feed([CsvInput("eleves.csv", text.encode("utf-8"))], STRUCTURE)
    assert fatal(feed) == [] and len(feed.persons) == len(rows)


def test_explicit_mapping_reads_other_headers():
    header, rows = table("CSV_Eleves.csv")
    text = "\n".join(";".join(row) for row in [["Given", "Family", "Born", "Group", "Shoe size"], *rows])
    mapping = {"Given": "first_name", "Family": "last_name", "Born": "birth_date", "Group": "classes"}
    feed = read_feed([CsvInput("export.csv", text.encode(), profile="student", mapping=mapping)], STRUCTURE)
    assert fatal(feed) == []
    assert feed.persons.keys() == read_feed([template("CSV_Eleves.csv")], STRUCTURE).persons.keys()
    unknown = [p for p in feed.problems if p.place.column == "Shoe size"]
    assert len(unknown) == 1 and not unknown[0].fatal and unknown[0].place.line == 1


def test_header_aliases_are_case_and_accent_insensitive():
    text = "FIRST NAME;last name;Date of birth;CLASSE\nLéa;Colin;13/08/2014;CP\n"
    feed = read_feed([CsvInput("eleves.csv", text.encode())], STRUCTURE)
    assert fatal(feed) == []
    (person,) = feed.persons.values()
    assert (person.first_name, person.last_name, person.birth_date.year) == ("Léa", "Colin", 2014)


# ---- bad input: each names the file, the line and the column --------------------------------------------


def only_fatal(feed: Feed):
    problems = fatal(feed)
    assert len(problems) == 1, problems
    return problems[0]


def test_file_in_neither_utf8_nor_cp1252_is_refused_with_its_name():
    data = template("CSV_Eleves.csv").data.decode("latin-1").encode("utf-16")
    problem = only_fatal(read_feed([CsvInput("eleves.csv", data)], STRUCTURE))
    assert problem.place.file == "eleves.csv" and "Encodage" in problem.message


def test_undefined_cp1252_byte_is_refused_naming_the_line():
    data = template("CSV_Eleves.csv").data + b"L\x81a;COLIN;01/01/2015;CP\r\n"
    problem = only_fatal(read_feed([CsvInput("eleves.csv", data)], STRUCTURE))
    assert problem.place.line == len(table("CSV_Eleves.csv")[1]) + 2


def test_missing_mandatory_column_is_fatal_and_named():
    header, rows = table("CSV_Eleves.csv")
    text = "\n".join(";".join(row[:2] + row[3:]) for row in [header, *rows])
    feed = read_feed([CsvInput("CSV_Eleves.csv", text.encode())], STRUCTURE)
    problem = only_fatal(feed)
    assert (problem.place.file, problem.place.line, problem.place.column) == ("CSV_Eleves.csv", 1,
                                                                                "Date de naissance")
    assert feed.persons == {}


def lines_with(name: str, line_no: int, replace: tuple[int, str]) -> bytes:
    header, rows = table(name)
    rows = [list(row) for row in rows]
    rows[line_no - 2][replace[0]] = replace[1]
    return "\r\n".join(";".join(row) for row in [header, *rows]).encode("cp1252")


def test_empty_mandatory_value_names_line_and_column():
    problem = only_fatal(read_feed([CsvInput("CSV_Eleves.csv", lines_with("CSV_Eleves.csv", 4, (1, "")))], 1))
    assert (problem.place.line, problem.place.column) == (4, "Nom*")


def test_bad_date_names_line_and_column():
    problem = only_fatal(read_feed([CsvInput("CSV_Eleves.csv",
                                             lines_with("CSV_Eleves.csv", 3, (2, "2014-08-13")))], 1))
    assert (problem.place.line, problem.place.column) == (3, "Date de naissance*")
    assert "jj/mm/aaaa" in problem.message


def test_impossible_date_is_refused():
    problem = only_fatal(read_feed([CsvInput("CSV_Eleves.csv",
                                             lines_with("CSV_Eleves.csv", 2, (2, "31/02/2014")))], 1))
    assert problem.place.line == 2


def test_student_without_class_is_named():
    problem = only_fatal(read_feed([CsvInput("CSV_Eleves.csv", lines_with("CSV_Eleves.csv", 5, (3, "")))], 1))
    assert (problem.place.line, problem.place.column) == (5, "Classes*")


def test_duplicate_people_name_both_lines():
    header, rows = table("CSV_Eleves.csv")
    text = "\r\n".join(";".join(row) for row in [header, *rows, rows[0]])
    problem = only_fatal(read_feed([CsvInput("CSV_Eleves.csv", text.encode())], 1))
    assert problem.place.line == len(rows) + 2
    assert "ligne 2 de CSV_Eleves.csv" in problem.message


def test_unknown_profile_is_fatal():
    problem = only_fatal(read_feed([CsvInput("export.csv", "Prénom;Nom\nLéa;Colin\n".encode())], 1))
    assert problem.place == problem.place.__class__("export.csv", 1) and "Profil inconnu" in problem.message


def test_child_not_found_names_the_line_and_column_without_stopping():
    header, rows = table("CSV_Parents.csv")
    feed = read_feed([template("CSV_Eleves.csv"),
                      CsvInput("CSV_Parents.csv", lines_with("CSV_Parents.csv", 2, (9, "Inconnu")))], 1)
    assert fatal(feed) == []
    missing = [p for p in feed.problems if "introuvable" in p.message]
    assert [(p.place.file, p.place.line, p.place.column) for p in missing] == [("CSV_Parents.csv", 2,
                                                                                "Nom de l'élève")]
    assert len(persons(feed, "relative")) == len(rows)


def test_invalid_mapping_target_is_fatal():
    feed = read_feed([CsvInput("CSV_Eleves.csv", template("CSV_Eleves.csv").data,
                               mapping={"Nom*": "surname"})], 1)
    assert any("surname" in p.message and p.place.column == "Nom*" for p in fatal(feed))
    assert feed.persons == {}


def test_an_explicit_profile_may_be_given_in_french():
    feed = read_feed([CsvInput("export.csv", template("CSV_Personnels.csv").data, profile="Personnels")], 1)
    assert fatal(feed) == [] and {p.profile for p in feed.persons.values()} == {"personnel"}
    problem = only_fatal(read_feed([CsvInput("export.csv", template("CSV_Personnels.csv").data,
                                             profile="cuisinier")], 1))
    assert "cuisinier" in problem.message and problem.place == problem.place.__class__("export.csv", 1)


def test_the_mapping_help_names_every_field_the_reader_knows():
    """The help is one msgid (translated where shown), so the fields are spelt out in it: it must follow FIELDS."""
    from preau_plugins.csvimport import MAPPING_HELP
    from preau_plugins.csvimport.reader import FIELDS

    assert MAPPING_HELP.rsplit(" : ", 1)[1].split(", ") == list(FIELDS)
