"""The "Applications et connecteurs" matrix in Debian's Chromium: axe clean at 1366 and 390 px, no sideways scroll
of the page, screenshots kept (the matrix, its preview, a side panel); enabling Capytale for the teachers of a
school takes at most 3 interactions, counted in the page; a teacher then sees Capytale in Mes Applis and a student
does not. The change is rolled back at the end ("Rétablir"), so the shared demo is left as it was."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import BLOCKING_IMPACTS, axe_violations, describe

WIDTHS = ((1366, 800), (390, 844))
WIDE = "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > %d)" \
       ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
SCHOOL = "École élémentaire Jules-Ferry"
# Every click and key press the administrator makes, kept across page loads of the tab.
COUNT_INTERACTIONS = """
(() => {
  const count = () => Number(sessionStorage.getItem("interactions") || 0);
  const bump = () => sessionStorage.setItem("interactions", String(count() + 1));
  document.addEventListener("click", (e) => { if (e.isTrusted) bump(); }, true);
  document.addEventListener("keydown", (e) => { if (e.isTrusted) bump(); }, true);
})();
"""


def _check(page, name: str, screenshots_dir) -> None:
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{name} at {width} px: serious or critical axe violations\n{describe(blocking)}"
        page.screenshot(path=str(screenshots_dir / f"{name}-{width}.png"), full_page=True)
        scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll_width <= width, (f"{name}: the page scrolls sideways at {width} px ({scroll_width} px wide): "
                                       f"{page.evaluate(WIDE % width)}")
    page.set_viewport_size({"width": 1366, "height": 800})


def _open_matrix(page):
    page.goto("/admin/")
    page.locator(".tiles a", has_text=SCHOOL).click()
    page.get_by_role("link", name="Applications : activation et droits").click()
    expect(page.get_by_role("heading", level=1, name=f"Applications et connecteurs — {SCHOOL}")).to_be_visible()


def _interactions(page) -> int:
    return int(page.evaluate("Number(sessionStorage.getItem('interactions') || 0)"))


def _sees_capytale(new_context, session_state, login: str) -> bool:
    page = new_context(storage_state=session_state(login)).new_page()
    page.goto("/apps")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page.locator(".tile__name", has_text="Capytale").count() > 0


def test_the_matrix_enables_capytale_for_teachers_in_three_interactions(new_context, session_state,
                                                                         screenshots_dir):
    assert not _sees_capytale(new_context, session_state, "prof.martin")
    context = new_context(bypass_csp=True, storage_state=session_state("direction"))
    context.add_init_script(COUNT_INTERACTIONS)
    page = context.new_page()
    _open_matrix(page)
    cell = page.get_by_role("button", name="Capytale pour les Enseignants", exact=True)
    expect(cell).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("button", name="Messagerie pour les Enseignants", exact=True)).to_have_attribute(
        "aria-pressed", "true")
    _check(page, "admin-apps", screenshots_dir)

    # The search filters rows in the page; the category filter too.
    page.get_by_label("Rechercher").fill("capy")
    expect(page.locator("#row-app-messaging")).to_be_hidden()
    expect(page.locator("#row-app-capytale")).to_be_visible()
    page.get_by_label("Rechercher").fill("")
    expect(page.locator("#row-app-messaging")).to_be_visible()

    page.evaluate("sessionStorage.setItem('interactions', '0')")
    cell.click()
    expect(cell).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    dialog = page.get_by_role("dialog", name="Qui gagne ou perd l'accès")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Capytale : ouvert à « Enseignants »")
    expect(dialog).to_contain_text("1 personne gagne l’accès (Paul MARTIN)")
    page.screenshot(path=str(screenshots_dir / "admin-apps-preview-1366.png"))
    dialog.get_by_role("button", name="Confirmer et enregistrer").click()
    expect(page.get_by_text("Changements enregistrés (version")).to_be_visible()
    assert _interactions(page) <= 3, f"{_interactions(page)} interactions to enable Capytale for teachers"
    expect(page.get_by_role("button", name="Capytale pour les Enseignants", exact=True)).to_have_attribute(
        "aria-pressed", "true")

    assert _sees_capytale(new_context, session_state, "prof.martin")
    assert not _sees_capytale(new_context, session_state, "eleve.lea")

    # A side panel: the finer rights and the settings of an app.
    page.locator("#row-app-timetable").get_by_role("link", name="Droits détaillés et réglages").click()
    panel = page.get_by_role("dialog", name="Emploi du temps — droits détaillés et réglages")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("button", name="Saisir et importer l'emploi du temps pour les Personnels")).to_be_visible()
    page.screenshot(path=str(screenshots_dir / "admin-apps-panel-1366.png"))
    panel.get_by_role("button", name="Fermer").click()

    # History: roll the change back, the demo is as it was.
    history = page.get_by_role("heading", name="Historique des changements")
    expect(history).to_be_visible()
    page.get_by_role("button", name="Rétablir l'état d'avant la version").first.click()
    expect(page.get_by_text("annulée : les accès sont revenus")).to_be_visible()
    assert not _sees_capytale(new_context, session_state, "prof.martin")
