"""Tests of the Cantine plugin, written only with what Préau publishes: the ``preau`` module and the fixtures of
its pytest plugin ``preau.testing`` (``app``, ``db``, ``client``, ``school``, ``login_as``, ``enable_plugin``…).

Run them with ``python -m pytest -q`` (SQLite), or against PostgreSQL with
``PREAU_TEST_DATABASE_URL=postgresql+psycopg://user@host/db python -m pytest -q``.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from preau import Profile
from preau.testing import build_school
from sqlalchemy import func, select

import preau_cantine
from preau_cantine import CantineMenu
from preau_cantine.menus import DayInput, MenuError, monday_of, save_week

WEEK = "/apps/cantine/"
EDIT = "/apps/cantine/modifier"
WIDGET = "/portal/widgets/cantine.today"
EMPTY = "Pas de menu publié pour aujourd’hui."
TODAY = date.today()
MONDAY = monday_of(TODAY)


def publish(db, school, day=TODAY, main="Hachis parmentier", **dishes):
    save_week(db, school.structure.id, [DayInput(day, main=main, **dishes)], school.staff.id)


def menus_count(db, school):
    return db.scalar(select(func.count()).select_from(CantineMenu)
                     .where(CantineMenu.structure_id == school.structure.id))


def week_form(monday=MONDAY, **days):
    """The edit form's fields: ``days`` maps a weekday index (``d0`` Monday … ``d4`` Friday) to its dishes."""
    form = {}
    for name, dishes in days.items():
        key = (monday + timedelta(days=int(name[1]))).isoformat()
        for field, value in dishes.items():
            form[f"{key}-{field}"] = value
    return form


def test_manifest_and_contributions_validate():
    manifest = preau_cantine.preau_app()
    manifest.validate()
    for item in [*preau_cantine.preau_rights(), *preau_cantine.preau_widgets()]:
        item.validate(manifest.id)
    assert manifest.id == "cantine" and manifest.theme == "Vie scolaire"
    assert {right.id for right in preau_cantine.preau_rights()} == {"cantine.access", "cantine.edit"}


def test_nothing_shows_until_the_app_is_enabled_for_the_school(school, login_as):
    client = login_as(school.student)
    assert client.get(WEEK).status_code == 403  # the kernel's page: not open to you, whom to ask
    assert client.get(WIDGET).status_code == 404
    assert 'data-widget="cantine.today"' not in client.get("/").text


def test_an_app_granted_to_students_only_gives_parents_and_staff_nothing(school, login_as, enable_plugin,
                                                                         grant_right, db):
    # The administrator's real flow: enable the app without its default grants, then grant one profile group.
    enable_plugin("cantine", school.structure, defaults=False)
    grant_right("cantine.access", school.structure, Profile.STUDENT)
    publish(db, school)
    client = login_as(school.student)
    assert client.get(WEEK).status_code == 200 and "Hachis parmentier" in client.get(WIDGET).text
    for who in (school.parent, school.staff):
        client.post_form("/auth/logout")
        client = login_as(who)
        assert client.get(WEEK).status_code == 403 and client.get(EDIT).status_code == 403
        assert client.get(WIDGET).status_code == 404
        assert 'data-widget="cantine.today"' not in client.get("/").text
        assert 'href="/apps/cantine/"' not in client.get("/apps").text

def test_the_widget_shows_todays_menu_to_a_student(school, login_as, enable_plugin, db):
    enable_plugin("cantine", school.structure)
    publish(db, school, starter="Carottes râpées", dessert="Yaourt", allergens=("lait",))
    client = login_as(school.student)
    assert 'data-widget="cantine.today"' in client.get("/").text  # on a student's default dashboard
    widget = client.get(WIDGET + "?size=apercu")
    assert widget.status_code == 200
    assert "Carottes râpées" in widget.text and "Hachis parmentier" in widget.text and "Yaourt" in widget.text
    assert "Allergènes : Lait" in widget.text and EMPTY not in widget.text
    miniature = client.get(WIDGET + "?size=miniature").text
    assert "Hachis parmentier" in miniature and "Carottes râpées" not in miniature


def test_the_widget_says_so_when_no_menu_is_published_today(school, login_as, enable_plugin, db):
    enable_plugin("cantine", school.structure)
    publish(db, school, day=TODAY + timedelta(days=1), main="Menu de demain")
    widget = login_as(school.student).get(WIDGET + "?size=apercu")
    assert widget.status_code == 200 and EMPTY in widget.text and "Menu de demain" not in widget.text
    assert 'href="/apps/cantine/"' in widget.text


def test_the_widget_escapes_what_staff_typed(school, login_as, enable_plugin, db):
    enable_plugin("cantine", school.structure)
    publish(db, school, main="<script>alert(1)</script>")
    widget = login_as(school.student).get(WIDGET).text
    assert "<script>alert(1)" not in widget and "&lt;script&gt;alert(1)&lt;/script&gt;" in widget


def test_the_week_page_shows_monday_to_friday(school, login_as, enable_plugin, db):
    enable_plugin("cantine", school.structure)
    publish(db, school, day=MONDAY, main="Poisson pané", allergens=("poissons", "gluten"))
    page = login_as(school.parent).get(WEEK)
    assert page.status_code == 200
    for name in ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi"):
        assert f"{name} " in page.text
    assert "Samedi" not in page.text
    assert "Poisson pané" in page.text and "Gluten, Poissons" in page.text
    assert page.text.count("Menu non publié.") == 4
    assert "Modifier les menus de la semaine" not in page.text  # a parent reads, staff publish
    if TODAY.weekday() < 5:
        assert page.text.count('aria-current="date"') == 1
    next_week = login_as(school.parent).get(f"{WEEK}?semaine={(MONDAY + timedelta(days=7)).isoformat()}")
    assert next_week.status_code == 200 and "Poisson pané" not in next_week.text


def test_staff_publish_the_week(school, login_as, enable_plugin, db):
    enable_plugin("cantine", school.structure)
    client = login_as(school.staff)
    assert "Modifier les menus de la semaine" in client.get(WEEK).text
    form = client.get(f"{EDIT}?semaine={MONDAY.isoformat()}")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    response = client.post_form(f"{EDIT}?semaine={MONDAY.isoformat()}", week_form(
        d0={"starter": "Concombre", "main": "Lasagnes", "dessert": "Pomme", "allergens": ["gluten", "lait"]},
        d3={"main": "  Couscous  "}))
    assert response.status_code == 303
    saved = {m.day: m for m in db.scalars(select(CantineMenu).where(CantineMenu.structure_id == school.structure.id))}
    assert set(saved) == {MONDAY, MONDAY + timedelta(days=3)}
    assert saved[MONDAY].allergens == "gluten,lait" and saved[MONDAY + timedelta(days=3)].main == "Couscous"
    assert saved[MONDAY].updated_by_id == school.staff.id
    page = client.get(response.headers["Location"]).text
    assert "Menus de la semaine enregistrés." in page and "Lasagnes" in page and "Couscous" in page
    # An emptied day loses its menu; the others are kept as typed again.
    client.post_form(f"{EDIT}?semaine={MONDAY.isoformat()}", week_form(d0={"main": "Lasagnes"}))
    assert [m.day for m in db.scalars(select(CantineMenu))] == [MONDAY]


def test_a_week_with_errors_is_refused_with_precise_messages_and_nothing_saved(school, login_as, enable_plugin,
                                                                               db):
    enable_plugin("cantine", school.structure)
    client = login_as(school.staff)
    response = client.post_form(EDIT, week_form(d0={"main": "Riz"}, d1={"dessert": "Compote"},
                                                d2={"main": "x" * 121}, d4={"main": "Pâtes", "allergens": ["nope"]}))
    assert response.status_code == 400
    tuesday = (MONDAY + timedelta(days=1)).isoformat()
    assert "Indiquez le plat : une entrée, un dessert ou des allergènes seuls ne font pas un menu." in response.text
    field = re.search(rf'<input [^>]*id="{tuesday}-main"[^>]*>', response.text).group(0)
    assert 'aria-invalid="true"' in field and f'aria-describedby="{tuesday}-main-error"' in field
    # The summary at the top names each faulty field and links to it.
    summary = f'<a href="#{tuesday}-main">Mardi {MONDAY + timedelta(days=1):%d/%m}, Plat : Indiquez le plat'
    assert summary in response.text
    assert "120 caractères au plus." in response.text and "Allergène inconnu : nope." in response.text
    assert 'value="Compote"' in response.text  # what was typed is kept
    assert menus_count(db, school) == 0


def test_the_service_checks_every_day_before_writing(school, db):
    with pytest.raises(MenuError) as refused:
        save_week(db, school.structure.id, [DayInput(MONDAY, main="Riz"), DayInput(TODAY, starter="Radis")],
                  school.staff.id)
    assert list(refused.value.errors) == [f"{TODAY.isoformat()}-main"]
    assert menus_count(db, school) == 0


@pytest.mark.parametrize("who", ["teacher", "student", "parent"])
def test_only_staff_reach_the_edit_form(school, login_as, enable_plugin, db, who):
    enable_plugin("cantine", school.structure)
    client = login_as(getattr(school, who))
    assert client.get(WEEK).status_code == 200
    assert client.get(EDIT).status_code == 404
    assert client.post_form(EDIT, week_form(d0={"main": "Intrus"})).status_code == 404
    assert menus_count(db, school) == 0


def test_staff_may_not_edit_a_school_that_is_not_theirs(school, login_as, enable_plugin, db):
    other = build_school(db, name="Collège Voltaire", uai="0750002B", city_name="Autre ville")
    enable_plugin("cantine", school.structure)
    enable_plugin("cantine", other.structure)
    client = login_as(school.staff)
    refused = client.get(f"{EDIT}?etab={other.structure.id}")
    assert refused.status_code == 403 and "Vous ne publiez pas les menus de cet établissement." in refused.text
    response = client.post_form(f"{EDIT}?etab={other.structure.id}", week_form(d0={"main": "Intrus"}))
    assert response.status_code == 403
    assert client.get(f"{WEEK}?etab={other.structure.id}").status_code == 404
    assert db.scalar(select(func.count()).select_from(CantineMenu)) == 0


def test_a_forged_csrf_token_is_refused(school, login_as, enable_plugin, db):
    enable_plugin("cantine", school.structure)
    client = login_as(school.staff)
    form = {f"{MONDAY.isoformat()}-main": "Forgé", "csrf_token": "forged-token"}
    assert client.post(EDIT, data=form).status_code == 400
    assert menus_count(db, school) == 0


def _set(client, school, **values):
    """The administrator's real flow: the app's settings form of the services administration."""
    form = {key: "1" for key, on in values.items() if on}
    response = client.post_form(f"/admin/structures/{school.structure.id}/apps/cantine/settings", form)
    assert response.status_code == 302, response.text


def test_the_schools_settings_change_what_is_shown(school, login_as, enable_plugin, db):
    enable_plugin("cantine", school.structure)
    publish(db, school, day=MONDAY, main="Omelette", allergens=("oeufs",))
    publish(db, school, day=MONDAY + timedelta(days=2), main="Menu du mercredi")
    publish(db, school, main="Omelette du jour", allergens=("oeufs",))
    week = f"{WEEK}?semaine={MONDAY.isoformat()}"
    _set(login_as(school.admin), school, show_allergens=False, wednesday=True)
    client = login_as(school.student)
    assert "Œufs" not in client.get(week).text and "Allergènes" not in client.get(WIDGET).text
    assert "Menu du mercredi" in client.get(week).text

    _set(login_as(school.admin), school, show_allergens=True, wednesday=False)
    page = login_as(school.student).get(week).text
    assert "Œufs" in page and "Menu du mercredi" not in page and "Pas de service ce jour-là." in page
    form = login_as(school.staff).get(f"{EDIT}?semaine={MONDAY.isoformat()}").text
    assert (MONDAY + timedelta(days=2)).isoformat() + "-main" not in form
    assert (MONDAY + timedelta(days=1)).isoformat() + "-main" in form


def test_english_comes_from_the_plugins_own_catalogue(school, login_as, enable_plugin, db):
    enable_plugin("cantine", school.structure)
    client = login_as(school.student)
    assert client.post_form("/lang", {"lang": "en"}).status_code in (302, 303)  # the kernel's language switch
    assert "No menu published for today." in client.get(WIDGET).text
    page = client.get(WEEK).text
    assert "Canteen menus" in page and "Monday" in page and "Menus de la cantine" not in page
    assert "Today's menu" in html.unescape(client.get("/").text)  # the widget's title, shown by the kernel


def test_the_kernel_shows_the_plugins_labels_from_its_catalogue(school, login_as, enable_plugin):
    enable_plugin("cantine", school.structure)
    client = login_as(school.admin)
    client.post_form("/lang", {"lang": "en"})
    page = html.unescape(client.get(f"/admin/structures/{school.structure.id}/apps").text)
    assert "Canteen" in page and "Publish the canteen's menus" in page and "Show allergens" in page
    assert "Publier les menus de la cantine" not in page and "Afficher les allergènes" not in page
