"""At 375 px wide (a small phone), pages fit without horizontal scrolling and the bar's menus open."""

from __future__ import annotations

from playwright.sync_api import expect

PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _horizontal_overflow(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth") - 375


def _widest(page) -> str:
    """The elements that stick out of the screen, to say what overflows when a page does."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 8).map(e => `${e.tagName}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px): `
                              + (e.textContent || '').trim().slice(0, 60)).join('\\n')""")


def _assert_inside_viewport(locator) -> None:
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375, f"sticks out of the 375 px screen: {box}"


def test_login_page_fits_a_375_px_screen(new_context, screenshots_dir):
    page = new_context(**PHONE).new_page()
    page.goto("/auth/login")

    assert _horizontal_overflow(page) <= 0
    _assert_inside_viewport(page.get_by_role("button", name="Se connecter"))
    page.screenshot(path=str(screenshots_dir / "login-375.png"), full_page=True)


def test_dashboard_fits_a_375_px_screen_and_its_menus_open(new_context, session_state, screenshots_dir):
    page = new_context(storage_state=session_state("parent.colin"), **PHONE).new_page()
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="Bonjour Claire")).to_be_visible()
    assert _horizontal_overflow(page) <= 0
    page.screenshot(path=str(screenshots_dir / "dashboard-375.png"), full_page=True)

    bar = page.get_by_role("banner")
    bar.locator("summary", has_text="Mes Applis").click()
    all_apps = bar.get_by_role("link", name="Toutes mes applis")
    expect(all_apps).to_be_visible()
    _assert_inside_viewport(all_apps)
    page.screenshot(path=str(screenshots_dir / "dashboard-375-apps-menu.png"))

    profile = bar.locator("summary", has_text="Claire COLIN")  # the name is hidden on a phone, still read
    expect(profile).to_have_accessible_name("Claire COLIN")
    profile.click()
    logout = bar.get_by_role("button", name="Se déconnecter")
    expect(logout).to_be_visible()
    expect(all_apps).to_be_hidden()  # one menu open at a time
    _assert_inside_viewport(bar.locator(".bar__profile .menu__list"))
    assert _horizontal_overflow(page) <= 0
    page.screenshot(path=str(screenshots_dir / "dashboard-375-profile-menu.png"))

    page.keyboard.press("Escape")
    expect(logout).to_be_hidden()
    expect(profile).to_be_focused()
    page.keyboard.press("Enter")  # a summary opens with the keyboard too
    expect(logout).to_be_visible()

    logout.click()
    expect(page.get_by_role("heading", level=1, name="Connexion")).to_be_visible()


def test_admin_structure_page_fits_a_375_px_screen(new_context, session_state, screenshots_dir):
    page = new_context(storage_state=session_state("admin"), **PHONE).new_page()
    page.goto("/admin/")
    page.locator(".tiles a", has_text="École élémentaire Jules-Ferry").click()
    expect(page.get_by_role("heading", level=1, name="École élémentaire Jules-Ferry")).to_be_visible()

    page.screenshot(path=str(screenshots_dir / "admin-structure-375.png"), full_page=True)
    assert _horizontal_overflow(page) <= 0, _widest(page)


def test_role_switch_of_a_two_role_account_fits_a_375_px_screen(new_context, session_state, screenshots_dir):
    page = new_context(storage_state=session_state("prof.bernard"), **PHONE).new_page()
    page.goto("/")
    page.get_by_role("banner").locator(".bar__profile > summary").click()

    role = page.get_by_label("Agir en tant que")
    expect(role).to_be_visible()
    _assert_inside_viewport(role)
    _assert_inside_viewport(page.get_by_role("button", name="Changer"))
    assert _horizontal_overflow(page) <= 0
    page.screenshot(path=str(screenshots_dir / "dashboard-375-two-roles-menu.png"))
