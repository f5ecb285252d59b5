"""The demo tells one story, looked at in Debian's Chromium: each demo account's dashboard at 1366 and 390 px
(screenshots kept), no widget failing, a student without parents' widgets, the école without Pronote, the
collège with it; a teacher opening an app not open to them gets the page that says whom to ask; the footer's
language menu switches to English in two activations, by mouse and by keyboard, axe clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import BLOCKING_IMPACTS, axe_violations, describe

WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
ACCOUNTS = ("parent.colin", "eleve.lea", "eleve.tom", "prof.martin", "prof.bernard", "direction",
            "personnel.durand")


def _dashboard(new_context, session_state, login: str, viewport=WIDE):
    page = new_context(storage_state=session_state(login), bypass_csp=True, viewport=viewport).new_page()
    page.goto("/")
    page.wait_for_load_state("networkidle")
    return page


def _no_blocking(page, name: str) -> None:
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{name}: serious or critical axe violations\n{describe(blocking)}"


@pytest.mark.parametrize("login", ACCOUNTS)
def test_every_demo_dashboard_renders_its_widgets(login, new_context, session_state, screenshots_dir):
    for viewport in (WIDE, PHONE):
        page = _dashboard(new_context, session_state, login, viewport)
        widgets = page.locator("[data-widget]")
        assert widgets.count() >= 1, f"{login} has an empty dashboard"
        expect(page.locator(".widget__error, .widget--failed")).to_have_count(0)
        page.screenshot(path=str(screenshots_dir / f"demo-{login}-{viewport['width']}.png"), full_page=True)


@pytest.mark.parametrize("login", ["eleve.lea", "eleve.tom"])
def test_a_student_sees_no_parents_widget(login, new_context, session_state):
    page = _dashboard(new_context, session_state, login)
    expect(page.locator('[data-widget="carnet.to_sign"]')).to_have_count(0)
    expect(page.get_by_role("heading", name="Mots à signer")).to_have_count(0)


def test_the_ecole_has_no_pronote_and_the_college_has_it(new_context, session_state):
    lea = _dashboard(new_context, session_state, "eleve.lea")
    expect(lea.locator('[data-widget="pronote.block"]')).to_have_count(0)
    expect(lea.locator('[data-widget="vie_scolaire.grades"] .vie-scolaire__skills li').first).to_be_visible()
    tom = _dashboard(new_context, session_state, "eleve.tom")
    expect(tom.locator('[data-widget="pronote.block"] .pronote__grades li').first).to_be_visible()
    expect(tom.locator('[data-widget="vie_scolaire.grades"]')).to_have_count(0)


def test_an_app_not_open_to_a_teacher_says_whom_to_ask(new_context, session_state, screenshots_dir):
    page = new_context(storage_state=session_state("prof.martin"), bypass_csp=True, viewport=WIDE).new_page()
    response = page.goto("/apps/vie_scolaire/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("« Notes et vie scolaire » n'est pas ouverte pour vous")
    expect(page.locator(".app-closed__admins")).to_contain_text("Didier Lambert")
    write = page.get_by_role("link", name="Lui écrire")
    expect(write).to_have_count(1)
    _no_blocking(page, "app-not-open")
    page.screenshot(path=str(screenshots_dir / "app-not-open-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(screenshots_dir / "app-not-open-390.png"), full_page=True)
    write.click()
    expect(page).to_have_url(re.compile(r"/apps/messaging/compose\?to=u"))
    expect(page.locator("#compose-form")).to_contain_text("Didier")


def test_the_language_menu_switches_to_english_in_two_clicks(new_context, screenshots_dir):
    page = new_context(bypass_csp=True, viewport=WIDE).new_page()
    page.goto("/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.locator(".lang-menu__toggle").click()  # 1: open the menu ("Langue : Français")
    english = page.get_by_role("button", name="English")
    expect(page.get_by_role("button", name="Français")).to_have_attribute("aria-current", "true")
    _no_blocking(page, "language-menu-open")
    page.screenshot(path=str(screenshots_dir / "language-menu-1366.png"), full_page=True)
    english.click()  # 2: choose
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    toggle = page.locator(".lang-menu__toggle")
    expect(toggle).to_contain_text("English")
    toggle.click()
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")
    page.get_by_role("button", name="Français").click()  # leave the shared browser in French
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_the_language_menu_works_with_the_keyboard(new_context):
    page = new_context(bypass_csp=True, viewport=PHONE).new_page()
    page.goto("/auth/login")
    toggle = page.locator(".lang-menu__toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="English")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="English")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
