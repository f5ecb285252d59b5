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
from tests.auth_helpers import (
    accounts,
    age_attempts,
    assert_logged_out,
    attempts,
    events,
    log_in,
    new_client,
    page,
    reasons,
)

THROTTLED = re.compile(r"Trop de tentatives échouées\. Réessayez dans (\d+) minute\(s\)\.")


def _fail(client, login: str, times: int, expect: int = 401, **kwargs) -> None:
    for _ in range(times):
        response = client.post_form("/auth/login", {"login": login, "password": "pas-le-bon-1"}, **kwargs)
        assert response.status_code == expect


def _age(db, seconds: int) -> None:
    age_attempts(db, seconds)


def _known_browser(app, user, password):
    """A browser that has logged in to ``user`` before (it carries the device cookie), logged out since."""
    browser = new_client(app)
    assert log_in(browser, user, password).status_code == 302
    assert browser.get_cookie("preau_device") is not None
    browser.post_form("/auth/logout")
    return browser


def test_five_free_failures_then_the_next_attempt_waits_a_minute(school, client, db):
    _fail(client, school.parent.login, 5)
    before = accounts(db)
    response = log_in(client, school.parent, school.password)
    assert response.status_code == 429
    minutes = THROTTLED.search(page(response))
    assert minutes and int(minutes.group(1)) == 1  # the login page tells how long to wait
    assert 50 <= int(response.headers["Retry-After"]) <= 61
    [event] = events(db, "auth.login_throttled")
    assert event.detail["login"] == school.parent.login and event.detail["reason"] == "throttled"
    assert events(db, "auth.login") == []
    assert accounts(db) == before
    assert_logged_out(client)
    _age(db, 61)
    assert log_in(client, school.parent, school.password).status_code == 302  # a delay, not a lock


def test_delays_double_after_each_failure_up_to_half_an_hour(school, client, db):
    _fail(client, school.parent.login, 5)
    waits = []
    for _ in range(8):
        # The delay running has passed (every failure now 30 min old, still within the day remembered).
        db.execute(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=30, seconds=5)))
        _fail(client, school.parent.login, 1)
        response = log_in(client, school.parent, school.password)
        assert response.status_code == 429
        waits.append(int(response.headers["Retry-After"]))
    expected = [120, 240, 480, 960, 1800, 1800, 1800, 1800]  # after the 6th, 7th… failure; capped at 30 min
    assert all(abs(wait - want) <= 2 for wait, want in zip(waits, expected, strict=True)), waits


def test_failures_are_stored_in_the_database_with_their_kind(school, client, db):
    _fail(client, school.parent.login, 3)
    assert attempts(db, login=school.parent.login, success=False, kind="password") == 3
    assert attempts(db, ip="127.0.0.1", success=False) == 3


def test_a_delayed_account_is_delayed_for_every_unknown_browser(school, client, app, db):
    _fail(client, school.parent.login, 5, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    elsewhere = new_client(app)
    response = log_in(elsewhere, school.parent, school.password, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert response.status_code == 429 and THROTTLED.search(page(response))


def test_the_delay_only_concerns_the_attacked_account(school, client, db):
    _fail(client, school.parent.login, 5)
    assert log_in(client, school.teacher, school.password).status_code == 302


def test_a_class_guessing_from_the_school_address_never_locks_the_director_out(school, client, app, db):
    """Issue 16 point 3: 100 wrong passwords from unknown browsers behind the school's one address, against
    the director's login and many others: the director still logs in from their own browser, and a right
    password from the same address on an account without failures works."""
    director = school.admin
    known = _known_browser(app, director, school.password)
    nat = {"REMOTE_ADDR": "192.0.2.10"}
    pupil = new_client(app)
    statuses = []
    for n in range(100):
        login = director.login if n % 2 == 0 else f"eleve.inconnu{n}"
        response = pupil.post_form("/auth/login", {"login": login, "password": "devine-1"}, environ_base=nat)
        statuses.append(response.status_code)
    assert statuses.count(429) > 0  # the director's login is delayed for unknown browsers…
    assert log_in(new_client(app), director, school.password, environ_base=nat).status_code == 429
    assert log_in(known, director, school.password, environ_base=nat).status_code == 302  # …not for theirs
    assert log_in(new_client(app), school.teacher, school.password, environ_base=nat).status_code == 302


def test_a_known_browser_has_its_own_budget(school, client, app, db):
    known = _known_browser(app, school.parent, school.password)
    _fail(known, school.parent.login, 5)
    assert log_in(known, school.parent, school.password).status_code == 429  # its own delays
    assert log_in(new_client(app), school.parent, school.password).status_code == 302  # not the others'
    assert attempts(db, login=school.parent.login, success=False, device=None) == 0


def test_a_forged_or_foreign_device_cookie_counts_as_an_unknown_browser(school, client, app, db):
    known = _known_browser(app, school.parent, school.password)
    cookie = known.get_cookie("preau_device").value
    _fail(client, school.parent.login, 5)
    for value in (cookie[:-3] + "xyz", cookie):  # tampered; valid but for another login (the teacher's)
        other = new_client(app)
        other.set_cookie("preau_device", value)
        expected = 429 if value != cookie else 302
        assert log_in(other, school.parent if value != cookie else school.parent, school.password
                      ).status_code == expected
    stranger = new_client(app)
    stranger.set_cookie("preau_device", cookie)
    _fail(stranger, school.teacher.login, 5)
    assert log_in(stranger, school.teacher, school.password).status_code == 429


def test_a_successful_login_clears_only_its_own_budget(school, client, app, db):
    known = _known_browser(app, school.parent, school.password)
    _fail(client, school.parent.login, 4)
    assert log_in(known, school.parent, school.password).status_code == 302
    assert attempts(db, login=school.parent.login, success=False) == 4  # the known browser cleared nothing else
    assert log_in(client, school.parent, school.password).status_code == 302
    assert attempts(db, login=school.parent.login, success=False) == 0


def test_old_failures_are_forgotten_after_a_day(school, client, db):
    for _ in range(9):
        db.add(LoginAttempt(login=school.parent.login, ip="10.1.1.1", success=False))
    db.flush()
    assert log_in(client, school.parent, school.password).status_code == 429
    _age(db, 24 * 3600 + 1)
    _fail(client, school.parent.login, 1)
    assert log_in(client, school.parent, school.password).status_code == 302


def test_a_busy_address_never_refuses_a_right_password_but_loses_its_free_failures(school, client, app, db):
    for n in range(200):  # a school's morning of typos: the default per-address limit
        db.add(LoginAttempt(login=f"x{n}", ip="10.7.7.7", success=False))
    db.flush()
    busy = {"environ_base": {"REMOTE_ADDR": "10.7.7.7"}}
    assert log_in(client, school.parent, school.password, **busy).status_code == 302
    _fail(new_client(app), school.teacher.login, 1, **busy)
    response = log_in(new_client(app), school.teacher, school.password, **busy)
    assert response.status_code == 429  # delays start at the first failure from a busy address
    assert reasons(db, "auth.login_throttled") == ["throttled"]
    elsewhere = log_in(new_client(app), school.teacher, school.password, environ_base={"REMOTE_ADDR": "10.7.7.8"})
    assert elsewhere.status_code == 302  # from elsewhere, the first failure was still a free one


def test_activation_and_reset_codes_have_their_own_budgets(school, client, db):
    for _ in range(10):
        response = client.post_form("/auth/reset", {"login": school.parent.login, "code": "ABCDEFGH",
                                                    "password": "Nouveau-2025!", "confirm": "Nouveau-2025!"})
        assert response.status_code in (400, 429)
        client.post_form("/auth/activate", {"login": school.parent.login, "code": "ABCDEFGH"})
    assert reasons(db, "auth.reset_throttled") and reasons(db, "auth.activation_throttled")
    assert attempts(db, login=school.parent.login, success=False, kind="password") == 0
    assert log_in(client, school.parent, school.password).status_code == 302  # the password is not slowed


def test_the_policy_schedule():
    from preau.auth.throttle import ThrottlePolicy

    policy = ThrottlePolicy()
    assert [policy.delay_after(n) for n in range(12)] == [0, 0, 0, 0, 0, 60, 120, 240, 480, 960, 1800, 1800]
    assert [policy.delay_after(n, free=0) for n in range(4)] == [0, 60, 120, 240]  # a busy address


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


def test_the_delay_is_shared_by_application_instances(two_workers):
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
