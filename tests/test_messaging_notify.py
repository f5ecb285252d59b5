"""E-mail notifications and copies (through a real local SMTP server), the child a notification concerns,
read receipts and recall."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from preau.accounts import activate_with_password
from preau.directory.classes import create_class
from preau.directory.users import add_role, attach_to_class, create_user, link_relative
from preau.models import Group, GroupKind, Job
from preau.testing import run_jobs
from preau_plugins.messaging import notify, recall
from preau_plugins.messaging.models import Box, Delivery, MessageState, Preference, utcnow
from preau_plugins.messaging.moderation_models import DeliveryChild
from tests.messaging_safety import inbox_of, send


@pytest.fixture
def messaging(school, enable_plugin):
    enable_plugin("messaging", school.structure)
    return school


def _wants(db, user, *, notify_by_email=False, copy=False, email=None):
    user.email = email or f"{user.login}@example.org"
    db.add(Preference(user_id=user.id, signature="", notify_by_email=notify_by_email,
                      copy_to_personal_email=copy))
    db.flush()


def _notify_jobs(db) -> int:
    return db.scalar(select(func.count()).select_from(Job).where(Job.kind == notify.JOB_KIND))


def _second_child(db, school):
    """Léa, in CE1 B of the same school, also a child of ``school.parent``."""
    ce1 = create_class(db, school.structure, "CE1 B")
    lea = create_user(db, first_name="Léa", last_name="Eleve", login="lea.eleve", birth_date=date(2017, 3, 3))
    activate_with_password(db, lea, "x")
    add_role(db, lea, school.structure, "student")
    attach_to_class(db, lea, ce1, "student")
    link_relative(db, school.parent, lea)
    db.flush()
    return lea


def _parents_group(db, school_class) -> Group:
    return db.scalar(select(Group).where(Group.class_id == school_class.id, Group.kind == GroupKind.CLASS,
                                         Group.profile == "relative"))


def test_a_notification_gives_subject_link_and_child_but_never_the_body(app, db, school, smtp_server):
    _wants(db, school.parent, notify_by_email=True)
    message = send(db, school.teacher, school.parent, subject="Sortie au musée",
                   body="<p>Code du portail : 4321</p>")
    db.commit()
    assert smtp_server.messages == []  # the request sent nothing itself
    run_jobs(app)
    [mail] = smtp_server.messages
    assert mail["To"] == school.parent.email
    assert mail["Subject"] == f"[ENT] Nouveau message de {school.teacher.display_name}"
    text = mail.get_body(("plain",)).get_content()
    assert "« Sortie au musée »" in text
    assert "Concerne Emma (CM2 A)" in text
    assert f"http://localhost/apps/messaging/message/{message.id}" in text
    assert "4321" not in mail.as_string()


def test_a_copy_sends_the_whole_message_to_the_personal_address(app, db, school, smtp_server):
    _wants(db, school.teacher, copy=True, notify_by_email=True, email="paul.perso@example.net")
    send(db, school.staff, school.teacher, subject="Conseil de classe", body="<p>Jeudi à <b>17 h</b></p>")
    db.commit()
    run_jobs(app)
    [mail] = smtp_server.messages  # both switches on: the copy alone
    assert (mail["To"], mail["Subject"]) == ("paul.perso@example.net", "[ENT] Conseil de classe")
    assert "Jeudi à 17 h" in mail.get_body(("plain",)).get_content()
    assert "<b>17 h</b>" in mail.get_body(("html",)).get_content()


def test_without_a_preference_or_an_address_nothing_is_queued(app, db, school, smtp_server):
    db.add(Preference(user_id=school.student.id, signature="", notify_by_email=True, copy_to_personal_email=False))
    school.student.email = None  # asked, but no address
    send(db, school.teacher, school.parent, school.student)
    assert _notify_jobs(db) == 0
    db.commit()
    run_jobs(app)
    assert smtp_server.messages == []


def test_one_job_per_send_whatever_the_number_of_recipients(app, db, school, smtp_server):
    for user in (school.parent, school.staff, school.student):
        _wants(db, user, notify_by_email=True)
    send(db, school.teacher, school.parent, school.staff, school.student)
    assert _notify_jobs(db) == 1
    db.commit()
    run_jobs(app)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        u.email for u in (school.parent, school.staff, school.student))
    student_mail = next(m for m in smtp_server.messages if m["To"] == school.student.email)
    assert "Concerne Emma (CM2 A)" in student_mail.get_body(("plain",)).get_content()


def test_a_parent_reached_through_a_class_group_is_told_which_of_two_children(app, db, school, smtp_server):
    _second_child(db, school)
    _wants(db, school.parent, notify_by_email=True)
    message = send(db, school.teacher, groups=(_parents_group(db, school.school_class),))
    assert db.scalars(select(DeliveryChild.child_id).where(DeliveryChild.message_id == message.id)).all() == [
        school.student.id]
    db.commit()
    run_jobs(app)
    text = smtp_server.messages[0].get_body(("plain",)).get_content()
    assert "Concerne Emma (CM2 A)" in text and "Léa" not in text


def test_a_direct_message_names_the_child_the_sender_teaches(db, school):
    lea = _second_child(db, school)
    message = send(db, school.teacher, school.parent)
    assert notify.concerned_children(db, message, school.parent) == [school.student]
    from_staff = send(db, school.staff, school.parent)
    assert {c.id for c in notify.concerned_children(db, from_staff, school.parent)} == {school.student.id, lea.id}


def test_a_message_read_or_recalled_before_the_job_runs_sends_nothing(app, db, school, smtp_server):
    _wants(db, school.parent, notify_by_email=True)
    _wants(db, school.staff, notify_by_email=True)
    read = send(db, school.teacher, school.parent)
    db.execute(update(Delivery).where(Delivery.message_id == read.id, Delivery.user_id == school.parent.id)
               .values(read_at=utcnow()))
    recalled = send(db, school.teacher, school.staff)
    recall.recall_message(db, school.teacher, recalled.id)
    db.commit()
    run_jobs(app)
    assert smtp_server.messages == []


def test_the_email_settings_page_saves_both_switches(db, messaging, login_as):
    client = login_as(messaging.parent)
    assert client.get("/apps/messaging/settings/email").status_code == 200
    response = client.post_form("/apps/messaging/settings/email", {"notify_by_email": "on"})
    assert response.status_code == 302
    preference = db.get(Preference, messaging.parent.id)
    assert (preference.notify_by_email, preference.copy_to_personal_email) == (True, False)
    client.post_form("/apps/messaging/settings/email", {"copy_to_personal_email": "on"})
    db.refresh(preference)
    assert (preference.notify_by_email, preference.copy_to_personal_email) == (False, True)


def test_the_email_settings_form_needs_its_csrf_token(db, messaging, login_as):
    client = login_as(messaging.parent)
    assert client.post("/apps/messaging/settings/email", data={"notify_by_email": "on"}).status_code == 400
    assert db.get(Preference, messaging.parent.id) is None


# -- read receipts ----------------------------------------------------------------------------------------


def test_read_receipts_are_off_by_default(db, messaging, login_as):
    message = send(db, messaging.teacher, messaging.parent)
    db.commit()
    client = login_as(messaging.teacher)
    assert "Accusés de lecture" not in client.get(f"/apps/messaging/message/{message.id}").get_data(as_text=True)
    assert client.get(f"/apps/messaging/message/{message.id}/receipts").status_code == 404
    assert notify.read_receipts(db, messaging.teacher, message.id) is None


def test_with_read_receipts_on_the_sender_sees_who_read(db, messaging, login_as):
    from preau_plugins.messaging import safeguards

    safeguards.set_read_receipts(db, messaging.admin, messaging.structure.id, True)
    message = send(db, messaging.teacher, messaging.parent, messaging.staff)
    db.commit()
    login_as(messaging.parent).get(f"/apps/messaging/message/{message.id}")  # opening it reads it
    client = login_as(messaging.teacher)
    assert "Accusés de lecture" in client.get(f"/apps/messaging/message/{message.id}").get_data(as_text=True)
    page = client.get(f"/apps/messaging/message/{message.id}/receipts").get_data(as_text=True)
    assert "Lu par 1 destinataire(s) sur 2." in page and "Non lu" in page
    receipts = notify.read_receipts(db, messaging.teacher, message.id)
    assert [(r.user_id, r.read_at is not None) for r in receipts] == [
        (messaging.parent.id, True), (messaging.staff.id, False)]
    # Only the sender sees them.
    assert login_as(messaging.parent).get(f"/apps/messaging/message/{message.id}/receipts").status_code == 404


# -- recall -----------------------------------------------------------------------------------------------


def test_an_unread_message_is_recalled_from_every_inbox(db, messaging, login_as):
    message = send(db, messaging.teacher, messaging.parent, messaging.staff)
    db.commit()
    response = login_as(messaging.teacher).post_form(f"/apps/messaging/message/{message.id}/recall")
    assert response.status_code == 302
    db.refresh(message)
    assert message.state == MessageState.RECALLED
    assert inbox_of(db, message.id) == set()
    assert db.scalar(select(Delivery.box).where(Delivery.message_id == message.id)) == Box.SENT  # kept for them
    assert login_as(messaging.parent).get(f"/apps/messaging/message/{message.id}").status_code == 404


def test_once_someone_read_it_recall_is_refused_and_nothing_changes(db, messaging, login_as):
    message = send(db, messaging.teacher, messaging.parent, messaging.staff)
    db.commit()
    login_as(messaging.parent).get(f"/apps/messaging/message/{message.id}")
    client = login_as(messaging.teacher)
    assert "Rappeler ce message" not in client.get(f"/apps/messaging/message/{message.id}").get_data(as_text=True)
    response = client.post_form(f"/apps/messaging/message/{message.id}/recall")
    assert response.status_code == 409
    assert "déjà été lu" in response.get_data(as_text=True)
    db.refresh(message)
    assert message.state == MessageState.SENT
    assert inbox_of(db, message.id) == {messaging.parent.id, messaging.staff.id}


def test_only_the_sender_recalls_and_only_once(db, messaging, login_as):
    message = send(db, messaging.teacher, messaging.parent)
    db.commit()
    assert login_as(messaging.parent).post_form(f"/apps/messaging/message/{message.id}/recall").status_code == 404
    assert inbox_of(db, message.id) == {messaging.parent.id}
    client = login_as(messaging.teacher)
    assert "Rappeler ce message" in client.get(f"/apps/messaging/message/{message.id}").get_data(as_text=True)
    assert client.post_form(f"/apps/messaging/message/{message.id}/recall").status_code == 302
    assert client.post_form(f"/apps/messaging/message/{message.id}/recall").status_code == 409
