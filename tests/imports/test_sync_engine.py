"""The sync engine's rules: delta detection, updates, pending deletion and reactivation."""

from __future__ import annotations

from sqlalchemy import event, func, select

from preau.directory.sync import apply_import, plan_import
from preau.models import AccountState, AuditEvent, Group, GroupMember, SchoolClass, User
from preau.models.imports import ImportPendingDeletion
from preau_plugins.aaf.reader import read_aaf

from .aaf_files import request, small_set, student, write
from .test_aaf_import import AAF_2013

WRITES = {"INSERT", "UPDATE", "DELETE"}


def user(db, ext: str) -> User:
    return db.scalar(select(User).where(User.source == "aaf", User.external_id == ext))


def class_members(db, class_ext: str, profile: str) -> set[int]:
    class_id = db.scalar(select(SchoolClass.id).where(SchoolClass.external_id == class_ext))
    group_id = db.scalar(select(Group.id).where(Group.class_id == class_id, Group.profile == profile))
    return set(db.scalars(select(GroupMember.user_id).where(GroupMember.group_id == group_id)))


def test_a_dry_run_writes_nothing_and_lists_what_would_be_created(db, tmp_path):
    plan = plan_import(db, read_aaf([small_set(tmp_path)]))
    assert plan.counts["students"]["created"] == 3 and plan.counts["relatives"]["created"] == 2
    assert {c.label for c in plan.changes if c.kind == "students"} == {"Léa MARTIN", "Hugo MARTIN", "Inès DIALLO"}
    assert db.scalar(select(func.count()).select_from(User).where(User.source == "aaf")) == 0


def test_a_second_identical_import_writes_nothing(db):
    """Delta detection: unchanged records are skipped by their fingerprints, so the second import writes
    nothing but its line in the history (bench/aaf_import.py measures how much faster that makes it; no timing
    is asserted here)."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()[:3]).upper())

    bind = db.connection()
    event.listen(bind, "before_cursor_execute", seen)
    try:
        first = apply_import(db, read_aaf([AAF_2013]))
        first_writes = sum(sql.split()[0] in WRITES for sql in statements)
        statements.clear()
        second = apply_import(db, read_aaf([AAF_2013]))
    finally:
        event.remove(bind, "before_cursor_execute", seen)
    assert first.counts["persons"]["created"] > 1000 and first_writes > 0
    assert second.counts["persons"]["created"] == second.counts["persons"]["updated"] == 0
    assert second.counts["persons"]["unchanged"] == first.counts["persons"]["created"]
    # Only the history of imports grows: the directory itself is not touched.
    assert [sql for sql in statements if sql.split()[0] in WRITES] == ["INSERT INTO IMPORT_RUNS"]


def test_a_student_changing_class_moves_with_their_parents_and_the_diff_says_so(db, tmp_path):
    apply_import(db, read_aaf([small_set(tmp_path)]))
    lea, claire = user(db, "1001"), user(db, "3001")
    assert lea.id in class_members(db, "100$6A", "student") and claire.id in class_members(db, "100$6A", "relative")
    write(tmp_path, "ENT_Complet_20250901_Eleve_0000.xml",
          student("1001", "Léa", "Martin-Durand", "100", ["5B"], ["3001", "3002"]),
          student("1002", "Hugo", "Martin", "100", ["5B"], ["3001"]),
          student("1003", "Inès", "Diallo", "100", ["6A"]))
    report = apply_import(db, read_aaf([tmp_path]))
    [change] = [c for c in report.changes if c.external_id == "1001"]
    assert change.action == "updated" and change.fields == ("nom",)
    assert report.counts["students"] == {"created": 0, "updated": 1, "unchanged": 2, "reactivated": 0}
    assert lea.id not in class_members(db, "100$6A", "student") and lea.id in class_members(db, "100$5B", "student")
    # Claire's children are now both in 5B: she leaves 6A's parents; Paul (Léa's other parent) follows her.
    assert claire.id not in class_members(db, "100$6A", "relative")
    assert user(db, "3002").id in class_members(db, "100$5B", "relative")
    db.refresh(lea)
    assert lea.last_name == "Martin-Durand"


def test_accounts_missing_from_a_complete_feed_wait_for_deletion_and_come_back_as_they_were(db, tmp_path):
    apply_import(db, read_aaf([small_set(tmp_path)]))
    ines = user(db, "1003")
    ines.state = AccountState.ACTIVE
    db.flush()
    write(tmp_path, "ENT_Complet_20250901_Eleve_0000.xml",
          student("1001", "Léa", "Martin", "100", ["6A"], ["3001", "3002"]),
          student("1002", "Hugo", "Martin", "100", ["5B"], ["3001"]))
    audits = db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "directory.import_pending_deletion"))
    report = apply_import(db, read_aaf([tmp_path]))
    assert report.counts["pending_deletion"] == 1
    assert [c.external_id for c in report.changes if c.action == "pending_deletion"] == ["1003"]
    db.refresh(ines)
    assert ines.state == AccountState.PENDING_DELETION
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "directory.import_pending_deletion")).all()
    assert len(events) == audits + 1 and events[-1].detail["count"] == 1
    small_set(tmp_path)  # Inès is back
    report = apply_import(db, read_aaf([tmp_path]))
    assert report.counts["students"]["reactivated"] == 1
    db.refresh(ines)
    assert ines.state == AccountState.ACTIVE
    assert db.get(ImportPendingDeletion, ines.id) is None


def test_a_delta_feed_leaves_absent_accounts_alone_but_applies_its_delete_requests(db, tmp_path):
    apply_import(db, read_aaf([small_set(tmp_path / "full")]))
    delta = tmp_path / "delta"
    write(delta, "ENT_Delta_20250902_Eleve_0000.xml", student("1001", "Léa", "Martin", "100", ["6A"], ["3001"]),
          request("Eleve", "1002", {}, kind="deleteRequest"))
    report = apply_import(db, read_aaf([delta]))
    assert report.counts["pending_deletion"] == 1
    assert user(db, "1002").state == AccountState.PENDING_DELETION
    assert user(db, "1003").state == AccountState.INACTIVE
