"""Pytest fixtures for Préau and its plugins (registered through the ``pytest11`` entry point).

Fixtures: ``app`` (one application per test session, plugins loaded, schema migrated), ``db`` (a session
whose work is rolled back after each test), ``client`` (a Flask test client that knows how to post forms with
their CSRF token), ``school`` (a small school built in milliseconds), ``login_as``, ``enable_plugin``,
``grant_right``, ``smtp_server`` and ``live_server`` (the same application served over real HTTP, for protocol
peers such as CAS or LTI clients).

Set ``PREAU_TEST_DATABASE_URL`` to run everything on PostgreSQL; SQLite in a temporary file otherwise. Under
pytest-xdist (``pytest -n auto``) each worker has its own database (and temporary files): the URL's database
name with the worker id as suffix, created on the same server when missing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

if TYPE_CHECKING:  # the kernel is imported when a fixture runs, not when pytest loads this plugin
    from aiosmtpd.smtp import SMTP, AuthResult, Envelope
    from aiosmtpd.smtp import Session as SmtpSession

    from .models import SchoolClass, Structure, User

TEST_PASSWORD = "Mot2passe-test"  # noqa: S105 - the known password of test fixtures


def reset_database(url: str) -> None:
    """Empty the test database (PostgreSQL: the public schema) before migrating it afresh."""
    from .db import make_engine

    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        for suffix in ("", "-wal", "-shm"):
            if path and os.path.exists(path + suffix):
                os.remove(path + suffix)
        return
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def worker_database_url(url: str, worker: str | None = None) -> str:
    """The database of one pytest-xdist worker: ``url``'s database with the worker id as suffix (``preau_gw0``),
    created on the same server if missing. ``url`` itself outside xdist (or on SQLite)."""
    from sqlalchemy.engine import make_url

    from .db import make_engine

    worker = worker if worker is not None else os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker or url.startswith("sqlite"):
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if not exists:
                quoted = connection.dialect.identifier_preparer.quote(name)
                connection.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def preau_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """``PREAU_TEST_DATABASE_URL`` (one database per pytest-xdist worker), else SQLite in a temporary file."""
    url = os.environ.get("PREAU_TEST_DATABASE_URL")
    if url:
        return worker_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def preau_config() -> dict[str, Any]:
    """Override to add settings (e.g. ``PLUGINS_EXTRA``) for your test session."""
    return {}


@pytest.fixture(scope="session")
def app(preau_database_url: str, preau_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Flask:
    os.environ.setdefault("PREAU_INSTANCE_DIR", str(tmp_path_factory.mktemp("instance")))
    from .app import create_app
    from .migrate import upgrade

    reset_database(preau_database_url)
    config = {"TESTING": True, "DATABASE_URL": preau_database_url, "SECRET_KEY": "test-secret-key",
              "SERVER_NAME": "localhost", **preau_config}
    application = create_app(config)
    upgrade(application.extensions["preau.engine"], application.extensions["preau.plugins"])
    return application


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session inside a transaction rolled back after the test; the app's requests share it."""
    engine = app.extensions["preau.engine"]
    connection = engine.connect()
    outer = connection.begin()
    original = app.extensions["preau.sessionmaker"]
    app.extensions["preau.sessionmaker"] = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
    with app.app_context():
        from .db import db_session

        session = db_session()
        try:
            yield session
        finally:
            session.close()
            app.extensions["preau.sessionmaker"] = original
            outer.rollback()
            connection.close()


class PreauClient(FlaskClient):
    """A test client that fetches the CSRF token of its session before posting a form."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        # The ``db`` fixture keeps an app context pushed, so Flask reuses it (and its ``g``) for every request
        # of a test. Start each request with a fresh ``g`` as in production — the logged-in user, the CSRF
        # token, the access cache — keeping only the database session that the test shares with the app.
        from flask import g, has_app_context

        if has_app_context():
            for key in [key for key in g if key != "_preau_session"]:
                g.pop(key)
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        token: str = self.get("/auth/csrf-token").get_json()["csrf_token"]
        return token

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        data = {"csrf_token": self.csrf_token(), **(data or {})}
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def client(app: Flask, db: Session) -> PreauClient:
    app.test_client_class = PreauClient
    test_client = app.test_client()
    assert isinstance(test_client, PreauClient)
    return test_client


@dataclass
class School:
    """A small school: a city, one school, one class and one person of each profile."""

    city: Structure
    structure: Structure
    school_class: SchoolClass
    teacher: User
    student: User
    parent: User
    staff: User
    guest: User
    admin: User
    password: str = TEST_PASSWORD


_HASH_CACHE: dict[str, str] = {}


def _password_hash() -> str:
    from .auth.passwords import hash_password

    if TEST_PASSWORD not in _HASH_CACHE:
        _HASH_CACHE[TEST_PASSWORD] = hash_password(TEST_PASSWORD)
    return _HASH_CACHE[TEST_PASSWORD]


def build_school(session: Session, name: str = "École Jean-Jaurès", uai: str = "0750001A",
                 city_name: str = "Ville de Test") -> School:
    """Build a school through the directory services; every account active with ``TEST_PASSWORD``."""
    from .accounts import activate_with_password
    from .directory.classes import create_class
    from .directory.structures import create_structure
    from .directory.users import add_role, attach_to_class, create_user, grant_function, link_relative
    from .models import Function, StructureKind
    from .types import Profile

    city = create_structure(session, city_name, StructureKind.CITY)
    school = create_structure(session, name, StructureKind.ECOLE, uai=uai, parents=[city])
    school_class = create_class(session, school, "CM2 A")
    suffix = uai[-4:].lower()

    def person(login: str, first: str, last: str, profile: str, **kw: Any) -> User:
        user = create_user(session, first_name=first, last_name=last, login=f"{login}.{suffix}", **kw)
        activate_with_password(session, user, _password_hash())
        add_role(session, user, school, profile)
        return user

    teacher = person("prof", "Paul", "Prof", Profile.TEACHER)
    student = person("eleve", "Emma", "Eleve", Profile.STUDENT, birth_date=date(2015, 5, 5))
    parent = person("parent", "Pierre", "Eleve", Profile.RELATIVE)
    staff = person("perso", "Sonia", "Staff", Profile.PERSONNEL)
    guest = person("invite", "Igor", "Invite", Profile.GUEST)
    admin = person("adml", "Anne", "Adml", Profile.PERSONNEL)
    grant_function(session, admin, Function.ADMIN_LOCAL, school)
    attach_to_class(session, teacher, school_class, Profile.TEACHER)
    attach_to_class(session, student, school_class, Profile.STUDENT)
    link_relative(session, parent, student)
    session.flush()
    return School(city, school, school_class, teacher, student, parent, staff, guest, admin)


@pytest.fixture
def school(db: Session) -> School:
    return build_school(db)


@pytest.fixture
def login_as(client: PreauClient) -> Callable[..., PreauClient]:
    """``login_as(user)`` logs the test client in through the real login form."""

    def login(user: Any, password: str = TEST_PASSWORD) -> PreauClient:
        response = client.post_form("/auth/login", {"login": user.login, "password": password})
        assert response.status_code == 302, f"login of {user.login} failed: {response.status_code}"
        return client

    return login


@pytest.fixture
def enable_plugin(app: Flask, db: Session) -> Callable[..., None]:
    """``enable_plugin(app_id, structure)`` enables an app there as the administration's "Activer" does, with its
    rights' default grants. ``enable_plugin(app_id, structure, defaults=False)`` only enables it: nothing reaches
    anyone until a grant does (see ``grant_right``). The same code as :func:`preau.enable_app`."""
    from .web import enable_app

    def enable(app_id: str, structure: Any, *, defaults: bool = True) -> None:
        enable_app(db, structure, app_id, defaults=defaults)

    return enable


@pytest.fixture
def grant_right(app: Flask, db: Session) -> Callable[[str, Any, str], None]:
    """``grant_right(right_id, structure, profile)`` grants one right to one profile group of a structure (its
    teachers, its parents…), as an administrator does on the apps page; the profile group of a city reaches
    the same profile in its schools. The app must be enabled there too for the right to reach anyone. The same
    code as :func:`preau.grant_to_profile`."""
    from .web import grant_to_profile

    def give(right_id: str, structure: Any, profile: str) -> None:
        grant_to_profile(db, right_id, structure, profile)

    return give


# -- background jobs and e-mail ------------------------------------------------------------------------


def run_jobs(app: Flask, *, now: Any = None) -> list[Any]:
    """Run the due background jobs now, synchronously (tests have no worker thread); returns them as they
    ended. Inside the ``db`` fixture they see the test's uncommitted work. ``now`` (a naive UTC datetime)
    lets a test reach retries scheduled in the future."""
    from .jobs import run_pending

    return run_pending(app, now=now)


SMTP_TEST_USER, SMTP_TEST_PASSWORD = "preau", "smtp-Secret-42"  # noqa: S105 - the local test server's


class SmtpTestServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1: ``url`` to send to, ``messages`` as received (parsed
    :class:`email.message.EmailMessage`), ``envelopes`` (``mail_from``, ``rcpt_tos``). It accepts mail with or
    without the login ``SMTP_TEST_USER`` / ``SMTP_TEST_PASSWORD``; ``refuse_next(n)`` answers the next n
    messages with a temporary failure (451)."""

    def __init__(self) -> None:
        import socket

        from aiosmtpd.controller import Controller

        self.messages: list[Any] = []
        self.envelopes: list[Any] = []
        self.logins: list[str] = []
        self._refuse = 0
        self._arrived = threading.Condition()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=port, authenticator=self._authenticate,
                                     auth_require_tls=False, auth_required=False)
        self.host, self.port = "127.0.0.1", port
        self.url = f"smtp://{SMTP_TEST_USER}:{SMTP_TEST_PASSWORD}@127.0.0.1:{port}"
        self.anonymous_url = f"smtp://127.0.0.1:{port}"

    def refuse_next(self, count: int = 1) -> None:
        self._refuse = count

    def _authenticate(self, server: SMTP, session: SmtpSession, envelope: Envelope, mechanism: str,
                      auth_data: Any) -> AuthResult:
        from aiosmtpd.smtp import AuthResult

        ok = (auth_data.login.decode(), auth_data.password.decode()) == (SMTP_TEST_USER, SMTP_TEST_PASSWORD)
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's handler name
        from email import message_from_bytes, policy

        if self._refuse:
            self._refuse -= 1
            return "451 4.3.0 Try again later"
        assert isinstance(envelope.content, bytes)  # the controller keeps decode_data off: the raw message
        with self._arrived:
            self.envelopes.append(envelope)
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self._arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 10) -> list[Any]:
        """Wait until ``count`` messages arrived (the worker thread delivers them); returns the messages."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        return self.messages


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[SmtpTestServer]:
    """A real local SMTP server; the ``app`` sends its mail there (``SMTP_URL``) during the test."""
    server = SmtpTestServer()
    server.controller.start()
    previous = app.config.get("SMTP_URL")
    app.config["SMTP_URL"] = server.url
    try:
        yield server
    finally:
        app.config["SMTP_URL"] = previous
        server.controller.stop()


@dataclass
class LiveServer:
    url: str  # e.g. "http://localhost:40123", no trailing slash


@pytest.fixture
def live_server(app: Flask, db: Session) -> Iterator[LiveServer]:
    """``app`` served on a loopback port by a real HTTP server in a thread, sharing the test's database work.

    Requests are handled one at a time on the test's connection: commit (``db.commit()``, a savepoint here)
    what the server must see before calling it. Everything is still rolled back after the test."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="preau-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://localhost:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
