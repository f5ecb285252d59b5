"""The imported rows through the kernel's lifecycle: the year transition archives them (kept, readable under
the past year), a merge moves them, a final deletion removes them, "Mes données" exports them."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime

from sqlalchemy import select

from preau import db_session
from preau.directory import year_transition as transition
from preau.directory.duplicates import merge
from preau.directory.lifecycle import transition as change_state
from preau.directory.users import add_role, create_user
from preau.models import AccountState, DataExport
from preau.testing import run_jobs
from preau_plugins.vie_scolaire.models import ImportedEvent, ImportedGrade

from .conftest import row_counts

JUNE = datetime(2027, 6, 30, 18, 0)
GRADES = ("identifiant élève;période;matière;note;date\n"
          "{login};Trimestre 1;Histoire;13;05/10/2026\n{login};Trimestre 1;Histoire;Disp;12/10/2026\n")
EVENTS = "identifiant élève;période;type;début;minutes;justifié\n{login};Trimestre 1;retard;06/10/2026 08:40;5;non\n"


def _import(client, school, text, kind="notes"):
    data = {"structure_id": str(school.structure.id), "kind": kind, "action": "apply",
            "file": (io.BytesIO(text.format(login=school.student.login).encode()), "f.csv")}
    assert client.post_form("/apps/vie_scolaire/import", data, content_type="multipart/form-data").status_code == 200


def test_the_year_transition_archives_rows_which_stay_readable_under_their_year(csv_school, login_as):
    staff = login_as(csv_school.staff)
    _import(staff, csv_school, GRADES)
    _import(staff, csv_school, EVENTS, kind="vie_scolaire")
    transition.apply_transition(db_session(), csv_school.city, actor=csv_school.admin, now=JUNE)
    assert row_counts(db_session()) == (2, 1)
    assert all(r.archived for r in db_session().scalars(select(ImportedGrade)))
    assert all(r.archived for r in db_session().scalars(select(ImportedEvent)))
    client = login_as(csv_school.student)
    assert "Aucune note pour le moment." in client.get("/portal/widgets/vie_scolaire.grades").get_data(as_text=True)
    html = client.get("/apps/vie_scolaire/notes?periode=2026-2027|Trimestre 1").get_data(as_text=True)
    assert "Trimestre 1 (2026-2027)" in html and "<strong>13</strong>/20" in html
    assert "06/10/2026 08:40" in client.get("/apps/vie_scolaire/absences").get_data(as_text=True)
    assert "Aucune absence, aucun retard" in client.get("/portal/widgets/vie_scolaire.life").get_data(as_text=True)
    # a new year's import of « Trimestre 1 » does not replace the archived one
    _import(login_as(csv_school.staff), csv_school, GRADES.replace("2026", "2027"))
    assert row_counts(db_session()) == (4, 1)


def test_a_merge_moves_the_rows_to_the_kept_account(csv_school, login_as):
    _import(login_as(csv_school.staff), csv_school, GRADES)
    session = db_session()
    kept = create_user(session, first_name="Emma", last_name="Eleve", login="emma.eleve.bis")
    add_role(session, kept, csv_school.structure, "student")
    session.flush()
    merge(session, csv_school.admin, kept, csv_school.student)
    assert {r.student_id for r in session.scalars(select(ImportedGrade))} == {kept.id}


def test_my_data_export_holds_the_students_imported_rows(app, csv_school, login_as):
    _import(login_as(csv_school.staff), csv_school, GRADES)
    db_session().commit()  # the export job reads through its own session of the test's connection
    client = login_as(csv_school.student)
    assert client.post_form("/account/data", {}).status_code == 303
    assert [job.last_error for job in run_jobs(app)] == [None]
    export = db_session().scalars(select(DataExport).order_by(DataExport.id.desc())).first()
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/account/data/{export.id}/download").data))
    exported = json.loads(archive.read("vie_scolaire.json"))
    assert [g["value"] for g in exported["grades"]] == ["13", "Disp"] and exported["events"] == []


def test_nothing_is_exported_for_someone_without_imported_rows(csv_school):
    from preau_plugins.vie_scolaire import preau_export_user_data

    assert preau_export_user_data(csv_school.parent) is None


def test_a_final_deletion_removes_the_rows(csv_school, login_as):
    _import(login_as(csv_school.staff), csv_school, GRADES)
    session = db_session()
    for state in (AccountState.PENDING_DELETION, AccountState.PRE_DELETED, AccountState.DELETED):
        change_state(session, csv_school.student, state, actor=csv_school.admin)
    assert row_counts(session) == (0, 0)
