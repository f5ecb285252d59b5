"""Every action of the user card, scoped, audited and CSRF-protected, with its attack versions."""

import pytest
from sqlalchemy import select

from preau.directory.classes import create_class, create_group
from preau.directory.users import add_role, classes_of, create_user, group_ids_of
from preau.models import AccountState, Function, RelativeLink, UserFunction
from preau.types import Profile
from tests.auth_helpers import accounts, events, page


def _functions(db):
    db.expire_all()
    return sorted(db.execute(select(UserFunction.user_id, UserFunction.structure_id, UserFunction.code)).all(),
                  key=str)


def _links(db):
    return sorted(db.execute(select(RelativeLink.parent_id, RelativeLink.child_id)).all())


# -- block history -------------------------------------------------------------------------------------


def test_block_history_is_shown_on_the_card_with_reasons(school, adml):
    adml.post_form(f"/admin/users/{school.parent.id}/block", {"action": "block", "reason": "Spam massif"})
    adml.post_form(f"/admin/users/{school.parent.id}/block", {"action": "unblock", "reason": "Mot de passe changé"})
    text = page(adml.get(f"/admin/users/{school.parent.id}"))
    history = text.split('id="block-history"')[1].split("</ul>")[0]
    assert "Spam massif" in history and "Mot de passe changé" in history
    assert history.index("Mot de passe changé") < history.index("Spam massif")  # newest first
    assert school.admin.display_name in history


def test_the_audit_trail_shows_actions_on_and_by_the_user(school, adml):
    adml.post_form(f"/admin/users/{school.parent.id}/block", {"action": "block", "reason": "x"})
    on_parent = page(adml.get(f"/admin/users/{school.parent.id}"))
    assert "account.blocked" in on_parent.split('id="audit-trail"')[1]
    by_admin = page(adml.get(f"/admin/users/{school.admin.id}"))
    assert "account.blocked" in by_admin.split('id="audit-trail"')[1]


# -- activation code -----------------------------------------------------------------------------------


def test_a_new_activation_code_replaces_the_old_one(school, adml, db):
    newcomer = create_user(db, first_name="Nina", last_name="Neuve")
    add_role(db, newcomer, school.structure, Profile.RELATIVE)
    old = newcomer.activation_code
    response = adml.post_form(f"/admin/users/{newcomer.id}/activation-code")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    db.refresh(newcomer)
    assert newcomer.activation_code != old and newcomer.activation_code in page(response)
    assert "Nouveau code d'activation généré" in page(response)
    [event] = events(db, "account.activation_code_issued")
    assert event.actor_id == school.admin.id and newcomer.activation_code not in str(event.detail)


def test_an_active_account_gets_no_activation_code(school, adml, db):
    before = accounts(db)
    response = adml.post_form(f"/admin/users/{school.parent.id}/activation-code")
    assert response.status_code == 400 and "Seul un compte non activé" in page(response)
    assert accounts(db) == before


def test_activation_code_for_another_school_is_refused(school, other_school, adml, db):
    before = accounts(db)
    assert adml.post_form(f"/admin/users/{other_school.guest.id}/activation-code").status_code == 403
    assert accounts(db) == before


# -- classes and teaching groups ---------------------------------------------------------------------------


def test_a_teacher_is_attached_to_and_detached_from_a_class(school, adml, db):
    cm1 = create_class(db, school.structure, "CM1")
    response = adml.post_form(f"/admin/users/{school.teacher.id}/classes", {"action": "add", "class_id": cm1.id})
    assert response.status_code == 302
    assert "Rattaché à la classe CM1." in page(adml.get(response.headers["Location"]))
    assert {c.name for c in classes_of(db, school.teacher, Profile.TEACHER)} == {"CM2 A", "CM1"}
    adml.post_form(f"/admin/users/{school.teacher.id}/classes", {"action": "remove", "class_id": cm1.id})
    assert {c.name for c in classes_of(db, school.teacher, Profile.TEACHER)} == {"CM2 A"}
    assert [e.detail["class_id"] for e in events(db, "directory.class_attached")] == [cm1.id]


def test_a_teacher_cannot_be_attached_to_a_class_of_another_school(school, other_school, adml, db):
    response = adml.post_form(f"/admin/users/{school.teacher.id}/classes",
                              {"action": "add", "class_id": other_school.school_class.id})
    assert response.status_code == 400 and "ne relève pas de votre administration" in page(response)
    assert {c.name for c in classes_of(db, school.teacher, Profile.TEACHER)} == {"CM2 A"}


def test_only_teachers_are_attached_by_the_card(school, adml, db):
    response = adml.post_form(f"/admin/users/{school.staff.id}/classes",
                              {"action": "add", "class_id": school.school_class.id})
    assert response.status_code == 400 and "n'a pas le profil" in page(response)


def test_a_teacher_joins_a_teaching_group(school, adml, db):
    ulis = create_group(db, school.structure, "ULIS école", kind="teaching")
    response = adml.post_form(f"/admin/users/{school.teacher.id}/teaching-groups",
                              {"action": "add", "group_id": ulis.id})
    assert response.status_code == 302 and ulis.id in group_ids_of(db, school.teacher.id)
    adml.post_form(f"/admin/users/{school.teacher.id}/teaching-groups", {"action": "remove", "group_id": ulis.id})
    assert ulis.id not in group_ids_of(db, school.teacher.id)


def test_a_teaching_group_of_another_school_is_refused(school, other_school, adml, db):
    upe2a = create_group(db, other_school.structure, "UPE2A", kind="teaching")
    response = adml.post_form(f"/admin/users/{school.teacher.id}/teaching-groups",
                              {"action": "add", "group_id": upe2a.id})
    assert response.status_code == 400 and upe2a.id not in group_ids_of(db, school.teacher.id)


# -- functions and ADML delegation ------------------------------------------------------------------------


def test_granting_and_revoking_a_function(school, adml, db):
    response = adml.post_form(f"/admin/users/{school.staff.id}/functions",
                              {"action": "add", "code": "CPE", "structure_id": school.structure.id})
    assert response.status_code == 302
    assert (school.staff.id, school.structure.id, "CPE") in _functions(db)
    response = adml.post_form(f"/admin/users/{school.staff.id}/functions",
                              {"action": "remove", "code": "CPE", "structure_id": school.structure.id})
    assert response.status_code == 302 and (school.staff.id, school.structure.id, "CPE") not in _functions(db)
    assert [e.detail["function"] for e in events(db, "directory.function_revoked")] == ["CPE"]


def test_an_adml_delegates_adml_inside_their_school(school, adml, db):
    response = adml.post_form(f"/admin/users/{school.teacher.id}/functions",
                              {"action": "add", "code": "ADMIN_LOCAL", "structure_id": school.structure.id})
    assert response.status_code == 302
    assert (school.teacher.id, school.structure.id, "ADMIN_LOCAL") in _functions(db)
    assert events(db, "directory.adml_delegated")[0].actor_id == school.admin.id


def test_adml_cannot_be_delegated_on_the_city_above(school, adml, db):
    before = _functions(db)
    response = adml.post_form(f"/admin/users/{school.teacher.id}/functions",
                              {"action": "add", "code": "ADMIN_LOCAL", "structure_id": school.city.id})
    assert response.status_code == 400 and "Vous n'administrez pas cette structure." in page(response)
    assert _functions(db) == before


@pytest.mark.parametrize("structure", ["school", "none"])
def test_super_admin_is_never_granted_from_the_console(school, adml, db, structure):
    before = _functions(db)
    sid = school.structure.id if structure == "school" else ""
    response = adml.post_form(f"/admin/users/{school.teacher.id}/functions",
                              {"action": "add", "code": Function.SUPER_ADMIN, "structure_id": sid})
    assert response.status_code == 400
    assert _functions(db) == before
    assert events(db, "directory.function_refused")


def test_an_adml_cannot_remove_their_own_delegation(school, adml, db):
    before = _functions(db)
    response = adml.post_form(f"/admin/users/{school.admin.id}/functions",
                              {"action": "remove", "code": "ADMIN_LOCAL", "structure_id": school.structure.id})
    assert response.status_code == 400 and _functions(db) == before


def test_functions_of_another_schools_user_are_refused(school, other_school, adml, db):
    before = _functions(db)
    response = adml.post_form(f"/admin/users/{other_school.teacher.id}/functions",
                              {"action": "add", "code": "ADMIN_LOCAL", "structure_id": school.structure.id})
    assert response.status_code == 403 and _functions(db) == before


# -- parent–child links ---------------------------------------------------------------------------------


def test_a_parent_is_linked_to_and_unlinked_from_a_child(school, adml, db):
    newcomer = create_user(db, first_name="Marc", last_name="Eleve")
    add_role(db, newcomer, school.structure, Profile.RELATIVE)
    response = adml.post_form(f"/admin/users/{newcomer.id}/relatives",
                              {"action": "add", "login": school.student.login})
    assert response.status_code == 302 and (newcomer.id, school.student.id) in _links(db)
    # from the child's card this time
    response = adml.post_form(f"/admin/users/{school.student.id}/relatives",
                              {"action": "remove", "login": newcomer.login})
    assert response.status_code == 302 and (newcomer.id, school.student.id) not in _links(db)
    assert len(events(db, "directory.relative_unlinked")) == 1


def test_linking_a_parent_to_a_child_of_another_school_is_refused(school, other_school, adml, db):
    before = _links(db)
    response = adml.post_form(f"/admin/users/{school.parent.id}/relatives",
                              {"action": "add", "login": other_school.student.login})
    assert response.status_code == 400 and "ne relève pas de votre administration" in page(response)
    assert _links(db) == before


def test_linking_two_parents_is_refused(school, adml, db):
    before = _links(db)
    response = adml.post_form(f"/admin/users/{school.parent.id}/relatives",
                              {"action": "add", "login": school.staff.login})
    assert response.status_code == 400 and _links(db) == before


# -- attacks -------------------------------------------------------------------------------------------


CARD_POSTS = [
    ("activation-code", {}),
    ("classes", {"action": "add", "class_id": "1"}),
    ("teaching-groups", {"action": "add", "group_id": "1"}),
    ("functions", {"action": "add", "code": "CPE", "structure_id": "1"}),
    ("relatives", {"action": "add", "login": "x"}),
]


@pytest.mark.parametrize(("path", "data"), CARD_POSTS)
def test_an_adml_of_another_school_changes_nothing(school, other_school, adml, db, path, data):
    before = (accounts(db), _functions(db), _links(db))
    response = adml.post_form(f"/admin/users/{other_school.teacher.id}/{path}", data)
    assert response.status_code == 403
    assert (accounts(db), _functions(db), _links(db)) == before
    assert events(db, "security.scope_denied")[-1].target_id == str(other_school.teacher.id)


@pytest.mark.parametrize(("path", "data"), CARD_POSTS)
def test_a_forged_form_without_csrf_changes_nothing(school, adml, db, path, data):
    before = (accounts(db), _functions(db), _links(db))
    response = adml.post(f"/admin/users/{school.teacher.id}/{path}", data=data)
    assert response.status_code == 400
    assert (accounts(db), _functions(db), _links(db)) == before


def test_the_card_of_an_inactive_account_is_not_cached(school, adml, db):
    newcomer = create_user(db, first_name="Nina", last_name="Neuve")
    add_role(db, newcomer, school.structure, Profile.GUEST)
    response = adml.get(f"/admin/users/{newcomer.id}")
    assert response.headers["Cache-Control"] == "no-store" and newcomer.activation_code in page(response)
    assert newcomer.state == AccountState.INACTIVE
