"""The CSV import of competences (an école's assessments): levels in the LSU's words, on 1 to 4, or on the
"atteint" scale, all stored as the LSU's four levels; an unknown level names its line and column and nothing is
written; the competences show on the page and the block of a school in competences mode, with no grade."""

from __future__ import annotations

from sqlalchemy import func, select

from preau.settings import set_setting
from preau_plugins.vie_scolaire.models import ImportedSkill
from preau_plugins.vie_scolaire.services import archive_year, delete_rows, export_rows

from .test_import import upload

SKILLS = ("identifiant élève;période;matière;domaine;compétence;niveau;date\n"
          "{login};Trimestre 1;Français;Langages;Lire et comprendre un texte;Atteint;02/10/2026\n"
          "{login};Trimestre 1;Mathématiques;Langages mathématiques;Résoudre un problème;4;09/10/2026\n"
          "{login};Trimestre 1;Sciences;Démarches;Mener une démarche scientifique;maîtrise fragile;12/10/2026\n")


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(ImportedSkill))


def test_competences_are_imported_in_the_lsu_levels_and_shown_without_grades(app, db, csv_school, login_as):
    set_setting(db, app.extensions["preau.plugins"], "vie_scolaire", "notation", "competences",
                structure_id=csv_school.structure.id)
    db.flush()
    client = login_as(csv_school.staff)
    text = SKILLS.format(login=csv_school.student.login)
    response = upload(client, csv_school.structure, text, kind="competences", action="apply")
    assert "Import terminé : 3 lignes enregistrées." in response.get_data(as_text=True)
    levels = {r.label: r.level for r in db.scalars(select(ImportedSkill))}
    assert levels == {"Lire et comprendre un texte": "Maîtrise satisfaisante",
                      "Résoudre un problème": "Très bonne maîtrise",
                      "Mener une démarche scientifique": "Maîtrise fragile"}
    student = login_as(csv_school.student)
    page = student.get("/apps/vie_scolaire/competences").get_data(as_text=True)
    assert "Résoudre un problème" in page and "Très bonne maîtrise" in page
    block = student.get("/portal/widgets/vie_scolaire.grades").get_data(as_text=True)
    assert block.index("Mener une démarche scientifique") < block.index("Lire et comprendre un texte")  # newest first


def test_an_unknown_level_names_its_line_and_column_and_writes_nothing(db, csv_school, login_as):
    client = login_as(csv_school.staff)
    text = SKILLS.format(login=csv_school.student.login).replace("Atteint", "Super")
    response = upload(client, csv_school.structure, text, kind="competences", action="apply")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Ligne 2, colonne « niveau » : niveau inconnu « Super »" in html
    assert _count(db) == 0


def test_a_file_without_the_competence_column_is_refused(db, csv_school, login_as):
    text = "identifiant élève;période;matière;niveau;date\nx;Trimestre 1;Français;3;02/10/2026\n"
    response = upload(login_as(csv_school.staff), csv_school.structure, text, kind="competences", action="apply")
    assert response.status_code == 422 and "compétence" in response.get_data(as_text=True) and _count(db) == 0


def test_imported_competences_follow_the_lifecycle(db, csv_school, login_as):
    upload(login_as(csv_school.staff), csv_school.structure, SKILLS.format(login=csv_school.student.login),
           kind="competences", action="apply")
    exported = export_rows(db, csv_school.student.id)
    assert [s["level"] for s in exported["skills"]] == ["Maîtrise satisfaisante", "Très bonne maîtrise",
                                                        "Maîtrise fragile"]
    archive_year(db, csv_school.structure.id)
    assert db.scalar(select(func.count()).select_from(ImportedSkill).where(ImportedSkill.archived.is_(True))) == 3
    delete_rows(db, csv_school.student.id)
    assert _count(db) == 0
