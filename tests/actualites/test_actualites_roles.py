"""Threads, roles and the publication workflow: what each role may and may not do, on the pages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from preau.models import AuditEvent
from preau_plugins.actualites import services
from preau_plugins.actualites.models import Item, Role, State

from .conftest import counts, publish_news


def test_the_default_threads_give_each_profile_its_role(db, ecole):
    assert services.role_on(db, ecole.parent, ecole.thread) == Role.VISITEUR
    assert services.role_on(db, ecole.student, ecole.thread) == Role.VISITEUR
    assert services.role_on(db, ecole.staff, ecole.thread) == Role.REDACTEUR
    assert services.role_on(db, ecole.admin, ecole.thread) == Role.GESTIONNAIRE
    assert services.role_on(db, ecole.teacher, ecole.class_thread) == Role.PUBLIEUR
    assert services.role_on(db, ecole.parent, ecole.class_thread) == Role.VISITEUR
    assert services.role_on(db, ecole.staff, ecole.class_thread) is None


def test_the_first_visit_creates_the_school_thread_and_a_teachers_class_thread(db, school, enable_plugin, login_as):
    enable_plugin("actualites", school.structure)
    client = login_as(school.teacher)
    assert client.get("/apps/actualites/").status_code == 200
    titles = {t.thread.title for t in services.my_threads(db, school.teacher)}
    assert titles == {"Actualités de l'établissement", "Actualités de la classe CM2 A"}
    client.get("/apps/actualites/")
    assert len(services.my_threads(db, school.teacher)) == 2  # not created twice


def test_the_app_answers_404_where_it_is_not_enabled(school, login_as):
    assert login_as(school.parent).get("/apps/actualites/").status_code == 403


def test_a_parent_reads_the_published_news_but_not_drafts_scheduled_or_expired_ones(db, ecole, login_as):
    now = services.utcnow()
    publish_news(db, ecole.thread, ecole.admin, "Kermesse de juin")
    publish_news(db, ecole.thread, ecole.admin, "Brouillon secret", state="draft")
    publish_news(db, ecole.thread, ecole.admin, "Programmée plus tard", publish_at=now + timedelta(days=2))
    publish_news(db, ecole.thread, ecole.admin, "Déjà expirée", expire_at=now - timedelta(hours=1))
    page = login_as(ecole.parent).get("/apps/actualites/").get_data(as_text=True)
    assert "Kermesse de juin" in page
    for hidden in ("Brouillon secret", "Programmée plus tard", "Déjà expirée"):
        assert hidden not in page


def test_the_empty_feed_says_so(ecole, login_as):
    page = login_as(ecole.parent).get("/apps/actualites/").get_data(as_text=True)
    assert "Aucune actualité publiée pour le moment." in page


def test_a_visitor_cannot_write_and_nothing_is_stored(db, ecole, login_as):
    client = login_as(ecole.parent)
    before = counts(db)
    response = client.post_form("/apps/actualites/ecrire", {"thread_id": ecole.thread.id, "title": "Pirate",
                                                            "body": "x", "action": "draft"})
    assert response.status_code == 403
    assert "rédacteur" in response.get_data(as_text=True)
    assert counts(db) == before


def test_a_redacteur_cannot_publish_but_submits_to_the_moderators(db, ecole, login_as):
    client = login_as(ecole.staff)
    before = counts(db)
    response = client.post_form("/apps/actualites/ecrire", {"thread_id": ecole.thread.id, "title": "Cantine",
                                                            "body": "<p>Menu</p>", "action": "publish"})
    assert response.status_code == 403
    assert "soumettez" in response.get_data(as_text=True)
    assert counts(db) == before
    response = client.post_form("/apps/actualites/ecrire", {"thread_id": ecole.thread.id, "title": "Cantine",
                                                            "body": "<p>Menu</p>", "action": "submit"})
    assert response.status_code == 302
    item = db.scalar(select(Item).where(Item.title == "Cantine"))
    assert item.state == State.SUBMITTED
    assert client.post_form(f"/apps/actualites/actualites/{item.id}/publier").status_code == 403
    db.refresh(item)
    assert item.state == State.SUBMITTED


def test_the_gestionnaire_publishes_a_submitted_item_or_refuses_it_with_a_reason(db, ecole, login_as):
    first = publish_news(db, ecole.thread, ecole.staff, "À publier", state="submitted")
    second = publish_news(db, ecole.thread, ecole.staff, "À refuser", state="submitted")
    client = login_as(ecole.admin)
    queue = client.get("/apps/actualites/moderation").get_data(as_text=True)
    assert "À publier" in queue and "À refuser" in queue
    assert client.post_form(f"/apps/actualites/actualites/{first.id}/publier").status_code == 302
    assert client.post_form(f"/apps/actualites/actualites/{second.id}/refuser", {"reason": ""}).status_code == 422
    assert client.post_form(f"/apps/actualites/actualites/{second.id}/refuser",
                            {"reason": "Date erronée"}).status_code == 302
    db.refresh(first)
    db.refresh(second)
    assert (first.state, first.published_by) == (State.PUBLISHED, ecole.admin.id)
    assert (second.state, second.refusal_reason) == (State.DRAFT, "Date erronée")
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("actualites.%"))))
    assert {"actualites.item_published", "actualites.item_refused"} <= actions
    assert "Aucune actualité n'attend de publication." in client.get("/apps/actualites/moderation").get_data(
        as_text=True)


def test_a_teacher_publishes_in_the_class_thread_and_unpublishes(db, ecole, login_as):
    client = login_as(ecole.teacher)
    response = client.post_form("/apps/actualites/ecrire", {"thread_id": ecole.class_thread.id,
                                                            "title": "Sortie piscine", "body": "<p>Lundi</p>",
                                                            "action": "publish"})
    assert response.status_code == 302
    item = db.scalar(select(Item).where(Item.title == "Sortie piscine"))
    assert item.state == State.PUBLISHED
    assert "Sortie piscine" in login_as(ecole.parent).get("/apps/actualites/").get_data(as_text=True)
    client = login_as(ecole.teacher)
    assert client.post_form(f"/apps/actualites/actualites/{item.id}/retirer").status_code == 302
    db.refresh(item)
    assert item.state == State.UNPUBLISHED
    assert db.scalar(select(AuditEvent.id).where(AuditEvent.action == "actualites.item_unpublished"))


def test_a_teacher_cannot_write_in_the_school_thread_he_only_reads(db, ecole, login_as):
    before = counts(db)
    response = login_as(ecole.teacher).post_form("/apps/actualites/ecrire", {
        "thread_id": ecole.thread.id, "title": "X", "body": "", "action": "draft"})
    assert response.status_code == 403
    assert counts(db) == before


def test_someone_outside_the_thread_gets_404_for_an_item_and_a_forged_thread(db, ecole, other, login_as):
    item = publish_news(db, ecole.thread, ecole.admin, "Réservé à Jaurès")
    client = login_as(other.parent)
    assert client.get(f"/apps/actualites/actualites/{item.id}").status_code == 404
    assert client.get(f"/apps/actualites/?fil={ecole.thread.id}").status_code == 404
    before = counts(db)
    assert client.post_form("/apps/actualites/ecrire", {"thread_id": ecole.thread.id, "title": "Intrus",
                                                        "action": "draft"}).status_code == 404
    assert client.post_form(f"/apps/actualites/actualites/{item.id}/commentaires",
                            {"body": "coucou"}).status_code == 404
    assert counts(db) == before


def test_a_draft_is_404_for_readers_and_visible_to_its_author(db, ecole, login_as):
    draft = publish_news(db, ecole.thread, ecole.staff, "Mon brouillon", state="draft")
    assert login_as(ecole.parent).get(f"/apps/actualites/actualites/{draft.id}").status_code == 404
    page = login_as(ecole.staff).get(f"/apps/actualites/actualites/{draft.id}").get_data(as_text=True)
    assert "Mon brouillon" in page and "Brouillon" in page


def test_a_redacteur_cannot_delete_someone_elses_item(db, ecole, login_as):
    item = publish_news(db, ecole.thread, ecole.admin, "Officielle")
    before = counts(db)
    assert login_as(ecole.staff).post_form(f"/apps/actualites/actualites/{item.id}/supprimer").status_code == 403
    assert counts(db) == before
    assert login_as(ecole.admin).post_form(f"/apps/actualites/actualites/{item.id}/supprimer").status_code == 302
    assert db.get(Item, item.id) is None
    assert db.scalar(select(AuditEvent.id).where(AuditEvent.action == "actualites.item_deleted"))


def test_the_gestionnaire_grants_and_removes_a_role_and_others_cannot(db, ecole, login_as):
    client = login_as(ecole.staff)
    before = counts(db)
    assert client.get(f"/apps/actualites/fils/{ecole.thread.id}/roles").status_code == 403
    assert client.post_form(f"/apps/actualites/fils/{ecole.thread.id}/roles", {
        "what": "add", "role": "5", "login": ecole.staff.login}).status_code == 403
    assert counts(db) == before
    client = login_as(ecole.admin)
    assert client.get(f"/apps/actualites/fils/{ecole.thread.id}/roles").status_code == 200
    assert client.post_form(f"/apps/actualites/fils/{ecole.thread.id}/roles", {
        "what": "add", "role": "4", "login": ecole.staff.login}).status_code == 302
    assert services.role_on(db, ecole.staff, ecole.thread) == Role.MODERATEUR
    grant = db.scalar(select(services.Grant).where(services.Grant.user_id == ecole.staff.id))
    assert client.post_form(f"/apps/actualites/fils/{ecole.thread.id}/roles", {
        "what": "remove", "grant_id": grant.id}).status_code == 302
    assert services.role_on(db, ecole.staff, ecole.thread) == Role.REDACTEUR
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("actualites.role_%"))))
    assert actions == {"actualites.role_granted", "actualites.role_revoked"}


def test_a_group_of_another_school_cannot_be_granted(db, ecole, other, login_as):
    from preau.directory.structures import profile_group

    foreign = profile_group(db, other.structure.id, "relative")
    before = counts(db)
    response = login_as(ecole.admin).post_form(f"/apps/actualites/fils/{ecole.thread.id}/roles", {
        "what": "add", "role": "1", "group_id": foreign.id})
    assert response.status_code == 404
    assert counts(db) == before


def test_the_last_gestionnaire_cannot_be_removed(db, ecole, login_as):
    grant = db.scalar(select(services.Grant).where(services.Grant.thread_id == ecole.thread.id,
                                                   services.Grant.role == Role.GESTIONNAIRE))
    before = counts(db)
    response = login_as(ecole.admin).post_form(f"/apps/actualites/fils/{ecole.thread.id}/roles", {
        "what": "remove", "grant_id": grant.id})
    assert response.status_code == 409
    assert counts(db) == before


def test_a_parent_follows_the_child_selected_in_the_bar(db, ecole, other, login_as):
    from preau.directory.users import add_role, link_relative

    add_role(db, ecole.parent, other.structure, "relative")
    link_relative(db, ecole.parent, other.student)
    publish_news(db, ecole.thread, ecole.admin, "Nouvelle de Jaurès")
    publish_news(db, other.thread, other.admin, "Nouvelle de Voltaire")
    client = login_as(ecole.parent)
    client.post_form("/child", {"child_id": ecole.student.id})
    page = client.get("/apps/actualites/").get_data(as_text=True)
    assert "Nouvelle de Jaurès" in page and "Nouvelle de Voltaire" not in page
    assert client.post_form("/child", {"child_id": other.student.id}).status_code == 303
    page = client.get("/apps/actualites/").get_data(as_text=True)
    assert "Nouvelle de Voltaire" in page and "Nouvelle de Jaurès" not in page



def test_an_author_edits_a_draft_but_a_redacteur_cannot_edit_it_once_published(db, ecole, login_as):
    draft = publish_news(db, ecole.thread, ecole.staff, "Premier jet", state="draft")
    client = login_as(ecole.staff)
    assert "Premier jet" in client.get(f"/apps/actualites/actualites/{draft.id}/modifier").get_data(as_text=True)
    assert client.post_form(f"/apps/actualites/actualites/{draft.id}/modifier", {
        "thread_id": ecole.thread.id, "title": "Version finale", "body": "<p>ok</p>", "action": "keep"}
    ).status_code == 302
    db.refresh(draft)
    assert (draft.title, draft.state) == ("Version finale", State.DRAFT)
    published = publish_news(db, ecole.thread, ecole.staff, "Déjà en ligne")
    db.commit()  # the refused request rolls its own work back, not the test's
    response = client.post_form(f"/apps/actualites/actualites/{published.id}/modifier", {
        "thread_id": ecole.thread.id, "title": "Changée", "action": "keep"})
    assert response.status_code == 403
    db.refresh(published)
    assert published.title == "Déjà en ligne"


def test_a_gestionnaire_creates_a_rubrique_and_a_redacteur_cannot(db, ecole, login_as):
    before = counts(db)
    response = login_as(ecole.staff).post_form("/apps/actualites/fils/nouveau", {
        "school_thread_id": ecole.thread.id, "title": "Cantine"})
    assert response.status_code == 403
    assert counts(db) == before
    client = login_as(ecole.admin)
    assert client.post_form("/apps/actualites/fils/nouveau", {"school_thread_id": ecole.thread.id,
                                                               "title": "  "}).status_code == 422
    assert counts(db) == before
    assert client.post_form("/apps/actualites/fils/nouveau", {"school_thread_id": ecole.thread.id,
                                                               "title": "Cantine"}).status_code == 302
    rubrique = db.scalar(select(services.Thread).where(services.Thread.title == "Cantine"))
    assert rubrique.structure_id == ecole.structure.id
    assert services.role_on(db, ecole.admin, rubrique) == Role.GESTIONNAIRE
    assert services.role_on(db, ecole.parent, rubrique) == Role.VISITEUR
    assert db.scalar(select(AuditEvent.id).where(AuditEvent.action == "actualites.thread_created"))
