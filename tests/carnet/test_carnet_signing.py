"""Signing a mot is an explicit POST (issue 16, point 4). Before, opening a mot as a parent signed it: a link, a
prefetch or an ``<img src>`` on another site signed on the parent's behalf, and so did a read-only API token.
These tests perform those attempts and check that nothing was written. Also: a reply reaches only the mot's
author and the replying family (point 2)."""

from __future__ import annotations

from sqlalchemy import select

from preau.auth import tokens
from preau_plugins.carnet.models import Mot, Recipient, Reply
from preau_plugins.carnet.services import send_mot

from .conftest import snapshot


def _mot(db, school, **options) -> Mot:
    options.setdefault("requires_signature", True)
    mot = send_mot(db, school.teacher, f"c{school.school_class.id}", "Sortie scolaire", "<p>Jeudi</p>", **options)
    db.commit()
    return mot


def _bearer(db, user, *scopes: str) -> dict[str, str]:
    plaintext, _token = tokens.create_token(db, user, "Script", list(scopes))
    db.commit()
    return {"Authorization": f"Bearer {plaintext}"}


def _recipient(db, mot) -> Recipient:
    db.expire_all()
    return db.scalars(select(Recipient).where(Recipient.mot_id == mot.id)).one()


def test_opening_a_mot_on_the_web_signs_nothing(client, db, ecole, login_as):
    mot = _mot(db, ecole)
    login_as(ecole.parent)
    before = snapshot(db)
    for _attempt in range(2):  # a link followed twice, a prefetch…
        page = client.get(f"/apps/carnet/mot/{mot.id}")
        assert page.status_code == 200 and "Signer ce mot" in page.get_data(as_text=True)
    client.get("/apps/carnet/")
    db.expire_all()
    assert snapshot(db) == before and _recipient(db, mot).signed_at is None


def test_a_read_token_reads_the_mot_but_never_signs_it(client, db, ecole):
    mot = _mot(db, ecole)
    headers = _bearer(db, ecole.parent, "read")
    before = snapshot(db)
    read = client.get(f"/api/v1/carnet/{mot.id}", headers=headers)
    assert read.status_code == 200 and read.get_json()["signed_at"] is None
    assert client.get("/api/v1/carnet", headers=headers).status_code == 200
    refused = client.post(f"/api/v1/carnet/{mot.id}/signature", headers=headers)
    assert refused.status_code == 403 and refused.get_json()["reason"] == "insufficient_scope"
    db.expire_all()
    assert snapshot(db) == before


def test_a_write_token_signs_explicitly_once(client, db, ecole):
    mot = _mot(db, ecole)
    headers = _bearer(db, ecole.parent, "read", "write")
    signed = client.post(f"/api/v1/carnet/{mot.id}/signature", headers=headers)
    assert signed.status_code == 200 and signed.get_json()["signed_by"] == "Pierre Eleve"
    first = _recipient(db, mot).signed_at
    assert first is not None
    assert client.post(f"/api/v1/carnet/{mot.id}/signature", headers=headers).status_code == 200
    assert _recipient(db, mot).signed_at == first


def test_signing_a_mot_that_asks_for_no_signature_is_refused(client, db, ecole, login_as):
    mot = _mot(db, ecole, requires_signature=False)
    login_as(ecole.parent)
    before = snapshot(db)
    response = client.post_form(f"/apps/carnet/mot/{mot.id}/signer", {})
    assert response.status_code == 409 and "ne demande pas de signature" in response.get_data(as_text=True)
    assert snapshot(db) == before


def test_a_cross_site_get_or_a_post_without_csrf_token_signs_nothing(client, db, ecole, login_as):
    mot = _mot(db, ecole)
    login_as(ecole.parent)
    before = snapshot(db)
    assert client.get(f"/apps/carnet/mot/{mot.id}/signer").status_code == 405  # an <img src> cannot sign
    forged = client.post(f"/apps/carnet/mot/{mot.id}/signer", data={"eleve": str(ecole.student.id)})
    assert forged.status_code == 400  # no CSRF token
    db.expire_all()
    assert snapshot(db) == before


def test_the_students_reading_is_a_post_and_a_parent_cannot_note_it(client, db, ecole, login_as):
    mot = _mot(db, ecole)
    headers = _bearer(db, ecole.student, "read")
    before = snapshot(db)
    assert client.get(f"/api/v1/carnet/{mot.id}", headers=headers).get_json()["student_read_at"] is None
    assert client.post(f"/api/v1/carnet/{mot.id}/lecture", headers=headers).status_code == 403
    db.expire_all()
    assert snapshot(db) == before
    login_as(ecole.parent)
    refused = client.post_form(f"/apps/carnet/mot/{mot.id}/lu", {})
    assert refused.status_code == 403
    assert snapshot(db) == before
    written = client.post(f"/api/v1/carnet/{mot.id}/lecture", headers=_bearer(db, ecole.student, "write"))
    assert written.status_code == 200 and written.get_json()["student_read_at"] is not None


def _classmate_family(db, ecole):
    from preau.accounts import activate_with_password
    from preau.directory.users import add_role, attach_to_class, create_user, link_relative
    from preau.testing import _password_hash

    classmate = create_user(db, first_name="Zoé", last_name="Voisin", login="zoe.voisin")
    neighbour = create_user(db, first_name="Marc", last_name="Voisin", login="marc.voisin")
    for person, profile in ((classmate, "student"), (neighbour, "relative")):
        activate_with_password(db, person, _password_hash())
        add_role(db, person, ecole.structure, profile)
    attach_to_class(db, classmate, ecole.school_class, "student")
    link_relative(db, neighbour, classmate)
    db.commit()
    return classmate, neighbour


def test_a_reply_reaches_the_author_only_never_another_family(client, db, ecole, other_family, login_as):
    classmate, neighbour = _classmate_family(db, ecole)
    mot = _mot(db, ecole, replies_allowed=True)
    login_as(ecole.parent)
    assert client.post_form(f"/apps/carnet/mot/{mot.id}/repondre", {"reponse": "Secret de famille"}).status_code == 303
    before = snapshot(db)
    # Writing "about" another family's child, to reach its parents: refused, nothing stored.
    forged = client.post_form(f"/apps/carnet/mot/{mot.id}/repondre",
                              {"reponse": "Bonjour les voisins", "eleve": str(classmate.id)})
    assert forged.status_code == 404
    assert snapshot(db) == before
    client.get("/auth/logout")

    # The classmate's parent, a recipient of the same mot, reads it by URL and by API: no reply of the other family.
    login_as(neighbour)
    page = client.get(f"/apps/carnet/mot/{mot.id}").get_data(as_text=True)
    assert "Jeudi" in page and "Secret de famille" not in page
    api = client.get(f"/api/v1/carnet/{mot.id}")
    assert api.status_code == 200 and "Secret de famille" not in api.get_data(as_text=True)
    client.get("/auth/logout")

    # A parent of another school: 404 on the page and the API, nothing leaks.
    login_as(other_family.parent)
    for url in (f"/apps/carnet/mot/{mot.id}", f"/api/v1/carnet/{mot.id}"):
        response = client.get(url)
        assert response.status_code == 404 and "Secret de famille" not in response.get_data(as_text=True)
    client.get("/auth/logout")

    login_as(ecole.teacher)
    assert "Secret de famille" in client.get(f"/apps/carnet/mot/{mot.id}").get_data(as_text=True)
    assert [r.student_id for r in db.scalars(select(Reply))] == [ecole.student.id]
