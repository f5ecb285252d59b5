"""Accounts administration in Debian's Chromium: `direction` (ADML of Jules-Ferry) opens the user list from the
school page, filters it to the students, opens Léa's card. Read-only (the demo server is shared). axe clean at
1280 and 375 px, screenshots kept."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import BLOCKING_IMPACTS, axe_violations, describe, log_in

SCHOOL = "École élémentaire Jules-Ferry"


def _check_page(page, name: str, screenshots_dir) -> None:
    for width, height in ((1280, 800), (375, 740)):
        page.set_viewport_size({"width": width, "height": height})
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{name} at {width} px: serious or critical axe violations\n{describe(blocking)}"
        page.screenshot(path=str(screenshots_dir / f"{name}-{width}.png"), full_page=True)
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= 375, f"{name}: the page scrolls sideways on a 375 px phone ({scroll_width} px wide)"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_user_list_filters_and_card(new_context, screenshots_dir):
    page = new_context(bypass_csp=True).new_page()  # axe is injected inline
    log_in(page, "direction")
    page.goto("/admin/")
    page.locator(".tiles a", has_text=SCHOOL).click()
    page.get_by_role("link", name="Utilisateurs : liste, filtres, export, création de comptes, groupes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Utilisateurs")
    page.get_by_label("Profil").select_option("student")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert all("Élève" in text for text in rows.locator("td:nth-child(3)").all_inner_texts())
    export = page.get_by_role("link", name="Exporter la liste filtrée (CSV)")
    assert "profile=student" in export.get_attribute("href")
    _check_page(page, "accounts-user-list", screenshots_dir)
    page.get_by_role("link", name="Léa", exact=False).first.click()
    expect(page.get_by_role("heading", name="Historique des blocages")).to_be_visible()
    expect(page.get_by_role("heading", name="Liens parent–enfant")).to_be_visible()
    expect(page.get_by_role("heading", name="Journal : actions sur ce compte et de ce compte")).to_be_visible()
    _check_page(page, "accounts-user-card", screenshots_dir)
