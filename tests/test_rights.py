"""Enablement and rights: which apps, rights, widgets, connectors and menu items reach a user, role by role."""

from __future__ import annotations

import pytest

from preau import AppManifest, Connector, MenuItem, Profile, Right, Widget, hookimpl
from preau.directory.classes import create_class, create_group
from preau.directory.structures import create_structure, link_structures, profile_group
from preau.directory.users import (
    add_role,
    add_to_group,
    attach_to_class,
    class_group,
    create_user,
    link_relative,
    remove_from_group,
    remove_role,
)
from preau.models import RightGrant, StructureKind
from preau.plugins import PluginRegistry
from preau.rights import (
    GrantError,
    access_for,
    enable_with_defaults,
    enabled_apps,
    grant,
    inherit_enablement,
    revoke,
    set_enabled,
)
from preau.testing import build_school


@pytest.fixture
def registry(app):
    return app.extensions["preau.plugins"]


@pytest.fixture
def two_cities(db):
    """School A (city A) and school B (city B); A's teacher is also a parent in B."""
    a = build_school(db)
    b = build_school(db, name="École Voisine", uai="0750009Z", city_name="Ville Voisine")
    add_role(db, a.teacher, b.structure, Profile.RELATIVE)
    link_relative(db, a.teacher, b.student)
    return a, b


def role_of(user, structure, profile):
    return next(r for r in user.roles if r.structure_id == structure.id and r.profile == profile)


def rights(db, registry, user, *roles):
    return access_for(db, registry, user, roles=list(roles) if roles else None).rights


def widget_ids(db, registry, user, *roles):
    return {w.id for w in access_for(db, registry, user, roles=list(roles) if roles else None).widgets}


# -- enablement ------------------------------------------------------------------------------------------


def test_nothing_reaches_anyone_before_an_app_is_enabled(db, registry, school):
    for user in (school.teacher, school.student, school.parent, school.staff, school.guest):
        assert access_for(db, registry, user).apps == set()


def test_an_app_enabled_for_a_city_reaches_every_profile_of_its_schools(db, registry, school):
    enable_with_defaults(db, registry, school.city, "welcome")
    assert enabled_apps(db, school.structure.id, {"welcome", "failing"}) == {"welcome"}
    for user in (school.teacher, school.student, school.parent, school.staff, school.guest):
        access = access_for(db, registry, user)
        assert access.apps == {"welcome"} and access.has("welcome.access")


def test_a_school_disabling_an_app_overrides_its_city_until_it_inherits_again(db, registry, school):
    enable_with_defaults(db, registry, school.city, "welcome")
    set_enabled(db, school.structure, "welcome", False)
    assert enabled_apps(db, school.structure.id, {"welcome"}) == set()
    assert access_for(db, registry, school.teacher).apps == set()
    inherit_enablement(db, school.structure, "welcome")
    assert access_for(db, registry, school.teacher).apps == {"welcome"}


def test_the_nearest_decision_wins_and_equally_near_parents_enable(db, registry):
    academie = create_structure(db, "Académie", StructureKind.ACADEMIE)
    city = create_structure(db, "Ville", StructureKind.CITY, parents=[academie])
    syndicat = create_structure(db, "Syndicat", StructureKind.SYNDICAT)
    school = create_structure(db, "École", StructureKind.ECOLE, parents=[city, syndicat])
    set_enabled(db, academie, "welcome", True)
    set_enabled(db, syndicat, "welcome", False)  # nearer than the académie
    assert enabled_apps(db, school.id, {"welcome"}) == set()
    set_enabled(db, city, "welcome", True)  # as near as the syndicat: enabled wins the tie
    assert enabled_apps(db, school.id, {"welcome"}) == {"welcome"}
    set_enabled(db, school, "welcome", False)
    assert enabled_apps(db, school.id, {"welcome"}) == set()


def test_an_app_not_installed_is_never_enabled(db, registry, school):
    set_enabled(db, school.city, "ghost", True)
    grant(db, "ghost.access", school.city, group=profile_group(db, school.city.id, Profile.TEACHER))
    assert enabled_apps(db, school.structure.id, {"welcome"}) == set()
    access = access_for(db, registry, school.teacher)
    assert access.rights == set() and access.apps == set()


# -- grants ----------------------------------------------------------------------------------------------


def test_a_grant_to_a_city_profile_group_reaches_that_profile_in_its_schools_only(db, registry, school):
    set_enabled(db, school.city, "welcome", True)
    grant(db, "welcome.access", school.city, group=profile_group(db, school.city.id, Profile.TEACHER))
    assert rights(db, registry, school.teacher) == {"welcome.access"}
    for user in (school.student, school.parent, school.staff, school.guest):
        assert rights(db, registry, user) == set()


def test_an_enabled_app_without_a_grant_reaches_nobody(db, registry, school):
    set_enabled(db, school.structure, "welcome", True)
    assert access_for(db, registry, school.teacher).apps == set()


def test_a_right_granted_to_teachers_of_a_does_not_reach_the_same_person_as_parent_in_b(db, registry, two_cities):
    a, b = two_cities
    for structure in (a.structure, b.structure):
        set_enabled(db, structure, "welcome", True)
        set_enabled(db, structure, "failing", True)
    grant(db, "welcome.access", a.structure, group=profile_group(db, a.structure.id, Profile.TEACHER))
    grant(db, "failing.access", b.structure, group=profile_group(db, b.structure.id, Profile.RELATIVE))
    person = a.teacher
    as_teacher = role_of(person, a.structure, Profile.TEACHER)
    as_parent = role_of(person, b.structure, Profile.RELATIVE)
    assert rights(db, registry, person, as_teacher) == {"welcome.access"}
    assert rights(db, registry, person, as_parent) == {"failing.access"}
    assert rights(db, registry, person) == {"welcome.access", "failing.access"}  # the union
    assert access_for(db, registry, person).apps == {"welcome", "failing"}
    assert rights(db, registry, b.parent) == {"failing.access"}
    assert rights(db, registry, b.teacher) == set()


def test_a_grant_reaches_a_role_only_where_its_app_is_enabled(db, registry, two_cities):
    a, b = two_cities
    set_enabled(db, a.structure, "welcome", True)  # enabled in A only
    grant(db, "welcome.access", b.structure, group=profile_group(db, b.structure.id, Profile.RELATIVE))
    assert rights(db, registry, a.teacher) == set()  # granted as parent in B, but B has not enabled it


def test_a_class_grant_reaches_its_teachers_students_and_their_parents(db, registry, school):
    set_enabled(db, school.structure, "welcome", True)
    other_class = create_class(db, school.structure, "CM1 B")
    classmate = create_user(db, first_name="Hugo", last_name="Autre")
    add_role(db, classmate, school.structure, Profile.STUDENT)
    attach_to_class(db, classmate, other_class, Profile.STUDENT)
    grant(db, "welcome.access", school.structure, school_class=school.school_class)
    for user in (school.teacher, school.student, school.parent):
        assert rights(db, registry, user) == {"welcome.access"}, user.login
    for user in (school.staff, school.guest, classmate):
        assert rights(db, registry, user) == set(), user.login


def test_a_class_grant_does_not_leak_into_another_role_of_its_member(db, registry, two_cities):
    a, b = two_cities
    set_enabled(db, b.structure, "welcome", True)  # enabled in B only, where the person is a parent
    grant(db, "welcome.access", a.structure, school_class=a.school_class)  # granted to A's class
    assert rights(db, registry, a.teacher) == set()
    set_enabled(db, a.structure, "welcome", True)
    assert rights(db, registry, a.teacher, role_of(a.teacher, a.structure, Profile.TEACHER)) == {"welcome.access"}
    assert rights(db, registry, a.teacher, role_of(a.teacher, b.structure, Profile.RELATIVE)) == set()


def test_a_class_group_grant_reaches_only_that_profile_of_the_class(db, registry, school):
    set_enabled(db, school.structure, "welcome", True)
    grant(db, "welcome.access", school.structure, group=class_group(db, school.school_class, Profile.STUDENT))
    assert rights(db, registry, school.student) == {"welcome.access"}
    assert rights(db, registry, school.teacher) == set() and rights(db, registry, school.parent) == set()


def test_a_manual_group_grant_reaches_its_members_while_they_are_members(db, registry, school):
    set_enabled(db, school.city, "welcome", True)
    club = create_group(db, school.city, "Conseil des délégués")
    add_to_group(db, school.student, club)
    grant(db, "welcome.access", school.city, group=club)
    assert rights(db, registry, school.student) == {"welcome.access"}
    assert rights(db, registry, school.teacher) == set()
    remove_from_group(db, school.student, club)
    assert rights(db, registry, school.student) == set()


def test_a_removed_role_takes_its_rights_away(db, registry, two_cities):
    a, b = two_cities
    set_enabled(db, b.structure, "welcome", True)
    grant(db, "welcome.access", b.structure, group=profile_group(db, b.structure.id, Profile.RELATIVE))
    assert rights(db, registry, a.teacher) == {"welcome.access"}
    remove_role(db, a.teacher, b.structure, Profile.RELATIVE)
    assert rights(db, registry, a.teacher) == set()


def test_a_revoked_grant_gives_nothing(db, registry, school):
    set_enabled(db, school.structure, "welcome", True)
    row = grant(db, "welcome.access", school.structure, group=profile_group(db, school.structure.id, Profile.GUEST))
    assert grant(db, "welcome.access", school.structure,
                 group=profile_group(db, school.structure.id, Profile.GUEST)).id == row.id  # idempotent
    assert rights(db, registry, school.guest) == {"welcome.access"}
    revoke(db, row.id)
    assert rights(db, registry, school.guest) == set()


def test_a_grant_must_target_one_group_or_class_of_its_structure(db, school):
    other = build_school(db, name="École Voisine", uai="0750009Z", city_name="Ville Voisine")
    count = db.query(RightGrant).count()
    with pytest.raises(GrantError, match="n'appartient pas"):
        grant(db, "welcome.access", school.structure, group=profile_group(db, other.structure.id, Profile.TEACHER))
    with pytest.raises(GrantError, match="n'appartient pas"):
        grant(db, "welcome.access", school.structure, school_class=other.school_class)
    with pytest.raises(GrantError, match="pas aux deux"):
        grant(db, "welcome.access", school.structure)
    assert db.query(RightGrant).count() == count


def test_roles_that_are_not_the_users_are_ignored(db, registry, two_cities):
    a, b = two_cities
    enable_with_defaults(db, registry, b.structure, "welcome")
    stranger_role = role_of(b.teacher, b.structure, Profile.TEACHER)
    assert rights(db, registry, a.student, stranger_role) == set()


# -- widgets, connectors, menu items, core apps ------------------------------------------------------------


def test_widgets_come_only_with_their_granted_right(db, registry, school):
    enable_with_defaults(db, registry, school.structure, "welcome")
    set_enabled(db, school.structure, "failing", True)
    assert widget_ids(db, registry, school.teacher) == {"welcome.hello"}
    grant(db, "failing.access", school.structure, group=profile_group(db, school.structure.id, Profile.TEACHER))
    assert widget_ids(db, registry, school.teacher) == {"welcome.hello", "failing.boom"}
    assert widget_ids(db, registry, school.student) == {"welcome.hello"}


class TilesApp:
    """An app with two rights: the access right shows a menu item, the other one a connector."""

    @hookimpl
    def preau_app(self):
        return AppManifest(id="tiles", name="Tuiles", version="1.0", editor="Tests")

    @hookimpl
    def preau_rights(self):
        return [Right("tiles.access", "Voir", tuple(Profile)), Right("tiles.pronote", "Pronote", ())]

    @hookimpl
    def preau_menu_items(self):
        return [MenuItem("tiles.link", "Lien", "https://example.org/", right="tiles.access")]

    @hookimpl
    def preau_connectors(self):
        return [Connector("tiles.sso", "Pronote", "cas", "https://pronote.example.org/", right="tiles.pronote")]


class CoreApp:
    @hookimpl
    def preau_app(self):
        return AppManifest(id="corekit", name="Noyau", version="1.0", editor="Tests", core=True)

    @hookimpl
    def preau_rights(self):
        return [Right("corekit.access", "Voir", ())]

    @hookimpl
    def preau_widgets(self):
        return [Widget("corekit.clock", "Horloge", lambda user, size: "<p>12:00</p>", right="corekit.access")]


@pytest.fixture
def test_registry():
    registry = PluginRegistry()
    for name, plugin in (("tiles", TilesApp()), ("corekit", CoreApp())):
        registry._load_one(name, f"tests.test_rights.{name}", "extra", lambda p=plugin: p, set())
    registry._admit()
    assert {r.app_id for r in registry.active()} >= {"tiles", "corekit"}, [r.error for r in registry.broken()]
    return registry


def test_menu_items_and_connectors_come_only_with_their_granted_right(db, test_registry, school):
    set_enabled(db, school.structure, "tiles", True)
    grant(db, "tiles.access", school.structure, group=profile_group(db, school.structure.id, Profile.STUDENT))
    grant(db, "tiles.pronote", school.structure, group=profile_group(db, school.structure.id, Profile.TEACHER))
    student = access_for(db, test_registry, school.student)
    teacher = access_for(db, test_registry, school.teacher)
    assert [m.id for m in student.menu_items] == ["tiles.link"] and student.connectors == []
    assert [c.id for c in teacher.connectors] == ["tiles.sso"] and teacher.menu_items == []
    assert "tiles" in student.apps and "tiles" in teacher.apps
    assert access_for(db, test_registry, school.guest).apps == {"corekit"}


def test_core_apps_answer_for_everyone_even_without_role_or_enablement(db, test_registry, school):
    nobody = create_user(db, first_name="Sans", last_name="Role")
    for user in (nobody, school.guest, school.teacher):
        access = access_for(db, test_registry, user)
        assert access.apps == {"corekit"} and access.has("corekit.access")
        assert [w.id for w in access.widgets] == ["corekit.clock"]
    set_enabled(db, school.structure, "corekit", False)  # a core app cannot be disabled
    assert access_for(db, test_registry, school.teacher).apps == {"corekit"}


# -- the role switch, through the web ----------------------------------------------------------------------


def test_the_role_switch_changes_what_the_dashboard_shows(db, two_cities, login_as, registry):
    a, b = two_cities
    set_enabled(db, a.structure, "welcome", True)
    set_enabled(db, b.structure, "failing", True)
    grant(db, "welcome.access", a.structure, group=profile_group(db, a.structure.id, Profile.TEACHER))
    grant(db, "failing.access", b.structure, group=profile_group(db, b.structure.id, Profile.RELATIVE))
    client = login_as(a.teacher)
    page = client.get("/").get_data(as_text=True)
    assert 'data-widget="welcome.hello"' in page and 'data-widget="failing.boom"' in page
    assert 'name="role_id"' in page and "Tous mes rôles" in page

    as_parent = role_of(a.teacher, b.structure, Profile.RELATIVE)
    response = client.post_form("/role", {"role_id": str(as_parent.id), "next": "/"})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert 'data-widget="failing.boom"' in page and 'data-widget="welcome.hello"' not in page
    assert client.get("/apps/welcome/").status_code == 403  # the app is gone for this role, pages too

    as_teacher = role_of(a.teacher, a.structure, Profile.TEACHER)
    client.post_form("/role", {"role_id": str(as_teacher.id)})
    page = client.get("/").get_data(as_text=True)
    assert 'data-widget="welcome.hello"' in page and 'data-widget="failing.boom"' not in page
    assert client.get("/apps/welcome/").status_code == 200

    client.post_form("/role", {"role_id": "all"})
    page = client.get("/").get_data(as_text=True)
    assert 'data-widget="welcome.hello"' in page and 'data-widget="failing.boom"' in page


def test_choosing_a_role_that_is_not_yours_is_refused(db, two_cities, login_as):
    a, b = two_cities
    client = login_as(a.teacher)
    strangers = role_of(b.teacher, b.structure, Profile.TEACHER)
    for value in (str(strangers.id), "abc", "", "-1", "١"):
        assert client.post_form("/role", {"role_id": value}).status_code == 400, value
    with client.session_transaction() as session:
        assert "role_id" not in session
    assert client.post("/role", data={"role_id": "all"}).status_code == 400  # no CSRF token


def test_a_chosen_role_removed_since_falls_back_to_all_roles(db, two_cities, login_as):
    a, b = two_cities
    set_enabled(db, a.structure, "welcome", True)
    grant(db, "welcome.access", a.structure, group=profile_group(db, a.structure.id, Profile.TEACHER))
    client = login_as(a.teacher)
    as_parent = role_of(a.teacher, b.structure, Profile.RELATIVE)
    client.post_form("/role", {"role_id": str(as_parent.id)})
    assert 'data-widget="welcome.hello"' not in client.get("/").get_data(as_text=True)
    remove_role(db, a.teacher, b.structure, Profile.RELATIVE)
    assert 'data-widget="welcome.hello"' in client.get("/").get_data(as_text=True)


def test_staff_of_two_schools_is_offered_the_role_switch(db, login_as):
    a = build_school(db)
    other = create_structure(db, "École Voisine", StructureKind.ECOLE, uai="0750009Z")
    link_structures(db, a.city, other)
    client = login_as(a.staff)
    assert 'name="role_id"' not in client.get("/").get_data(as_text=True)
    add_role(db, a.staff, other, Profile.PERSONNEL)
    assert 'name="role_id"' in client.get("/").get_data(as_text=True)


def test_administrative_changes_are_audited_with_their_actor(db, app, school):
    from sqlalchemy import select

    from preau.directory.users import grant_function, revoke_function
    from preau.models import AuditEvent
    from preau.rights import enable_with_defaults, revoke, set_enabled

    registry = app.extensions["preau.plugins"]
    enable_with_defaults(db, registry, school.structure, "welcome", actor=school.admin)
    set_enabled(db, school.structure, "welcome", False, actor=school.admin)
    grant_function(db, school.teacher, "ADMIN_LOCAL", school.structure, actor=school.admin)
    revoke_function(db, school.teacher, "ADMIN_LOCAL", school.structure, actor=school.admin)
    granted = db.scalar(select(AuditEvent).where(AuditEvent.action == "rights.granted"))
    revoke(db, int(granted.target_id), actor=school.admin)
    rows = db.scalars(select(AuditEvent).where(AuditEvent.actor_id == school.admin.id)).all()
    actions = [row.action for row in rows]
    for action in ("rights.app_enabled", "rights.granted", "rights.app_disabled", "directory.function_granted",
                   "directory.function_revoked", "rights.revoked"):
        assert action in actions
    function_event = next(r for r in rows if r.action == "directory.function_granted")
    assert function_event.target_id == str(school.teacher.id) and function_event.detail["function"] == "ADMIN_LOCAL"
