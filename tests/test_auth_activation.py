"""Activation (login + code → password, recovery e-mail, charter) and the versioned charter of each profile."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from preau.auth import service
from preau.auth.passwords import verify_password
from preau.auth.service import publish_charter
from preau.directory.users import add_role, create_user
from preau.models import AccountState, CharterAcceptance
from preau.models._time import utcnow
from preau.types import Profile
from tests.auth_helpers import (
    acceptances,
    accounts,
    assert_logged_out,
    assert_no_secret_logged,
    events,
    flashes,
    log_in,
    new_client,
    page,
    reasons,
)

NEW_PASSWORD = "Rentree-2025!"


@pytest.fixture
def newcomer(school, db):
    """A parent imported at la rentrée: inactive, with a printed activation code; the parents' charter exists."""
    user = create_user(db, first_name="Nina", last_name="Nouvelle", login="nina.nouvelle")
    add_role(db, user, school.structure, Profile.RELATIVE)
    publish_charter(db, Profile.RELATIVE, "Charte des parents", "Je respecte les autres.")
    db.flush()
    return user


def _start(client, user, code=None):
    return client.post_form("/auth/activate", {"login": user.login, "code": code or user.activation_code})


def _finish(client, password=NEW_PASSWORD, confirm=None, email="nina@example.org", **extra):
    data = {"password": password, "confirm": password if confirm is None else confirm, "email": email,
            "accept": "J'accepte la charte et j'active mon compte", **extra}
    return client.post_form("/auth/activate/finish", data)


# -- activation ----------------------------------------------------------------------------------------


def test_activation_sets_password_email_charter_and_logs_in(newcomer, client, db):
    code = newcomer.activation_code
    response = _start(client, newcomer)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/activate/finish"
    with client.session_transaction() as session:
        assert code not in str(dict(session))  # the signed (readable) cookie never holds the code
    form = client.get("/auth/activate/finish")
    assert form.status_code == 200 and "Charte des parents" in page(form)
    response = _finish(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    db.refresh(newcomer)
    assert newcomer.state == AccountState.ACTIVE and newcomer.activation_code is None
    assert newcomer.email == "nina@example.org"
    assert newcomer.password_hash.startswith("$argon2id$") and verify_password(newcomer.password_hash,
                                                                               NEW_PASSWORD)
    assert acceptances(db, newcomer) == 1
    assert [e.actor_id for e in events(db, "auth.activated")] == [newcomer.id]
    assert [e.detail["reason"] for e in events(db, "account.active")][-1:] == ["activation"]
    assert [e.detail["version"] for e in events(db, "charter.accepted")] == [1]
    assert_no_secret_logged(db, NEW_PASSWORD, code)
    assert client.get("/").status_code == 200


def test_a_wrong_activation_code_changes_nothing(newcomer, client, db):
    before = accounts(db)
    response = _start(client, newcomer, code="ZZZZZZZZ")
    assert response.status_code == 400 and "Identifiant ou code incorrect." in page(response)
    assert reasons(db, "auth.activation_failed") == ["bad_activation_code"]
    assert_no_secret_logged(db, "ZZZZZZZZ", newcomer.activation_code)
    assert accounts(db) == before
    assert client.get("/auth/activate/finish").headers["Location"] == "/auth/activate"


def test_an_unknown_login_gets_the_same_answer_as_a_wrong_code(newcomer, client, db):
    response = client.post_form("/auth/activate", {"login": "personne.inconnue", "code": "ABCDEFGH"})
    assert response.status_code == 400 and "Identifiant ou code incorrect." in page(response)
    assert reasons(db, "auth.activation_failed") == ["bad_activation_code"]


def test_an_expired_activation_code_is_refused(newcomer, client, db):
    newcomer.activation_code_expires_at = utcnow() - timedelta(days=1)
    db.flush()
    before = accounts(db)
    response = _start(client, newcomer)
    assert response.status_code == 400
    assert "Ce code a expiré. Demandez-en un nouveau" in page(response)
    assert reasons(db, "auth.activation_failed") == ["activation_expired"]
    assert accounts(db) == before


def test_an_activation_code_works_once(newcomer, client, app, db):
    code = newcomer.activation_code
    _start(client, newcomer)
    assert _finish(client).status_code == 302
    after_first = accounts(db)
    again = new_client(app)
    response = again.post_form("/auth/activate", {"login": newcomer.login, "code": code})
    assert response.status_code == 400
    assert "Identifiant ou code incorrect." in page(response) and "déjà activé" not in page(response)
    assert reasons(db, "auth.activation_failed") == ["activation_reused"]
    assert accounts(db) == after_first
    assert_logged_out(again)


def test_a_second_tab_cannot_finish_an_activation_already_finished(newcomer, client, app, db):
    other_tab = new_client(app)
    _start(client, newcomer)
    _start(other_tab, newcomer)
    assert _finish(client).status_code == 302
    hash_after_first = accounts(db)
    response = _finish(other_tab, password="Autre-mot-2025")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/activate"
    assert accounts(db) == hash_after_first


@pytest.mark.parametrize(("password", "confirm", "message"), [
    ("court1", "court1", "Le mot de passe doit contenir au moins 8 caractères."),
    (NEW_PASSWORD, "Rentree-2026!", "Les deux mots de passe ne sont pas identiques."),
    ("motdepasse", "motdepasse", "Le mot de passe doit mêler lettres et chiffres ou symboles."),
    ("nina.nouvelle", "nina.nouvelle", "Le mot de passe ne doit pas être votre identifiant."),
])
def test_a_weak_or_mismatched_password_changes_nothing(newcomer, client, db, password, confirm, message):
    _start(client, newcomer)
    before = accounts(db)
    response = _finish(client, password=password, confirm=confirm)
    assert response.status_code == 400 and message in page(response)
    assert reasons(db, "auth.activation_failed") == ["weak_password"]
    assert_no_secret_logged(db, password, confirm)
    assert accounts(db) == before and acceptances(db, newcomer) == 0
    assert_logged_out(client)
    assert _finish(client).status_code == 302  # the code still works afterwards


@pytest.mark.parametrize("email", ["pas-une-adresse", "a@b", "x@y.fr\x00"])
def test_a_bad_recovery_email_changes_nothing(newcomer, client, db, email):
    _start(client, newcomer)
    before = accounts(db)
    response = _finish(client, email=email)
    assert response.status_code == 400
    assert ("L'adresse électronique de secours n'est pas valide." in page(response)
            or "Ce champ contient des caractères non autorisés." in page(response))
    assert reasons(db, "auth.activation_failed") in (["bad_email"], ["invalid_input"])
    assert accounts(db) == before


def test_refusing_the_charter_leaves_the_account_inactive_and_ends_the_session(newcomer, client, db):
    _start(client, newcomer)
    before = accounts(db)
    response = client.post_form("/auth/activate/finish", {"refuse": "Je refuse"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert "Sans acceptation de la charte, le compte ne peut pas être activé." in page(client.get("/auth/login"))
    assert accounts(db) == before and acceptances(db, newcomer) == 0
    [event] = events(db, "charter.refused")
    assert event.actor_id == newcomer.id and event.detail["reason"] == "activation"
    with client.session_transaction() as session:
        assert "activation" not in session
    assert client.get("/auth/activate/finish").headers["Location"] == "/auth/activate"
    assert_logged_out(client)


def test_the_finish_step_needs_the_first_one(newcomer, client, db):
    response = client.get("/auth/activate/finish")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/activate"
    assert "Commencez par saisir votre identifiant et votre code d'activation." in page(client.get("/auth/activate"))


def test_a_half_finished_activation_expires(newcomer, client, db):
    _start(client, newcomer)
    with client.session_transaction() as session:
        session["activation"] = {**session["activation"], "at": session["activation"]["at"] - 31 * 60}
    assert client.get("/auth/activate/finish").headers["Location"] == "/auth/activate"


@pytest.mark.parametrize("code", ["é" * 8, "ABC\x00DEFG", "A" * 500, "' OR 1=1 --"])
def test_garbage_activation_codes_get_a_french_message_not_a_crash(newcomer, client, db, code):
    before = accounts(db)
    response = client.post_form("/auth/activate", {"login": newcomer.login, "code": code})
    assert response.status_code == 400
    text = page(response)
    assert ("Identifiant ou code incorrect." in text or "Ce champ contient des caractères non autorisés." in text
            or "Ce champ ne doit pas dépasser 32 caractères." in text)
    assert len(events(db, "auth.activation_failed")) == 1
    assert accounts(db) == before


def test_the_service_compares_non_ascii_codes_without_crashing(newcomer, db):
    with pytest.raises(service.AuthError) as refused:
        service.check_activation_code(db, newcomer.login, "ÉÉÉÉÉÉÉÉ", service.Context(ip="10.1.1.1"))
    assert refused.value.reason == "bad_activation_code"


# -- the charter of a logged-in user -------------------------------------------------------------------


def test_a_new_charter_version_is_asked_on_any_page(school, login_as, db):
    client = login_as(school.parent)
    assert client.get("/apps").status_code == 200
    charter = publish_charter(db, Profile.RELATIVE, "Charte des parents", "Version 2 : soyez courtois.")
    response = client.get("/apps")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/charter?next=/apps"
    form = client.get(response.headers["Location"])
    assert "Version 2 : soyez courtois." in page(form) and "(version 1)" in page(form)
    response = client.post_form("/auth/charter", {"next": "/apps", "shown": str(charter.id),
                                                  "accept": "J'accepte"})
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).headers["Location"] == "/apps"
    assert client.get("/apps").status_code == 200
    stored = db.scalar(select(CharterAcceptance).where(CharterAcceptance.user_id == school.parent.id))
    assert stored.charter_id == charter.id
    assert [e.detail["version"] for e in events(db, "charter.accepted")] == [charter.version]


def test_refusing_a_new_charter_version_logs_out(school, login_as, db):
    client = login_as(school.parent)
    charter = publish_charter(db, Profile.RELATIVE, "Charte des parents", "Version 1")
    response = client.post_form("/auth/charter", {"shown": str(charter.id), "refuse": "Je refuse"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert "Vous avez refusé la charte : vous êtes déconnecté." in page(client.get("/auth/login"))
    assert acceptances(db, school.parent) == 0
    [event] = events(db, "charter.refused")
    assert event.actor_id == school.parent.id and event.detail["versions"] == [1]
    assert_logged_out(client)
    # At the next login, the charter is asked again.
    log_in(client, school.parent, school.password)
    assert client.get("/").headers["Location"].startswith("/auth/charter")


def test_a_charter_published_while_the_page_was_open_is_asked_next(school, login_as, db):
    client = login_as(school.parent)
    first = publish_charter(db, Profile.RELATIVE, "Charte des parents", "Version 1")
    client.get("/auth/charter")
    second = publish_charter(db, Profile.RELATIVE, "Charte des parents", "Version 2")
    client.post_form("/auth/charter", {"shown": str(first.id), "accept": "J'accepte"})
    assert acceptances(db, school.parent) == 0  # version 1 is no longer the current one
    assert client.get("/").headers["Location"].startswith("/auth/charter")
    client.post_form("/auth/charter", {"shown": str(second.id), "accept": "J'accepte"})
    assert acceptances(db, school.parent) == 1 and client.get("/").status_code == 200


def test_a_charter_of_another_profile_does_not_concern_me(school, login_as, db):
    client = login_as(school.parent)
    publish_charter(db, Profile.TEACHER, "Charte des enseignants", "Version 1")
    assert client.get("/").status_code == 200
    assert client.get("/auth/charter").headers["Location"] == "/"


def test_the_charter_page_needs_a_csrf_token(school, login_as, db):
    client = login_as(school.parent)
    charter = publish_charter(db, Profile.RELATIVE, "Charte des parents", "Version 1")
    response = client.post("/auth/charter", data={"shown": str(charter.id), "accept": "J'accepte"})
    assert response.status_code == 400 and acceptances(db, school.parent) == 0
    assert len(events(db, "security.csrf_rejected")) == 1


def test_a_session_with_a_pending_charter_cannot_use_the_api(school, db, client):
    from preau.auth.service import publish_charter

    assert log_in(client, school.parent, school.password).status_code == 302
    assert client.get("/api/v1/me").status_code == 200
    publish_charter(db, "relative", "Charte v2", "Nouveau texte")
    db.flush()
    response = client.get("/api/v1/me")
    assert response.status_code == 403 and response.get_json()["reason"] == "charter_required"


def test_every_wrong_activation_code_gets_the_same_answer(newcomer, school, app, db):
    """Issue 16 point 6: a wrong code tells nothing of the account (unknown, active, blocked or inactive)."""
    from preau.directory.lifecycle import transition

    blocked = create_user(db, first_name="Bob", last_name="Bloqué", login="bob.bloque")
    add_role(db, blocked, school.structure, Profile.RELATIVE)
    transition(db, blocked, AccountState.BLOCKED, reason="test")
    db.flush()
    before = accounts(db)
    answers = set()
    for login in ("personne.inconnue", school.parent.login, blocked.login, newcomer.login):
        response = new_client(app).post_form("/auth/activate", {"login": login, "code": "ZZZZZZZZ"})
        answers.add((response.status_code, tuple(flashes(response))))
    assert answers == {(400, ("Identifiant ou code incorrect.",))}
    assert accounts(db) == before
