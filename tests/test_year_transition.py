"""The year transition archives the year's classes, empties class groups and imported teaching groups,
deletes no content, tells plugins, refuses to run twice in a school year, and stays inside the admin's scope."""

from __future__ import annotations

from datetime import datetime

from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from preau.cli import cli
from preau.directory import year_transition as transition
from preau.directory.classes import create_class
from preau.directory.structures import DirectoryError, create_structure
from preau.directory.users import attach_to_class, children_of, classes_of
from preau.models import AuditEvent, Group, GroupKind, GroupMember, SchoolClass, StructureKind, User
from preau.types import Profile

JUNE = datetime(2027, 6, 30, 18, 0)


def _members(db, class_id: int) -> int:
    return db.scalar(select(func.count()).select_from(GroupMember).join(Group, Group.id == GroupMember.group_id)
                     .where(Group.class_id == class_id))


def test_the_school_year_closed_is_the_one_that_started_last_september():
    assert transition.school_year(JUNE) == "2026-2027"
    assert transition.school_year(datetime(2027, 9, 2)) == "2027-2028"


def test_classes_are_archived_and_emptied_but_people_and_links_stay(db, school, enable_plugin):
    enable_plugin("recorder", school.city)  # plugins hear of the transition where they are enabled
    attach_to_class(db, school.teacher, school.school_class, Profile.TEACHER)
    class_id = school.school_class.id
    assert _members(db, class_id) >= 3  # teacher, student and the student's parent
    teaching = Group(structure_id=school.structure.id, kind=GroupKind.TEACHING, name="ULIS", source="aaf")
    manual = Group(structure_id=school.structure.id, kind=GroupKind.MANUAL, name="Chorale")
    db.add_all([teaching, manual])
    db.flush()
    db.add_all([GroupMember(group_id=teaching.id, user_id=school.student.id),
                GroupMember(group_id=manual.id, user_id=school.student.id)])
    db.flush()
    plan = transition.plan_transition(db, school.city, JUNE)
    assert [p.structure.id for p in plan.structures] == [school.structure.id]
    assert plan.classes == 1 and plan.memberships == _members(db, class_id) + 1
    from tests.fixtures_plugins.recorder import EVENTS

    EVENTS.clear()
    transition.apply_transition(db, school.city, actor=school.admin, now=JUNE)
    assert ("year_transition", school.structure.name) in EVENTS
    archived = db.get(SchoolClass, class_id)
    assert archived.name == "CM2 A (2026-2027)" and archived.archived_at == JUNE and archived.external_id is None
    assert _members(db, class_id) == 0 and classes_of(db, school.student) == []
    assert db.scalar(select(func.count()).select_from(GroupMember).where(GroupMember.group_id == teaching.id)) == 0
    assert db.scalar(select(func.count()).select_from(GroupMember).where(GroupMember.group_id == manual.id)) == 1
    assert children_of(db, school.parent) == [school.student]  # families are not a class matter
    assert db.get(User, school.student.id).state == "active"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == transition.ACTION)).one()
    assert event.detail["school_year"] == "2026-2027" and event.structure_id == school.structure.id
    create_class(db, school.structure, "CM2 A")  # next year's class may take the same name


def test_an_archived_class_takes_nobody_and_a_second_run_is_refused(db, school):
    transition.apply_transition(db, school.structure, now=JUNE)
    try:
        attach_to_class(db, school.student, school.school_class, Profile.STUDENT)
        raise AssertionError("an archived class took a student")
    except DirectoryError as error:
        assert "archivée" in str(error)
    try:
        transition.apply_transition(db, school.structure, now=JUNE)
        raise AssertionError("the transition ran twice in one school year")
    except DirectoryError as error:
        assert "déjà faite" in str(error)


def test_the_admin_page_previews_then_applies_inside_the_scope_only(db, school, client, login_as):
    other = create_structure(db, "Collège voisin", StructureKind.COLLEGE, uai="0750888Y")
    create_class(db, other, "6e B")
    db.commit()
    login_as(school.admin)
    url = f"/admin/structures/{school.structure.id}/year-transition"
    page = client.get(url).get_data(as_text=True)
    assert "CM2 A" in page and "Faire la bascule" in page
    assert db.get(SchoolClass, school.school_class.id).archived_at is None  # the preview changed nothing
    assert client.post(url, data={}).status_code == 400  # no CSRF token
    assert client.post_form(f"/admin/structures/{other.id}/year-transition", {}).status_code in (403, 404)
    assert db.scalar(select(SchoolClass.archived_at).where(SchoolClass.structure_id == other.id)) is None
    assert client.post_form(url, {}).status_code == 303
    assert db.get(SchoolClass, school.school_class.id).archived_at is not None
    assert client.post_form(url, {}).status_code == 409


def test_the_command_has_a_dry_run(tmp_path):
    url = f"sqlite:///{tmp_path / 'year.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--no-serve", "--db", url], catch_exceptions=False).exit_code == 0
    engine = create_engine(url)
    with Session(engine) as session:
        uai = session.scalar(select(SchoolClass).join(SchoolClass.structure)).structure.uai
        before = session.scalar(select(func.count()).select_from(GroupMember))
    dry = runner.invoke(cli, ["year-transition", "--structure", uai, "--dry-run", "--db", url])
    assert dry.exit_code == 0 and "Simulation" in dry.output and "classe(s) archivée(s)" in dry.output
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(GroupMember)) == before
    done = runner.invoke(cli, ["year-transition", "--structure", uai, "--db", url])
    assert done.exit_code == 0 and "aucun contenu supprimé" in done.output
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(SchoolClass).where(
            SchoolClass.archived_at.is_(None), SchoolClass.structure.has(uai=uai))) == 0
    again = runner.invoke(cli, ["year-transition", "--structure", uai, "--db", url])
    assert again.exit_code != 0 and "déjà faite" in again.output
    unknown = runner.invoke(cli, ["year-transition", "--structure", "0000000X", "--db", url])
    assert unknown.exit_code != 0 and "Structure inconnue" in unknown.output
