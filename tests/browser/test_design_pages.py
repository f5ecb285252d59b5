"""The structure page's grouped overview and the living design page /_design in a real browser, at 1366 and
390 px: axe finds nothing serious, nothing scrolls sideways on the phone. Screenshots to be looked at."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import BLOCKING_IMPACTS, axe_violations, describe

WIDTHS = ((1366, 900), (390, 844))
FERRY = "École élémentaire Jules-Ferry"


def _check(page, name: str, screenshots_dir) -> None:
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width, f"{name} overflows at {width}"
        page.screenshot(path=str(screenshots_dir / f"i19-{name}-{width}.png"), full_page=True)
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{name} at {width} px:\n{describe(blocking)}"


def test_the_structure_overview_groups_its_sections(new_context, session_state, screenshots_dir):
    page = new_context(storage_state=session_state("admin"), bypass_csp=True).new_page()
    page.goto("/admin/")
    page.locator(".tiles a", has_text=FERRY).click()
    expect(page.get_by_role("heading", level=1, name=FERRY)).to_be_visible()
    for section in ("Comptes et annuaire", "Applications", "Communication", "Sécurité", "Statistiques"):
        expect(page.get_by_role("heading", level=3, name=section, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Qui voit qui : les règles de communication")).to_be_visible()
    _check(page, "structure-overview", screenshots_dir)


def test_the_living_design_page(new_context, session_state, screenshots_dir):
    page = new_context(storage_state=session_state("admin"), bypass_csp=True).new_page()
    page.goto("/_design")
    expect(page.get_by_role("heading", level=1, name="Système de design")).to_be_visible()
    page.get_by_text("Code : État vide").click()
    expect(page.locator("pre code", has_text="empty_state(")).to_be_visible()
    _check(page, "design", screenshots_dir)


def test_a_teacher_gets_the_refusal_page_for_the_design_page(new_context, session_state):
    page = new_context(storage_state=session_state("prof.martin")).new_page()
    response = page.goto("/_design")
    assert response is not None and response.status == 403
