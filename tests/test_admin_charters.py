"""The charter of each profile: the super administrator publishes a new version, users accept it again."""

from __future__ import annotations

from sqlalchemy import func, select

from preau.auth.service import accept_charters, pending_charters, publish_charter
from preau.directory.users import grant_function
from preau.models import AuditEvent, Charter, Function


def charter_count(db):
    return db.scalar(select(func.count()).select_from(Charter))


def test_a_new_version_is_published_and_asked_again(client, login_as, school, db):
    first = publish_charter(db, "relative", "Charte des parents", "Je respecte les autres.")
    accept_charters(db, school.parent)
    grant_function(db, school.staff, Function.SUPER_ADMIN)
    db.flush()
    assert pending_charters(db, school.parent) == []
    login_as(school.staff)
    assert "Charte des parents" in client.get("/admin/charters").get_data(as_text=True)
    response = client.post_form("/admin/charters/relative", {"title": "Charte des parents",
                                                             "body": "Je respecte les autres et l'ENT."})
    assert response.status_code == 302
    pending = pending_charters(db, school.parent)
    assert [c.version for c in pending] == [first.version + 1]
    assert pending[0].body == "Je respecte les autres et l'ENT."
    assert db.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "charter.published")
                     .order_by(AuditEvent.id.desc()).limit(1)) == school.staff.id


def test_a_local_administrator_cannot_change_the_platform_charters(client, login_as, school, db):
    login_as(school.admin)
    before = charter_count(db)
    assert client.get("/admin/charters").status_code == 403
    assert client.post_form("/admin/charters/relative", {"title": "x", "body": "y"}).status_code == 403
    assert charter_count(db) == before


def test_an_empty_or_oversized_charter_and_an_unknown_profile(client, login_as, school, db):
    grant_function(db, school.staff, Function.SUPER_ADMIN)
    db.flush()
    login_as(school.staff)
    before = charter_count(db)
    response = client.post_form("/admin/charters/student", {"title": "Charte", "body": "   "})
    assert response.status_code == 400 and "Le texte de la charte est obligatoire" in response.get_data(as_text=True)
    response = client.post_form("/admin/charters/student", {"title": "x" * 201, "body": "Texte"})
    assert response.status_code == 400
    assert client.post_form("/admin/charters/pirate", {"title": "x", "body": "y"}).status_code == 404
    assert charter_count(db) == before
