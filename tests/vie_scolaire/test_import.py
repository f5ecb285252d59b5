"""The CSV import: a dry run counts and names problems by line and column, the import applies in one
transaction, a re-import of a period replaces it; bad files leave the database unchanged."""

from __future__ import annotations

import io

from sqlalchemy import select

from preau.models import AuditEvent
from preau_plugins.vie_scolaire import services
from preau_plugins.vie_scolaire.models import ImportedEvent, ImportedGrade

from .conftest import row_counts

URL = "/apps/vie_scolaire/import"
GRADES = ("identifiant élève;période;matière;note;sur;coefficient;date;appréciation;moyenne classe\n"
          "{login};Trimestre 1;Mathématiques;15,5;20;2;02/10/2026;Très bien;11\n"
          "{login};Trimestre 1;Mathématiques;Abs;20;1;09/10/2026;;\n"
          "{login};Trimestre 1;Français;7;10;1;2026-10-12;Bien;\n")
EVENTS = ("nom,prénom,date de naissance,période,type,début,fin,minutes,justifié,motif,nature,donné par\n"
          "Eleve,Emma,05/05/2015,Trimestre 1,absence,06/10/2026 08:30,06/10/2026 12:00,,oui,Maladie,,\n"
          "Eleve,Emma,05/05/2015,Trimestre 1,retard,07/10/2026 08:40,,10,non,,,\n"
          "Eleve,Emma,05/05/2015,Trimestre 1,punition,08/10/2026,,,,Bavardages,Retenue,M. Prof\n")


def upload(client, structure, text, kind="notes", action="check", encoding="utf-8"):
    data = {"structure_id": str(structure.id), "kind": kind, "action": action,
            "file": (io.BytesIO(text.encode(encoding) if isinstance(text, str) else text), "notes.csv")}
    return client.post_form(URL, data, content_type="multipart/form-data")


def test_a_dry_run_counts_and_writes_nothing_then_the_import_applies(csv_school, login_as):
    client, school = login_as(csv_school.staff), csv_school
    text = GRADES.format(login=school.student.login)
    response = upload(client, school.structure, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Lignes valides : 3" in html and "Élèves concernés : 1" in html
    assert row_counts(_db()) == (0, 0)
    response = upload(client, school.structure, text, action="apply")
    assert "Import terminé : 3 lignes enregistrées." in response.get_data(as_text=True)
    assert row_counts(_db()) == (3, 0)
    audit = _db().scalars(select(AuditEvent).where(AuditEvent.action == "vie_scolaire.import")).one()
    assert audit.actor_id == school.staff.id and audit.detail["rows"] == 3
    page = login_as(school.student).get("/apps/vie_scolaire/notes").get_data(as_text=True)
    assert "Très bien" in page and "<strong>15,5</strong>/20" in page
    # 15.5 (coef 2) and 7/10 = 14/20: Abs is left out; class average 11 known for maths only
    assert "Mathématiques" in page and "15,5/20" in page and "14/20" in page


def _db():
    from preau import db_session

    return db_session()


def test_a_reimport_of_the_same_period_replaces_its_rows(csv_school, login_as):
    client, school = login_as(csv_school.staff), csv_school
    upload(client, school.structure, GRADES.format(login=school.student.login), action="apply")
    smaller = "\n".join(GRADES.format(login=school.student.login).splitlines()[:2]).replace("15,5", "18")
    response = upload(client, school.structure, smaller)
    assert "Lignes déjà importées qui seront remplacées : 3" in response.get_data(as_text=True)
    upload(client, school.structure, smaller, action="apply")
    assert [g.value for g in _db().scalars(select(ImportedGrade))] == ["18"]


def test_events_in_latin1_with_commas_found_by_names_and_birth_date(csv_school, login_as):
    client, school = login_as(csv_school.staff), csv_school
    response = upload(client, school.structure, EVENTS, kind="vie_scolaire", action="apply", encoding="latin-1")
    assert response.status_code == 200, response.get_data(as_text=True)
    kinds = sorted((e.kind, e.student_id) for e in _db().scalars(select(ImportedEvent)))
    assert kinds == sorted([("absence", school.student.id), ("retard", school.student.id),
                            ("punition", school.student.id)])
    page = login_as(school.parent).get("/apps/vie_scolaire/absences").get_data(as_text=True)
    assert "06/10/2026 08:30" in page and "Maladie" in page and "10 min" in page


def test_errors_name_line_and_column_and_nothing_is_imported(csv_school, login_as):
    client, school = login_as(csv_school.staff), csv_school
    login = school.student.login
    text = ("identifiant élève;période;matière;note;sur;coefficient;date\n"
            f"{login};Trimestre 1;Maths;12;20;1;01/10/2026\n"
            f"inconnu.x;Trimestre 1;Maths;12;20;1;01/10/2026\n"
            f"{login};Trimestre 1;Maths;douze;20;1;01/10/2026\n"
            f"{login};Trimestre 1;Maths;12;20;un;01/10/2026\n"
            f"{login};Trimestre 1;Maths;25;20;1;01/10/2026\n"
            f"{login};Trimestre 1;Maths;12;20;1;31/02/2026\n")
    response = upload(client, school.structure, text, action="apply")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for expected in ("Ligne 3, colonne « identifiant élève »", "Ligne 4, colonne « note » : note invalide",
                     "Ligne 5, colonne « coefficient » : nombre invalide", "Ligne 6, colonne « note » : note hors",
                     "Ligne 7, colonne « date » : date invalide"):
        assert expected in html.replace("&#34;", '"').replace("&#39;", "'"), expected
    assert row_counts(_db()) == (0, 0)


def test_a_student_of_another_structure_is_an_error_naming_the_line(csv_school, other_school, login_as):
    client = login_as(csv_school.staff)
    text = GRADES.format(login=other_school.student.login)
    response = upload(client, csv_school.structure, text, action="apply")
    assert response.status_code == 422
    assert "Ligne 2, colonne « identifiant élève » : aucun élève de École Jean-Jaurès" in response.get_data(
        as_text=True)
    assert row_counts(_db()) == (0, 0)


def test_a_malformed_file_is_refused_with_a_reason(csv_school, login_as):
    client = login_as(csv_school.staff)
    cases = [(b"\x00\x01PK\x03\x04", "contenu binaire"), ("matière;note\nMaths;12\n", "Colonnes manquantes"),
             ("\n\n", "vide"), ("identifiant;période;matière;note;date\n", "aucune ligne")]
    for content, reason in cases:
        response = upload(client, csv_school.structure, content, action="apply")
        assert response.status_code == 422 and reason in response.get_data(as_text=True), reason
    assert row_counts(_db()) == (0, 0)


def test_an_oversized_upload_is_413_and_changes_nothing(csv_school, login_as):
    client = login_as(csv_school.staff)
    big = GRADES.format(login=csv_school.student.login) + "x" * (services.MAX_IMPORT_BYTES + 100_000)
    response = upload(client, csv_school.structure, big, action="apply")
    assert response.status_code == 413 and "trop volumineux" in response.get_data(as_text=True)
    assert row_counts(_db()) == (0, 0)


def test_only_staff_and_admins_of_the_structure_import(csv_school, other_school, login_as):
    assert login_as(csv_school.teacher).get(URL).status_code == 403
    assert login_as(csv_school.parent).get(URL).status_code == 404
    client = login_as(csv_school.admin)
    assert client.get(URL).status_code == 200
    response = upload(client, other_school.structure, GRADES.format(login=other_school.student.login),
                      action="apply")
    assert response.status_code == 403 and row_counts(_db()) == (0, 0)
