"""Account states: every transition of TRANSITIONS works, every other one is refused and changes nothing."""

from __future__ import annotations

from itertools import product

import pytest
from sqlalchemy import func, select

from preau.directory.lifecycle import CAN_LOG_IN, STATE_LABELS, TRANSITIONS, transition
from preau.directory.structures import DirectoryError
from preau.directory.users import create_user
from preau.models import AccountState, AuditEvent

STATES = [s.value for s in AccountState]
ALLOWED = sorted((old, new) for old, targets in TRANSITIONS.items() for new in targets)
REFUSED = sorted(pair for pair in product(STATES, STATES) if pair not in ALLOWED)
ENDS_SESSIONS = {AccountState.BLOCKED, AccountState.DELETED, AccountState.INACTIVE}


def test_the_transition_table_covers_every_state():
    assert set(TRANSITIONS) == set(STATES) == set(STATE_LABELS)
    assert all(targets <= set(STATES) for targets in TRANSITIONS.values())
    assert len(ALLOWED) + len(REFUSED) == len(STATES) ** 2 and ALLOWED and REFUSED


def _account(db, state: str):
    user = create_user(db, first_name="Camille", last_name="Etat")
    user.state = state
    db.flush()
    return user


def _audit_count(db, user) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.target_id == str(user.id),
                                                                        AuditEvent.target_type == "users"))


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_an_allowed_transition_changes_the_state_and_is_audited(db, old, new):
    user = _account(db, old)
    version, changed_at = user.session_version, user.state_changed_at
    transition(db, user, new, reason="test")
    assert user.state == new
    assert user.state_changed_at >= changed_at
    assert user.session_version == version + (1 if new in ENDS_SESSIONS else 0)
    event = db.scalars(select(AuditEvent).where(AuditEvent.target_id == str(user.id),
                                                AuditEvent.action == f"account.{new}")).one()
    assert event.detail == {"reason": "test", "previous": old}


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_any_other_transition_is_refused_in_french_and_changes_nothing(db, old, new):
    user = _account(db, old)
    before = (user.state, user.session_version, user.state_changed_at, user.activation_code, _audit_count(db, user))
    with pytest.raises(DirectoryError, match="Passage impossible de « .+ » à « .+ »"):
        transition(db, user, new)
    db.refresh(user)
    assert (user.state, user.session_version, user.state_changed_at, user.activation_code,
            _audit_count(db, user)) == before


def test_an_unknown_state_is_refused(db):
    user = _account(db, AccountState.ACTIVE)
    with pytest.raises(DirectoryError, match="inconnu"):
        transition(db, user, "hibernating")
    assert user.state == AccountState.ACTIVE


def test_an_account_sent_back_to_inactive_gets_a_fresh_activation_code(db):
    user = _account(db, AccountState.BLOCKED)
    user.activation_code = None
    transition(db, user, AccountState.INACTIVE)
    assert user.activation_code and len(user.activation_code) == 8


def test_blocking_ends_the_open_session(school, login_as, db):
    client = login_as(school.teacher)
    assert client.get("/").status_code == 200
    transition(db, school.teacher, AccountState.BLOCKED, actor=school.admin.id)
    response = client.get("/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("state", [AccountState.PENDING_DELETION, AccountState.PRE_DELETED])
def test_pending_and_pre_deleted_accounts_keep_their_session(school, login_as, db, state):
    assert state in CAN_LOG_IN
    client = login_as(school.teacher)
    if state == AccountState.PRE_DELETED:
        transition(db, school.teacher, AccountState.PENDING_DELETION)
    transition(db, school.teacher, state)
    assert client.get("/account/data").status_code == 200  # still logged in
    if state == AccountState.PENDING_DELETION:
        assert client.get("/").status_code == 200
    else:  # a pre-deleted account may only export its data
        assert client.get("/").headers["Location"].endswith("/account/data")



def test_accounts_on_their_way_out_log_in_but_pre_deleted_ones_reach_no_app(school, client, db, enable_plugin):
    from preau.directory.lifecycle import transition

    enable_plugin("welcome", school.structure)
    transition(db, school.parent, "pending_deletion", reason="absent du flux")
    response = client.post_form("/auth/login", {"login": school.parent.login, "password": school.password})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Bienvenue sur l’ENT" in client.get("/portal/widgets/welcome.hello").get_data(as_text=True)
    transition(db, school.parent, "pre_deleted", reason="90 jours")
    client.post_form("/auth/logout")
    client.post_form("/auth/login", {"login": school.parent.login, "password": school.password})
    for path in ("/", "/portal/widgets/welcome.hello", "/apps/welcome/"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"].endswith("/account/data")
    assert "Mes données" in client.get("/account/data").get_data(as_text=True)
