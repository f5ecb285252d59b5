"""Issue 16, point 2: comments go through the communication rules. A reader sees a comment's author and text
only if the rules let them write to its author; others see nothing (default) or « un parent » without the text
(thread setting); moderators see everything; a mention of someone the author may not reach is refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from preau.accounts import activate_with_password
from preau.directory.users import add_role, attach_to_class, create_user, link_relative
from preau.testing import _password_hash
from preau.types import Profile
from preau_plugins.actualites import services
from preau_plugins.actualites.models import Comment, CommentAuthors, Grant

from .conftest import counts, publish_news

PHONE = "06 12 34 56 78"


@pytest.fixture
def families(db, ecole):
    """A second family in the same class: two parents the default rules keep apart."""
    def person(login, first, last, profile, **kw):
        user = create_user(db, first_name=first, last_name=last, login=login, **kw)
        activate_with_password(db, user, _password_hash())
        add_role(db, user, ecole.structure, profile)
        return user

    child = person("eleve.durand", "Léo", "Durand", Profile.STUDENT, birth_date=date(2015, 1, 2))
    attach_to_class(db, child, ecole.school_class, Profile.STUDENT)
    other_parent = person("parent.durand", "Odile", "Durand", Profile.RELATIVE)
    link_relative(db, other_parent, child)
    db.flush()
    ecole.other_parent = other_parent
    return ecole


def _comment(client, item_id: int, body: str):
    return client.post_form(f"/apps/actualites/actualites/{item_id}/commentaires", {"body": body})


def _attack(db, families, login_as):
    """Odile comments her phone number; Pierre (no link with her) reads the page and the API."""
    item = publish_news(db, families.class_thread, families.teacher, "Sortie au musée")
    assert _comment(login_as(families.other_parent), item.id, f"Appelez-moi au {PHONE}").status_code == 302
    reader = login_as(families.parent)
    page = reader.get(f"/apps/actualites/actualites/{item.id}").get_data(as_text=True)
    api = reader.get(f"/api/v1/news/{item.id}").get_data(as_text=True)
    return item, page, api


def test_a_parent_does_not_see_the_comment_of_a_parent_he_may_not_write_to(db, families, login_as):
    _item, page, api = _attack(db, families, login_as)
    for shown in (page, api):
        assert PHONE not in shown and "Odile" not in shown and "DURAND" not in shown.upper()
    assert "un parent" not in page  # default: hidden altogether
    assert "Aucun commentaire pour le moment." in page


def test_with_the_profile_setting_the_reader_sees_only_un_parent(db, families, login_as):
    families.class_thread.comment_authors = CommentAuthors.PROFILE
    db.flush()
    _item, page, api = _attack(db, families, login_as)
    for shown in (page, api):
        assert PHONE not in shown and "Odile" not in shown and "DURAND" not in shown.upper()
    assert "Commentaire d&#39;un parent" in page or "Commentaire d'un parent" in page


def test_the_teacher_who_reaches_the_author_and_the_moderators_see_everything(db, families, login_as):
    item, _page, _api = _attack(db, families, login_as)
    teacher_page = login_as(families.teacher).get(f"/apps/actualites/actualites/{item.id}").get_data(as_text=True)
    assert PHONE in teacher_page and "Odile" in teacher_page  # teachers reach the class's parents
    own = login_as(families.other_parent).get(f"/apps/actualites/actualites/{item.id}").get_data(as_text=True)
    assert PHONE in own
    db.add(Grant(thread_id=families.class_thread.id, role=4, user_id=families.parent.id))
    db.flush()
    moderator = login_as(families.parent).get(f"/apps/actualites/actualites/{item.id}").get_data(as_text=True)
    assert PHONE in moderator and "Odile" in moderator  # out of his reach, but a moderator moderates


def test_a_mention_of_someone_the_author_may_not_reach_is_refused_and_nothing_stored(db, families, login_as):
    item = publish_news(db, families.class_thread, families.teacher, "Sortie au musée")
    client = login_as(families.parent)
    before = counts(db)
    refused = _comment(client, item.id, f"@{families.other_parent.login} mon numéro : {PHONE}")
    assert refused.status_code == 422
    assert "règles de communication" in refused.get_data(as_text=True)
    assert counts(db) == before
    unknown = _comment(client, item.id, "@personne.inconnue bonjour")
    assert unknown.status_code == 422 and counts(db) == before  # same answer: no probing of logins
    assert _comment(client, item.id, f"Merci @{families.teacher.login} ! pierre@example.org").status_code == 302
    assert db.scalar(select(Comment.body)).startswith("Merci @")


def test_mentions_are_read_at_word_starts_only():
    assert services.mentioned_logins("@prof.bernard. et (@Eleve.x) mais a@b.fr") == ["prof.bernard", "eleve.x"]


def test_the_gestionnaire_chooses_the_setting_in_the_thread_form(db, families, login_as):
    db.add(Grant(thread_id=families.class_thread.id, role=5, user_id=families.admin.id))
    db.flush()
    client = login_as(families.admin)
    url = f"/apps/actualites/fils/{families.class_thread.id}/roles"
    assert 'name="comment_authors"' in client.get(url).get_data(as_text=True)
    assert client.post_form(url, {"what": "comments", "comments_enabled": "1",
                                  "comment_authors": "profile"}).status_code == 302
    db.refresh(families.class_thread)
    assert families.class_thread.comment_authors == "profile"
    assert client.post_form(url, {"what": "comments", "comments_enabled": "1",
                                  "comment_authors": "everyone"}).status_code == 400
    db.refresh(families.class_thread)
    assert families.class_thread.comment_authors == "profile"
