"""Logging in while another worker writes: SQLite in WAL mode must not answer "database is locked"."""

from sqlalchemy import insert
from sqlalchemy.orm import Session

from preau.auth import service
from preau.db import make_engine
from preau.migrate import upgrade
from preau.models import LoginAttempt
from preau.testing import TEST_PASSWORD, build_school


def test_a_login_succeeds_when_another_worker_commits_during_the_password_check(app, tmp_path, monkeypatch):
    # A file database of its own: the ``db`` fixture's open transaction would block the other "worker".
    engine = make_engine(f"sqlite:///{tmp_path / 'workers.db'}")
    upgrade(engine, app.extensions["preau.plugins"])
    with Session(engine, expire_on_commit=False) as session:
        login = build_school(session).parent.login
        session.commit()

    real_verify = service.verify_password

    def verify_while_another_worker_writes(password_hash, password):
        with engine.begin() as other_worker:  # e.g. the other gunicorn worker recording a login
            other_worker.execute(insert(LoginAttempt).values(login="someone", ip="10.0.0.2", success=True))
        return real_verify(password_hash, password)

    monkeypatch.setattr(service, "verify_password", verify_while_another_worker_writes)
    with Session(engine, expire_on_commit=False) as session:
        user = service.authenticate(session, login, TEST_PASSWORD, service.Context(ip="127.0.0.1"))
    assert user.login == login
    engine.dispose()
