"""Services administration in Debian's Chromium: `direction` adds the Pronote connector for Parents only at
Jules-Ferry; `parent.colin` then sees it in Mes Applis, `eleve.lea` does not. The connector is removed at the end
(the demo server is shared by the whole browser session). axe at 1280 and 375 px, screenshots kept."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import BLOCKING_IMPACTS, axe_violations, describe, log_in

WIDTHS = ((1280, 800), (375, 740))


def _check_page(page, name: str, screenshots_dir) -> None:
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{name} at {width} px: serious or critical axe violations\n{describe(blocking)}"
        page.screenshot(path=str(screenshots_dir / f"{name}-{width}.png"), full_page=True)
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= 375, f"{name}: the page scrolls sideways on a 375 px phone ({scroll_width} px wide)"
    page.set_viewport_size({"width": 1280, "height": 800})


def _fresh_page(new_context, login: str):
    """A page logged in through the form now: other tests may have ended the cached sessions of shared users."""
    page = new_context().new_page()
    log_in(page, login)
    return page


def _tile_names(page) -> list[str]:
    page.goto("/apps")
    expect(page.get_by_role("heading", level=1, name="Mes Applis")).to_be_visible()
    return page.locator(".tile__name").all_inner_texts()


def test_direction_adds_pronote_for_parents_and_only_parents_see_it(new_context, screenshots_dir):
    admin = new_context(bypass_csp=True).new_page()
    log_in(admin, "direction")
    admin.goto("/admin/")
    admin.locator(".tiles a", has_text="École élémentaire Jules-Ferry").click()
    admin.get_by_role("link", name="Services : liens et connecteurs").click()
    expect(admin.get_by_role("heading", level=1, name="Services — École élémentaire Jules-Ferry")).to_be_visible()
    _check_page(admin, "services-admin", screenshots_dir)
    admin.get_by_label("Ajouter un service du catalogue").select_option(label="Pronote — Index Éducation")
    admin.get_by_role("button", name="Ajouter le connecteur").click()
    try:
        expect(admin.get_by_role("heading", level=1, name="Connecteur Pronote")).to_be_visible()
        _check_page(admin, "services-connector", screenshots_dir)
        for profile in ("Enseignant", "Élève", "Personnel", "Invité"):
            admin.get_by_label(profile, exact=True).uncheck()
        admin.get_by_label("Parent", exact=True).check()
        admin.get_by_label("Connecteur activé").check()
        admin.get_by_role("button", name="Enregistrer le connecteur").click()
        expect(admin.get_by_text("Connecteur enregistré.")).to_be_visible()
        expect(admin.locator("tr", has_text="Pronote").get_by_text("activé", exact=True)).to_be_visible()

        parent = _fresh_page(new_context, "parent.colin")
        assert "Pronote" in _tile_names(parent)
        link = parent.locator(".tile a", has_text="Pronote")
        expect(link).to_have_attribute("href", "https://0921234a.index-education.net/pronote/parent.html")
        student = _fresh_page(new_context, "eleve.lea")
        assert "Pronote" not in _tile_names(student)
    finally:
        admin.goto("/admin/")
        admin.locator(".tiles a", has_text="École élémentaire Jules-Ferry").click()
        admin.get_by_role("link", name="Services : liens et connecteurs").click()
        admin.get_by_role("link", name="Configurer Pronote").click()
        admin.get_by_role("button", name="Retirer le connecteur Pronote").click()
        expect(admin.get_by_text("Connecteur retiré.")).to_be_visible()
    assert "Pronote" not in _tile_names(_fresh_page(new_context, "parent.colin"))
