"""A parent logs in through the real login form, with the mouse and with the keyboard only."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .helpers import DEMO_PASSWORD, log_in


def _expect_parent_dashboard(page) -> None:
    expect(page.get_by_role("heading", level=1, name="Bonjour Claire")).to_be_visible()
    expect(page.locator("article.widget").first).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Bienvenue")).to_be_visible()


def test_parent_logs_in_with_the_form_and_reaches_the_dashboard(new_context, screenshots_dir):
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/auth/login\?next=%2F$"))  # anonymous visitors are sent to the form
    page.screenshot(path=str(screenshots_dir / "login-desktop.png"), full_page=True)

    log_in(page, "parent.colin")

    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))  # the dashboard
    _expect_parent_dashboard(page)
    bar = page.get_by_role("banner")
    expect(bar).to_have_class("bar profile-relative")  # the parent's blue
    profile_menu = bar.locator("summary", has_text="Claire Colin")
    expect(profile_menu).to_be_visible()
    page.screenshot(path=str(screenshots_dir / "dashboard-desktop.png"), full_page=True)
    profile_menu.click()
    expect(bar.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(bar.get_by_role("link", name="Mes jetons d'accès API")).to_be_visible()
    page.screenshot(path=str(screenshots_dir / "dashboard-desktop-profile-menu.png"))


def test_login_works_with_the_keyboard_only(new_context):
    page = new_context().new_page()
    page.goto("/auth/login")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # the skip link shows itself when focused

    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "login":
            break
    expect(page.get_by_label("Identifiant")).to_be_focused()
    page.keyboard.type("parent.colin")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1, name="Bonjour Claire")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Bienvenue")).to_be_visible()


def test_a_wrong_password_keeps_the_form_with_a_french_message(new_context):
    page = new_context().new_page()
    log_in(page, "parent.colin", "pas-le-bon")

    assert "/auth/login" in page.url
    expect(page.locator(".flash--error")).to_have_text("Identifiant ou mot de passe incorrect.")
    expect(page.get_by_label("Identifiant")).to_have_value("parent.colin")
