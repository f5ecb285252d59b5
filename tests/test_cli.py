"""The ``preau`` command line, run for real against throwaway SQLite databases."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from preau.cli import cli
from preau.models import AccountState, Function, Structure, StructureKind, User, UserFunction


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.db'}"


def _run(*args, **kwargs):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, **kwargs)
    return result


def test_demo_creates_then_reuses_the_demo_data(db_url):
    first = _run("demo", "--no-serve", "--db", db_url)
    assert first.exit_code == 0 and "créées" in first.output
    second = _run("demo", "--no-serve", "--db", db_url)
    assert second.exit_code == 0 and "réutilisées" in second.output
    with Session(create_engine(db_url)) as session:
        assert session.scalar(select(func.count()).select_from(Structure)) == 3
        users = session.scalar(select(func.count()).select_from(User))
        assert 50 <= users <= 70
        colin = session.scalar(select(User).where(User.login == "parent.colin"))
        assert colin.state == AccountState.ACTIVE and colin.password_hash.startswith("$argon2id$")


def _readme_demo_logins():
    """The first column of the README's table of demo accounts."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("Demo accounts", 1)[1].split("\n\n", 2)[1]
    return re.findall(r"^\| `([^`]+)` \|", table, re.MULTILINE)


def _printed_logins(output):
    accounts = output.split("Comptes (mot de passe « demo ») :\n", 1)[1]
    return re.findall(r"^  (\S+)", accounts, re.MULTILINE)


def test_demo_prints_every_account_of_the_readme_table(db_url):
    logins = _readme_demo_logins()
    assert len(logins) >= 9 and "prof.bernard" in logins and "eleve.nouveau" in logins
    result = _run("demo", "--no-serve", "--db", db_url)
    assert _printed_logins(result.output) == logins
    with Session(create_engine(db_url)) as session:  # and each of them exists in the demo
        assert set(session.scalars(select(User.login).where(User.login.in_(logins)))) == set(logins)


def test_demo_reset_rebuilds_and_runs_the_demo_data_of_plugins_installed_since(monkeypatch, tmp_path, db_url):
    from tests.fixtures_plugins import recorder

    monkeypatch.setenv("PREAU_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("PREAU_STORAGE_DIR", str(tmp_path / "storage"))
    monkeypatch.delenv("PREAU_PLUGINS_EXTRA", raising=False)
    assert "créées" in _run("demo", "--no-serve", "--db", db_url).output
    with Session(create_engine(db_url)) as session:
        session.add(Structure(name="Ajoutée à la main", kind=StructureKind.ECOLE, source="demo"))
        session.commit()
    leftover = tmp_path / "storage" / "ab" / ("0" * 40)
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"old")

    monkeypatch.setenv("PREAU_PLUGINS_EXTRA", "tests.fixtures_plugins.recorder")  # a plugin installed since
    recorder.EVENTS.clear()
    reused = _run("demo", "--no-serve", "--db", db_url)
    assert "réutilisées" in reused.output and "--reset" in reused.output
    assert not [event for event in recorder.EVENTS if event[0] == "demo"]

    reset = _run("demo", "--no-serve", "--reset", "--db", db_url)
    assert reset.exit_code == 0 and "Démo effacée" in reset.output and "créées" in reset.output
    assert [event for event in recorder.EVENTS if event[0] == "demo"] == [
        ("demo", ("prof.martin", "CM2 A", "parent.colin"))]
    assert not leftover.exists()
    with Session(create_engine(db_url)) as session:
        assert session.scalar(select(func.count()).select_from(Structure)) == 3


def test_demo_reset_leaves_a_database_with_other_data_alone(monkeypatch, tmp_path, db_url):
    monkeypatch.setenv("PREAU_STORAGE_DIR", str(tmp_path / "storage"))
    _run("db", "upgrade", "--db", db_url)
    with Session(create_engine(db_url)) as session:
        session.add(Structure(name="Lycée réel", kind=StructureKind.LYCEE, source="aaf"))
        session.commit()
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--reset", "--db", db_url])
    assert result.exit_code != 0 and "ne viennent pas de la démo" in result.output
    with Session(create_engine(db_url)) as session:
        assert session.scalar(select(Structure.name)) == "Lycée réel"


def test_db_upgrade_says_which_revisions_it_applied_then_status_reports_every_branch_up_to_date(db_url):
    first = _run("db", "upgrade", "--db", db_url).output
    assert re.search(r"^kernel : \d+ révisions appliquées : k0001, k0002, .*k0014", first, re.M), first
    assert re.search(r"^actualites : 2 révisions appliquées : actualites0001, actualites0002$", first, re.M)
    second = _run("db", "upgrade", "--db", db_url).output
    assert re.search(r"^kernel : à jour \(k\d{4}\)$", second, re.M) and "appliquée" not in second
    status = _run("db", "status", "--db", db_url)
    assert status.exit_code == 0 and "kernel" in status.output and "à migrer" not in status.output


def test_create_admin_makes_an_active_super_administrator(db_url):
    _run("db", "upgrade", "--db", db_url)
    result = _run("create-admin", "--login", "chef", "--db", db_url, input="Tres-long-secret-9\nTres-long-secret-9\n")
    assert result.exit_code == 0, result.output
    with Session(create_engine(db_url)) as session:
        chef = session.scalar(select(User).where(User.login == "chef"))
        assert chef.state == AccountState.ACTIVE
        assert session.scalar(select(UserFunction.code).where(UserFunction.user_id == chef.id)) == Function.SUPER_ADMIN


def test_create_admin_refuses_a_weak_password_and_creates_nothing(db_url):
    _run("db", "upgrade", "--db", db_url)
    result = CliRunner().invoke(cli, ["create-admin", "--login", "chef", "--db", db_url], input="court\ncourt\n")
    assert result.exit_code != 0 and "au moins 8 caractères" in result.output
    with Session(create_engine(db_url)) as session:
        assert session.scalar(select(User).where(User.login == "chef")) is None


def test_serve_refuses_to_start_in_production_without_a_secret(monkeypatch, db_url):
    monkeypatch.setenv("PREAU_ENV", "production")
    monkeypatch.setenv("PREAU_DATABASE_URL", db_url)
    monkeypatch.delenv("PREAU_SECRET_KEY", raising=False)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code != 0
    assert "PREAU_SECRET_KEY est obligatoire" in str(result.exception)


def test_serve_is_production_even_without_preau_env(monkeypatch, db_url):
    monkeypatch.delenv("PREAU_ENV", raising=False)
    monkeypatch.setenv("PREAU_DATABASE_URL", db_url)
    monkeypatch.delenv("PREAU_SECRET_KEY", raising=False)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code != 0 and "PREAU_SECRET_KEY est obligatoire" in str(result.exception)


def test_demo_is_refused_in_production(monkeypatch, db_url):
    monkeypatch.setenv("PREAU_ENV", "production")
    monkeypatch.setenv("PREAU_SECRET_KEY", "a-long-random-secret-for-this-test")
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--db", db_url])
    assert result.exit_code != 0 and "refusée en production" in result.output
    with Session(create_engine(db_url)) as session:
        assert "users" not in set(session.connection().dialect.get_table_names(session.connection()))


def test_purge_forgets_old_attempts_and_ended_sessions(db_url):
    from datetime import timedelta

    from preau.models import AuthSession, Job, JobState, LoginAttempt
    from preau.models._time import utcnow

    _run("demo", "--no-serve", "--db", db_url)
    engine = create_engine(db_url)
    with Session(engine) as session:
        user_id = session.scalar(select(User.id).where(User.login == "parent.colin"))
        session.add_all([
            LoginAttempt(login="x", ip="1.2.3.4", success=False, at=utcnow() - timedelta(days=2)),
            LoginAttempt(login="y", ip="1.2.3.4", success=False),
            AuthSession(user_id=user_id, token_hash="a" * 64, ended_at=utcnow()),
            AuthSession(user_id=user_id, token_hash="b" * 64),
            Job(kind="mail.send", payload={}, state=JobState.DONE, finished_at=utcnow() - timedelta(days=31)),
            Job(kind="mail.send", payload={}, state=JobState.DONE, finished_at=utcnow() - timedelta(days=1)),
            Job(kind="mail.send", payload={}, state=JobState.FAILED, finished_at=utcnow() - timedelta(days=31)),
            Job(kind="mail.send", payload={}, state=JobState.FAILED, finished_at=utcnow() - timedelta(days=91)),
        ])
        session.commit()
    result = _run("purge", "--db", db_url)
    assert result.exit_code == 0
    assert "1 tentative(s) de connexion, 1 session(s) et 2 tâche(s) terminée(s) oubliées." in result.output
    with Session(engine) as session:
        assert session.scalars(select(LoginAttempt.login)).all() == ["y"]
        assert session.scalars(select(AuthSession.token_hash)).all() == ["b" * 64]
        # Recent done jobs and failed ones younger than 90 days stay (their error is read by administrators).
        assert sorted(session.scalars(select(Job.state))) == ["done", "failed"]
