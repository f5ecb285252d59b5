"""The synthetic académie of ``preau seed``: the same shape of data as the directory services build."""

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, aliased

from preau.cli import cli
from preau.communication.engine import filter_reachable
from preau.db import make_engine
from preau.directory.codes import CODE_ALPHABET
from preau.directory.default_links import rules_for_structures
from preau.directory.seed import SOURCE, SeedError, plan_academie, seed_academie, uai_code
from preau.directory.structures import create_structure
from preau.directory.users import create_user
from preau.models import (
    AccountState,
    CommLink,
    Function,
    Group,
    GroupKind,
    GroupMember,
    RelativeLink,
    Role,
    SchoolClass,
    Structure,
    StructureKind,
    StructureLink,
    User,
    UserFunction,
)
from preau.types import Profile

STUDENTS = 1000
TABLES = {"structures": Structure, "structure_links": StructureLink, "classes": SchoolClass, "groups": Group,
          "users": User, "roles": Role, "user_functions": UserFunction, "group_members": GroupMember,
          "relatives": RelativeLink, "comm_links": CommLink}
CODE = re.compile(f"^[{CODE_ALPHABET}]{{8}}$")


def _counts(session):
    return {name: session.scalar(select(func.count()).select_from(model)) for name, model in TABLES.items()}


def _seeded(db, students=STUDENTS):
    before = _counts(db)
    report = seed_academie(db, students=students, seed=7)
    after = _counts(db)
    return report, {name: after[name] - before[name] for name in TABLES}


def _seed_users(db, profile):
    return select(Role.user_id).join(User, User.id == Role.user_id).where(
        User.source == SOURCE, Role.profile == profile)


def test_seed_counts_follow_from_the_number_of_students(db):
    report, added = _seeded(db)
    # 1,000 students: 3 schools (0.3 %), one city, classes of 25, 8 % teachers, 2 % staff, ~1.5 parents each.
    schools, cities, classes, teachers, staff = 3, 1, 40, 80, 20
    parents = report.parents
    assert 1.45 * STUDENTS <= parents <= 1.55 * STUDENTS
    assert added["structures"] == 1 + cities + schools
    assert added["structure_links"] == cities + schools
    assert added["classes"] == classes
    assert added["groups"] == 6 * (1 + cities + schools) + 3 * classes  # five profile groups and "Tous"
    assert added["users"] == STUDENTS + parents + teachers + staff
    assert added["roles"] == added["users"]  # one role each: siblings go to the same school
    assert added["user_functions"] == schools  # one ADML per school
    for profile, expected in ((Profile.STUDENT, STUDENTS), (Profile.RELATIVE, parents),
                              (Profile.TEACHER, teachers), (Profile.PERSONNEL, staff)):
        assert db.scalar(select(func.count()).select_from(_seed_users(db, profile).subquery())) == expected
    assert added == report.counts
    sizes = db.scalars(select(func.count()).select_from(GroupMember).join(Group, Group.id == GroupMember.group_id)
                       .where(Group.kind == GroupKind.CLASS, Group.profile == Profile.STUDENT,
                              Group.source == SOURCE).group_by(Group.id)).all()
    assert len(sizes) == classes and set(sizes) == {25}


def test_the_seed_writes_the_default_communication_rules_of_the_services(db):
    _seeded(db)
    seeded = db.scalars(select(Structure.id).where(Structure.source == SOURCE)).all()
    links = {tuple(row) for row in db.execute(select(CommLink.from_group_id, CommLink.to_group_id))}
    assert links and links == rules_for_structures(db, seeded).links
    student = db.get(User, db.scalars(_seed_users(db, Profile.STUDENT).limit(1)).one())
    teachers = db.scalars(select(GroupMember.user_id).where(GroupMember.group_id.in_(
        select(Group.id).where(Group.kind == GroupKind.CLASS, Group.profile == Profile.TEACHER,
                               Group.class_id.in_(select(Group.class_id).join(
                                   GroupMember, GroupMember.group_id == Group.id).where(
                                   GroupMember.user_id == student.id)))))).all()
    assert teachers and filter_reachable(db, student, teachers) == set(teachers)


def test_the_structures_form_academie_cities_schools_with_well_formed_uai(db):
    _seeded(db)
    seeded = db.scalars(select(Structure).where(Structure.source == SOURCE)).all()
    by_kind = {kind: [s for s in seeded if s.kind == kind] for kind in {s.kind for s in seeded}}
    assert len(by_kind[StructureKind.ACADEMIE]) == 1 and len(by_kind[StructureKind.CITY]) == 1
    schools = [s for s in seeded if s.kind not in (StructureKind.ACADEMIE, StructureKind.CITY)]
    assert len(schools) == 3 and all(s.uai and re.fullmatch(r"\d{7}[A-Z]", s.uai) for s in schools)
    assert all(s.uai == uai_code(int(s.uai[:7]) - 9_900_000) for s in schools)  # the check letter is right
    city, academie = by_kind[StructureKind.CITY][0], by_kind[StructureKind.ACADEMIE][0]
    links = set(db.execute(select(StructureLink.parent_id, StructureLink.child_id)
                           .where(StructureLink.child_id.in_([s.id for s in seeded]))).all())
    assert links == {(academie.id, city.id)} | {(city.id, s.id) for s in schools}
    for structure in seeded:  # the five profile groups create_structure makes
        profiles = db.scalars(select(Group.profile).where(Group.structure_id == structure.id,
                                                          Group.kind == GroupKind.PROFILE)).all()
        assert sorted(p or "" for p in profiles) == sorted(["", *(p.value for p in Profile)])  # "" : Tous


def test_every_student_is_in_exactly_one_class_and_in_their_school_profile_group(db):
    _seeded(db)
    students = db.execute(select(Role.user_id, Role.structure_id).join(User, User.id == Role.user_id)
                          .where(User.source == SOURCE, Role.profile == Profile.STUDENT)).all()
    class_of = dict(db.execute(
        select(GroupMember.user_id, Group.structure_id).join(Group, Group.id == GroupMember.group_id)
        .where(Group.kind == GroupKind.CLASS, Group.profile == Profile.STUDENT)).all())
    class_groups = dict(db.execute(
        select(GroupMember.user_id, func.count()).join(Group, Group.id == GroupMember.group_id)
        .where(Group.kind == GroupKind.CLASS).group_by(GroupMember.user_id)
        .where(GroupMember.user_id.in_(_seed_users(db, Profile.STUDENT)))).all())
    in_profile_group = set(db.execute(
        select(GroupMember.user_id, Group.structure_id).join(Group, Group.id == GroupMember.group_id)
        .where(Group.kind == GroupKind.PROFILE, Group.profile == Profile.STUDENT)).all())
    assert len(students) == STUDENTS
    for user_id, school_id in students:
        assert class_groups[user_id] == 1
        assert class_of[user_id] == school_id  # the class is in the student's school
        assert (user_id, school_id) in in_profile_group


def test_every_parent_has_a_child_and_sits_in_the_parents_group_of_each_child_class(db):
    _seeded(db)
    parents = set(db.scalars(_seed_users(db, Profile.RELATIVE)))
    links = db.execute(select(RelativeLink.parent_id, RelativeLink.child_id)
                       .where(RelativeLink.parent_id.in_(parents))).all()
    assert {parent for parent, _child in links} == parents
    child_class = dict(db.execute(
        select(GroupMember.user_id, Group.class_id).join(Group, Group.id == GroupMember.group_id)
        .where(Group.kind == GroupKind.CLASS, Group.profile == Profile.STUDENT)).all())
    parent_classes = set(db.execute(
        select(GroupMember.user_id, Group.class_id).join(Group, Group.id == GroupMember.group_id)
        .where(Group.kind == GroupKind.CLASS, Group.profile == Profile.RELATIVE)).all())
    for parent, child in links:
        assert (parent, child_class[child]) in parent_classes
    # Exactly those groups: a parent is in no class their children are not in.
    expected = {(parent, child_class[child]) for parent, child in links}
    assert {pair for pair in parent_classes if pair[0] in parents} == expected
    siblings = db.scalar(select(func.count()).select_from(
        select(RelativeLink.parent_id).where(RelativeLink.parent_id.in_(parents))
        .group_by(RelativeLink.parent_id).having(func.count() > 1).subquery()))
    assert siblings > 0


def test_teachers_teach_in_classes_of_their_school_and_each_school_has_one_adml(db):
    _seeded(db)
    teacher_role = aliased(Role)
    wrong = db.scalar(select(func.count()).select_from(GroupMember)
                      .join(Group, Group.id == GroupMember.group_id)
                      .join(teacher_role, (teacher_role.user_id == GroupMember.user_id)
                            & (teacher_role.profile == Profile.TEACHER))
                      .where(Group.kind == GroupKind.CLASS, Group.profile == Profile.TEACHER,
                             Group.structure_id != teacher_role.structure_id))
    assert wrong == 0
    taught = db.scalar(select(func.count(func.distinct(Group.class_id))).join(
        GroupMember, GroupMember.group_id == Group.id).where(
        Group.kind == GroupKind.CLASS, Group.profile == Profile.TEACHER, Group.source == SOURCE))
    assert taught == 40  # every class has teachers
    admls = db.execute(select(UserFunction.user_id, UserFunction.structure_id, Role.profile)
                       .join(Role, (Role.user_id == UserFunction.user_id)
                             & (Role.structure_id == UserFunction.structure_id))
                       .join(User, User.id == UserFunction.user_id)
                       .where(User.source == SOURCE, UserFunction.code == Function.ADMIN_LOCAL)).all()
    assert len({structure for _user, structure, _profile in admls}) == len(admls) == 3
    assert {profile for _user, _structure, profile in admls} == {Profile.PERSONNEL}


def test_seeded_accounts_are_inactive_with_activation_codes_like_imported_ones(db):
    _seeded(db, students=200)
    users = db.scalars(select(User).where(User.source == SOURCE)).all()
    assert users and all(u.state == AccountState.INACTIVE and u.password_hash is None for u in users)
    assert all(CODE.match(u.activation_code) for u in users)
    assert len({u.activation_code for u in users}) > 0.99 * len(users)
    assert all(u.external_id and re.fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+\d*", u.login) for u in users)
    students = [u for u in users if u.birth_date is not None]
    assert len(students) == 200


def test_a_seeded_parent_activates_their_account_with_the_printed_code(db, client):
    _seeded(db, students=50)
    parent = db.scalar(select(User).join(Role, Role.user_id == User.id)
                       .where(User.source == SOURCE, Role.profile == Profile.RELATIVE).order_by(User.id))
    response = client.post_form("/auth/activate", {"login": parent.login, "code": parent.activation_code})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/activate/finish")
    response = client.post_form("/auth/activate/finish", {"password": "Rentree-2025!", "confirm": "Rentree-2025!",
                                                          "email": ""})
    assert response.status_code == 302
    db.refresh(parent)
    assert parent.state == AccountState.ACTIVE and parent.activation_code is None
    assert client.get("/").status_code == 200


def test_seeding_a_database_that_holds_a_seed_is_refused_and_changes_nothing(db):
    _seeded(db, students=100)
    before = _counts(db)
    with pytest.raises(SeedError, match="déjà une académie synthétique"):
        seed_academie(db, students=100)
    assert _counts(db) == before


def test_the_seed_skips_logins_and_uai_already_taken(db):
    first_login = plan_academie(100, seed=7).tables["users"][0]["login"]
    taken = create_user(db, first_name="Déjà", last_name="Là", login=first_login)
    create_structure(db, "École existante", StructureKind.ECOLE, uai=uai_code(0))
    db.flush()
    _seeded(db, students=100)
    assert db.scalars(select(User.id).where(User.login == first_login)).all() == [taken.id]
    uais = db.scalars(select(Structure.uai).where(Structure.source == SOURCE, Structure.uai.is_not(None))).all()
    assert uais and uai_code(0) not in uais


def test_the_same_seed_gives_the_same_academie_but_fresh_activation_codes():
    def people(plan):
        return [(u["login"], u["display_name"], u["birth_date"]) for u in plan.tables["users"]]

    first, second, other = plan_academie(300, seed=3), plan_academie(300, seed=3), plan_academie(300, seed=4)
    assert people(first) == people(second) and people(first) != people(other)
    assert first.tables["group_members"] == second.tables["group_members"]
    codes = [u["activation_code"] for u in first.tables["users"]]
    assert codes != [u["activation_code"] for u in second.tables["users"]]


def test_seeding_an_engine_commits_and_restores_the_sqlite_pragmas(tmp_path, app):
    from preau.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'seed.db'}")
    upgrade(engine, app.extensions["preau.plugins"])
    with engine.connect() as connection:
        cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    report = seed_academie(engine, students=120)
    with engine.connect() as connection:  # the pool hands back the connection the seed used
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == cache_size
    engine.dispose()
    with Session(make_engine(f"sqlite:///{tmp_path / 'seed.db'}")) as session:
        assert _counts(session) == report.counts


def test_preau_seed_command_seeds_then_refuses_a_second_seed(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(cli, ["seed", "--students", "200", "--db", url], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "200 élèves" in result.output and "Comptes inactifs" in result.output
    with Session(create_engine(url)) as session:
        assert session.scalar(select(func.count()).select_from(_seed_users(session, Profile.STUDENT)
                                                               .subquery())) == 200
        users = session.scalar(select(func.count()).select_from(User).where(User.source == SOURCE))
    again = CliRunner().invoke(cli, ["seed", "--students", "200", "--db", url])
    assert again.exit_code != 0 and "déjà une académie synthétique" in again.output
    with Session(create_engine(url)) as session:
        assert session.scalar(select(func.count()).select_from(User).where(User.source == SOURCE)) == users
