"""The annuaire: the structure graph, automatic groups, logins, multi-role people, relatives, admin scopes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from preau.directory import scopes
from preau.directory.classes import create_class, create_group
from preau.directory.structures import (
    DirectoryError,
    ancestor_ids,
    create_structure,
    descendant_ids,
    link_structures,
    parents_of,
    profile_group,
    unlink_structures,
)
from preau.directory.users import (
    add_role,
    add_to_group,
    attach_to_class,
    class_group,
    create_user,
    detach_from_class,
    grant_function,
    group_ids_of,
    link_relative,
    remove_from_group,
    remove_role,
    unlink_relative,
)
from preau.models import AuditEvent, Function, Group, GroupKind, GroupMember, RelativeLink, StructureKind, StructureLink
from preau.testing import build_school
from preau.types import Profile


def person(db, first="Jean", last="Dupont", **kw):
    return create_user(db, first_name=first, last_name=last, **kw)


@pytest.fixture
def graph(db):
    academie = create_structure(db, "Académie de Test", StructureKind.ACADEMIE)
    city = create_structure(db, "Ville d'Avray", StructureKind.CITY, parents=[academie])
    school = create_structure(db, "École Pasteur", StructureKind.ECOLE, uai="0920001A", parents=[city])
    other = create_structure(db, "École Curie", StructureKind.ECOLE, uai="0920002B", parents=[city])
    return academie, city, school, other


def members(db, group_id):
    return set(db.scalars(select(GroupMember.user_id).where(GroupMember.group_id == group_id)))


# -- structures ------------------------------------------------------------------------------------------


def test_descendants_and_ancestors_follow_the_academie_city_school_graph(db, graph):
    academie, city, school, other = graph
    assert descendant_ids(db, [academie.id]) == {academie.id, city.id, school.id, other.id}
    assert descendant_ids(db, [city.id]) == {city.id, school.id, other.id}
    assert descendant_ids(db, [school.id]) == {school.id}
    assert ancestor_ids(db, [school.id]) == {school.id, city.id, academie.id}
    assert ancestor_ids(db, [academie.id]) == {academie.id}


def test_a_cycle_is_refused_with_a_french_message_and_no_link(db, graph):
    academie, city, school, _other = graph
    links = db.scalar(select(func.count()).select_from(StructureLink))
    with pytest.raises(DirectoryError, match="cycle"):
        link_structures(db, school, academie)
    with pytest.raises(DirectoryError, match="elle-même"):
        link_structures(db, city, city)
    assert db.scalar(select(func.count()).select_from(StructureLink)) == links
    assert ancestor_ids(db, [academie.id]) == {academie.id}


def test_a_school_may_hang_under_a_city_and_a_syndicat(db, graph):
    academie, city, school, _other = graph
    syndicat = create_structure(db, "Syndicat mixte du Val", StructureKind.SYNDICAT)
    link_structures(db, syndicat, school)
    link_structures(db, syndicat, school)  # idempotent
    assert {p.id for p in parents_of(db, school.id)} == {city.id, syndicat.id}
    assert ancestor_ids(db, [school.id]) == {school.id, city.id, academie.id, syndicat.id}
    assert descendant_ids(db, [syndicat.id]) == {syndicat.id, school.id}
    unlink_structures(db, syndicat, school)
    assert syndicat.id not in ancestor_ids(db, [school.id])
    with pytest.raises(DirectoryError):
        unlink_structures(db, syndicat, school)


def test_each_structure_gets_its_five_profile_groups_tous_and_each_class_three(db, graph):
    _academie, _city, school, _other = graph
    groups = db.scalars(select(Group).where(Group.structure_id == school.id, Group.kind == GroupKind.PROFILE)).all()
    assert sorted(g.profile or "" for g in groups) == sorted(["", *(p.value for p in Profile)])
    assert [g.name for g in groups if g.profile is None] == [f"Tous — {school.name}"]
    assert all(school.name in g.name for g in groups)
    cm1 = create_class(db, school, "CM1 B")
    class_groups = db.scalars(select(Group).where(Group.class_id == cm1.id)).all()
    assert sorted(g.profile for g in class_groups) == ["relative", "student", "teacher"]
    assert all(g.kind == GroupKind.CLASS and g.structure_id == school.id for g in class_groups)
    with pytest.raises(DirectoryError, match="existe déjà"):
        create_class(db, school, "CM1 B")


def test_a_duplicate_or_malformed_uai_is_refused(db, graph):
    count = db.scalar(select(func.count()).select_from(Group))
    with pytest.raises(DirectoryError, match="déjà utilisé"):
        create_structure(db, "Autre école", StructureKind.ECOLE, uai="0920001a")  # same code, other case
    with pytest.raises(DirectoryError, match="mal formé"):
        create_structure(db, "Autre école", StructureKind.ECOLE, uai="92-0001")
    with pytest.raises(DirectoryError, match="inconnu"):
        create_structure(db, "Autre école", "planete")
    assert db.scalar(select(func.count()).select_from(Group)) == count
    assert create_structure(db, "Nouvelle école", uai=" 0920003c ").uai == "0920003C"


# -- logins ----------------------------------------------------------------------------------------------


def test_generated_logins_are_ascii_and_unique_for_accents_apostrophes_and_homonyms(db):
    names = [("Léa-Marie", "N'Diaye"), ("Lætitia", "de la Tour"), ("Zoë", "Œuvray"), ("Jean", "D’Arc"),
             ("Jean", "Dupont"), ("Jean", "Dupont"), ("Jéan", "Dupont"), ("李", "王"), ("李", "王")]
    logins = [person(db, first, last).login for first, last in names]
    assert logins[:4] == ["lea-marie.ndiaye", "laetitia.de-la-tour", "zoe.oeuvray", "jean.darc"]
    assert logins[4:7] == ["jean.dupont", "jean.dupont2", "jean.dupont3"]
    assert len(set(logins)) == len(logins)
    assert all(login.isascii() and login == login.lower() and " " not in login for login in logins)


def test_a_taken_or_invalid_login_is_refused(db):
    person(db, login="jdupont")
    with pytest.raises(DirectoryError, match="déjà pris"):
        person(db, login="JDupont")
    with pytest.raises(DirectoryError, match="pas valide"):
        person(db, login="jéan dupont")
    with pytest.raises(DirectoryError, match="obligatoires"):
        person(db, first="  ")


# -- roles, classes, groups, relatives --------------------------------------------------------------------


def test_add_role_attach_and_link_fill_the_automatic_groups(db, graph):
    _a, _c, school, _o = graph
    cm2 = create_class(db, school, "CM2")
    teacher, child, mother = person(db, "Paul", "Prof"), person(db, "Emma", "Petit"), person(db, "Marie", "Petit")
    add_role(db, teacher, school, Profile.TEACHER)
    add_role(db, child, school, Profile.STUDENT)
    add_role(db, mother, school, Profile.RELATIVE)
    assert add_role(db, teacher, school, Profile.TEACHER).id == teacher.roles[0].id  # idempotent
    assert members(db, profile_group(db, school.id, Profile.TEACHER).id) == {teacher.id}
    assert members(db, profile_group(db, school.id, Profile.RELATIVE).id) == {mother.id}
    attach_to_class(db, teacher, cm2, Profile.TEACHER)
    attach_to_class(db, child, cm2, Profile.STUDENT)
    link_relative(db, mother, child)
    assert members(db, class_group(db, cm2, Profile.TEACHER).id) == {teacher.id}
    assert members(db, class_group(db, cm2, Profile.STUDENT).id) == {child.id}
    assert members(db, class_group(db, cm2, Profile.RELATIVE).id) == {mother.id}


def test_class_attachment_needs_the_profile_in_the_school_and_parents_are_never_attached_by_hand(db, graph):
    _a, _c, school, other = graph
    cm2 = create_class(db, school, "CM2")
    teacher = person(db)
    add_role(db, teacher, other, Profile.TEACHER)
    with pytest.raises(DirectoryError, match="n'a pas le profil"):
        attach_to_class(db, teacher, cm2, Profile.TEACHER)
    add_role(db, teacher, school, Profile.RELATIVE)
    with pytest.raises(DirectoryError, match="automatiquement"):
        attach_to_class(db, teacher, cm2, Profile.RELATIVE)
    assert members(db, class_group(db, cm2, Profile.TEACHER).id) == set()


def test_parents_follow_their_children_into_and_out_of_classes(db, graph):
    _a, _c, school, _o = graph
    cm1, cm2 = create_class(db, school, "CM1"), create_class(db, school, "CM2")
    father = person(db, "Marc", "Martin")
    add_role(db, father, school, Profile.RELATIVE)
    twins = [person(db, "Léo", "Martin"), person(db, "Lou", "Martin")]
    for twin in twins:
        add_role(db, twin, school, Profile.STUDENT)
        link_relative(db, father, twin)
    # attached after the link: the father follows
    attach_to_class(db, twins[0], cm2, Profile.STUDENT)
    attach_to_class(db, twins[1], cm2, Profile.STUDENT)
    parents_cm2 = class_group(db, cm2, Profile.RELATIVE).id
    assert members(db, parents_cm2) == {father.id}
    # one twin moves to CM1: the father is in both classes
    detach_from_class(db, twins[0], cm2, Profile.STUDENT)
    attach_to_class(db, twins[0], cm1, Profile.STUDENT)
    assert father.id in members(db, parents_cm2) and father.id in members(db, class_group(db, cm1, Profile.RELATIVE).id)
    # the other twin leaves CM2: no child left there, the father leaves it too
    detach_from_class(db, twins[1], cm2, Profile.STUDENT)
    assert members(db, parents_cm2) == set()
    unlink_relative(db, father, twins[0])
    assert members(db, class_group(db, cm1, Profile.RELATIVE).id) == set()
    with pytest.raises(DirectoryError, match="n'est pas parent"):
        unlink_relative(db, father, twins[0])


def test_a_parent_profile_given_after_the_link_brings_the_classes_of_the_school(db, graph):
    _a, _c, school, other = graph
    cm2 = create_class(db, school, "CM2")
    mother, child = person(db, "Ana", "Lopez"), person(db, "Iris", "Lopez")
    add_role(db, mother, other, Profile.RELATIVE)  # parent elsewhere first
    add_role(db, child, school, Profile.STUDENT)
    attach_to_class(db, child, cm2, Profile.STUDENT)
    link_relative(db, mother, child)
    assert members(db, class_group(db, cm2, Profile.RELATIVE).id) == set()  # no parent role in that school
    add_role(db, mother, school, Profile.RELATIVE)
    assert members(db, class_group(db, cm2, Profile.RELATIVE).id) == {mother.id}


def test_removing_a_role_removes_what_it_brought_and_keeps_the_family_link(db):
    s = build_school(db)
    parents_group = class_group(db, s.school_class, Profile.RELATIVE).id
    assert s.parent.id in members(db, parents_group)
    remove_role(db, s.student, s.structure, Profile.STUDENT)
    assert s.student.roles == []
    assert group_ids_of(db, s.student.id) == set()
    assert members(db, parents_group) == set()  # the parent had no other child in the class
    assert db.get(RelativeLink, (s.parent.id, s.student.id)) is not None
    remove_role(db, s.teacher, s.structure, Profile.TEACHER)
    assert group_ids_of(db, s.teacher.id) == set()
    with pytest.raises(DirectoryError, match="n'a pas le profil"):
        remove_role(db, s.teacher, s.structure, Profile.TEACHER)


def test_removing_one_of_two_roles_in_a_school_keeps_the_other_and_the_manual_groups(db):
    s = build_school(db)
    add_role(db, s.teacher, s.structure, Profile.RELATIVE)
    club = create_group(db, s.structure, "Club théâtre")
    add_to_group(db, s.teacher, club)
    remove_role(db, s.teacher, s.structure, Profile.TEACHER)
    assert [r.profile for r in s.teacher.roles] == [Profile.RELATIVE]
    assert group_ids_of(db, s.teacher.id) == {profile_group(db, s.structure.id, Profile.RELATIVE).id, club.id,
                                              profile_group(db, s.structure.id, None).id}  # and "Tous"
    remove_role(db, s.teacher, s.structure, Profile.RELATIVE)
    assert group_ids_of(db, s.teacher.id) == set()  # no role left in the school: its manual groups go too


def test_manual_groups_take_members_with_a_role_below_them_and_refuse_automatic_groups(db):
    s = build_school(db)
    other = build_school(db, name="École Voisine", uai="0750009Z", city_name="Ville Voisine")
    city_group = create_group(db, s.city, "Directeurs de la ville")
    add_to_group(db, s.staff, city_group)  # a role in a school of the city is enough
    with pytest.raises(DirectoryError, match="aucun rôle"):
        add_to_group(db, other.staff, city_group)
    with pytest.raises(DirectoryError, match="automatiquement"):
        add_to_group(db, s.staff, profile_group(db, s.structure.id, Profile.TEACHER))
    with pytest.raises(DirectoryError, match="automatiquement"):
        remove_from_group(db, s.student, class_group(db, s.school_class, Profile.STUDENT))
    assert members(db, city_group.id) == {s.staff.id}
    remove_from_group(db, s.staff, city_group)
    assert members(db, city_group.id) == set()
    with pytest.raises(DirectoryError, match="manuels"):
        create_group(db, s.structure, "Faux", kind=GroupKind.PROFILE)


def test_one_login_holds_a_teacher_role_in_one_school_and_a_parent_role_in_another(db):
    a = build_school(db)
    b = build_school(db, name="École Voisine", uai="0750009Z", city_name="Ville Voisine")
    add_role(db, a.teacher, b.structure, Profile.RELATIVE)
    link_relative(db, a.teacher, b.student)
    roles = {(r.structure_id, r.profile) for r in a.teacher.roles}
    assert roles == {(a.structure.id, Profile.TEACHER), (b.structure.id, Profile.RELATIVE)}
    assert a.teacher.profiles == {Profile.TEACHER, Profile.RELATIVE}
    assert a.teacher.main_profile == Profile.TEACHER
    assert a.teacher.id in members(db, class_group(db, b.school_class, Profile.RELATIVE).id)
    assert a.teacher.id not in members(db, class_group(db, a.school_class, Profile.RELATIVE).id)


def test_staff_of_two_schools_is_in_both_personnel_groups(db):
    a = build_school(db)
    b = build_school(db, name="École Voisine", uai="0750009Z", city_name="Ville Voisine")
    add_role(db, a.staff, b.structure, Profile.PERSONNEL)
    assert {r.structure_id for r in a.staff.roles} == {a.structure.id, b.structure.id}
    for school in (a.structure, b.structure):
        assert a.staff.id in members(db, profile_group(db, school.id, Profile.PERSONNEL).id)


def test_link_relative_needs_a_student_and_a_parent(db):
    s = build_school(db)
    with pytest.raises(DirectoryError, match="n'est pas élève"):
        link_relative(db, s.parent, s.teacher)
    with pytest.raises(DirectoryError, match="profil parent"):
        link_relative(db, s.teacher, s.student)


# -- admin scopes ----------------------------------------------------------------------------------------


@pytest.fixture
def two_schools(db):
    a = build_school(db)
    b_school = create_structure(db, "École Voisine", StructureKind.ECOLE, uai="0750009Z", parents=[a.city])
    far = build_school(db, name="École Lointaine", uai="0750010A", city_name="Autre Ville")
    return a, b_school, far


def test_an_adml_of_a_city_administers_its_schools(db, two_schools):
    a, b_school, far = two_schools
    mayor = person(db, "Maire", "Adjoint")
    add_role(db, mayor, a.city, Profile.PERSONNEL)
    grant_function(db, mayor, Function.ADMIN_LOCAL, a.city)
    assert scopes.administered_structure_ids(db, mayor) == {a.city.id, a.structure.id, b_school.id}
    assert scopes.can_administer(db, mayor, b_school.id)
    assert not scopes.can_administer(db, mayor, far.structure.id)
    assert scopes.can_administer_user(db, mayor, a.teacher)
    assert not scopes.can_administer_user(db, mayor, far.teacher)


def test_an_adml_of_a_school_does_not_administer_another_school_or_its_city(db, two_schools):
    a, b_school, far = two_schools
    assert scopes.administered_structure_ids(db, a.admin) == {a.structure.id}
    assert not scopes.can_administer(db, a.admin, b_school.id)
    assert not scopes.can_administer(db, a.admin, a.city.id)
    assert not scopes.can_administer_user(db, a.admin, far.teacher)
    assert [s.id for s in scopes.administered_structures(db, a.admin)] == [a.structure.id]


def test_a_super_admin_administers_everything(db, two_schools):
    a, b_school, far = two_schools
    boss = person(db, "Super", "Admin")
    grant_function(db, boss, Function.SUPER_ADMIN)
    assert scopes.administered_structure_ids(db, boss) is None
    assert all(scopes.can_administer(db, boss, sid) for sid in (a.city.id, b_school.id, far.structure.id))
    assert scopes.can_administer_user(db, boss, far.teacher)
    with pytest.raises(DirectoryError, match="super-administrateur"):
        grant_function(db, boss, Function.ADMIN_LOCAL)


def test_admin_pages_refuse_another_school_with_403_and_audit_it(db, two_schools, login_as):
    a, b_school, far = two_schools
    client = login_as(a.admin)
    assert client.get(f"/admin/structures/{a.structure.id}").status_code == 200
    response = client.get(f"/admin/structures/{b_school.id}")
    assert response.status_code == 403
    assert client.get(f"/admin/users/{far.teacher.id}").status_code == 403
    assert client.get(f"/admin/users/{a.teacher.id}").status_code == 200
    denied = db.scalars(select(AuditEvent).where(AuditEvent.action == "security.scope_denied",
                                                 AuditEvent.actor_id == a.admin.id)).all()
    assert {(e.target_type, e.target_id) for e in denied} == {("structures", str(b_school.id)),
                                                               ("users", str(far.teacher.id))}


def test_admin_pages_let_a_city_adml_into_its_schools(db, two_schools, login_as):
    a, b_school, far = two_schools
    grant_function(db, a.staff, Function.ADMIN_LOCAL, a.city)
    client = login_as(a.staff)
    assert client.get(f"/admin/structures/{b_school.id}").status_code == 200
    assert client.get(f"/admin/structures/{a.structure.id}").status_code == 200
    assert client.get(f"/admin/structures/{far.structure.id}").status_code == 403


def test_a_person_without_an_admin_function_gets_403_on_admin_pages(db, two_schools, login_as):
    a, _b, _far = two_schools
    client = login_as(a.teacher)
    assert client.get(f"/admin/structures/{a.structure.id}").status_code == 403


def test_external_ids_are_unique_per_source(db):
    create_structure(db, "École AAF", external_id="AAF-1", source="aaf")
    create_structure(db, "École ONDE", external_id="AAF-1", source="onde")  # another source may reuse it
    with pytest.raises(DirectoryError, match="existe déjà pour la source aaf"):
        create_structure(db, "Doublon", external_id="AAF-1", source="aaf")
    person(db, external_id="U-1", source="aaf")
    with pytest.raises(DirectoryError, match="existe déjà pour la source aaf"):
        person(db, "Autre", "Personne", external_id="U-1", source="aaf")
    assert person(db, "Autre", "Personne", external_id="U-1", source="csv").source == "csv"


def test_losing_every_role_under_a_city_leaves_the_citys_manual_group(db, school):
    from preau.directory.classes import create_group
    from preau.directory.users import add_to_group, group_ids_of, remove_role

    city_group = create_group(db, school.city, "Conseil municipal des enfants")
    add_to_group(db, school.staff, city_group)
    remove_role(db, school.staff, school.structure, "personnel")
    assert city_group.id not in group_ids_of(db, school.staff.id)
