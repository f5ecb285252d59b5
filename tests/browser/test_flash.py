"""Flash messages in Debian's Chromium: `direction` (ADML of Jules-Ferry) posts a message for Parents;
`parent.colin` sees the banner open by itself, closes it with Escape and marks it read; `prof.martin` never
sees it. axe at 1280 and 375 px, screenshots kept. The message is deleted at the end: the demo server is shared."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .helpers import check_page

TITLE = "Kermesse de l'école (test navigateur)"
PAGE = "/account/tokens"  # any page built on base.html carries the banner


def _open_flash_admin(page) -> None:
    page.goto("/admin/")
    page.locator(".tiles a", has_text="École élémentaire Jules-Ferry").click()
    page.get_by_role("link", name="Tableau d'affichage : messages flash").click()
    expect(page.get_by_role("heading", level=1, name="Messages flash")).to_be_visible()


def _create_message(page, screenshots_dir) -> None:
    _open_flash_admin(page)
    page.get_by_role("link", name="Nouveau message").click()
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Texte").fill('<p>Samedi à 10 h, <a href="javascript:alert(1)">programme</a>.</p>')
    page.get_by_label("Parent", exact=True).check()
    page.get_by_label("Jaune (attention)").check()
    page.get_by_role("button", name="Aperçu").click()
    preview = page.get_by_role("region", name="Aperçu")
    expect(preview.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(preview.get_by_text("Samedi à 10 h")).to_be_visible()
    assert "javascript:" not in page.content()
    check_page(page, "flash-admin-form", screenshots_dir)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Message enregistré.")).to_be_visible()
    expect(page.get_by_role("cell", name=TITLE, exact=True)).to_be_visible()


def _delete_message(page) -> None:
    _open_flash_admin(page)
    while page.get_by_role("button", name=f"Supprimer {TITLE}").count():
        page.get_by_role("button", name=f"Supprimer {TITLE}").first.click()
        expect(page.get_by_text("Message supprimé.")).to_be_visible()
    expect(page.get_by_role("cell", name=TITLE, exact=True)).to_have_count(0)


def test_a_message_for_parents_reaches_parent_colin_and_not_prof_martin(new_context, session_state, screenshots_dir):
    admin = new_context(bypass_csp=True, storage_state=session_state("direction")).new_page()
    try:
        _create_message(admin, screenshots_dir)

        parent = new_context(bypass_csp=True, storage_state=session_state("parent.colin")).new_page()
        parent.goto(PAGE)
        board = parent.get_by_role("region", name="Tableau d'affichage")
        expect(board).to_be_visible()
        expect(board.get_by_role("heading", name=TITLE)).to_be_visible()  # open by itself: unread
        check_page(parent, "flash-banner", screenshots_dir)

        parent.keyboard.press("Escape")  # keyboard dismissal
        expect(board.get_by_role("heading", name=TITLE)).to_be_hidden()
        board.locator("summary").focus()
        parent.keyboard.press("Enter")
        expect(board.get_by_role("heading", name=TITLE)).to_be_visible()
        board.get_by_role("button", name="Marquer comme lu").click()
        parent.wait_for_load_state()
        board = parent.get_by_role("region", name="Tableau d'affichage")
        expect(board.get_by_role("heading", name=TITLE)).to_be_hidden()  # read: stays closed
        expect(parent.locator("details.flash-board__details")).not_to_have_attribute("open", re.compile(".*"))

        teacher = new_context(bypass_csp=True, storage_state=session_state("prof.martin")).new_page()
        teacher.goto(PAGE)
        expect(teacher.get_by_role("heading", level=1)).to_be_visible()
        expect(teacher.get_by_text(TITLE)).to_have_count(0)

        _open_flash_admin(admin)
        row = admin.get_by_role("row").filter(has_text=TITLE)
        expect(row.locator("[data-views]")).to_have_text("1")
        check_page(admin, "flash-admin-list", screenshots_dir)
    finally:
        _delete_message(admin)
