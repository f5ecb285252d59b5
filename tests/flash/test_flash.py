"""Flash messages (tableau d'affichage): targeting, dates, read state, administration and its bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from preau.directory.structures import create_structure
from preau.directory.users import add_role, create_user, grant_function
from preau.models import AuditEvent, Function, Job, StructureKind
from preau.testing import build_school, run_jobs
from preau_plugins.flash import services as flash
from preau_plugins.flash.models import FlashMessage, FlashRead

TODAY = date(2026, 11, 23)


def _input(**changes) -> flash.FlashInput:
    values = {"title": "Sortie au musée", "body": "<p>Prévoir un pique-nique.</p>", "starts_on": TODAY,
              "ends_on": TODAY + timedelta(days=2), "profiles": ["relative"]}
    values.update(changes)
    return flash.FlashInput(**values)


def _create(db, school, **changes) -> FlashMessage:
    message = flash.create_message(db, school.structure, _input(**changes), actor=school.admin, today=TODAY)
    db.flush()
    return message


def _titles(db, user, today=TODAY, lang="fr") -> list[str]:
    return [m.title for m in flash.current_messages_for(db, user, today=today, lang=lang)]


class _Form(dict):
    """A form as Werkzeug gives it: ``getlist`` for multiple fields."""

    def getlist(self, name):
        value = self.get(name, [])
        return value if isinstance(value, list) else [value]


def _form(**changes) -> _Form:
    values = {"title": "Réunion", "body": "<p>Salle 3</p>", "starts_on": "2026-11-23", "ends_on": "2026-11-24",
              "profiles": ["relative"], "colour": "info"}
    values.update(changes)
    return _Form(values)


# -- targeting and dates -----------------------------------------------------------------------------------


def test_a_message_reaches_only_the_targeted_profiles_of_its_structure(db, school):
    _create(db, school)
    assert _titles(db, school.parent) == ["Sortie au musée"]
    assert _titles(db, school.teacher) == []
    assert _titles(db, school.student) == []


def test_a_message_of_a_city_reaches_its_schools_but_not_another_city(db, school):
    other = build_school(db, name="École Victor-Hugo", uai="0750002B", city_name="Autre Ville")
    flash.create_message(db, school.city, _input(title="Grève des cantines"), actor=school.admin, today=TODAY)
    assert _titles(db, school.parent) == ["Grève des cantines"]
    assert _titles(db, other.parent) == []


def test_a_message_of_a_school_does_not_reach_its_city(db, school):
    city_parent = create_user(db, first_name="Cécile", last_name="Ville", login="parent.ville")
    add_role(db, city_parent, school.city, "relative")
    db.flush()
    _create(db, school)
    assert _titles(db, city_parent) == []


def test_the_end_date_is_inclusive_and_the_start_date_waits(db, school):
    _create(db, school, starts_on=TODAY + timedelta(days=1), ends_on=TODAY + timedelta(days=3))
    assert _titles(db, school.parent, today=TODAY) == []
    assert _titles(db, school.parent, today=TODAY + timedelta(days=1)) == ["Sortie au musée"]
    assert _titles(db, school.parent, today=TODAY + timedelta(days=3)) == ["Sortie au musée"]  # until midnight
    assert _titles(db, school.parent, today=TODAY + timedelta(days=4)) == []


def test_languages_filter_the_readers_and_empty_means_all(db, school):
    _create(db, school, title="English only", languages=["en"])
    _create(db, school, title="Pour tous", languages=[])
    assert _titles(db, school.parent, lang="fr") == ["Pour tous"]
    assert sorted(_titles(db, school.parent, lang="en")) == ["English only", "Pour tous"]


def test_the_admin_lists_split_current_upcoming_and_obsolete(db, school):
    _create(db, school, title="En cours")
    _create(db, school, title="Bientôt", starts_on=TODAY + timedelta(days=5), ends_on=TODAY + timedelta(days=6))
    _create(db, school, title="Passé", starts_on=TODAY - timedelta(days=5), ends_on=TODAY - timedelta(days=1))
    listing = flash.structure_messages(db, school.structure.id, TODAY)
    assert [m.title for m in listing.current] == ["En cours"]
    assert [m.title for m in listing.upcoming] == ["Bientôt"]
    assert [m.title for m in listing.obsolete] == ["Passé"]


# -- read state and view counts ------------------------------------------------------------------------------


def test_reading_records_one_read_per_user_and_counts_distinct_readers(db, school):
    message = _create(db, school, profiles=["relative", "teacher"])
    assert flash.board_for(db, school.parent, today=TODAY, lang="fr").unread == {message.id}
    assert flash.mark_read(db, school.parent, [message.id], today=TODAY, lang="fr") == 1
    assert flash.mark_read(db, school.parent, [message.id], today=TODAY, lang="fr") == 0  # twice: one reader
    flash.mark_read(db, school.teacher, [message.id], today=TODAY, lang="fr")
    assert flash.board_for(db, school.parent, today=TODAY, lang="fr").unread == set()
    assert flash.board_for(db, school.teacher, today=TODAY, lang="fr").messages == [message]
    assert flash.view_counts(db, [message.id]) == {message.id: 2}


def test_a_user_cannot_mark_read_a_message_that_does_not_reach_them(db, school):
    message = _create(db, school)
    assert flash.mark_read(db, school.student, [message.id], today=TODAY, lang="fr") == 0
    assert flash.view_counts(db, [message.id]) == {}


# -- input checks ---------------------------------------------------------------------------------------------


def test_an_end_before_the_start_is_refused_with_a_french_message():
    with pytest.raises(flash.FlashError, match="La date de fin .* est antérieure à la date de début"):
        flash.parse_form(_form(starts_on="2026-11-24", ends_on="2026-11-23"), _form().getlist)


def test_a_message_without_profile_is_refused():
    form = _form(profiles=[])
    with pytest.raises(flash.FlashError, match="au moins un profil"):
        flash.parse_form(form, form.getlist)


def test_unknown_profile_colour_or_language_is_refused():
    for changes in ({"profiles": ["admin"]}, {"colour": "#ff0000"}, {"languages": ["de"]}):
        form = _form(**changes)
        with pytest.raises(flash.FlashError):
            flash.parse_form(form, form.getlist)


def test_scripts_and_javascript_links_are_removed_from_the_body():
    form = _form(body='<p onclick="x()">Bonjour <a href="javascript:alert(1)">clic</a>'
                      '<script>alert(2)</script><a href="https://example.org">site</a></p>')
    body = flash.parse_form(form, form.getlist).body
    assert "script" not in body and "alert" not in body and "onclick" not in body and "javascript" not in body
    assert '<a href="https://example.org" rel="noopener noreferrer">site</a>' in body
    assert "Bonjour" in body


def test_a_body_made_only_of_a_script_is_empty_and_refused():
    form = _form(body="<script>alert(1)</script>")
    with pytest.raises(flash.FlashError, match="texte du message est obligatoire"):
        flash.parse_form(form, form.getlist)


# -- e-mail notification ---------------------------------------------------------------------------------------


def test_the_mail_is_refused_unless_it_starts_today(db, school):
    with pytest.raises(flash.FlashError, match="commence aujourd'hui"):
        _create(db, school, notify_by_mail=True, starts_on=TODAY + timedelta(days=1),
                ends_on=TODAY + timedelta(days=2))
    assert db.scalar(select(func.count()).select_from(FlashMessage)) == 0


def test_the_mail_is_refused_for_a_structure_with_structures_below(db, school):
    with pytest.raises(flash.FlashError, match="une seule structure"):
        flash.create_message(db, school.city, _input(notify_by_mail=True), actor=school.admin, today=TODAY)


def test_the_mail_goes_in_the_background_to_targeted_users_with_an_address(app, db, school, smtp_server):
    school.parent.email = "parent@example.org"
    school.teacher.email = "prof@example.org"  # not targeted
    db.flush()
    _create(db, school, notify_by_mail=True)
    assert smtp_server.messages == []  # saving queued one job, sent nothing
    assert [j.kind for j in db.scalars(select(Job))] == [flash.NOTIFY_JOB]
    run_jobs(app)
    run_jobs(app)
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["parent@example.org"]]
    assert "Sortie au musée" in smtp_server.messages[0]["Subject"]


# -- pages and administration --------------------------------------------------------------------------------


def _today_form(**changes) -> dict:
    today = flash.local_today()
    values = {"title": "Fête de l'école", "body": "<p>Samedi à 10 h</p>", "starts_on": today.isoformat(),
              "ends_on": (today + timedelta(days=1)).isoformat(), "profiles": ["relative"], "colour": "warning",
              "action": "save"}
    values.update(changes)
    return values


def test_the_adml_creates_a_message_and_the_parent_sees_the_banner_open(client, db, school, login_as):
    login_as(school.admin)
    response = client.post_form(f"/apps/flash/admin/structures/{school.structure.id}/new", _today_form())
    assert response.status_code == 302
    message = db.scalar(select(FlashMessage))
    assert message.title == "Fête de l'école" and message.profiles == ["relative"]
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "flash.created")) == 1
    client.post_form("/auth/logout")

    login_as(school.parent)
    page = client.get("/").get_data(as_text=True)
    assert "Fête de l&#39;école" in page and 'class="flash-board__details" open' in page
    client.post_form("/apps/flash/read", {"message_id": str(message.id), "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert "Fête de l&#39;école" in page and 'class="flash-board__details" open' not in page
    assert flash.view_counts(db, [message.id]) == {message.id: 1}


def test_the_teacher_does_not_see_a_message_for_parents(client, db, school, login_as):
    _create(db, school, starts_on=flash.local_today(), ends_on=flash.local_today())
    login_as(school.teacher)
    assert "Sortie au musée" not in client.get("/").get_data(as_text=True)


def test_opening_the_list_page_reads_the_messages(client, db, school, login_as):
    message = _create(db, school, starts_on=flash.local_today(), ends_on=flash.local_today())
    login_as(school.parent)
    assert "Sortie au musée" in client.get("/apps/flash/").get_data(as_text=True)
    assert db.scalar(select(FlashRead.user_id).where(FlashRead.message_id == message.id)) == school.parent.id


def test_the_admin_page_lists_view_counts(client, db, school, login_as):
    message = _create(db, school, starts_on=flash.local_today(), ends_on=flash.local_today())
    flash.mark_read(db, school.parent, [message.id], today=flash.local_today(), lang="fr")
    login_as(school.admin)
    page = client.get(f"/apps/flash/admin/structures/{school.structure.id}").get_data(as_text=True)
    assert "Sortie au musée" in page and "<td data-views>1</td>" in page


def test_the_preview_shows_the_sanitised_message_and_stores_nothing(client, db, school, login_as):
    login_as(school.admin)
    response = client.post_form(f"/apps/flash/admin/structures/{school.structure.id}/new",
                                _today_form(action="preview", body='<p>Voir <a href="javascript:alert(1)">ici</a></p>'))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Aperçu" in page and "Voir" in page
    assert "javascript:" not in page
    assert db.scalar(select(func.count()).select_from(FlashMessage)) == 0


def test_an_end_before_the_start_in_the_form_stores_nothing(client, db, school, login_as):
    login_as(school.admin)
    today = flash.local_today()
    response = client.post_form(f"/apps/flash/admin/structures/{school.structure.id}/new",
                                _today_form(ends_on=(today - timedelta(days=1)).isoformat()))
    assert response.status_code == 400
    assert "est antérieure à la date de début" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(FlashMessage)) == 0


def test_a_form_without_profile_stores_nothing(client, db, school, login_as):
    login_as(school.admin)
    response = client.post_form(f"/apps/flash/admin/structures/{school.structure.id}/new", _today_form(profiles=[]))
    assert response.status_code == 400 and "au moins un profil" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(FlashMessage)) == 0


def test_an_adml_of_another_school_is_refused_and_audited(client, db, school, login_as):
    other = build_school(db, name="École Victor-Hugo", uai="0750002B")
    message = _create(db, school)
    login_as(other.admin)
    base = f"/apps/flash/admin/structures/{school.structure.id}"
    assert client.get(base).status_code == 403
    assert client.post_form(f"{base}/new", _today_form()).status_code == 403
    assert client.post_form(f"/apps/flash/admin/{message.id}/edit", _today_form(title="Piraté")).status_code == 403
    assert client.post_form(f"/apps/flash/admin/{message.id}/delete").status_code == 403
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(FlashMessage)) == 1
    assert db.get(FlashMessage, message.id).title == "Sortie au musée"
    refusals = db.scalar(select(func.count()).select_from(AuditEvent)
                         .where(AuditEvent.action == "security.scope_denied"))
    assert refusals == 4


def test_the_adml_edits_then_deletes_a_message(client, db, school, login_as):
    message = _create(db, school)
    login_as(school.admin)
    response = client.post_form(f"/apps/flash/admin/{message.id}/edit", _today_form(title="Nouveau titre"))
    assert response.status_code == 302
    db.expire_all()
    assert db.get(FlashMessage, message.id).title == "Nouveau titre"
    flash.mark_read(db, school.parent, [message.id], today=flash.local_today(), lang="fr")
    db.flush()
    assert client.post_form(f"/apps/flash/admin/{message.id}/delete").status_code == 302
    db.expire_all()
    assert db.get(FlashMessage, message.id) is None
    assert db.scalar(select(func.count()).select_from(FlashRead)) == 0


def test_a_city_adml_may_post_for_a_school_below(client, db, school, login_as):
    city_admin = create_user(db, first_name="Victor", last_name="Ville", login="adml.ville")
    from preau.accounts import activate_with_password
    from preau.testing import _password_hash

    activate_with_password(db, city_admin, _password_hash())
    add_role(db, city_admin, school.city, "personnel")
    grant_function(db, city_admin, Function.ADMIN_LOCAL, school.city)
    db.flush()
    login_as(city_admin)
    response = client.post_form(f"/apps/flash/admin/structures/{school.structure.id}/new", _today_form())
    assert response.status_code == 302
    assert db.scalar(select(FlashMessage.structure_id)) == school.structure.id


def test_the_mail_is_allowed_for_a_lone_structure_starting_today(db):
    lone = create_structure(db, "Ville seule", StructureKind.CITY)
    assert flash.mail_refusal(db, lone.id, _input(), TODAY) is None
    assert flash.mail_refusal(db, lone.id, _input(starts_on=TODAY - timedelta(days=1)), TODAY) is not None


def test_an_edit_never_sends_the_mail_twice(db, school):
    message = _create(db, school, notify_by_mail=True)
    flash.update_message(db, message, _input(title="Corrigé", notify_by_mail=False), actor=school.admin,
                         today=TODAY)
    flash.update_message(db, message, _input(title="Encore", notify_by_mail=True), actor=school.admin, today=TODAY)
    assert [j.kind for j in db.scalars(select(Job))] == [flash.NOTIFY_JOB]
    assert message.notify_by_mail and message.notified_at is not None


def test_who_read_a_message_is_never_shown_only_how_many_to_its_administrators(client, db, school, login_as):
    """Issue 16, point 2 (audit of the flash messages): a read is a row per reader, but no page lists the
    readers: other readers see neither names nor a count, the administrator sees only the number."""
    message = _create(db, school, starts_on=flash.local_today(), ends_on=flash.local_today(),
                      profiles=["relative", "teacher"])
    flash.mark_read(db, school.parent, [message.id], today=flash.local_today(), lang="fr")
    reader = login_as(school.teacher)
    page = reader.get("/apps/flash/").get_data(as_text=True)
    assert "Sortie au musée" in page and school.parent.first_name not in page and "data-views" not in page
    assert reader.get(f"/apps/flash/admin/structures/{school.structure.id}").status_code in (403, 404)
    client.get("/auth/logout")
    admin = login_as(school.admin)
    admin_page = admin.get(f"/apps/flash/admin/structures/{school.structure.id}").get_data(as_text=True)
    assert "<td data-views>2</td>" in admin_page and school.parent.first_name not in admin_page
