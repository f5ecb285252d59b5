"""The carnet de liaison through its pages and API: a teacher writes a mot to the parents of their class, a parent
signs it with an explicit POST (once; opening it writes nothing), the student notes their reading the same way,
the author sees who signed, reminds and exports; replies; bad input is refused with its reason and nothing
changes."""

from __future__ import annotations

import html
from datetime import timedelta

from sqlalchemy import select

from preau.models import AuditEvent
from preau_plugins.carnet.models import Mot, Recipient, Reminder, Reply
from preau_plugins.carnet.services import CarnetError, archive_year, export_of, send_mot

from .conftest import snapshot


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _mot(db, school, signature=True, replies=False, title="Sortie scolaire") -> Mot:
    mot = send_mot(db, school.teacher, f"c{school.school_class.id}", title, "<p>Prévoir un pique-nique.</p>",
                   requires_signature=signature, replies_allowed=replies)
    db.commit()
    return mot


def _recipient(db, mot) -> Recipient:
    db.expire_all()
    return db.scalars(select(Recipient).where(Recipient.mot_id == mot.id)).one()


def _actions(db, action) -> int:
    return len(list(db.scalars(select(AuditEvent).where(AuditEvent.action == action))))


def test_a_teacher_sends_a_mot_to_sign_and_the_parent_signs_it_once(client, db, ecole, login_as):
    login_as(ecole.teacher)
    page = text(client.get("/apps/carnet/nouveau"))
    for label in ("Destinataires", "Titre", "Message", "Signature demandée", "Les parents peuvent répondre",
                  "Envoyer le mot"):
        assert label in page
    sent = client.post_form("/apps/carnet/nouveau", {"cible": f"c{ecole.school_class.id}", "titre": "Sortie",
                                                     "message": "<p>Jeudi au musée</p>", "signature": "1"})
    assert sent.status_code == 303
    mot = db.scalars(select(Mot)).one()
    assert (mot.requires_signature, mot.replies_allowed, mot.recipient_count) == (True, False, 1)
    assert _recipient(db, mot).class_name == "CM2 A"
    assert _actions(db, "carnet.mot.send") == 1
    assert "0/1 signés" in text(client.get("/apps/carnet/"))
    client.get("/auth/logout")

    login_as(ecole.parent)
    listed = text(client.get("/apps/carnet/"))
    assert "Sortie" in listed and "À signer" in listed
    opened = text(client.get(f"/apps/carnet/mot/{mot.id}"))
    assert "Ce mot demande votre signature." in opened and "Signer ce mot" in opened
    assert _recipient(db, mot).signed_at is None  # opening is not signing
    signed = client.post_form(f"/apps/carnet/mot/{mot.id}/signer", {"eleve": str(ecole.student.id)})
    assert signed.status_code == 303
    page = text(client.get(f"/apps/carnet/mot/{mot.id}"))
    assert "Signé le" in page and "par Pierre Eleve" in page and "Signer ce mot" not in page
    first = _recipient(db, mot)
    assert first.signed_by_id == ecole.parent.id and first.signed_at is not None
    assert client.post_form(f"/apps/carnet/mot/{mot.id}/signer", {}).status_code == 303
    assert _recipient(db, mot).signed_at == first.signed_at  # once: signing again changes nothing
    assert _actions(db, "carnet.mot.sign") == 1
    client.get("/auth/logout")

    login_as(ecole.teacher)
    detail = text(client.get(f"/apps/carnet/mot/{mot.id}"))
    assert "1/1 signés" in detail and "par Pierre Eleve" in detail


def test_the_student_notes_their_reading_without_signing(client, db, ecole, login_as):
    mot = _mot(db, ecole)
    login_as(ecole.student)
    assert "Sortie scolaire" in text(client.get("/apps/carnet/"))
    page = text(client.get(f"/apps/carnet/mot/{mot.id}"))
    assert "un de tes parents doit le signer" in page and "Signer ce mot" not in page
    assert _recipient(db, mot).student_read_at is None  # a GET writes nothing
    assert client.post_form(f"/apps/carnet/mot/{mot.id}/lu", {}).status_code == 303
    recipient = _recipient(db, mot)
    assert recipient.student_read_at is not None and recipient.signed_at is None
    assert "Lu le" in text(client.get(f"/apps/carnet/mot/{mot.id}"))
    before = snapshot(db)
    refused = client.post_form(f"/apps/carnet/mot/{mot.id}/signer", {"eleve": str(ecole.student.id)})
    assert refused.status_code == 403 and "Seul un responsable" in text(refused)
    assert snapshot(db) == before


def test_a_student_trying_to_sign_through_the_api_is_refused(client, db, ecole, login_as):
    mot = _mot(db, ecole)
    login_as(ecole.student)
    before = snapshot(db)
    refused = client.post(f"/api/v1/carnet/{mot.id}/signature", headers={"X-CSRFToken": client.csrf_token()})
    assert refused.status_code == 403 and refused.get_json()["reason"] == "not_a_parent"
    db.expire_all()
    assert snapshot(db) == before


def test_a_mot_to_a_class_the_author_does_not_teach_is_refused(client, db, ecole, login_as):
    login_as(ecole.teacher)
    before = snapshot(db)
    response = client.post_form("/apps/carnet/nouveau", {"cible": f"c{ecole.other_class.id}", "titre": "Mot",
                                                         "message": "Bonjour", "signature": "1"})
    assert response.status_code == 403 and "Vous n'enseignez pas dans « CM1 B »" in text(response)
    assert snapshot(db) == before


def test_staff_write_to_any_class_of_their_school_but_not_to_an_empty_one(db, ecole):
    mot = send_mot(db, ecole.staff, f"c{ecole.school_class.id}", "Cantine", "<p>Menu</p>")
    assert (mot.target_name, mot.recipient_count) == ("CM2 A", 1)
    db.commit()
    before = snapshot(db)
    try:
        send_mot(db, ecole.staff, f"c{ecole.other_class.id}", "Cantine", "<p>Menu</p>")
    except CarnetError as error:
        assert (error.status, error.reason) == (409, "no_recipient")
    else:
        raise AssertionError("a mot to a class without students was stored")
    db.rollback()
    assert snapshot(db) == before


def test_a_forged_target_id_is_refused(client, db, ecole, login_as):
    login_as(ecole.teacher)
    before = snapshot(db)
    for key, status in (("c999999", 404), ("s999999", 404), ("zz", 422), ("", 422), ("g999999", 404)):
        response = client.post_form("/apps/carnet/nouveau", {"cible": key, "titre": "Mot", "message": "Bonjour"})
        assert response.status_code == status, key
    assert snapshot(db) == before


def test_empty_title_or_body_is_refused(client, db, ecole, login_as):
    login_as(ecole.teacher)
    before = snapshot(db)
    key = f"c{ecole.school_class.id}"
    empty_title = client.post_form("/apps/carnet/nouveau", {"cible": key, "titre": "  ", "message": "Bonjour"})
    assert empty_title.status_code == 422 and "Le titre du mot est obligatoire." in text(empty_title)
    empty_body = client.post_form("/apps/carnet/nouveau", {"cible": key, "titre": "Mot", "message": "<p> </p>"})
    assert empty_body.status_code == 422 and "Le message du mot est vide." in text(empty_body)
    assert snapshot(db) == before


def test_html_injection_is_sanitised(client, db, ecole, login_as):
    login_as(ecole.teacher)
    client.post_form("/apps/carnet/nouveau", {
        "cible": f"c{ecole.school_class.id}", "titre": "<script>alert(1)</script>Mot",
        "message": '<p onclick="evil()">Bonjour<script>alert(2)</script><img src=x onerror=alert(3)></p>'})
    mot = db.scalars(select(Mot)).one()
    assert "<script" not in mot.body_html and "onclick" not in mot.body_html and "onerror" not in mot.body_html
    page = client.get(f"/apps/carnet/mot/{mot.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page


def test_a_parent_opening_another_familys_mot_gets_404_and_signs_nothing(client, db, ecole, other_family,
                                                                         login_as):
    mot = _mot(db, ecole)
    login_as(other_family.parent)
    before = snapshot(db)
    response = client.get(f"/apps/carnet/mot/{mot.id}")
    assert response.status_code == 404 and "ne vous est pas adressé" in text(response)
    api = client.get(f"/api/v1/carnet/{mot.id}")
    assert api.status_code == 404 and api.get_json()["reason"] == "not_found"
    assert "Sortie scolaire" not in text(client.get("/apps/carnet/"))
    db.expire_all()
    assert snapshot(db) == before


def test_a_parent_replying_when_replies_are_off_is_refused(client, db, ecole, login_as):
    mot = _mot(db, ecole, replies=False)
    login_as(ecole.parent)
    before = snapshot(db)
    response = client.post_form(f"/apps/carnet/mot/{mot.id}/repondre", {"reponse": "Bien reçu"})
    assert response.status_code == 403 and "n'accepte pas de réponse" in text(response)
    assert snapshot(db) == before


def test_replies_go_to_the_author_and_other_families_never_see_them(client, db, ecole, other_family, login_as):
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
    mot = _mot(db, ecole, replies=True)
    login_as(ecole.parent)
    client.get(f"/apps/carnet/mot/{mot.id}")
    assert client.post_form(f"/apps/carnet/mot/{mot.id}/repondre",
                            {"reponse": "<b>Bien reçu</b>"}).status_code == 303
    client.get("/auth/logout")
    login_as(neighbour)
    seen = text(client.get(f"/apps/carnet/mot/{mot.id}"))
    assert "Prévoir un pique-nique" in seen and "Bien reçu" not in seen
    client.get("/auth/logout")
    login_as(ecole.teacher)
    page = client.get(f"/apps/carnet/mot/{mot.id}").get_data(as_text=True)
    assert "&lt;b&gt;Bien reçu&lt;/b&gt;" in page
    answer = client.post_form(f"/apps/carnet/mot/{mot.id}/repondre",
                              {"reponse": "Merci", "eleve": str(ecole.student.id)})
    assert answer.status_code == 303
    assert [r.body for r in db.scalars(select(Reply).order_by(Reply.id))] == ["<b>Bien reçu</b>", "Merci"]


def test_remind_mails_unsigned_parents_once_an_hour_and_export_lists_signatures(client, db, ecole, login_as,
                                                                                 app):
    mot = _mot(db, ecole, title="=HYPERLINK(\"x\")")
    login_as(ecole.teacher)
    assert client.post_form(f"/apps/carnet/mot/{mot.id}/relancer", {}).status_code == 303
    reminder = db.scalars(select(Reminder)).one()
    assert reminder.count == 1 and _recipient(db, mot).reminded_at is not None
    before = snapshot(db)
    again = client.post_form(f"/apps/carnet/mot/{mot.id}/relancer", {})
    assert again.status_code == 429 and "moins d'une heure" in text(again)
    assert snapshot(db) == before
    csv_text = client.get(f"/apps/carnet/mot/{mot.id}/export.csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeffÉlève;Classe;Responsables;Signé le;Signé par")
    assert "Emma ELEVE;CM2 A;Pierre ELEVE;;" in csv_text
    assert _actions(db, "carnet.mot.remind") == 1 and _actions(db, "carnet.mot.export") == 1
    client.get("/auth/logout")
    login_as(ecole.parent)
    refused = client.get(f"/apps/carnet/mot/{mot.id}/export.csv")
    assert refused.status_code == 404


def test_the_api_lists_reads_and_sends_with_the_same_rules(client, db, ecole, login_as):
    login_as(ecole.teacher)
    headers = {"X-CSRFToken": client.csrf_token()}
    created = client.post("/api/v1/carnet", json={"target": f"c{ecole.school_class.id}", "title": "API",
                                                  "body": "<p>Bonjour</p>", "requires_signature": True},
                          headers=headers)
    assert created.status_code == 201 and created.get_json()["recipient_count"] == 1
    forbidden = client.post("/api/v1/carnet", json={"target": f"c{ecole.other_class.id}", "title": "x",
                                                    "body": "y"}, headers=headers)
    assert forbidden.status_code == 403 and forbidden.get_json()["reason"] == "not_your_class"
    assert client.get("/api/v1/carnet").get_json()["written"][0]["signed_count"] == 0
    client.get("/auth/logout")
    login_as(ecole.parent)
    listed = client.get("/api/v1/carnet").get_json()
    assert [m["title"] for m in listed["received"]] == ["API"] and listed["received"][0]["signed_at"] is None
    mot_id = created.get_json()["id"]
    read = client.get(f"/api/v1/carnet/{mot_id}").get_json()
    assert read["signed_by"] is None and read["signed_at"] is None  # reading is not signing
    signed = client.post(f"/api/v1/carnet/{mot_id}/signature", headers={"X-CSRFToken": client.csrf_token()})
    assert signed.status_code == 200 and signed.get_json()["signed_by"] == "Pierre Eleve"


def test_the_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/carnet" in paths and "/api/v1/carnet/{mot_id}/signature" in paths


def test_the_year_transition_archives_mots_that_stay_readable(client, db, ecole, login_as):
    from preau.directory import year_transition as transition

    mot = _mot(db, ecole)
    transition.apply_transition(db, ecole.city, actor=ecole.admin)
    db.commit()
    db.expire_all()
    assert db.get(Mot, mot.id).archived_at is not None
    assert archive_year(db, ecole.structure.id) == 0  # already archived: nothing more to do
    login_as(ecole.parent)
    page = text(client.get(f"/apps/carnet/mot/{mot.id}"))
    assert "Archive" in page and "ne peut plus être signé" in page and "Signer ce mot" not in page
    before = snapshot(db)
    refused = client.post_form(f"/apps/carnet/mot/{mot.id}/signer", {})
    assert refused.status_code == 409 and "ne peut plus être signé" in text(refused)
    assert snapshot(db) == before and _recipient(db, mot).signed_at is None
    assert db.get(Mot, mot.id) is not None


def test_mes_donnees_holds_the_authors_mots_and_the_parents_signatures(db, ecole):
    from preau_plugins.carnet.services import sign_mot

    mot = _mot(db, ecole)
    sign_mot(db, ecole.parent, mot.id)
    assert export_of(db, ecole.teacher.id)["mots"][0]["titre"] == "Sortie scolaire"
    assert export_of(db, ecole.parent.id)["signatures"][0]["mot"] == "Sortie scolaire"
    assert export_of(db, ecole.guest.id) is None


def test_the_app_does_not_exist_for_a_guest(client, ecole, login_as):
    login_as(ecole.guest)
    assert client.get("/apps/carnet/").status_code == 403


def test_empty_states(client, ecole, login_as):
    login_as(ecole.parent)
    assert "Aucun mot pour le moment." in text(client.get("/apps/carnet/"))
    client.get("/auth/logout")
    login_as(ecole.teacher)
    assert "Vous n'avez encore envoyé aucun mot." in text(client.get("/apps/carnet/"))


def _widget_statements(app, db, user) -> tuple[str, int]:
    from flask import g
    from flask_login import login_user
    from sqlalchemy import event

    from preau_plugins.carnet.widget import render_to_sign

    engine, statements = db.get_bind(), []

    def listener(*args, **kwargs):
        statements.append(args[2])

    with app.test_request_context("/"):
        login_user(user)
        db.flush()
        g.pop("_preau_children", None)  # the test's app context outlives each request: drop the last reader's
        event.listen(engine, "before_cursor_execute", listener)
        try:
            fragment = render_to_sign(user, "apercu")
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    # The user, roles and functions reloads come from the login machinery (done once per request anyway).
    own = [sql for sql in statements if not sql.startswith(("SAVEPOINT", "SELECT users.", "SELECT roles.",
                                                            "SELECT user_functions."))]
    return fragment, len(own)


def test_the_widget_is_cheap_and_follows_the_reader(app, db, ecole):
    empty, empty_count = _widget_statements(app, db, ecole.parent)
    assert "Aucun mot à signer." in empty and empty_count <= 2
    for number in range(5):
        _mot(db, ecole, title=f"Mot {number}")
    fragment, count = _widget_statements(app, db, ecole.parent)
    assert "Mot 4" in fragment and count == empty_count
    fragment, count = _widget_statements(app, db, ecole.teacher)
    assert "0/1 signés" in fragment and count <= 2
    fragment, _count = _widget_statements(app, db, ecole.guest)
    assert "Aucun mot à signer." in fragment


def test_sending_to_a_group_and_one_student(db, ecole):
    group_mot = send_mot(db, ecole.teacher, f"g{ecole.group.id}", "Chorale", "<p>Répétition</p>")
    assert group_mot.recipient_count == 1
    one = send_mot(db, ecole.teacher, f"s{ecole.student.id}", "Emma", "<p>Bravo</p>")
    assert one.target_kind == "student" and db.scalars(select(Recipient).where(
        Recipient.mot_id == one.id)).one().class_name == "CM2 A"
    assert timedelta(0) <= (one.sent_at - group_mot.sent_at)


def test_a_merged_account_keeps_the_mots_and_signatures(db, ecole):
    from preau.directory.users import create_user
    from preau_plugins.carnet import preau_user_merged
    from preau_plugins.carnet.services import sign_mot

    mot = _mot(db, ecole)
    sign_mot(db, ecole.parent, mot.id)
    kept_teacher = create_user(db, first_name="Paul", last_name="Prof", login="paul.prof.kept")
    kept_parent = create_user(db, first_name="Pierre", last_name="Eleve", login="pierre.eleve.kept")
    db.flush()
    preau_user_merged(kept_teacher, ecole.teacher.id)
    preau_user_merged(kept_parent, ecole.parent.id)
    db.expire_all()
    assert db.get(Mot, mot.id).author_id == kept_teacher.id
    assert _recipient(db, mot).signed_by_id == kept_parent.id
