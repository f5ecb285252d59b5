"""The "Qui voit qui" matrix with a "what if" preview, and the "Annuaire" search and card, in Debian's Chromium:
no serious or critical axe violation at 1280 and 375 px, no sideways scroll on a phone, screenshots kept.

Nothing is saved here (the preview is cancelled): the demo server is shared by the whole browser session."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import BLOCKING_IMPACTS, axe_violations, describe

WIDTHS = ((1280, 800), (375, 740))


def _check_page(page, name: str, screenshots_dir) -> None:
    """axe at both widths, a screenshot of each, and no sideways scroll at 375 px."""
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{name} at {width} px: serious or critical axe violations\n{describe(blocking)}"
        page.screenshot(path=str(screenshots_dir / f"{name}-{width}.png"), full_page=True)
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= 375, f"{name}: the page scrolls sideways on a 375 px phone ({scroll_width} px wide)"


def test_the_matrix_and_a_preview_that_saves_nothing(new_context, session_state, screenshots_dir):
    page = new_context(bypass_csp=True, storage_state=session_state("direction")).new_page()
    page.goto("/admin/")
    page.locator(".tiles a", has_text="École élémentaire Jules-Ferry").click()
    page.get_by_role("link", name="Qui voit qui : les règles de communication").click()
    expect(page.get_by_role("heading", level=1, name="Qui voit qui — École élémentaire Jules-Ferry")).to_be_visible()
    staff_to_teachers = page.get_by_label("Personnels peuvent écrire à Enseignants", exact=True)
    parents_to_staff = page.get_by_label("Parents peuvent écrire à Personnels", exact=True)
    expect(staff_to_teachers).to_be_checked()
    expect(parents_to_staff).not_to_be_checked()
    expect(page.get_by_text("Personnels — Ville de Saint-Préau (Ville de Saint-Préau) → ").first).to_be_visible()
    _check_page(page, "communication-matrix", screenshots_dir)

    page.set_viewport_size({"width": 1280, "height": 800})
    parents_to_staff.check()
    page.get_by_role("button", name="Prévisualiser les changements").click()
    expect(page.get_by_role("heading", level=1, name="Vérifier les changements")).to_be_visible()
    gains = page.locator("#gains li")
    expect(gains).to_have_count(1)
    expect(gains.first).to_contain_text("« Parents — École élémentaire Jules-Ferry »")
    expect(gains.first).to_contain_text("« Personnels — École élémentaire Jules-Ferry »")
    expect(page.get_by_role("button", name="Confirmer et enregistrer")).to_be_visible()
    _check_page(page, "communication-preview", screenshots_dir)

    page.get_by_role("link", name="Annuler").click()
    expect(page.get_by_label("Parents peuvent écrire à Personnels", exact=True)).not_to_be_checked()
    page.get_by_role("link", name="Historique des versions").click()
    expect(page.get_by_text("Aucun changement enregistré")).to_be_visible()


def test_the_annuaire_search_and_a_card(new_context, session_state, screenshots_dir):
    page = new_context(bypass_csp=True, storage_state=session_state("parent.colin")).new_page()
    page.goto("/apps/annuaire/")
    expect(page.get_by_role("heading", level=1, name="Annuaire")).to_be_visible()
    people = page.locator(".people li")
    expect(people.filter(has_text="Paul MARTIN")).to_have_count(1)
    expect(people.filter(has_text="Léa COLIN")).to_have_count(1)
    _check_page(page, "annuaire-search", screenshots_dir)

    page.set_viewport_size({"width": 1280, "height": 800})
    search = page.get_by_label("Nom, prénom ou identifiant (début)")
    search.fill("parent")  # every other parent's login starts so: none may show
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_text("Personne ne correspond à votre recherche.")).to_be_visible()
    search.fill("mar")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Paul MARTIN").click()
    expect(page.get_by_role("heading", level=1, name="Paul MARTIN")).to_be_visible()
    expect(page.get_by_text("CM2 A (École élémentaire Jules-Ferry)")).to_be_visible()
    expect(page.get_by_text("prof.martin")).to_have_count(0)
    _check_page(page, "annuaire-card", screenshots_dir)
