"""Tests of the Hello plugin, written only with the fixtures Préau gives plugin authors (``preau.testing``):
``app``, ``db``, ``client``, ``school``, ``login_as`` and ``enable_plugin``.

Run them with ``python -m pytest -q`` (SQLite), or against PostgreSQL with
``PREAU_TEST_DATABASE_URL=postgresql+psycopg://user@host/db python -m pytest -q``.
"""

import pytest
from sqlalchemy import func, inspect, select, text

import preau_hello
from preau_hello import HelloNote
from preau_hello.notes import NoteError, add_note

PAGE = "/apps/hello/"


def _notes_count(db, user):
    return db.scalar(select(func.count()).select_from(HelloNote).where(HelloNote.user_id == user.id))


def test_manifest_and_contributions_validate():
    manifest = preau_hello.preau_app()
    manifest.validate()
    for item in [*preau_hello.preau_rights(), *preau_hello.preau_widgets(), *preau_hello.preau_connectors()]:
        item.validate(manifest.id)
    assert manifest.id == "hello" and manifest.entry_endpoint == "hello.index"


def test_page_is_closed_until_the_app_is_enabled_for_the_school(school, login_as):
    client = login_as(school.teacher)
    assert client.get(PAGE).status_code == 403  # the kernel's page: not open to you, whom to ask


def test_page_opens_once_the_app_is_enabled_for_the_school(school, login_as, enable_plugin):
    enable_plugin("hello", school.structure)
    response = login_as(school.teacher).get(PAGE)
    assert response.status_code == 200
    assert "Mes notes" in response.text and 'name="csrf_token"' in response.text


def test_page_stays_closed_for_a_profile_the_right_is_not_granted_to(school, login_as, enable_plugin):
    enable_plugin("hello", school.structure)
    assert login_as(school.student).get(PAGE).status_code == 403


def test_widget_shows_on_the_dashboard_once_enabled(school, login_as, enable_plugin):
    client = login_as(school.teacher)
    assert 'data-widget="hello.notes"' not in client.get("/").text
    enable_plugin("hello", school.structure)
    assert 'data-widget="hello.notes"' in client.get("/").text  # the frame; its content loads afterwards
    widget = client.get("/portal/widgets/hello.notes?size=apercu")
    assert widget.status_code == 200 and "Aucune note pour l’instant." in widget.text
    assert "n'a pas pu s'afficher" not in widget.text


def test_widget_lists_the_latest_notes(school, login_as, enable_plugin, db):
    enable_plugin("hello", school.structure)
    add_note(db, school.teacher.id, "Photocopies pour lundi")
    widget = login_as(school.teacher).get("/portal/widgets/hello.notes?size=apercu").text
    assert "1 note" in widget and "Photocopies pour lundi" in widget


def test_link_connector_appears_on_my_apps(school, login_as, enable_plugin):
    client = login_as(school.teacher)
    assert "Éduscol" not in client.get("/apps").text
    enable_plugin("hello", school.structure)
    apps = client.get("/apps").text
    assert 'href="/launch/plugin:hello.eduscol"' in apps and "Éduscol" in apps
    assert 'href="/apps/hello/"' in apps
    # The tile opens Préau's launch page, which records the visit and sends the person to the service.
    launched = client.get("/launch/plugin:hello.eduscol")
    assert launched.status_code == 303 and launched.headers["Location"] == "https://eduscol.education.fr/"


def test_a_note_is_saved_and_listed_for_its_author_only(school, login_as, enable_plugin, db):
    enable_plugin("hello", school.structure)
    client = login_as(school.teacher)
    response = client.post_form(PAGE, {"text": "  Sortie au musée jeudi  "})
    assert response.status_code == 302
    note = db.scalars(select(HelloNote).where(HelloNote.user_id == school.teacher.id)).one()
    assert note.text == "Sortie au musée jeudi"
    assert "Sortie au musée jeudi" in client.get(PAGE).text
    client.post_form("/auth/logout")
    colleague_page = login_as(school.staff).get(PAGE)
    assert colleague_page.status_code == 200 and "Aucune note pour l’instant." in colleague_page.text
    assert "Sortie au musée jeudi" not in colleague_page.text


def test_an_empty_note_is_refused_with_a_message_and_nothing_is_saved(school, login_as, enable_plugin, db):
    enable_plugin("hello", school.structure)
    response = login_as(school.teacher).post_form(PAGE, {"text": "   "})
    assert response.status_code == 400 and "Écrivez quelques mots." in response.text
    assert _notes_count(db, school.teacher) == 0


def test_a_too_long_note_is_refused_by_the_service(school, db):
    with pytest.raises(NoteError):
        add_note(db, school.teacher.id, "x" * 281)
    assert _notes_count(db, school.teacher) == 0


def test_a_forged_csrf_token_is_refused(school, login_as, enable_plugin, db):
    enable_plugin("hello", school.structure)
    client = login_as(school.teacher)
    response = client.post(PAGE, data={"text": "Forgée", "csrf_token": "forged-token"})
    assert response.status_code == 400 and "CSRF" in response.text
    assert client.post(PAGE, data={"text": "Sans jeton"}).status_code == 400
    assert _notes_count(db, school.teacher) == 0


def test_the_migration_created_the_table_under_its_own_version_table(db):
    connection = db.connection()
    tables = set(inspect(connection).get_table_names())
    assert {"hello_notes", "alembic_version_hello"} <= tables
    assert {c["name"] for c in inspect(connection).get_columns("hello_notes")} == {
        "id", "user_id", "text", "created_at"}
    assert db.scalar(text("SELECT version_num FROM alembic_version_hello")) == "hello_0001"
    assert "hello_0001" not in set(db.scalars(text("SELECT version_num FROM alembic_version")))


def test_notes_go_into_the_user_data_export_and_leave_with_the_user(school, db):
    add_note(db, school.teacher.id, "Pour Mes données")
    exported = preau_hello.preau_export_user_data(school.teacher)
    assert [n["text"] for n in exported["notes"]] == ["Pour Mes données"]
    preau_hello.preau_user_deleted(school.teacher.id)
    assert _notes_count(db, school.teacher) == 0
