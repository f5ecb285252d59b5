"""``preau lifecycle run``: pending deletion → pre-deleted after the grace period → deleted and anonymised
after 90 days; each step audited, plugins told, a dry run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from preau.cli import cli
from preau.directory.lifecycle import run_lifecycle, transition
from preau.directory.users import children_of
from preau.models import AccountState, AuditEvent, GroupMember, RelativeLink, Role, User
from preau.models._time import utcnow


def _leave_feed(db, user, days_ago: int, state=AccountState.PENDING_DELETION):
    transition(db, user, AccountState.PENDING_DELETION)
    if state == AccountState.PRE_DELETED:
        transition(db, user, AccountState.PRE_DELETED)
    user.state_changed_at = utcnow() - timedelta(days=days_ago)
    db.flush()


def test_pending_accounts_past_the_grace_period_become_pre_deleted(db, school):
    _leave_feed(db, school.student, days_ago=31)
    _leave_feed(db, school.teacher, days_ago=5)
    report = run_lifecycle(db, pending_days=30, pre_deleted_days=90)
    assert (report.pre_deleted, report.deleted) == (1, 0)
    assert school.student.state == AccountState.PRE_DELETED
    assert school.teacher.state == AccountState.PENDING_DELETION
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "account.pre_deleted", AuditEvent.target_id == str(school.student.id))) == 1


def test_pre_deleted_accounts_are_deleted_and_anonymised_after_ninety_days(db, school):
    _leave_feed(db, school.student, days_ago=91, state=AccountState.PRE_DELETED)
    _leave_feed(db, school.parent, days_ago=89, state=AccountState.PRE_DELETED)
    student_id, login = school.student.id, school.student.login
    report = run_lifecycle(db, pending_days=30, pre_deleted_days=90)
    assert (report.pre_deleted, report.deleted) == (0, 1)
    gone = db.get(User, student_id)
    assert gone.state == AccountState.DELETED and gone.login != login
    assert (gone.first_name, gone.last_name, gone.email, gone.birth_date, gone.password_hash) == ("", "", None, None,
                                                                                                   None)
    for table in (Role, GroupMember):
        assert db.scalar(select(func.count()).select_from(table).where(table.user_id == student_id)) == 0
    assert db.scalar(select(func.count()).select_from(RelativeLink).where(RelativeLink.child_id == student_id)) == 0
    assert children_of(db, school.parent) == []
    assert school.parent.state == AccountState.PRE_DELETED  # 89 days: not yet
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "account.deleted", AuditEvent.target_id == str(student_id))) == 1


def test_the_command_moves_accounts_along_and_its_dry_run_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'lifecycle.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--no-serve", "--db", url], catch_exceptions=False).exit_code == 0
    engine = create_engine(url)
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.login == "eleve.lea"))
        user.state, user.state_changed_at = AccountState.PENDING_DELETION, utcnow() - timedelta(days=40)
        session.commit()
    dry = runner.invoke(cli, ["lifecycle", "run", "--dry-run", "--db", url], catch_exceptions=False)
    assert dry.exit_code == 0 and "Simulation : 1 compte(s) pré-supprimé(s)" in dry.output
    with Session(engine) as session:
        assert session.scalar(select(User.state).where(User.login == "eleve.lea")) == AccountState.PENDING_DELETION
    done = runner.invoke(cli, ["lifecycle", "run", "--db", url], catch_exceptions=False)
    assert done.exit_code == 0 and "1 compte(s) pré-supprimé(s)" in done.output
    with Session(engine) as session:
        assert session.scalar(select(User.state).where(User.login == "eleve.lea")) == AccountState.PRE_DELETED
