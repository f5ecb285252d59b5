"""Éléa: the Moodle upload-users CSV of a school (cohorts = classes), from the administrator's page (only their
structures) and from ``preau elea export-users``; the LTI tiles."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from preau.directory.classes import create_class
from preau.directory.users import add_role, attach_to_class, create_user
from preau.models import AuditEvent
from preau.settings import set_setting
from preau.testing import build_school
from preau_plugins.elea.export import export_structure

HEADER = ["username", "firstname", "lastname", "email", "auth", "idnumber", "cohort1", "cohort2"]


@pytest.fixture
def elea_school(app, db, school, enable_plugin):
    """The test school with a second class, a student in both classes and names that need quoting."""
    enable_plugin("lti", school.structure)  # Éléa requires the LTI platform: off where it is off
    enable_plugin("elea", school.structure)
    cm1 = create_class(db, school.structure, "CM1 \"bleu\", étage 2")
    both = create_user(db, first_name="Zoé, Marie", last_name="D'Éon \"la grande\"", login="zoe.deon")
    add_role(db, both, school.structure, "student")
    attach_to_class(db, both, school.school_class, "student")
    attach_to_class(db, both, cm1, "student")
    school.teacher.email = "paul.prof@ac-paris.fr"
    db.flush()
    return school, both


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_columns_rows_and_cohorts_are_exact(elea_school, db):
    school, both = elea_school
    text = export_structure(db, school.structure)
    assert rows(text) == [
        HEADER,
        ["zoe.deon", "Zoé, Marie", "D'Éon \"la grande\"", "", "lti", f"preau-{both.id}",
         "0750001A CM1 \"bleu\", étage 2", "0750001A CM2 A"],
        ["eleve.001a", "Emma", "Eleve", "", "lti", f"preau-{school.student.id}", "0750001A CM2 A", ""],
        ["prof.001a", "Paul", "Prof", "paul.prof@ac-paris.fr", "lti", f"preau-{school.teacher.id}", "", ""],
    ]


def test_commas_quotes_and_accents_are_quoted_the_csv_way(elea_school, db):
    school, _ = elea_school
    line = export_structure(db, school.structure).splitlines()[1]
    assert line.startswith('zoe.deon,"Zoé, Marie","D\'Éon ""la grande""",,lti,')
    assert line.endswith(',"0750001A CM1 ""bleu"", étage 2",0750001A CM2 A')


def test_parents_staff_and_other_schools_are_not_exported(elea_school, db):
    school, _ = elea_school
    other = build_school(db, "École Voltaire", "0750002B", "Autre ville")
    logins = {row[0] for row in rows(export_structure(db, school.structure))[1:]}
    assert logins == {"zoe.deon", "eleve.001a", "prof.001a"}
    assert other.student.login not in logins


def test_the_administrator_downloads_the_file_of_their_school(elea_school, login_as):
    school, _ = elea_school
    client = login_as(school.admin)
    page = client.get("/apps/elea/export/").get_data(as_text=True)
    assert f"/apps/elea/export/{school.structure.id}.csv" in page
    response = client.get(f"/apps/elea/export/{school.structure.id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="elea-0750001a.csv"' in response.headers["Content-Disposition"]
    assert rows(response.get_data(as_text=True))[0] == HEADER


def test_the_administrator_of_another_school_gets_403(elea_school, db, enable_plugin, login_as):
    school, _ = elea_school
    other = build_school(db, "École Voltaire", "0750002B", "Autre ville")
    enable_plugin("lti", other.structure)
    enable_plugin("elea", other.structure)
    client = login_as(other.admin)
    assert f"/apps/elea/export/{school.structure.id}.csv" not in client.get("/apps/elea/export/").get_data(
        as_text=True)
    refused = client.get(f"/apps/elea/export/{school.structure.id}.csv")
    assert refused.status_code == 403 and "administrez pas cette structure" in refused.get_data(as_text=True)
    assert client.get(f"/apps/elea/export/{other.structure.id}.csv").status_code == 200
    denied = db.scalars(select(AuditEvent).where(AuditEvent.action == "security.scope_denied",
                                                 AuditEvent.actor_id == other.admin.id)).all()
    assert [event.target_id for event in denied] == [str(school.structure.id)]  # audited as the kernel does


def test_people_who_administer_nothing_get_no_file(elea_school, login_as):
    school, _ = elea_school
    assert login_as(school.staff).get(f"/apps/elea/export/{school.structure.id}.csv").status_code == 403
    assert login_as(school.teacher).get(f"/apps/elea/export/{school.structure.id}.csv").status_code == 404


def test_the_command_line_writes_the_same_file(tmp_path):
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from preau.cli import cli
    from preau.models import Structure

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert CliRunner().invoke(cli, ["demo", "--no-serve", "--db", url]).exit_code == 0
    with Session(create_engine(url)) as session:
        ferry = session.scalar(select(Structure).where(Structure.uai == "0921234A"))
        expected = export_structure(session, ferry)
    target = tmp_path / "elea.csv"
    result = CliRunner().invoke(cli, ["elea", "export-users", str(ferry.id), str(target), "--db", url])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == expected
    lea = next(row for row in rows(expected) if row[0] == "eleve.lea")
    assert lea[1:3] == ["Léa", "Colin"] and "0921234A CM2 A" in lea[6:]
    missing = CliRunner().invoke(cli, ["elea", "export-users", "999999", str(target), "--db", url])
    assert missing.exit_code != 0 and "introuvable" in missing.output


def test_the_lti13_tile_needs_the_instance(app, db, elea_school, login_as):
    school, _ = elea_school
    client = login_as(school.student)
    assert "/launch/plugin:elea.lti13" not in client.get("/apps").get_data(as_text=True)  # no instance yet
    set_setting(db, app.extensions["preau.plugins"], "elea", "instance", "paris-est", structure_id=school.structure.id)
    db.flush()
    assert "/launch/plugin:elea.lti13" in client.get("/apps").get_data(as_text=True)


def test_the_lti13_tile_starts_the_openid_launch_of_the_tool_registered_for_it(app, db, elea_school, login_as):
    from urllib.parse import parse_qs, urlsplit

    from preau_plugins.lti.tools import ToolForm, register_tool, tool_and_deployment

    school, _ = elea_school
    set_setting(db, app.extensions["preau.plugins"], "elea", "instance", "paris-est", structure_id=school.structure.id)
    tool = register_tool(db, school.structure, ToolForm(
        name="Éléa Paris-Est", launch_key="plugin:elea.lti13",
        login_url="https://paris-est.elea.apps.education.fr/lti/login",
        target_link_uri="https://paris-est.elea.apps.education.fr/lti/launch",
        redirect_uris=["https://paris-est.elea.apps.education.fr/lti/launch"],
        jwks_url="https://paris-est.elea.apps.education.fr/lti/jwks"))
    db.flush()
    deployment = tool_and_deployment(db, "plugin:elea.lti13", school.structure.id)[1]
    response = login_as(school.student).get("/launch/plugin:elea.lti13")
    assert response.status_code in (302, 303)
    location = urlsplit(response.headers["Location"])
    assert location.netloc == "paris-est.elea.apps.education.fr" and location.path == "/lti/login"
    query = parse_qs(location.query)
    assert query["client_id"] == [tool.client_id] and query["lti_deployment_id"] == [deployment.deployment_id]


def test_without_the_lti_app_eleas_tile_and_pages_are_off(app, db, school, enable_plugin, login_as):
    enable_plugin("elea", school.structure)  # the LTI platform is not enabled here
    set_setting(db, app.extensions["preau.plugins"], "elea", "instance", "paris-est", structure_id=school.structure.id)
    db.flush()
    client = login_as(school.student)
    assert "/launch/plugin:elea.lti13" not in client.get("/apps").get_data(as_text=True)
    assert client.get("/launch/plugin:elea.lti13").status_code == 404
