""""Signaler", the moderation queue of a structure (keep / delete, release / reject) and its history."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from preau_plugins.messaging import safeguards
from preau_plugins.messaging.models import Delivery, Message, MessageState
from preau_plugins.messaging.moderation_models import Decision, ItemKind, ModerationItem
from tests.messaging_safety import inbox_of, other_school, send

QUEUE = "/apps/messaging/moderation/{}"


@pytest.fixture
def messaging(school, enable_plugin):
    enable_plugin("messaging", school.structure)
    return school


def _report(client, message_id: int, reason: str = ""):
    return client.post_form(f"/apps/messaging/message/{message_id}/report", {"reason": reason})


def _items(db) -> list[ModerationItem]:
    return list(db.scalars(select(ModerationItem).order_by(ModerationItem.id)))


def test_signaler_puts_a_received_message_in_the_queue_of_the_school(db, messaging, login_as):
    message = send(db, messaging.teacher, messaging.parent, subject="Propos déplacés")
    db.commit()
    response = _report(login_as(messaging.parent), message.id, "Ton agressif")
    assert response.status_code == 302
    [item] = _items(db)
    assert (item.kind, item.structure_id, item.user_id, item.reason, item.decision) == (
        ItemKind.REPORT, messaging.structure.id, messaging.parent.id, "Ton agressif", None)

    page = login_as(messaging.staff).get(QUEUE.format(messaging.structure.id)).get_data(as_text=True)
    assert "Propos déplacés" in page and "Ton agressif" in page
    assert f"signalé par {messaging.parent.display_name}" in page


def test_keep_closes_the_report_into_the_history_and_leaves_the_message(db, messaging, login_as):
    message = send(db, messaging.teacher, messaging.parent)
    db.commit()
    _report(login_as(messaging.parent), message.id)
    [item] = _items(db)
    client = login_as(messaging.staff)
    assert client.post_form(f"/apps/messaging/moderation/items/{item.id}", {"decision": "keep"}).status_code == 302
    db.refresh(item)
    assert (item.decision, item.decided_by) == (Decision.KEEP, messaging.staff.id)
    assert item.decided_at is not None
    assert inbox_of(db, message.id) == {messaging.parent.id}
    page = client.get(QUEUE.format(messaging.structure.id)).get_data(as_text=True)
    assert "Conservé" in page and messaging.staff.display_name in page and "Rien à traiter" in page


def test_delete_removes_the_message_from_every_box_and_keeps_it_for_the_record(db, messaging, login_as):
    message = send(db, messaging.teacher, messaging.parent, messaging.student)
    db.commit()
    _report(login_as(messaging.parent), message.id)
    _report(login_as(messaging.student), message.id)
    first, second = _items(db)
    login_as(messaging.admin).post_form(f"/apps/messaging/moderation/items/{first.id}", {"decision": "delete"})
    assert inbox_of(db, message.id) == set()
    assert db.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.message_id == message.id, Delivery.deleted.is_(False))) == 0  # the sender's copy too
    assert db.get(Message, message.id) is not None
    db.refresh(second)
    assert second.decision == Decision.DELETE  # every report of that message is treated at once


def test_a_moderator_of_one_school_never_sees_another_schools_queue(db, messaging, login_as, enable_plugin):
    other = other_school(db)
    enable_plugin("messaging", other.structure)
    message = send(db, other.teacher, other.parent, subject="Affaire du collège")
    db.commit()
    _report(login_as(other.parent), message.id)
    [item] = _items(db)
    assert item.structure_id == other.structure.id

    client = login_as(messaging.staff)
    response = client.get(QUEUE.format(other.structure.id))
    assert response.status_code == 403
    assert "Affaire du collège" not in response.get_data(as_text=True)
    assert client.post_form(f"/apps/messaging/moderation/items/{item.id}", {"decision": "delete"}).status_code == 404
    db.refresh(item)
    assert item.decision is None and inbox_of(db, message.id) == {other.parent.id}
    # Their own queue is where /moderation/ leads them.
    assert client.get("/apps/messaging/moderation/").headers["Location"].endswith(
        QUEUE.format(messaging.structure.id))
    # The other school's moderator does see it.
    assert "Affaire du collège" in login_as(other.staff).get(QUEUE.format(other.structure.id)).get_data(
        as_text=True)


def test_a_teacher_is_not_a_moderator(messaging, login_as):
    client = login_as(messaging.teacher)
    assert client.get("/apps/messaging/moderation/").status_code == 403
    assert client.get(QUEUE.format(messaging.structure.id)).status_code == 403


def test_release_delivers_a_held_message_and_reject_never_does(db, messaging, login_as):
    safeguards.set_hourly_limit(db, messaging.admin, messaging.structure.id, "student", 1)
    released = send(db, messaging.student, messaging.teacher, messaging.staff, subject="À libérer")
    rejected = send(db, messaging.student, messaging.teacher, messaging.staff, subject="À rejeter")
    db.commit()
    held_release, held_reject = _items(db)
    client = login_as(messaging.staff)
    assert "Envoi retenu" in client.get(QUEUE.format(messaging.structure.id)).get_data(as_text=True)
    client.post_form(f"/apps/messaging/moderation/items/{held_release.id}", {"decision": "release"})
    client.post_form(f"/apps/messaging/moderation/items/{held_reject.id}", {"decision": "reject"})
    db.refresh(released)
    db.refresh(rejected)
    assert released.state == MessageState.SENT
    assert inbox_of(db, released.id) == {messaging.teacher.id, messaging.staff.id}
    assert rejected.state == MessageState.HELD and inbox_of(db, rejected.id) == set()
    assert [i.decision for i in _items(db)] == [Decision.RELEASE, Decision.REJECT]


def test_an_item_is_treated_once_and_only_with_its_own_decisions(db, messaging, login_as):
    message = send(db, messaging.teacher, messaging.parent)
    db.commit()
    _report(login_as(messaging.parent), message.id)
    [item] = _items(db)
    client = login_as(messaging.staff)
    url = f"/apps/messaging/moderation/items/{item.id}"
    response = client.post_form(url, {"decision": "release"})
    assert response.status_code == 400 and "Décision inconnue" in response.get_data(as_text=True)
    assert client.post_form(url, {"decision": "keep"}).status_code == 302
    assert client.post_form(url, {"decision": "delete"}).status_code == 409
    db.refresh(item)
    assert item.decision == Decision.KEEP and inbox_of(db, message.id) == {messaging.parent.id}


def test_one_cannot_report_a_message_one_did_not_receive(db, messaging, login_as):
    message = send(db, messaging.teacher, messaging.parent)
    db.commit()
    assert _report(login_as(messaging.staff), message.id).status_code == 404  # not a recipient
    assert _report(login_as(messaging.teacher), message.id).status_code == 404  # its sender
    assert _report(login_as(messaging.parent), 999_999).status_code == 404
    assert _items(db) == []


def test_reporting_twice_keeps_one_open_report(db, messaging, login_as):
    message = send(db, messaging.teacher, messaging.parent)
    db.commit()
    client = login_as(messaging.parent)
    _report(client, message.id)
    _report(client, message.id)
    assert len(_items(db)) == 1
