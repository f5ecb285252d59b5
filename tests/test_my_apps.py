"""« Mes Applis »: only what a grant reaches appears, grouped by theme, searchable without JavaScript, with
favourites stored per user and listed in the permanent bar's menu."""

from __future__ import annotations

from sqlalchemy import select

from preau.models import AppFavourite


def fav(client, key, on=True):
    return client.post_form("/apps/favourites", {"key": key, "on": "1" if on else "0"})


def test_only_the_apps_a_grant_reaches_appear(school, enable_plugin, login_as):
    client = login_as(school.teacher)
    assert "Messagerie" not in client.get("/apps").get_data(as_text=True)
    enable_plugin("messaging", school.city)
    html = client.get("/apps").get_data(as_text=True)
    assert "Messagerie" in html and "<h2" in html and "Communication" in html  # grouped under its theme


def test_the_search_filters_on_the_server_too_and_folds_accents(school, enable_plugin, login_as):
    enable_plugin("messaging", school.city)
    enable_plugin("welcome", school.city)
    client = login_as(school.teacher)
    everything = client.get("/apps").get_data(as_text=True)
    assert 'data-search="messagerie communication"' in everything
    found = client.get("/apps?q=MESSAGÉRIE").get_data(as_text=True)
    assert 'data-search="messagerie communication"' in found
    nothing = client.get("/apps?q=zzzz").get_data(as_text=True)
    assert "Aucune application ne correspond à votre recherche." in nothing
    assert 'data-search="messagerie communication"' not in nothing


def test_a_favourite_is_stored_and_listed_in_the_bar_menu(school, enable_plugin, login_as, db):
    enable_plugin("messaging", school.city)
    client = login_as(school.teacher)
    assert "menu__favourite" not in client.get("/").get_data(as_text=True)
    assert fav(client, "app:messaging").status_code == 303
    assert db.scalars(select(AppFavourite.item_key).where(AppFavourite.user_id == school.teacher.id)).all() == [
        "app:messaging"]
    html = client.get("/").get_data(as_text=True)
    assert 'class="menu__favourite"><a href="/apps/messaging/"' in html
    assert 'aria-pressed="true"' in client.get("/apps").get_data(as_text=True)
    fav(client, "app:messaging", on=False)
    assert db.scalars(select(AppFavourite).where(AppFavourite.user_id == school.teacher.id)).all() == []


def test_a_favourite_outside_the_users_apps_is_refused(school, enable_plugin, login_as, db):
    client = login_as(school.teacher)
    response = fav(client, "app:messaging")  # installed, but not enabled for this school
    assert response.status_code == 303
    assert "Cette application ne vous est pas ouverte." in client.get("/apps").get_data(as_text=True)
    assert db.scalars(select(AppFavourite).where(AppFavourite.user_id == school.teacher.id)).all() == []


def test_a_favourite_whose_grant_is_withdrawn_disappears(school, enable_plugin, login_as, db):
    from preau.rights import set_enabled

    enable_plugin("messaging", school.city)
    client = login_as(school.teacher)
    fav(client, "app:messaging")
    set_enabled(db, school.structure, "messaging", False)
    db.flush()
    assert "menu__favourite" not in client.get("/").get_data(as_text=True)
    assert "Messagerie" not in client.get("/apps").get_data(as_text=True)


def test_a_favourite_change_needs_the_csrf_token(school, enable_plugin, login_as, db):
    enable_plugin("messaging", school.city)
    client = login_as(school.teacher)
    assert client.post("/apps/favourites", data={"key": "app:messaging", "on": "1"}).status_code == 400
    assert db.scalars(select(AppFavourite)).all() == []


def test_links_of_the_services_administration_appear_for_their_profiles_only(school, login_as, db, app):
    from preau.portal.services import add_link

    add_link(db, school.structure, title="Cantine scolaire", url="https://cantine.example.fr/", theme="Vie scolaire",
             profiles=["relative"])
    db.flush()
    parent = login_as(school.parent)
    html = parent.get("/apps").get_data(as_text=True)
    assert "Cantine scolaire" in html and 'href="https://cantine.example.fr/"' in html
    link_key = next(line for line in html.splitlines() if 'name="key" value="link:' in line)
    key = link_key.split('value="')[1].split('"')[0]
    assert fav(parent, key).status_code == 303
    assert "menu__favourite" in parent.get("/").get_data(as_text=True)
    parent.post_form("/auth/logout")
    assert "Cantine scolaire" not in login_as(school.student).get("/apps").get_data(as_text=True)
