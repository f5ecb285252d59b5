"""Login throttling per account and per IP, counted in the database so that every worker sees it."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from preau.db import make_engine
from preau.migrate import upgrade
from preau.models import LoginAttempt
from preau.models._time import utcnow
from preau.testing import TEST_PASSWORD, PreauClient, build_school
from tests.auth_helpers import accounts, assert_logged_out, attempts, events, log_in, new_client, page, reasons

THROTTLED = re.compile(r"Trop de tentatives échouées\. Réessayez dans (\d+) minute\(s\)\.")


def _fail(client, login: str, times: int, **kwargs) -> None:
    for _ in range(times):
        response = client.post_form("/auth/login", {"login": login, "password": "pas-le-bon-1"}, **kwargs)
        assert response.status_code == 401


def test_the_sixth_attempt_is_refused_even_with_the_right_password(school, client, db):
    _fail(client, school.parent.login, 5)
    before = accounts(db)
    response = log_in(client, school.parent, school.password)
    assert response.status_code == 429
    minutes = THROTTLED.search(page(response))
    assert minutes and int(minutes.group(1)) == 15  # the login page tells how long to wait
    assert 14 * 60 <= int(response.headers["Retry-After"]) <= 15 * 60 + 1
    [event] = events(db, "auth.login_throttled")
    assert event.detail["login"] == school.parent.login and event.detail["reason"] == "throttled"
    assert events(db, "auth.login") == []
    assert accounts(db) == before
    assert_logged_out(client)


def test_failures_are_stored_in_the_database(school, client, db):
    _fail(client, school.parent.login, 3)
    assert attempts(db, login=school.parent.login, success=False) == 3
    assert attempts(db, ip="127.0.0.1", success=False) == 3


def test_a_throttled_account_is_locked_for_every_browser(school, client, app, db):
    _fail(client, school.parent.login, 5, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    elsewhere = new_client(app)
    response = log_in(elsewhere, school.parent, school.password, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert response.status_code == 429 and THROTTLED.search(page(response))


def test_the_lock_only_concerns_the_attacked_account(school, client, db):
    _fail(client, school.parent.login, 5)
    assert log_in(client, school.teacher, school.password).status_code == 302


def test_a_successful_login_resets_the_account_counter(school, client, app, db):
    _fail(client, school.parent.login, 4)
    assert log_in(client, school.parent, school.password).status_code == 302
    assert attempts(db, login=school.parent.login, success=False) == 0
    other = new_client(app)
    _fail(other, school.parent.login, 4)
    assert log_in(other, school.parent, school.password).status_code == 302  # 8 failures, but not in a row


def test_old_failures_fall_out_of_the_window(school, client, db):
    _fail(client, school.parent.login, 5)
    db.execute(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=16)))
    assert log_in(client, school.parent, school.password).status_code == 302


def test_one_ip_trying_many_logins_is_throttled(school, client, app, db, monkeypatch):
    monkeypatch.setitem(app.config, "THROTTLE_MAX_PER_IP", 4)
    for n in range(4):
        _fail(client, f"inconnu.{n}", 1, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    response = log_in(client, school.parent, school.password, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert response.status_code == 429 and THROTTLED.search(page(response))
    assert reasons(db, "auth.login_throttled") == ["throttled"]
    other_ip = new_client(app)
    assert log_in(other_ip, school.parent, school.password,
                  environ_base={"REMOTE_ADDR": "10.9.9.10"}).status_code == 302


def test_the_default_ip_limit_is_thirty_failures(school, client, db):
    for n in range(30):
        db.add(LoginAttempt(login=f"x{n}", ip="10.7.7.7", success=False))
    db.flush()
    response = log_in(client, school.parent, school.password, environ_base={"REMOTE_ADDR": "10.7.7.7"})
    assert response.status_code == 429


def test_activation_and_reset_attempts_share_the_account_counter(school, client, db):
    _fail(client, school.parent.login, 5)
    response = client.post_form("/auth/reset", {"login": school.parent.login, "code": "ABCDEFGH",
                                                "password": "Nouveau-2025!", "confirm": "Nouveau-2025!"})
    assert response.status_code == 429 and THROTTLED.search(page(response))
    assert reasons(db, "auth.reset_throttled") == ["throttled"]
    response = client.post_form("/auth/activate", {"login": school.parent.login, "code": "ABCDEFGH"})
    assert response.status_code == 429
    assert reasons(db, "auth.activation_throttled") == ["throttled"]


@pytest.fixture
def two_workers(app, tmp_path, monkeypatch):
    """Two application instances (two gunicorn workers) on one committed database file, with one school."""
    from preau.app import create_app

    monkeypatch.setenv("PREAU_INSTANCE_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    engine = make_engine(url)
    upgrade(engine, app.extensions["preau.plugins"])
    with Session(engine, expire_on_commit=False) as session:
        login = build_school(session).parent.login
        session.commit()
    config = {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "k" * 32, "SERVER_NAME": "localhost"}
    workers = [create_app(config), create_app(config)]
    for worker in workers:
        worker.test_client_class = PreauClient
    yield workers, login, engine
    for worker in workers:
        worker.extensions["preau.engine"].dispose()
    engine.dispose()


def test_the_lock_is_shared_by_application_instances(two_workers):
    (first, second), login, engine = two_workers
    with first.app_context():
        _fail(first.test_client(), login, 5)
    with second.app_context():
        response = second.test_client().post_form("/auth/login", {"login": login, "password": TEST_PASSWORD})
    assert response.status_code == 429 and THROTTLED.search(page(response))
    with Session(engine) as session:
        assert attempts(session, login=login, success=False) == 5


def test_parallel_guesses_get_no_more_password_checks_than_the_limit(app, tmp_path):
    """Thirty guesses at once: each attempt is counted before the slow hash, so only five reach it."""
    import threading
    from collections import Counter

    from sqlalchemy.orm import Session as OrmSession

    from preau.auth import service
    from preau.db import make_engine
    from preau.migrate import upgrade
    from preau.testing import build_school

    engine = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
    upgrade(engine, app.extensions["preau.plugins"])
    with app.app_context(), OrmSession(engine, expire_on_commit=False) as session:
        login = build_school(session).parent.login
        session.commit()
    reasons: list[str] = []
    barrier = threading.Barrier(30)

    def guess() -> None:
        with app.app_context(), OrmSession(engine) as session:
            barrier.wait()
            try:
                service.authenticate(session, login, "wrong-guess-1", service.Context(ip="10.0.0.9"))
            except service.AuthError as error:
                reasons.append(error.reason)

    threads = [threading.Thread(target=guess) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert Counter(reasons) == {"bad_password": 5, "throttled": 25}


def test_an_ipv6_client_is_counted_per_64_prefix():
    from preau.auth.throttle import address_key

    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:192.0.2.7") == "192.0.2.7" and address_key("192.0.2.7") == "192.0.2.7"
    assert address_key("unknown") == "unknown"
