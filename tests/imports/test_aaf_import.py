"""The AAF source through the import engine, on the real sample files (issue 7, point 4)."""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from preau.directory.sync import apply_import, plan_import
from preau.models import (
    AccountState,
    AuditEvent,
    Group,
    GroupKind,
    GroupMember,
    RelativeLink,
    Role,
    SchoolClass,
    Structure,
    User,
)
from preau.models.imports import ImportRun, Mef, Subject
from preau_plugins.aaf.reader import read_aaf

DATA = Path(__file__).resolve().parents[1] / "data"
AAF_2013 = DATA / "aaf-2013.zip"  # the zip the importer accepts as it is
AAF_2020 = DATA / "aaf-2020"


def xml_trees(source: Path) -> Iterator[etree._ElementTree]:
    """Every XML file of a folder or a zip, parsed without the reader (the counts must not depend on it)."""
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    if source.suffix == ".zip":
        with zipfile.ZipFile(source) as archive:
            for name in sorted(n for n in archive.namelist() if n.endswith(".xml")):
                yield etree.ElementTree(etree.fromstring(archive.read(name), parser))
    else:
        for path in sorted(source.glob("*.xml")):
            yield etree.parse(str(path), parser)


def count_in_files(source: Path) -> Counter:
    """An independent count: addRequests per category, persons split by their own attributes."""
    counts: Counter = Counter()
    for tree in xml_trees(source):
        for request in tree.getroot().iter("addRequest"):
            category = request.findtext("operationalAttributes/attr/value")
            counts[category] += 1
    return counts


@pytest.fixture(scope="module")
def feed_2013():
    return read_aaf([AAF_2013])


def test_the_complete_aaf_2013_set_imports_with_counts_matching_the_files(db, feed_2013):
    expected = count_in_files(AAF_2013)
    report = apply_import(db, feed_2013)
    counts = report.counts
    assert counts["structures"]["created"] == expected["EtabEducNat"]
    assert counts["students"]["created"] == expected["Eleve"]
    assert counts["teachers"]["created"] + counts["personnel"]["created"] == expected["PersEducNat"]
    assert counts["relatives"]["created"] == expected["PersRelEleve"]
    assert counts["subjects"]["created"] == expected["MatEducNat"]
    assert counts["mefs"]["created"] == expected["MefEducNat"]
    persons = expected["Eleve"] + expected["PersEducNat"] + expected["PersRelEleve"]
    assert db.scalar(select(func.count()).select_from(User).where(User.source == "aaf")) == persons
    assert db.scalar(select(func.count()).select_from(Structure).where(Structure.source == "aaf")) \
        == expected["EtabEducNat"]
    assert db.scalar(select(func.count()).select_from(Subject).where(Subject.source == "aaf")) == expected["MatEducNat"]
    assert db.scalar(select(func.count()).select_from(Mef).where(Mef.source == "aaf")) == expected["MefEducNat"]
    # Accounts are left inactive with an activation code, with unique logins.
    states = set(db.scalars(select(User.state).where(User.source == "aaf")))
    assert states == {AccountState.INACTIVE}
    assert db.scalar(select(func.count()).select_from(User).where(User.source == "aaf",
                                                                 User.activation_code.is_(None))) == 0
    assert report.run_id and db.get(ImportRun, report.run_id).counts["students"]["created"] == expected["Eleve"]


def test_imported_students_sit_in_their_class_group_and_their_parents_follow(db, feed_2013):
    apply_import(db, feed_2013)
    student = db.scalar(select(User).where(User.source == "aaf", User.external_id == "2605692"))
    school_class = db.scalar(select(SchoolClass).where(SchoolClass.external_id == "52006$RUS1TERM"))
    assert school_class is not None and school_class.structure.external_id == "52006"
    groups = {g.profile: g.id for g in db.scalars(select(Group).where(Group.class_id == school_class.id))}
    members = set(db.scalars(select(GroupMember.user_id).where(GroupMember.group_id == groups["student"])))
    assert student.id in members
    assert {r.profile for r in student.roles} == {"student"}
    parents = set(db.scalars(select(RelativeLink.parent_id).where(RelativeLink.child_id == student.id)))
    assert len(parents) == 2  # ENTEleveAutoriteParentale names 2867253 and 2867254
    in_parents_group = set(db.scalars(select(GroupMember.user_id).where(GroupMember.group_id == groups["relative"])))
    assert parents <= in_parents_group
    profile_group = db.scalar(select(Group.id).where(Group.structure_id == school_class.structure_id,
                                                     Group.kind == GroupKind.PROFILE, Group.profile == "relative"))
    assert parents <= set(db.scalars(select(GroupMember.user_id).where(GroupMember.group_id == profile_group)))


def relatives_named_by_no_student(source: Path) -> set[str]:
    """Independently: relatives of the PersRelEleve files that no student's record mentions at all."""
    relatives, mentioned = set(), set()
    for tree in xml_trees(source):
        for request in tree.getroot().iter("addRequest"):
            category = request.findtext("operationalAttributes/attr/value")
            if category == "PersRelEleve":
                relatives.add(request.findtext("identifier/id").strip())
            elif category == "Eleve":
                for attr in request.iter("attr"):
                    if attr.get("name") in ("ENTEleveAutoriteParentale", "ENTElevePersRelEleve"):
                        mentioned.update((v.text or "").split("$")[0] for v in attr)
    return relatives - mentioned


def test_dangling_references_are_named_without_failing(db, feed_2013):
    plan = plan_import(db, feed_2013)
    assert not plan.fatal
    orphans = relatives_named_by_no_student(AAF_2013)
    assert orphans  # the sample holds relatives of students who are not in it
    named = {p.message.split()[1] for p in plan.problems if "aucun élève lié" in p.message}
    assert orphans <= named
    for problem in plan.problems:
        assert problem.place.file.endswith(".xml") and problem.place.line
    assert apply_import(db, feed_2013).counts["relatives"]["created"] == count_in_files(AAF_2013)["PersRelEleve"]


def test_a_second_identical_import_changes_nothing_and_audits_nothing(db, feed_2013):
    apply_import(db, feed_2013)
    db.flush()
    audits = db.scalar(select(func.count()).select_from(AuditEvent))
    roles = db.scalar(select(func.count()).select_from(Role))
    members = db.scalar(select(func.count()).select_from(GroupMember))
    second = apply_import(db, read_aaf([AAF_2013]))
    for kind in ("structures", "classes", "groups", "subjects", "mefs", "persons"):
        assert second.counts[kind]["created"] == 0, kind
        assert second.counts[kind]["updated"] == 0, kind
    assert second.counts["persons"]["unchanged"] == len(feed_2013.persons)
    assert second.counts["pending_deletion"] == 0
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == audits
    assert db.scalar(select(func.count()).select_from(Role)) == roles
    assert db.scalar(select(func.count()).select_from(GroupMember)) == members


def test_aaf_2020_imports_and_names_its_dangling_references(db):
    feed = read_aaf([AAF_2020])
    report = apply_import(db, feed)
    expected = count_in_files(AAF_2020)
    assert report.counts["students"]["created"] == expected["Eleve"] == 1
    assert report.counts["structures"]["created"] == expected["EtabEducNat"] == 1
    messages = " ".join(p.message for p in report.problems)
    assert "3000" in messages  # the class "3000$1AQUA" lives in a structure absent from the feed
    assert "3000000" in messages  # a relative the student names but the feed does not hold
