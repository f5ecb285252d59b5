"""Folders (nested, never moved into themselves), unread counts per place, full-text search of one's own boxes."""

from __future__ import annotations

import pytest

from preau_plugins.messaging.models import Folder
from preau_plugins.messaging.services import MessagingError, boxes, folders
from preau_plugins.messaging.services.compose import send
from preau_plugins.messaging.services.search import search


def test_folders_nest_rename_and_never_move_into_themselves(db, world):
    user = world.s.teacher.id
    school = folders.create_folder(db, user, "École")
    parents = folders.create_folder(db, user, "Parents", parent_id=school.id)
    deep = folders.create_folder(db, user, "2026", parent_id=parents.id)
    assert [(n.folder.name, n.depth) for n in folders.folder_tree(db, user)] == [
        ("École", 0), ("Parents", 1), ("2026", 2)]
    for target in (school.id, parents.id, deep.id):
        with pytest.raises(MessagingError) as refused:
            folders.move_folder(db, user, school.id, target)
        assert refused.value.status == 400
    assert db.get(Folder, school.id).parent_id is None
    folders.move_folder(db, user, deep.id, None)
    folders.rename_folder(db, user, deep.id, "Archives")
    with pytest.raises(MessagingError):
        folders.create_folder(db, user, "archives")  # same name, same place
    with pytest.raises(MessagingError):
        folders.create_folder(db, user, "   ")


def test_someone_elses_folder_is_404(db, world):
    mine = folders.create_folder(db, world.s.teacher.id, "Privé")
    with pytest.raises(MessagingError) as refused:
        folders.rename_folder(db, world.s.parent.id, mine.id, "pwned")
    assert refused.value.status == 404
    with pytest.raises(MessagingError):
        folders.create_folder(db, world.s.parent.id, "x", parent_id=mine.id)


def test_messages_filed_in_folders_keep_unread_counts_and_come_back_when_the_folder_is_deleted(db, world):
    s = world.s
    first = send(db, s.parent, subject="Cantine", body_html="x", fields={"to": [f"u:{s.teacher.id}"]})
    send(db, s.parent, subject="Sortie", body_html="x", fields={"to": [f"u:{s.teacher.id}"]})
    folder = folders.create_folder(db, s.teacher.id, "Cantine")
    boxes.move_to_folder(db, s.teacher.id, [first.id], folder.id)
    assert boxes.unread_counts(db, s.teacher.id) == {"inbox": 1, folder.id: 1}
    assert [r.message.subject for r in boxes.list_box(db, s.teacher.id, "inbox", folder_id=folder.id).rows] \
        == ["Cantine"]
    folders.delete_folder(db, s.teacher.id, folder.id)
    assert boxes.unread_counts(db, s.teacher.id) == {"inbox": 2}


def test_search_finds_subject_body_and_sender_in_ones_own_boxes_only(db, world):
    s = world.s
    send(db, s.parent, subject="Piscine jeudi", body_html="<p>Le bonnet est obligatoire</p>",
         fields={"to": [f"u:{s.teacher.id}"]})
    send(db, s.staff, subject="Cantine", body_html="<p>Menu végétarien</p>", fields={"to": [f"u:{s.student.id}"]})
    assert [r.message.subject for r in search(db, s.teacher.id, "piscine")] == ["Piscine jeudi"]
    assert [r.message.subject for r in search(db, s.teacher.id, "bonn")] == ["Piscine jeudi"]  # a prefix
    assert [r.message.subject for r in search(db, s.teacher.id, s.parent.last_name)] == ["Piscine jeudi"]
    assert search(db, s.teacher.id, "végétarien") == []  # someone else's message
    # Accents are folded on both databases, in the text and in the query.
    assert [r.message.subject for r in search(db, s.student.id, "vegetarien menu")] == ["Cantine"]
    assert [r.message.subject for r in search(db, s.student.id, "VÉGÉ")] == ["Cantine"]
    assert [r.message.subject for r in search(db, s.student.id, "végétarien")] == ["Cantine"]
    assert search(db, s.teacher.id, '" OR 1=1 --') == []
    assert search(db, s.teacher.id, "") == []
