"""Manual groups of a structure and batch block / unblock per profile."""

from sqlalchemy import select

from preau.directory.classes import create_group
from preau.directory.users import add_role, create_user, group_ids_of
from preau.models import AccountState, Group, User
from preau.types import Profile
from tests.auth_helpers import events, page


def _groups_url(school):
    return f"/admin/structures/{school.structure.id}/groups"


def test_a_manual_group_is_created_renamed_filled_and_deleted(school, adml, db):
    response = adml.post_form(_groups_url(school), {"name": "Chorale", "kind": "manual"})
    assert response.status_code == 302
    group = db.scalar(select(Group).where(Group.name == "Chorale"))
    url = f"{_groups_url(school)}/{group.id}"
    assert adml.post_form(url, {"action": "rename", "name": "Chorale du jeudi"}).status_code == 302
    db.refresh(group)
    assert group.name == "Chorale du jeudi"
    assert adml.post_form(url, {"action": "add", "login": school.student.login}).status_code == 302
    assert group.id in group_ids_of(db, school.student.id)
    assert school.student.display_name in page(adml.get(url))
    assert adml.post_form(url, {"action": "remove", "login": school.student.login}).status_code == 302
    assert group.id not in group_ids_of(db, school.student.id)
    assert adml.post_form(url, {"action": "delete"}).status_code == 302
    db.expire_all()
    assert db.get(Group, group.id) is None
    assert [e.action for e in events(db, "directory.group_deleted")] == ["directory.group_deleted"]


def test_a_member_of_another_school_is_refused(school, other_school, adml, db):
    group = create_group(db, school.structure, "Chorale")
    response = adml.post_form(f"{_groups_url(school)}/{group.id}",
                              {"action": "add", "login": other_school.student.login})
    assert response.status_code == 400 and group.id not in group_ids_of(db, other_school.student.id)


def test_a_group_of_another_school_is_not_reachable(school, other_school, adml, db):
    group = create_group(db, other_school.structure, "Secret")
    assert adml.get(f"/admin/structures/{other_school.structure.id}/groups/{group.id}").status_code == 403
    assert adml.post_form(f"{_groups_url(school)}/{group.id}", {"action": "delete"}).status_code == 404
    db.expire_all()
    assert db.get(Group, group.id) is not None


def test_the_members_communicate_switch_goes_through_the_rules_preview(school, adml, db):
    group = create_group(db, school.structure, "Chorale")
    text = page(adml.get(f"{_groups_url(school)}/{group.id}"))
    assert f'value="{group.id}:0"' in text and "/communication/preview" in text
    response = adml.post_form(f"/admin/structures/{school.structure.id}/communication/preview",
                              {"members": f"{group.id}:0"})
    assert response.status_code == 200 and "Chorale" in page(response)


# -- batch block ---------------------------------------------------------------------------------------


def _batch(adml, school, **data):
    return adml.post_form(f"/admin/structures/{school.structure.id}/batch-block", data)


def _states(db):
    db.expire_all()
    return dict(db.execute(select(User.login, User.state)).all())


def test_the_confirmation_page_counts_the_accounts_and_spares_admins(school, adml, db):
    admin_student = create_user(db, first_name="Ad", last_name="Min")
    add_role(db, admin_student, school.structure, Profile.PERSONNEL)
    from preau.directory.users import grant_function
    grant_function(db, admin_student, "ADMIN_LOCAL", school.structure)
    response = adml.get(f"/admin/structures/{school.structure.id}/batch-block?profile=personnel&action=block")
    text = page(response)
    assert "1 compte Personnel sera bloqué." in text  # the staff member; both ADMLs spared
    assert "1 administrateur épargné." in text
    assert _states(db)[school.staff.login] == AccountState.ACTIVE


def test_batch_block_blocks_the_profile_with_one_batch_event_and_a_history_each(school, adml, login_as, db):
    before = _states(db)
    version = school.student.session_version
    response = _batch(adml, school, profile="student", action="block", reason="Piratage", confirm="1")
    assert response.status_code == 302
    after = _states(db)
    assert after[school.student.login] == AccountState.BLOCKED
    assert {k: v for k, v in after.items() if k != school.student.login} == \
        {k: v for k, v in before.items() if k != school.student.login}
    db.refresh(school.student)
    assert school.student.session_version == version + 1
    [batch] = events(db, "account.batch_block")
    assert batch.detail["count"] == 1 and batch.detail["reason"] == "Piratage"
    card = page(adml.get(f"/admin/users/{school.student.id}"))
    assert "Piratage" in card.split('id="block-history"')[1] and "blocage par profil" in card
    response = _batch(adml, school, profile="student", action="unblock", reason="Fin", confirm="1")
    assert response.status_code == 302 and _states(db)[school.student.login] == AccountState.ACTIVE


def test_batch_unblock_of_a_never_activated_account_leaves_it_inactive(school, adml, db):
    newcomer = create_user(db, first_name="Nina", last_name="Neuve")
    add_role(db, newcomer, school.structure, Profile.GUEST)
    _batch(adml, school, profile="guest", action="block", reason="x", confirm="1")
    assert _states(db)["nina.neuve"] == AccountState.BLOCKED
    _batch(adml, school, profile="guest", action="unblock", reason="y", confirm="1")
    states = _states(db)
    assert states["nina.neuve"] == AccountState.INACTIVE and states[school.guest.login] == AccountState.ACTIVE


def test_batch_block_without_confirmation_or_csrf_changes_nothing(school, adml, db):
    before = _states(db)
    assert _batch(adml, school, profile="student", action="block", reason="x").status_code == 200
    response = adml.post(f"/admin/structures/{school.structure.id}/batch-block",
                         data={"profile": "student", "action": "block", "confirm": "1"})
    assert response.status_code == 400 and _states(db) == before


def test_batch_block_of_another_school_is_refused(school, other_school, adml, db):
    before = _states(db)
    response = adml.post_form(f"/admin/structures/{other_school.structure.id}/batch-block",
                              {"profile": "student", "action": "block", "confirm": "1"})
    assert response.status_code == 403 and _states(db) == before


def test_batch_block_spares_people_with_a_role_outside_the_admins_scope(school, other_school, adml, db):
    add_role(db, other_school.teacher, school.structure, Profile.RELATIVE)
    before = _states(db)
    _batch(adml, school, profile="relative", action="block", reason="x", confirm="1")
    after = _states(db)
    assert after[school.parent.login] == AccountState.BLOCKED
    assert after[other_school.teacher.login] == before[other_school.teacher.login]
