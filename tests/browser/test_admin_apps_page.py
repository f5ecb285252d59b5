"""The services administration's apps page in Debian's Chromium: axe clean at 1280 and 375 px, no sideways
scroll, screenshots kept. Nothing is changed (the demo server is shared by the browser session)."""

from __future__ import annotations

from playwright.sync_api import expect

from .test_communication_pages import _check_page


def test_the_apps_page_of_a_school(new_context, session_state, screenshots_dir):
    page = new_context(bypass_csp=True, storage_state=session_state("direction")).new_page()
    page.goto("/admin/")
    page.locator(".tiles a", has_text="École élémentaire Jules-Ferry").click()
    page.get_by_role("link", name="Applications : activation et droits").click()
    expect(page.get_by_role("heading", level=1, name="Applications de École élémentaire Jules-Ferry")).to_be_visible()
    messaging = page.locator("#app-messaging")
    expect(messaging.get_by_role("heading", level=2)).to_contain_text("Messagerie")
    expect(messaging.get_by_label("Pour École élémentaire Jules-Ferry")).to_have_value("inherit")
    _check_page(page, "admin-apps", screenshots_dir)
