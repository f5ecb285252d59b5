"""The "Mes Applis" menu of a structure (issue 19, points 4 and 5): groups and order arranged by administrators,
inherited downward and overridable, hidden per profile, icons of links and connectors; the users' page follows
it, with favourites in the person's order, shown once, and external links marked."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from preau.models import AppFavourite, AppsMenuGroup, AppsMenuTile, AuditEvent
from preau.portal import apps_menu as menus
from preau.portal.services import add_link
from preau.testing import build_school


@pytest.fixture
def apps(school, enable_plugin, db):
    """Messaging and the welcome app for everyone of the city, a link for parents and teachers."""
    enable_plugin("messaging", school.city)
    enable_plugin("welcome", school.city)
    link = add_link(db, school.structure, title="Cantine scolaire", url="https://cantine.example.fr/",
                    theme="Vie scolaire", profiles=["relative", "teacher"])
    db.commit()
    return link


def _tiles(app, db, structure):
    return menus.structure_tiles(db, app.extensions["preau.plugins"], structure)


def _menu(db, structure):
    db.expire_all()
    menu = menus._load_menu(db, structure.id)
    groups = {gid: name for gid, name in menu.groups}
    order: dict[str, list[str]] = {name: [] for name in groups.values()}
    for key, placed in sorted(menu.placements.items(), key=lambda kv: kv[1].position):
        order[groups[placed.group_id]].append(key)
    return menu, order


def _editor(structure):
    return f"/admin/structures/{structure.id}/apps-menu"


def _group_ids(db, structure) -> dict[str, int]:
    return dict(db.execute(select(AppsMenuGroup.name, AppsMenuGroup.id)
                           .where(AppsMenuGroup.structure_id == structure.id)).all())


def _page_order(html: str, names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: html.index(n) if n in html else 1 << 30)


# -- the rules -------------------------------------------------------------------------------------------


def test_customising_groups_the_tiles_by_theme_then_moves_and_renames_are_audited(app, db, school, apps):
    tiles = _tiles(app, db, school.structure)
    keys = {t.key for t in tiles}
    assert {"app:messaging", "app:welcome", f"link:{apps.id}"} <= keys
    menus.customise(db, school.structure, tiles, actor=school.admin.id)
    _menu_, order = _menu(db, school.structure)
    assert order["Communication"] == ["app:messaging"] and order["Vie scolaire"] == [f"link:{apps.id}"]
    groups = _group_ids(db, school.structure)
    menus.move_tile(db, school.structure, tiles, f"link:{apps.id}", groups["Communication"], 0,
                    actor=school.admin.id)
    menus.rename_group(db, school.structure, groups["Communication"], "  Échanger   et lire ", actor=school.admin.id)
    _menu_, order = _menu(db, school.structure)
    assert order["Échanger et lire"] == [f"link:{apps.id}", "app:messaging"] and order["Vie scolaire"] == []
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("apps_menu.%"))))
    assert actions == {"apps_menu.customised", "apps_menu.tile_moved", "apps_menu.group_renamed"}


def test_a_city_menu_applies_to_its_schools_until_one_overrides_then_follows_it_again(app, db, school, apps):
    city_tiles = _tiles(app, db, school.city)
    menus.customise(db, school.city, city_tiles)
    city_groups = _group_ids(db, school.city)
    menus.add_group(db, school.city, "Au quotidien")
    menus.move_tile(db, school.city, city_tiles, "app:welcome", _group_ids(db, school.city)["Au quotidien"], 0)
    inherited, order = _menu(db, school.structure)
    assert inherited.owner_id == school.city.id and not inherited.own(school.structure.id)
    assert "Au quotidien" in [name for _gid, name in inherited.groups]
    menus.customise(db, school.structure, _tiles(app, db, school.structure))  # a copy of the city's
    own, order = _menu(db, school.structure)
    assert own.own(school.structure.id) and order["Au quotidien"] == ["app:welcome"]
    assert set(_group_ids(db, school.structure)) == set(city_groups) | {"Au quotidien"}
    menus.follow_parent(db, school.structure)
    assert _menu(db, school.structure)[0].owner_id == school.city.id
    assert db.scalar(select(func.count()).select_from(AppsMenuTile)
                     .where(AppsMenuTile.structure_id == school.structure.id)) == 0


@pytest.mark.parametrize("change", [
    lambda db, s, other, tiles: menus.move_tile(db, s, tiles, "app:messaging", other, 0),
    lambda db, s, other, tiles: menus.rename_group(db, s, other, "Piratage"),
    lambda db, s, other, tiles: menus.delete_group(db, s, other),
    lambda db, s, other, tiles: menus.move_tile(db, s, tiles, "app:nope", None, 0),
    lambda db, s, other, tiles: menus.move_tile(db, s, tiles, "app:messaging", "1", 0),
    lambda db, s, other, tiles: menus.set_hidden(db, s, "app:messaging", ["root"]),
    lambda db, s, other, tiles: menus.set_icon(db, s, "app:messaging", "school"),  # an app keeps its editor's
    lambda db, s, other, tiles: menus.add_group(db, s, " "),
    lambda db, s, other, tiles: menus.add_group(db, s, "x" * 81),
])
def test_a_change_outside_the_structures_own_menu_is_refused(app, db, school, apps, change):
    other = build_school(db, "École Victor-Hugo", uai="0750002B", city_name="Autre ville")
    menus.customise(db, other.structure, _tiles(app, db, other.structure))
    tiles = _tiles(app, db, school.structure)
    menus.customise(db, school.structure, tiles)
    db.commit()
    foreign = next(iter(_group_ids(db, other.structure).values()))
    before = _menu(db, school.structure)[1]
    with pytest.raises(menus.MenuError):
        change(db, school.structure, foreign, tiles)
    db.rollback()
    assert _menu(db, school.structure)[1] == before


def test_a_group_is_deleted_only_when_empty_and_never_the_last(app, db, school, apps):
    tiles = _tiles(app, db, school.structure)
    menus.customise(db, school.structure, tiles)
    groups = _group_ids(db, school.structure)
    with pytest.raises(menus.MenuError, match="contient des tuiles"):
        menus.delete_group(db, school.structure, groups["Communication"])
    empty = menus.add_group(db, school.structure, "Vide")
    menus.delete_group(db, school.structure, empty.id)
    assert "Vide" not in _group_ids(db, school.structure)


def test_the_preview_shows_what_reaches_a_profile_without_what_is_hidden_from_it(app, db, school, apps):
    tiles = _tiles(app, db, school.structure)
    menus.customise(db, school.structure, tiles)
    menus.set_hidden(db, school.structure, "app:welcome", ["student"])
    menu = menus._load_menu(db, school.structure.id)

    def seen(profile):
        return {t.key for g in menus.preview(tiles, menu, profile) for t in g.tiles}

    assert f"link:{apps.id}" in seen("relative") and f"link:{apps.id}" not in seen("student")
    assert "app:welcome" in seen("teacher") and "app:welcome" not in seen("student")
    assert "app:messaging" in seen("student")


# -- the editor's pages ----------------------------------------------------------------------------------


def test_the_structure_page_links_to_the_editor_which_shows_the_state(client, login_as, school, apps):
    client = login_as(school.admin)
    assert _editor(school.structure) in client.get(f"/admin/structures/{school.structure.id}").get_data(True)
    html = client.get(_editor(school.structure)).get_data(True)
    assert "Aucun menu n'est arrangé" in html and "Arranger le menu" in html and "Messagerie" in html


def test_an_admin_arranges_the_menu_through_the_forms_and_users_follow_it(db, client, login_as, school, apps):
    admin = login_as(school.admin)
    assert admin.post_form(f"{_editor(school.structure)}/customise").status_code == 303
    assert admin.post_form(f"{_editor(school.structure)}/groups", {"name": "Pour commencer"}).status_code == 303
    groups = _group_ids(db, school.structure)
    moved = admin.post_form(f"{_editor(school.structure)}/tiles/move",
                            {"key": "app:welcome", "group_id": str(groups["Pour commencer"]), "position": "0"})
    assert moved.status_code == 303
    admin.post_form(f"{_editor(school.structure)}/groups/move",
                    {"group_id": str(groups["Pour commencer"]), "position": "0"})
    admin.post_form(f"{_editor(school.structure)}/tiles/hidden", {"key": f"link:{apps.id}", "hidden": "teacher"})
    admin.get("/auth/logout")
    page = login_as(school.teacher).get("/apps").get_data(True)
    assert _page_order(page, ["Pour commencer", "Communication"]) == ["Pour commencer", "Communication"]
    assert "Cantine scolaire" not in page  # hidden from teachers
    client.get("/auth/logout")
    assert "Cantine scolaire" in login_as(school.parent).get("/apps").get_data(True)


def test_a_json_move_answers_the_position_and_needs_the_csrf_token(db, client, login_as, school, apps):
    admin = login_as(school.admin)
    admin.post_form(f"{_editor(school.structure)}/customise")
    group = _group_ids(db, school.structure)["Communication"]
    data = {"key": "app:welcome", "group_id": str(group), "position": "5"}
    assert admin.post(f"{_editor(school.structure)}/tiles/move", data=data).status_code == 400  # no token
    response = admin.post_form(f"{_editor(school.structure)}/tiles/move", data,
                               headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json() == {"position": 1}
    assert _menu(db, school.structure)[1]["Communication"] == ["app:messaging", "app:welcome"]


@pytest.mark.parametrize("form", [
    {"key": "app:welcome", "group_id": "abc", "position": "0"},
    {"key": "app:welcome", "group_id": "-1", "position": "0"},
    {"key": "app:welcome", "group_id": "{group}", "position": "x"},
    {"key": "app:inconnue", "group_id": "{group}", "position": "0"},
    {"key": "app:welcome", "group_id": "{foreign}", "position": "0"},
])
def test_forged_ids_are_refused_with_400_and_nothing_changes(db, client, login_as, school, apps, app, form):
    other = build_school(db, "École Victor-Hugo", uai="0750002B", city_name="Autre ville")
    menus.customise(db, other.structure, _tiles(app, db, other.structure))
    db.commit()
    admin = login_as(school.admin)
    admin.post_form(f"{_editor(school.structure)}/customise")
    values = {"group": str(_group_ids(db, school.structure)["Communication"]),
              "foreign": str(next(iter(_group_ids(db, other.structure).values())))}
    before = _menu(db, school.structure)[1]
    sent = {k: v.format(**values) for k, v in form.items()}
    response = admin.post_form(f"{_editor(school.structure)}/tiles/move", sent)
    assert response.status_code == 400
    assert _menu(db, school.structure)[1] == before and _menu(db, other.structure)[1]


def test_an_admin_of_another_school_gets_403_and_nothing_changes(db, client, login_as, school, apps):
    other = build_school(db, "École Victor-Hugo", uai="0750002B", city_name="Autre ville")
    db.commit()
    client = login_as(other.admin)
    assert client.get(_editor(school.structure)).status_code == 403
    assert client.post_form(f"{_editor(school.structure)}/customise").status_code == 403
    assert client.post_form(f"{_editor(school.structure)}/groups", {"name": "x"}).status_code == 403
    assert db.scalar(select(func.count()).select_from(AppsMenuGroup)) == 0


def test_a_plain_user_cannot_reach_the_editor(client, login_as, school, apps):
    assert login_as(school.teacher).get(_editor(school.structure)).status_code == 403


def _png(side=32) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (20, 90, 160)).save(out, "PNG")
    return out.getvalue()


def test_a_link_takes_an_icon_of_the_set_or_an_uploaded_png_but_no_svg(db, client, login_as, school, apps):
    admin = login_as(school.admin)
    admin.post_form(f"{_editor(school.structure)}/customise")
    key = f"link:{apps.id}"
    picker = admin.get(f"{_editor(school.structure)}/icon?key={key}").get_data(True)
    assert 'value="utensils"' in picker and "Rechercher une icône" in picker
    assert admin.post_form(f"{_editor(school.structure)}/icon", {"key": key, "icon": "utensils"}).status_code == 303
    assert admin.post_form(f"{_editor(school.structure)}/icon", {"key": key, "icon": "nope"}).status_code == 400
    svg = (io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "logo.svg")
    refused = admin.post_form(f"{_editor(school.structure)}/icon", {"key": key, "image": svg},
                              content_type="multipart/form-data")
    assert refused.status_code == 400
    big = (io.BytesIO(_png(1500)), "grand.png")
    assert admin.post_form(f"{_editor(school.structure)}/icon", {"key": key, "image": big},
                           content_type="multipart/form-data").status_code == 400
    assert db.scalar(select(AppsMenuTile.icon).where(AppsMenuTile.tile_key == key)) == "utensils"
    ok = admin.post_form(f"{_editor(school.structure)}/icon", {"key": key, "image": (io.BytesIO(_png()), "logo.png")},
                         content_type="multipart/form-data")
    assert ok.status_code == 303
    admin.get("/auth/logout")
    page = login_as(school.parent).get("/apps").get_data(True)
    tile_id = db.scalar(select(AppsMenuTile.id).where(AppsMenuTile.tile_key == key))
    assert f"/apps/menu-icons/{tile_id}" in page
    image = client.get(f"/apps/menu-icons/{tile_id}")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"


# -- the users' page -------------------------------------------------------------------------------------


def test_without_a_menu_the_page_groups_by_theme_as_before(client, login_as, school, apps):
    page = login_as(school.parent).get("/apps").get_data(True)
    assert _page_order(page, ["Communication", "Outils", "Vie scolaire"]) == ["Communication", "Outils",
                                                                               "Vie scolaire"]


def test_a_favourite_is_shown_once_in_the_users_order(db, client, login_as, school, apps):
    parent = login_as(school.parent)
    for key in ("app:messaging", "app:welcome", f"link:{apps.id}"):
        parent.post_form("/apps/favourites", {"key": key, "on": "1"})
    assert parent.post_form("/apps/favourites/move", {"key": f"link:{apps.id}", "position": "0"}).status_code == 303
    page = parent.get("/apps").get_data(True)
    assert page.count('data-search="messagerie communication"') == 1  # not repeated below
    favourites = page[page.index('id="favourite-tiles"'):page.index("</ul>", page.index('id="favourite-tiles"'))]
    assert _page_order(favourites, ["Cantine scolaire", "Messagerie", "Accueil"])[0] == "Cantine scolaire"
    order = db.scalars(select(AppFavourite.item_key).where(AppFavourite.user_id == school.parent.id)
                       .order_by(AppFavourite.position)).all()
    assert order == [f"link:{apps.id}", "app:messaging", "app:welcome"]


def test_moving_a_favourite_refuses_a_forged_key_or_position_and_needs_csrf(db, client, login_as, school, apps):
    parent = login_as(school.parent)
    parent.post_form("/apps/favourites", {"key": "app:messaging", "on": "1"})
    parent.post_form("/apps/favourites", {"key": "app:welcome", "on": "1"})
    for form in ({"key": "app:gar", "position": "0"}, {"key": "app:welcome", "position": "-1"},
                 {"key": "app:welcome", "position": "un"}):
        response = parent.post_form("/apps/favourites/move", form, headers={"Accept": "application/json"})
        assert response.status_code == 400 and response.get_json()["error"]
    assert parent.post("/apps/favourites/move", data={"key": "app:welcome", "position": "0"}).status_code == 400
    assert db.scalars(select(AppFavourite.item_key).where(AppFavourite.user_id == school.parent.id)
                      .order_by(AppFavourite.position)).all() == ["app:messaging", "app:welcome"]


def test_external_links_open_in_a_new_tab_and_say_so(client, login_as, school, apps):
    page = login_as(school.parent).get("/apps").get_data(True)
    link = page[page.index('href="https://cantine.example.fr/"'):]
    link = link[:link.index("</a>")]
    assert 'target="_blank" rel="noopener noreferrer"' in link
    assert "sprite.svg#external-link" in link and "(nouvel onglet)" in link
    messaging = page[page.index('data-search="messagerie communication"'):]
    assert "_blank" not in messaging[:messaging.index("</a>")]
    assert "sprite.svg#mail" in messaging[:messaging.index("</a>")]  # the app's own icon
