"""Duplicate accounts: found across sources, merged (roles, classes, family, messages and the feed's identity
move to the kept account, the other is deleted) or dissociated; only inside the administrator's scope."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from preau.directory import duplicates
from preau.directory.classes import create_class
from preau.directory.structures import create_structure
from preau.directory.users import add_role, attach_to_class, children_of, classes_of, create_user, link_relative
from preau.models import AccountState, AuditEvent, DuplicateDismissal, Role, StructureKind, User
from preau.types import Profile
from preau_plugins.messaging.models import Delivery
from preau_plugins.messaging.services.compose import send


@pytest.fixture
def twin(db, school):
    """Emma Eleve again, as the académie's feed brought her: same names and birth date, another source."""
    other = create_user(db, first_name="Emma", last_name="Eleve", birth_date=date(2015, 5, 5), source="aaf",
                        external_id="AAF-1234")
    add_role(db, other, school.structure, Profile.STUDENT)
    second_class = create_class(db, school.structure, "CM2 B")
    attach_to_class(db, other, second_class, Profile.STUDENT)
    db.commit()
    return other


def test_accounts_of_one_person_from_two_sources_are_found(db, school, twin):
    sets = duplicates.duplicate_sets(db, school.structure.id)
    assert [{u.id for u in s.accounts} for s in sets] == [{school.student.id, twin.id}]


def test_merging_moves_everything_to_the_kept_account(db, school, twin, client, login_as, enable_plugin):
    enable_plugin("messaging", school.structure)
    second_parent = create_user(db, first_name="Paula", last_name="Eleve")
    add_role(db, second_parent, school.structure, Profile.RELATIVE)
    link_relative(db, second_parent, twin)
    send(db, school.teacher, subject="Sortie", body_html="<p>Mardi</p>", fields={"to": [f"u:{twin.id}"]})
    db.commit()
    twin_id = twin.id
    login_as(school.admin)
    response = client.post_form(f"/admin/structures/{school.structure.id}/duplicates/merge",
                                {"kept": str(school.student.id), "merged": str(twin_id)})
    assert response.status_code == 303
    db.expire_all()
    kept = db.get(User, school.student.id)
    assert {c.name for c in classes_of(db, kept)} == {"CM2 A", "CM2 B"}
    assert kept in children_of(db, second_parent) and kept in children_of(db, school.parent)
    assert (kept.source, kept.external_id) == ("aaf", "AAF-1234")  # the next feed updates the kept account
    assert db.scalar(select(func.count()).select_from(Delivery).where(Delivery.user_id == kept.id)) == 1
    gone = db.get(User, twin_id)
    assert gone.state == AccountState.DELETED and gone.external_id is None and gone.first_name == ""
    assert db.scalar(select(func.count()).select_from(Role).where(Role.user_id == twin_id)) == 0
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "account.merged")).one()
    assert event.detail["merged"] == twin_id
    assert duplicates.duplicate_sets(db, school.structure.id) == []


def test_a_merge_reaching_a_structure_the_admin_does_not_administer_is_refused(db, school, twin, client,
                                                                              login_as):
    elsewhere = create_structure(db, "Collège Victor-Hugo", StructureKind.COLLEGE, uai="0750777X")
    add_role(db, twin, elsewhere, Profile.STUDENT)
    db.commit()
    login_as(school.admin)
    response = client.post_form(f"/admin/structures/{school.structure.id}/duplicates/merge",
                                {"kept": str(school.student.id), "merged": str(twin.id)})
    assert response.status_code == 403
    assert "Collège Victor-Hugo" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, twin.id).state != AccountState.DELETED
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "account.merged")) == 0


def test_dissociated_accounts_are_no_longer_offered(db, school, twin, client, login_as):
    login_as(school.admin)
    url = f"/admin/structures/{school.structure.id}/duplicates"
    assert twin.login in client.get(url).get_data(as_text=True)
    assert client.post(url + "/dissociate", data={"first": str(twin.id),
                                                  "second": str(school.student.id)}).status_code == 400  # no CSRF
    assert client.post_form(url + "/dissociate", {"first": str(twin.id),
                                                  "second": str(school.student.id)}).status_code == 303
    assert db.scalar(select(func.count()).select_from(DuplicateDismissal)) == 1
    assert duplicates.duplicate_sets(db, school.structure.id) == []
    assert "Aucun doublon" in client.get(url).get_data(as_text=True)


def test_an_account_is_not_merged_into_itself(db, school, client, login_as):
    login_as(school.admin)
    response = client.post_form(f"/admin/structures/{school.structure.id}/duplicates/merge",
                                {"kept": str(school.student.id), "merged": str(school.student.id)})
    assert response.status_code == 400 and "deux comptes différents" in response.get_data(as_text=True)
