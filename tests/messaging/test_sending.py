"""Sending under the communication rules: people, groups, refusals (403, nothing stored), reply all, Bcc."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from preau_plugins.messaging.models import Delivery, Message, MessageState, Recipient
from preau_plugins.messaging.services import MessagingError, boxes
from preau_plugins.messaging.services.compose import reply_defaults, save_draft, send


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_a_parent_writes_to_the_teacher_of_his_child(db, world):
    s = world.s
    message = send(db, s.parent, subject="Sortie", body_html="<p>Bonjour</p>", fields={"to": [f"u:{s.teacher.id}"]})
    assert message.state == MessageState.SENT
    inbox = boxes.list_box(db, s.teacher.id, "inbox").rows
    assert [row.message.subject for row in inbox] == ["Sortie"]
    assert inbox[0].unread
    sent = boxes.list_box(db, s.parent.id, "sent").rows
    assert [row.recipients for row in sent] == [[s.teacher.display_name]]


def test_a_parent_may_not_write_to_another_parent_and_nothing_is_stored(db, world):
    s = world.s
    before = (count(db, Message), count(db, Delivery), count(db, Recipient))
    with pytest.raises(MessagingError) as refused:
        send(db, s.parent, subject="Hello", body_html="x",
             fields={"to": [f"u:{s.teacher.id}", f"u:{world.parent2.id}"]})
    assert refused.value.status == 403
    assert "n° " in str(refused.value)  # named by id: the sender never saw this person's name
    assert world.parent2.last_name not in str(refused.value)
    db.rollback()
    assert (count(db, Message), count(db, Delivery), count(db, Recipient)) == before


def test_unknown_user_and_forged_group_ids_are_refused(db, world):
    s = world.s
    for fields in ({"to": ["u:999999"]}, {"to": ["g:999999"]}, {"cc": [f"g:{world.parents_group.id}"]}):
        with pytest.raises(MessagingError) as refused:
            send(db, s.parent, subject="x", body_html="x", fields=fields)
        assert refused.value.status == 403
        assert world.parents_group.name not in str(refused.value)  # a guessed id reveals no name
    with pytest.raises(MessagingError) as invalid:
        send(db, s.parent, subject="x", body_html="x", fields={"to": ["user 12"]})
    assert invalid.value.status == 400


def test_a_group_message_is_expanded_and_recipients_see_only_the_group_name(db, world):
    s = world.s
    message = send(db, s.teacher, subject="Réunion", body_html="<p>Jeudi</p>",
                   fields={"to": [f"g:{world.parents_group.id}"]})
    deliveries = {d.user_id: d for d in db.scalars(select(Delivery).where(Delivery.message_id == message.id))}
    assert {s.parent.id, world.parent2.id} <= set(deliveries)
    assert deliveries[s.parent.id].via_group_id == world.parents_group.id
    row = boxes.list_box(db, s.parent.id, "inbox").rows[0]
    assert row.recipients == [world.parents_group.name]


def test_reply_all_from_a_parent_to_a_class_parents_message_goes_to_the_sender_only(db, world):
    s = world.s
    message = send(db, s.teacher, subject="Réunion", body_html="x",
                   fields={"to": [f"g:{world.parents_group.id}"], "cc": [f"u:{world.teacher_b.id}"]})
    defaults = reply_defaults(db, s.parent, message.id, "reply_all")
    assert defaults.fields["to"] == [(f"u:{s.teacher.id}", s.teacher.display_name)]
    assert defaults.fields["cc"] == []  # the other teacher is not reachable by this parent
    assert defaults.subject == "Re : Réunion"
    staff_view = reply_defaults(db, s.teacher, message.id, "reply_all")  # the sender's own reply all
    assert (f"g:{world.parents_group.id}", world.parents_group.name) in staff_view.fields["to"]


def test_bcc_is_seen_by_the_sender_only(db, world):
    s = world.s
    message = send(db, s.teacher, subject="Info", body_html="x",
                   fields={"to": [f"u:{s.parent.id}"], "bcc": [f"u:{s.staff.id}"]})
    seen_by_parent = boxes.conversation(db, s.parent.id, message.id)[0].recipients
    assert "bcc" not in seen_by_parent
    seen_by_staff = boxes.conversation(db, s.staff.id, message.id)[0].recipients
    assert "bcc" not in seen_by_staff
    seen_by_sender = boxes.conversation(db, s.teacher.id, message.id)[0].recipients
    assert [r.user_id for r in seen_by_sender["bcc"]] == [s.staff.id]
    assert reply_defaults(db, s.parent, message.id, "reply_all").fields["cc"] == []


def test_a_draft_keeps_only_reachable_recipients_and_sends_later(db, world):
    s = world.s
    draft = save_draft(db, s.parent, subject="Brouillon", body_html="<p>à finir</p>",
                       fields={"to": [f"u:{s.teacher.id}", f"u:{world.parent2.id}"]})
    assert [r.user_id for r in db.scalars(select(Recipient).where(Recipient.message_id == draft.id))] \
        == [s.teacher.id]
    assert [r.message.id for r in boxes.list_box(db, s.parent.id, "drafts").rows] == [draft.id]
    save_draft(db, s.parent, draft_id=draft.id, subject="Brouillon fini", body_html="<p>fini</p>",
               fields={"to": [f"u:{s.teacher.id}"]})
    sent = send(db, s.parent, draft_id=draft.id)
    assert sent.id == draft.id and sent.subject == "Brouillon fini"
    assert boxes.list_box(db, s.parent.id, "drafts").rows == []
    assert [r.message.id for r in boxes.list_box(db, s.teacher.id, "inbox").rows] == [draft.id]


def test_another_users_draft_is_not_found(db, world):
    s = world.s
    draft = save_draft(db, s.teacher, subject="x", body_html="x", fields={})
    with pytest.raises(MessagingError) as refused:
        send(db, s.parent, draft_id=draft.id, fields={"to": [f"u:{s.teacher.id}"]})
    assert refused.value.status == 404


def test_script_tags_and_javascript_links_are_removed_from_the_body(db, world):
    s = world.s
    message = send(db, s.teacher, subject="x", fields={"to": [f"u:{s.parent.id}"]},
                   body_html='<p onclick="steal()">Hi<script>alert(1)</script>'
                             '<a href="javascript:alert(1)">x</a><a href="https://ok.fr">ok</a></p>')
    assert "script" not in message.body_html and "onclick" not in message.body_html
    assert "javascript:" not in message.body_html
    assert 'href="https://ok.fr"' in message.body_html and 'rel="noopener noreferrer"' in message.body_html
    assert message.body_text == "Hixok"


def test_replies_join_the_conversation(db, world):
    s = world.s
    first = send(db, s.parent, subject="Question", body_html="<p>?</p>", fields={"to": [f"u:{s.teacher.id}"]})
    answer = send(db, s.teacher, subject="Re : Question", body_html="<p>!</p>",
                  fields={"to": [f"u:{s.parent.id}"]}, parent_id=first.id)
    assert answer.thread_id == first.id
    thread = boxes.conversation(db, s.parent.id, answer.id)
    assert [item.message.id for item in thread] == [first.id, answer.id]
    assert all(item.delivery.read_at is not None for item in thread)
