"""The communication rules: the default matrix of DESIGN.md §2, the services plugins use, and the hooks."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from preau.communication.engine import (
    CommunicationError,
    can_communicate,
    filter_reachable,
    reachable_members,
    visible_groups,
    visible_users,
)
from preau.directory.classes import create_class
from preau.directory.structures import create_structure, link_structures, profile_group, unlink_structures
from preau.directory.users import add_role, attach_to_class, create_user, link_relative, remove_role
from preau.models import AccountState, CommLink, GroupMember, StructureKind
from preau.testing import build_school
from preau.types import Profile, Recipient, Recipients


def person(db, structure, first, last, profile, **kw):
    user = create_user(db, first_name=first, last_name=last, **kw)
    user.state = AccountState.ACTIVE
    add_role(db, user, structure, profile)
    return user


@pytest.fixture
def world(db, school):
    """The ``school`` fixture plus a second class with its own teacher, student and parent, a second parent in
    the first class, and a second school of the same city."""
    s = school
    other_class = create_class(db, s.structure, "CM1 B")
    teacher_b = person(db, s.structure, "Bruno", "Bleu", Profile.TEACHER)
    student_b = person(db, s.structure, "Basile", "Brun", Profile.STUDENT, birth_date=date(2016, 1, 1))
    parent_b = person(db, s.structure, "Berthe", "Brun", Profile.RELATIVE)
    attach_to_class(db, teacher_b, other_class, Profile.TEACHER)
    attach_to_class(db, student_b, other_class, Profile.STUDENT)
    link_relative(db, parent_b, student_b)
    student_a2 = person(db, s.structure, "Alice", "Autre", Profile.STUDENT, birth_date=date(2015, 2, 2))
    attach_to_class(db, student_a2, s.school_class, Profile.STUDENT)
    parent_a2 = person(db, s.structure, "Arthur", "Autre", Profile.RELATIVE)
    link_relative(db, parent_a2, student_a2)
    other = build_school(db, "École Voisine", "0750002B", city_name="Ville Bis")
    link_structures(db, s.city, other.structure)
    city_staff = person(db, s.city, "Camille", "Mairie", Profile.PERSONNEL)
    db.flush()
    return dict(s=s, teacher_b=teacher_b, student_b=student_b, parent_b=parent_b, student_a2=student_a2,
                parent_a2=parent_a2, other=other, city_staff=city_staff)


def reach(db, a, b) -> bool:
    return can_communicate(db, a, b)


def test_default_matrix_for_staff_and_teachers(db, world):
    s = world["s"]
    for target in (s.teacher, s.student, s.parent, s.guest, s.admin, world["student_b"], world["parent_b"]):
        assert reach(db, s.staff, target), target.login
    for target in (s.staff, s.student, s.parent, world["teacher_b"], world["student_b"], world["parent_b"]):
        assert reach(db, s.teacher, target), target.login
    assert not reach(db, s.teacher, s.guest)  # Enseignants → Invités: no


def test_students_reach_their_class_their_teachers_and_the_school_staff_only(db, world):
    s = world["s"]
    assert reach(db, s.student, s.teacher)
    assert reach(db, s.student, world["student_a2"])
    assert reach(db, s.student, s.staff)
    assert not reach(db, s.student, world["teacher_b"])  # not their class's teacher
    assert not reach(db, s.student, world["student_b"])  # another class
    assert not reach(db, s.student, world["parent_a2"])  # Élèves → Parents: no
    assert not reach(db, s.student, s.guest)


def test_parents_reach_their_childrens_teachers_and_children_never_other_parents(db, world):
    s = world["s"]
    assert reach(db, s.parent, s.teacher)
    assert reach(db, s.parent, s.student)  # own child
    assert reach(db, s.student, s.parent)  # and back
    assert not reach(db, s.parent, world["parent_a2"])  # same class, still no
    assert not reach(db, s.parent, world["parent_b"])
    assert not reach(db, s.parent, world["teacher_b"])
    assert not reach(db, s.parent, world["student_a2"])  # a classmate of their child
    assert not reach(db, s.parent, s.staff)


def test_guests_reach_nobody(db, world):
    s = world["s"]
    assert filter_reachable(db, s.guest, [u.id for u in (s.teacher, s.student, s.parent, s.staff, s.admin)]) == set()


def test_city_staff_reach_teachers_and_parents_of_the_citys_schools(db, world):
    s, staff, other = world["s"], world["city_staff"], world["other"]
    assert reach(db, staff, s.teacher) and reach(db, staff, s.parent)
    assert reach(db, staff, other.teacher) and reach(db, staff, other.parent)
    assert not reach(db, staff, s.student)
    unlink_structures(db, s.city, other.structure)
    assert not reach(db, staff, other.teacher)
    assert reach(db, staff, s.teacher)


def test_nobody_reaches_the_other_school_by_default(db, world):
    s, other = world["s"], world["other"]
    assert not reach(db, s.teacher, other.teacher)
    assert not reach(db, s.staff, other.student)
    assert not reach(db, other.parent, s.teacher)


def test_nobody_reaches_themself_nor_a_deleted_account(db, world):
    s = world["s"]
    assert not reach(db, s.teacher, s.teacher)
    s.student.state = AccountState.PRE_DELETED
    db.flush()
    assert not reach(db, s.teacher, s.student)


def test_visible_users_is_a_name_prefix_search_inside_the_rules(db, world):
    s = world["s"]
    names = [u.login for u in visible_users(db, s.parent, "")]
    assert sorted(names) == sorted([s.teacher.login, s.student.login])
    assert [u.login for u in visible_users(db, s.parent, "pro")] == [s.teacher.login]
    assert visible_users(db, s.parent, "autre") == []  # the other parent exists but is out of reach
    assert visible_users(db, s.parent, "%") == []  # a LIKE wildcard is a plain character
    assert visible_users(db, s.parent, "Brun") == []


def test_visible_users_orders_filters_and_pages(db, world):
    s = world["s"]
    everyone = visible_users(db, s.teacher, "", limit=200)
    assert [(u.last_name, u.first_name, u.id) for u in everyone] == sorted(
        (u.last_name, u.first_name, u.id) for u in everyone)
    assert s.teacher not in everyone and s.guest not in everyone
    students = visible_users(db, s.teacher, "", profile=Profile.STUDENT, limit=200)
    assert {u.id for u in students} == {s.student.id, world["student_b"].id, world["student_a2"].id}
    in_class = visible_users(db, s.teacher, "", class_id=s.school_class.id, limit=200)
    assert {u.id for u in in_class} == {s.student.id, world["student_a2"].id, s.parent.id, world["parent_a2"].id}
    first, second = visible_users(db, s.teacher, "", limit=2), visible_users(db, s.teacher, "", limit=2, offset=2)
    assert [u.id for u in first + second] == [u.id for u in everyone[:4]]


def test_visible_groups_and_their_expansion(db, world):
    s = world["s"]
    parents_cm2 = profile_group  # noqa: F841 - readability below
    teacher_groups = {g.name for g in visible_groups(db, s.teacher)}
    assert "Parents — CM2 A" in teacher_groups and "Élèves — CM1 B" in teacher_groups
    assert f"Invités — {s.structure.name}" not in teacher_groups
    parent_groups = {g.name for g in visible_groups(db, s.parent)}
    assert parent_groups == {"Enseignants — CM2 A"}
    staff_groups = {g.name: g for g in visible_groups(db, s.staff)}
    everyone = staff_groups[f"Tous — {s.structure.name}"]
    members = reachable_members(db, s.staff, everyone)
    assert s.staff.id not in members and {s.teacher.id, s.student.id, s.guest.id} <= set(members)
    with pytest.raises(CommunicationError, match="Parents"):
        reachable_members(db, s.parent, profile_group(db, s.structure.id, Profile.RELATIVE))


def test_tous_holds_everyone_with_a_role_and_only_them(db, world):
    s = world["s"]
    tous = profile_group(db, s.structure.id, None)
    member_ids = set(db.scalars(select(GroupMember.user_id).where(GroupMember.group_id == tous.id)))
    assert {s.teacher.id, s.student.id, s.parent.id, s.guest.id} <= member_ids
    remove_role(db, s.guest, s.structure, Profile.GUEST)
    assert s.guest.id not in set(db.scalars(select(GroupMember.user_id).where(GroupMember.group_id == tous.id)))


def test_a_new_structure_and_class_get_the_default_links(db):
    city = create_structure(db, "Ville Neuve", StructureKind.CITY)
    school = create_structure(db, "École Neuve", uai="0750009J", parents=[city])
    cm1 = create_class(db, school, "CM1")
    links = {tuple(row) for row in db.execute(select(CommLink.from_group_id, CommLink.to_group_id))}
    staff = profile_group(db, school.id, Profile.PERSONNEL).id
    teachers = profile_group(db, school.id, Profile.TEACHER).id
    city_staff = profile_group(db, city.id, Profile.PERSONNEL).id
    assert (staff, teachers) in links and (city_staff, teachers) in links
    from preau.directory.users import class_group
    assert (class_group(db, cm1, Profile.RELATIVE).id, class_group(db, cm1, Profile.TEACHER).id) in links
    assert (class_group(db, cm1, Profile.RELATIVE).id, teachers) not in links


@pytest.fixture
def rules_plugin(world, enable_plugin):
    """The comm_rules plugin, enabled for the school of ``world`` (its rules say nothing elsewhere)."""
    from tests.fixtures_plugins import comm_rules

    enable_plugin("comm_rules", world["s"].structure)
    comm_rules.CALLS.clear()
    yield comm_rules
    comm_rules.VETO_LAST_NAMES.clear()
    comm_rules.EXTRA_GROUPS.clear()
    comm_rules.RAISE["on"] = False
    comm_rules.ANSWER["as"] = "ids"


def test_plugin_veto_and_extra_groups(db, world, rules_plugin):
    s = world["s"]
    rules_plugin.VETO_LAST_NAMES.add("Prof")
    rules_plugin.EXTRA_GROUPS[s.parent.id] = [profile_group(db, s.structure.id, Profile.GUEST).id]
    assert not reach(db, s.parent, s.teacher)  # vetoed
    assert reach(db, s.parent, s.guest)  # added by the plugin's group
    assert s.teacher not in visible_users(db, s.parent, "")
    assert s.guest in visible_users(db, s.parent, "")
    rules_plugin.VETO_LAST_NAMES.clear()
    assert reach(db, s.parent, s.teacher)


def test_a_failing_veto_hook_denies(db, world, rules_plugin):
    s = world["s"]
    rules_plugin.RAISE["on"] = True
    assert not reach(db, s.parent, s.teacher)
    assert visible_users(db, s.parent, "") == []


def test_vetoes_are_asked_once_per_plugin_for_a_whole_group(db, world, rules_plugin):
    s = world["s"]
    rules_plugin.VETO_LAST_NAMES.add("Prof")
    members = reachable_members(db, s.staff, profile_group(db, s.structure.id, Profile.TEACHER))
    assert s.teacher.id not in members and world["teacher_b"].id in members
    calls = rules_plugin.CALLS
    assert calls == [(s.staff.id, len(members) + 1)]  # one call for the whole set


def test_a_veto_sees_recipients_rows_and_may_answer_with_them(db, world, rules_plugin):
    s = world["s"]
    rules_plugin.VETO_LAST_NAMES.add("Prof")
    rules_plugin.ANSWER["as"] = "recipients"
    members = reachable_members(db, s.staff, profile_group(db, s.structure.id, Profile.TEACHER))
    assert s.teacher.id not in members and world["teacher_b"].id in members
    seen = rules_plugin.SEEN[0]
    assert isinstance(seen, Recipients) and all(isinstance(person, Recipient) for person in seen)
    assert seen.ids == {person.id for person in seen} == set(members) | {s.teacher.id}
    teacher = next(person for person in seen if person.id == s.teacher.id)
    assert (teacher.login, teacher.last_name, teacher.state) == (s.teacher.login, "Prof", s.teacher.state)


def test_rules_of_a_plugin_disabled_for_the_senders_school_say_nothing(db, world, rules_plugin):
    s, neighbour = world["s"], world["other"]
    rules_plugin.VETO_LAST_NAMES.add("Prof")
    rules_plugin.EXTRA_GROUPS[neighbour.parent.id] = [profile_group(db, neighbour.structure.id, Profile.GUEST).id]
    assert not reach(db, s.parent, s.teacher)  # enabled for the parent's school
    assert reach(db, neighbour.parent, neighbour.teacher)  # not enabled for the neighbour school: no veto…
    assert not reach(db, neighbour.parent, neighbour.guest)  # …and no extra group
    assert all(sender == s.parent.id for sender, _count in rules_plugin.CALLS)
