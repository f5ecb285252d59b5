"""The Mes Applis editor and the users' page in Debian's Chromium (issue 19, points 4 and 5).

`direction` arranges Jules-Ferry's menu: moving a tile to the top of another group by keyboard takes two
interactions (focus the handle, Page ↓), saved at once and announced; the preview shows a parent's menu. Then
`parent.colin` orders favourites with the keyboard, searches, and sees the external link marked. Everything is put
back at the end (the demo server is shared). axe clean and screenshots at 1366 and 390 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .helpers import BLOCKING_IMPACTS, axe_violations, describe, log_in

SCHOOL = "École élémentaire Jules-Ferry"
WIDTHS = ((1366, 900), (390, 844))


def _check(page, name: str, screenshots_dir) -> None:
    """axe finds nothing serious or critical at 1366 and 390 px; a full-page screenshot of each is kept; no sideways
    scroll on the phone."""
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{name} at {width} px: serious or critical axe violations\n{describe(blocking)}"
        page.screenshot(path=str(screenshots_dir / f"{name}-{width}.png"), full_page=True)
        if width < 400:
            scroll = page.evaluate("document.scrollingElement.scrollWidth")
            assert scroll <= width, f"{name}: the page scrolls sideways on a {width} px phone ({scroll} px)"
    page.set_viewport_size({"width": 1366, "height": 900})


def _open_editor(admin) -> None:
    admin.goto("/admin/")
    admin.locator(".tiles a", has_text=SCHOOL).click()
    admin.get_by_role("link", name="Mes Applis : groupes, ordre et icônes du menu").click()
    expect(admin.get_by_role("heading", level=1, name=f"Mes Applis — {SCHOOL}")).to_be_visible()


def _group_keys(admin, index: int) -> list[str]:
    return admin.locator("ul.menu-tiles[data-group-id]").nth(index).locator("li.menu-tile").evaluate_all(
        "items => items.map(i => i.getAttribute('data-key'))")


def test_direction_arranges_the_menu_by_keyboard_and_previews_a_parents_view(new_context, screenshots_dir):
    admin = new_context(bypass_csp=True).new_page()
    log_in(admin, "direction")
    _open_editor(admin)
    try:
        admin.get_by_role("button", name="Arranger le menu").click()
        expect(admin.get_by_text("Cette structure a son propre menu.")).to_be_visible()
        first_before, second_before = _group_keys(admin, 0), _group_keys(admin, 1)
        assert first_before and second_before
        moving = first_before[-1]
        name = admin.locator(f'li.menu-tile[data-key="{moving}"]').get_attribute("data-name")

        # The task: this tile to the top of the next group, by keyboard. Each act a person does is counted.
        interactions = 0
        admin.get_by_role("button", name=f"Déplacer {name}").focus()
        interactions += 1
        admin.keyboard.press("PageDown")
        interactions += 1
        expect(admin.locator("#menu-groups")).to_have_attribute("data-saved", "1")
        assert interactions == 2
        expect(admin.locator("#menu-status")).to_contain_text(f"{name} : position 1 sur {len(second_before) + 1}")
        expect(admin.get_by_role("button", name=f"Déplacer {name}")).to_be_focused()
        admin.reload()
        assert _group_keys(admin, 1) == [moving, *second_before]  # saved on the server
        assert _group_keys(admin, 0) == first_before[:-1]
        _check(admin, "apps-menu-editor", screenshots_dir)

        # An external service's icon, picked in the searchable grid of the bundled set.
        external = admin.locator('li.menu-tile:has(a:text("Changer l\'icône"))').first  # a link or connector
        key = external.get_attribute("data-key")
        external.locator("summary").click()
        external.get_by_role("link", name="Changer l'icône").click()
        admin.get_by_label("Rechercher une icône (en anglais : book, calendar, school…)").fill("calendar")
        expect(admin.locator("#icon-grid li[data-search]:visible")).to_have_count(5)
        _check(admin, "apps-menu-icon-picker", screenshots_dir)
        admin.get_by_text("calendar-days").click()
        admin.get_by_role("button", name="Enregistrer l'icône").click()
        expect(admin.get_by_text("Icône enregistrée.")).to_be_visible()
        badge = admin.locator(f'li.menu-tile[data-key="{key}"] .tile-badge use').first
        assert badge.get_attribute("href").endswith("#calendar-days")

        admin.get_by_role("link", name="Aperçu : Parent").click()
        expect(admin.get_by_role("heading", level=2, name="Ce que voit un(e) Parent")).to_be_visible()
        _check(admin, "apps-menu-preview-parent", screenshots_dir)
    finally:
        _open_editor(admin)
        follow = admin.get_by_role("button", name="Reprendre la disposition de la structure parente")
        if follow.count():
            follow.click()
            expect(admin.get_by_text("La structure reprend la disposition de la structure parente.")).to_be_visible()


def test_a_parent_orders_favourites_by_keyboard_searches_and_sees_external_links(new_context, screenshots_dir):
    page = new_context(bypass_csp=True).new_page()
    log_in(page, "parent.colin")
    page.goto("/apps")
    expect(page.get_by_role("heading", level=1, name="Mes Applis")).to_be_visible()
    stars = page.locator("li.tile .tile__fav button[aria-pressed='false']")
    names = []
    try:
        for _ in range(2):
            names.append(stars.first.get_attribute("aria-label").removeprefix("Favori : "))
            stars.first.click()
            page.wait_for_load_state()
        favourites = page.locator("#favourite-tiles > li")
        expect(favourites).to_have_count(2)
        assert favourites.evaluate_all("items => items.map(i => i.dataset.name)") == names
        assert page.locator(f'section:not(.apps-group--favourites) li.tile[data-search] a:has-text("{names[0]}")'
                            ).count() == 0  # shown once

        page.get_by_role("button", name=f"Monter {names[1]}").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#apps-status")).to_contain_text(f"{names[1]} : position 1 sur 2")
        expect(page.locator("#favourite-tiles")).to_have_attribute("data-saved", re.compile(r".+"))
        page.reload()
        assert page.locator("#favourite-tiles > li").evaluate_all("items => items.map(i => i.dataset.name)") == [
            names[1], names[0]]

        external = page.locator("li.tile--external a").first
        expect(external).to_have_attribute("target", "_blank")
        expect(external).to_have_attribute("rel", "noopener noreferrer")
        expect(external.locator(".visually-hidden")).to_have_text("(nouvel onglet)")
        _check(page, "my-apps", screenshots_dir)

        page.get_by_label("Rechercher une application").fill("zzzz")
        expect(page.locator("#apps-none")).to_be_visible()
        expect(page.get_by_role("link", name="Voir toutes mes applications")).to_be_visible()
        page.get_by_label("Rechercher une application").fill(names[0][:4])
        expect(page.locator("#apps-none")).to_be_hidden()
    finally:
        page.goto("/apps")
        for button in page.locator("#favourite-tiles .tile__fav button").all()[::-1]:
            button.click()
            page.wait_for_load_state()
