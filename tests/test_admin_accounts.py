"""An ADML blocks accounts and gives reset codes, inside their school only; people use the codes once."""

import re
from datetime import timedelta

import pytest

from preau.auth.passwords import verify_password
from preau.directory.codes import CODE_ALPHABET, hash_code
from preau.directory.lifecycle import transition
from preau.directory.users import add_role, create_user, grant_function
from preau.models import AccountState, Function
from preau.models._time import utcnow
from preau.testing import build_school
from preau.types import Profile
from tests.auth_helpers import (
    accounts,
    assert_logged_out,
    assert_no_secret_logged,
    events,
    log_in,
    new_client,
    page,
    reasons,
)

NEW_PASSWORD = "Nouveau-mdp-2025"
CODE = re.compile(r'<span class="code" id="reset-code">([A-Z0-9]+)</span>')


@pytest.fixture
def adml(school, app, db):
    """The ADML of the school, logged in in their own browser."""
    browser = new_client(app)
    assert log_in(browser, school.admin, school.password).status_code == 302
    return browser


def _block(browser, user, action="block", reason="Messages menaçants"):
    return browser.post_form(f"/admin/users/{user.id}/block", {"action": action, "reason": reason})


def _issue_code(browser, user) -> str:
    response = browser.post_form(f"/admin/users/{user.id}/reset-code")
    assert response.status_code == 200
    return CODE.search(response.get_data(as_text=True)).group(1)


def _reset(client, user, code, password=NEW_PASSWORD, confirm=None):
    return client.post_form("/auth/reset", {"login": user.login, "code": code, "password": password,
                                            "confirm": password if confirm is None else confirm})


# -- blocking ------------------------------------------------------------------------------------------


def test_blocking_ends_the_open_session_of_the_account(school, login_as, adml, db):
    parent_browser = login_as(school.parent)
    assert parent_browser.get("/").status_code == 200
    response = _block(adml, school.parent)
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{school.parent.id}"
    assert "Compte bloqué." in page(adml.get(response.headers["Location"]))
    assert_logged_out(parent_browser)
    db.refresh(school.parent)
    assert school.parent.state == AccountState.BLOCKED
    [event] = events(db, "account.blocked")
    assert event.actor_id == school.admin.id and event.target_id == str(school.parent.id)
    assert event.detail["reason"] == "Messages menaçants" and event.detail["previous"] == "active"
    response = log_in(parent_browser, school.parent, school.password)
    assert response.status_code == 403 and "Ce compte est bloqué." in page(response)


def test_unblocking_lets_the_person_in_again(school, client, adml, db):
    _block(adml, school.parent)
    response = _block(adml, school.parent, action="unblock", reason="Erreur")
    assert response.status_code == 302
    db.refresh(school.parent)
    assert school.parent.state == AccountState.ACTIVE
    assert [e.detail["reason"] for e in events(db, "account.active")][-1] == "Erreur"
    assert log_in(client, school.parent, school.password).status_code == 302


def test_blocking_twice_does_not_unblock(school, adml, db):
    _block(adml, school.parent)
    response = _block(adml, school.parent)  # a double submit
    assert response.status_code == 400
    db.refresh(school.parent)
    assert school.parent.state == AccountState.BLOCKED
    assert "Passage impossible de « Bloqué » à « Bloqué »." in page(response)
    assert reasons(db, "account.block_refused") == ["state_blocked"]


def test_blocking_needs_an_explicit_action(school, adml, db):
    before = accounts(db)
    response = adml.post_form(f"/admin/users/{school.parent.id}/block", {"reason": "x"})
    assert response.status_code == 400
    assert "Action inconnue : choisissez de bloquer ou de débloquer le compte." in page(response)
    assert accounts(db) == before


def test_an_admin_cannot_block_themselves(school, adml, db):
    before = accounts(db)
    response = _block(adml, school.admin)
    assert response.status_code == 400 and "Vous ne pouvez pas bloquer votre propre compte." in page(response)
    assert accounts(db) == before


def test_blocking_without_csrf_token_changes_nothing(school, adml, db):
    before = accounts(db)
    response = adml.post(f"/admin/users/{school.parent.id}/block", data={"action": "block"})
    assert response.status_code == 400
    assert "jeton CSRF invalide" in page(response)
    assert accounts(db) == before and events(db, "account.blocked") == []
    assert events(db, "security.csrf_rejected")[0].actor_id == school.admin.id


def test_a_non_admin_cannot_block(school, login_as, db):
    teacher = login_as(school.teacher)
    before = accounts(db)
    assert _block(teacher, school.parent).status_code == 403
    assert accounts(db) == before


@pytest.fixture
def other_school(db):
    return build_school(db, name="Collège B", uai="0750002B", city_name="Ville B")


@pytest.mark.parametrize("path", ["block", "reset-code"])
def test_an_adml_cannot_act_on_another_school(school, other_school, adml, db, path):
    before = accounts(db)
    response = adml.post_form(f"/admin/users/{other_school.parent.id}/{path}", {"action": "block"})
    assert response.status_code == 403
    assert "Vous n'avez pas le droit d'accéder à cette page." in page(response)
    [event] = events(db, "security.scope_denied")
    assert event.actor_id == school.admin.id and event.target_id == str(other_school.parent.id)
    assert event.detail["reason"] == "out_of_scope"
    assert accounts(db) == before
    assert adml.get(f"/admin/users/{other_school.parent.id}").status_code == 403


def test_an_adml_cannot_take_over_a_higher_administrator(school, adml, db):
    city_admin = create_user(db, first_name="Cyril", last_name="Ville", login="cyril.ville")
    add_role(db, city_admin, school.structure, Profile.PERSONNEL)
    grant_function(db, city_admin, Function.ADMIN_LOCAL, school.city)
    super_admin = create_user(db, first_name="Sam", last_name="Super", login="sam.super")
    add_role(db, super_admin, school.structure, Profile.PERSONNEL)
    grant_function(db, super_admin, Function.SUPER_ADMIN)
    db.flush()
    before = accounts(db)
    for target in (city_admin, super_admin):
        assert adml.post_form(f"/admin/users/{target.id}/reset-code").status_code == 403
        assert _block(adml, target).status_code == 403
        assert adml.get(f"/admin/users/{target.id}").status_code == 200  # seeing the card is allowed
    assert reasons(db, "security.scope_denied") == ["outranked"] * 4
    assert accounts(db) == before


def test_another_adml_of_the_same_school_may_be_helped(school, adml, db):
    colleague = create_user(db, first_name="Colette", last_name="Adml", login="colette.adml")
    add_role(db, colleague, school.structure, Profile.PERSONNEL)
    grant_function(db, colleague, Function.ADMIN_LOCAL, school.structure)
    db.flush()
    assert len(_issue_code(adml, colleague)) == 8


# -- reset codes ---------------------------------------------------------------------------------------


def test_a_reset_code_is_shown_once_and_only_its_hash_is_stored(school, adml, db):
    response = adml.post_form(f"/admin/users/{school.parent.id}/reset-code")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    code = CODE.search(response.get_data(as_text=True)).group(1)
    assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    db.refresh(school.parent)
    assert school.parent.reset_code_hash == hash_code(code) and code not in school.parent.reset_code_hash
    assert timedelta(hours=71) < school.parent.reset_code_expires_at - utcnow() <= timedelta(hours=72)
    [event] = events(db, "account.reset_code_issued")
    assert event.actor_id == school.admin.id and event.target_id == str(school.parent.id)
    assert_no_secret_logged(db, code)
    assert code not in adml.get(f"/admin/users/{school.parent.id}").get_data(as_text=True)


def test_a_reset_code_changes_the_password_and_ends_old_sessions(school, login_as, adml, app, db):
    parent_browser = login_as(school.parent)
    version = school.parent.session_version
    code = _issue_code(adml, school.parent)
    stranger = new_client(app)
    response = _reset(stranger, school.parent, code.lower())  # typed in lower case from the paper
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert "Votre mot de passe est changé : connectez-vous." in page(stranger.get("/auth/login"))
    db.refresh(school.parent)
    assert school.parent.password_hash.startswith("$argon2id$")
    assert verify_password(school.parent.password_hash, NEW_PASSWORD)
    assert school.parent.session_version == version + 1 and school.parent.reset_code_used_at is not None
    assert [e.actor_id for e in events(db, "auth.password_reset")] == [school.parent.id]
    assert_no_secret_logged(db, code, NEW_PASSWORD)
    assert_logged_out(parent_browser)
    assert log_in(parent_browser, school.parent, school.password).status_code == 401
    assert log_in(parent_browser, school.parent, NEW_PASSWORD).status_code == 302


def test_a_reset_code_works_once(school, adml, client, db):
    code = _issue_code(adml, school.parent)
    assert _reset(client, school.parent, code).status_code == 302
    before = accounts(db)
    response = _reset(client, school.parent, code, password="Encore-autre-2025")
    assert response.status_code == 400
    assert "Ce code a déjà été utilisé. Demandez-en un nouveau" in page(response)
    assert reasons(db, "auth.reset_failed") == ["reset_code_reused"]
    assert accounts(db) == before


def test_an_expired_reset_code_is_refused(school, adml, client, db):
    code = _issue_code(adml, school.parent)
    school.parent.reset_code_expires_at = utcnow() - timedelta(minutes=1)
    db.flush()
    before = accounts(db)
    response = _reset(client, school.parent, code)
    assert response.status_code == 400 and "Ce code a expiré." in page(response)
    assert reasons(db, "auth.reset_failed") == ["reset_code_expired"]
    assert accounts(db) == before


def test_a_wrong_reset_code_is_refused(school, adml, client, db):
    _issue_code(adml, school.parent)
    before = accounts(db)
    response = _reset(client, school.parent, "ZZZZZZZZ")
    assert response.status_code == 400 and "Identifiant ou code incorrect." in page(response)
    assert reasons(db, "auth.reset_failed") == ["bad_reset_code"]
    assert accounts(db) == before


def test_a_reset_without_any_code_issued_is_refused(school, client, db):
    response = _reset(client, school.parent, "ABCDEFGH")
    assert response.status_code == 400 and "Identifiant ou code incorrect." in page(response)
    assert reasons(db, "auth.reset_failed") == ["bad_reset_code"]


def test_a_weak_new_password_keeps_the_code_usable(school, adml, client, db):
    code = _issue_code(adml, school.parent)
    before = accounts(db)
    response = _reset(client, school.parent, code, password="court1")
    assert response.status_code == 400 and "au moins 8 caractères" in page(response)
    assert reasons(db, "auth.reset_failed") == ["weak_password"]
    assert accounts(db) == before
    assert _reset(client, school.parent, code).status_code == 302


def test_a_blocked_account_gets_no_reset_code(school, adml, db):
    _block(adml, school.parent)
    before = accounts(db)
    response = adml.post_form(f"/admin/users/{school.parent.id}/reset-code")
    assert response.status_code == 400
    assert "On ne peut pas donner de code de réinitialisation à un compte bloqué ou supprimé." in page(response)
    assert reasons(db, "account.reset_code_refused") == ["state_blocked"]
    assert accounts(db) == before


def test_a_code_given_before_blocking_cannot_be_used(school, adml, client, db):
    code = _issue_code(adml, school.parent)
    _block(adml, school.parent)
    before = accounts(db)
    response = _reset(client, school.parent, code)
    assert response.status_code == 403 and "Ce compte est bloqué." in page(response)
    assert accounts(db) == before


def test_a_reset_code_activates_an_account_that_lost_its_letter(school, adml, client, db):
    newcomer = create_user(db, first_name="Nina", last_name="Nouvelle", login="nina.nouvelle")
    add_role(db, newcomer, school.structure, Profile.RELATIVE)
    db.flush()
    code = _issue_code(adml, newcomer)
    assert _reset(client, newcomer, code).status_code == 302
    db.refresh(newcomer)
    assert newcomer.state == AccountState.ACTIVE and newcomer.activation_code is None
    assert log_in(client, newcomer, NEW_PASSWORD).status_code == 302


def test_a_deleted_account_cannot_reset(school, adml, client, db):
    code = _issue_code(adml, school.parent)
    for state in (AccountState.PENDING_DELETION, AccountState.PRE_DELETED, AccountState.DELETED):
        transition(db, school.parent, state, reason="test")
    before = accounts(db)
    response = _reset(client, school.parent, code)
    assert response.status_code == 400 and "Identifiant ou code incorrect." in page(response)
    assert accounts(db) == before


def test_adml_cannot_take_over_a_teacher_of_another_school_who_is_a_parent_in_theirs(school, adml, db):
    from preau.directory.users import add_role
    from preau.testing import build_school

    other = build_school(db, name="Collège B", uai="0750002B", city_name="Ville B")
    add_role(db, other.teacher, school.structure, Profile.RELATIVE)
    before = accounts(db)
    assert adml.post_form(f"/admin/users/{other.teacher.id}/reset-code").status_code == 403
    assert adml.post_form(f"/admin/users/{other.teacher.id}/block", {"action": "block"}).status_code == 403
    assert adml.get(f"/admin/users/{other.teacher.id}").status_code == 403
    assert accounts(db) == before
    assert "security.scope_denied" in {e.action for e in events(db, "security.scope_denied")}


def test_structure_search_treats_wildcards_as_plain_characters(school, adml):
    everyone = page(adml.get(f"/admin/structures/{school.structure.id}"))
    assert school.teacher.display_name in everyone
    underscore = page(adml.get(f"/admin/structures/{school.structure.id}?q=_"))
    assert "Aucun utilisateur ne correspond." in underscore
    by_name = page(adml.get(f"/admin/structures/{school.structure.id}?q=prof"))
    assert school.teacher.display_name in by_name and school.student.display_name not in by_name


def test_unblocking_does_not_bring_back_an_account_on_its_way_out(school, adml, db):
    from preau.directory.lifecycle import transition

    transition(db, school.guest, "pending_deletion", reason="absent du flux")
    response = adml.post_form(f"/admin/users/{school.guest.id}/block", {"action": "unblock"})
    assert response.status_code == 400 and "Ce compte n'est pas bloqué." in page(response)
    db.refresh(school.guest)
    assert school.guest.state == "pending_deletion"
