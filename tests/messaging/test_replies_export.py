"""Forwarding keeps attachments, replies prefill the conversation, "Mes données" lists one's messages."""

from __future__ import annotations

from sqlalchemy import select

from preau_plugins.messaging.models import Attachment, Folder
from preau_plugins.messaging.services.attachments import Limits, check_files, store_files
from preau_plugins.messaging.services.compose import reply_defaults, save_draft, send
from preau_plugins.messaging.services.export import export_messages_of

PDF = b"%PDF-1.4\n" + b"0" * 64


class MemoryStorage:
    def __init__(self):
        self.files = {}

    def put(self, data):
        key = f"{len(self.files):02x}/" + "0" * 40
        self.files[key] = data
        return key


def test_a_forward_starts_a_new_conversation_with_the_attachments(db, world):
    s = world.s
    original = send(db, s.parent, subject="Certificat", body_html="<p>ci-joint</p>",
                    fields={"to": [f"u:{s.teacher.id}"]})
    store_files(db, MemoryStorage(), original, check_files(db, original, [("certificat.pdf", PDF)], Limits()))
    defaults = reply_defaults(db, s.teacher, original.id, "forward")
    assert defaults.subject == "Tr : Certificat" and defaults.parent_id is None
    assert "ci-joint" in defaults.body_html and defaults.fields["to"] == []
    draft = save_draft(db, s.teacher, subject=defaults.subject, body_html=defaults.body_html,
                       fields={"to": [f"u:{s.staff.id}"]}, forward_of=original.id)
    forwarded = send(db, s.teacher, draft_id=draft.id)
    assert forwarded.thread_id == forwarded.id != original.thread_id
    names = db.scalars(select(Attachment.filename).where(Attachment.message_id == forwarded.id)).all()
    assert names == ["certificat.pdf"]


def test_reply_goes_to_the_sender_and_quotes_the_message(db, world):
    s = world.s
    question = send(db, s.parent, subject="Cantine", body_html="<p>Menu ?</p>", fields={"to": [f"u:{s.teacher.id}"]})
    defaults = reply_defaults(db, s.teacher, question.id, "reply")
    assert defaults.fields["to"] == [(f"u:{s.parent.id}", s.parent.display_name)]
    assert defaults.parent_id == question.id and "<blockquote><p>Menu ?</p></blockquote>" in defaults.body_html
    assert reply_defaults(db, s.teacher, question.id, "reply").subject == "Re : Cantine"


def test_my_data_lists_my_messages_without_bcc_of_others(db, world):
    s = world.s
    send(db, s.teacher, subject="Info", body_html="<p>x</p>",
         fields={"to": [f"u:{s.parent.id}"], "bcc": [f"u:{s.staff.id}"]})
    exported = export_messages_of(db, s.parent.id)["messages"]
    assert [(m["box"], m["subject"], m["to"]) for m in exported] == [
        ("inbox", "Info", [f"to: {s.parent.display_name}"])]
    assert len(export_messages_of(db, s.teacher.id)["messages"][0]["to"]) == 2


def test_a_folder_moved_into_its_child_through_the_page_is_400_and_unchanged(db, world, login_as):
    client = login_as(world.s.teacher)
    client.post_form("/apps/messaging/folders", {"name": "Haut"})
    top = db.scalar(select(Folder).where(Folder.name == "Haut"))
    client.post_form("/apps/messaging/folders", {"name": "Bas", "parent_id": str(top.id)})
    child = db.scalar(select(Folder).where(Folder.name == "Bas"))
    response = client.post_form(f"/apps/messaging/folders/{top.id}/move", {"parent_id": str(child.id)})
    assert response.status_code == 400
    assert "ni dans l&#39;un de ses sous-dossiers" in response.text  # escaped: never through _()
    assert db.get(Folder, top.id).parent_id is None
