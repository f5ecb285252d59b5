"""Messagerie in a real browser: parent.colin writes to his child's teacher through the compose page, never
finds another parent in the autocomplete, and prof.martin receives the message. Screenshots at desktop and
375 px; axe finds no serious or critical violation on the inbox and the compose page."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from .helpers import BLOCKING_IMPACTS, axe_violations, describe

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _no_horizontal_overflow(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width


def _serious(page) -> list[dict]:
    return [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]


def test_a_parent_writes_to_the_teacher_of_his_child_who_receives_it(new_context, session_state, screenshots_dir):
    subject = f"Question sur la sortie {int(time.time())}"
    page = new_context(storage_state=session_state("parent.colin"), bypass_csp=True, **DESKTOP).new_page()
    page.goto("/apps/messaging/compose")
    expect(page.get_by_role("heading", level=1, name="Nouveau message")).to_be_visible()

    to = page.get_by_role("combobox", name="À", exact=True)
    to.fill("Petit")  # Rayan PETIT is a parent of CM2 A: never offered to another parent
    expect(page.locator("#to-list")).to_contain_text("Personne ne correspond.")
    expect(page.get_by_role("option", name="Rayan PETIT")).to_have_count(0)
    to.fill("Mart")
    teacher = page.get_by_role("option", name="Paul MARTIN")
    expect(teacher).to_be_visible()
    to.press("ArrowDown")
    to.press("Enter")  # chosen with the keyboard
    expect(page.locator("#to-chosen")).to_contain_text("Paul MARTIN")
    page.get_by_label("Objet").fill(subject)
    editor = page.get_by_role("textbox", name="Message")
    editor.click()
    editor.press("Control+Home")
    editor.type("Bonjour, faut-il prévoir des bottes ?")
    assert not _serious(page), describe(_serious(page))
    page.screenshot(path=str(screenshots_dir / "messaging-compose.png"), full_page=True)
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Message envoyé.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Messages envoyés")).to_be_visible()
    expect(page.locator(".msg__subject", has_text=subject)).to_be_visible()

    inbox = new_context(storage_state=session_state("prof.martin"), bypass_csp=True, **DESKTOP).new_page()
    inbox.goto("/apps/messaging/")
    expect(inbox.get_by_role("heading", level=1, name="Boîte de réception")).to_be_visible()
    received = inbox.get_by_role("link", name=subject)
    expect(received).to_be_visible()
    expect(inbox.get_by_role("banner").get_by_role("link", name="Messagerie")).to_contain_text("non lu")
    assert not _serious(inbox), describe(_serious(inbox))
    inbox.screenshot(path=str(screenshots_dir / "messaging-inbox.png"), full_page=True)
    received.click()
    expect(inbox.get_by_role("heading", level=1, name=subject)).to_be_visible()
    expect(inbox.get_by_text("Bonjour, faut-il prévoir des bottes ?")).to_be_visible()
    assert not _serious(inbox), describe(_serious(inbox))


def test_inbox_and_compose_fit_a_375_px_screen(new_context, session_state, screenshots_dir):
    page = new_context(storage_state=session_state("parent.colin"), bypass_csp=True, **PHONE).new_page()
    page.goto("/apps/messaging/")
    expect(page.get_by_role("link", name="Re : Sortie au musée")).to_be_visible()  # a demo conversation
    _no_horizontal_overflow(page)
    assert not _serious(page), describe(_serious(page))
    page.screenshot(path=str(screenshots_dir / "messaging-inbox-375.png"), full_page=True)
    page.goto("/apps/messaging/compose")
    page.get_by_role("combobox", name="À", exact=True).fill("Col")
    expect(page.get_by_role("option", name="Léa COLIN")).to_be_visible()  # his own child
    _no_horizontal_overflow(page)
    assert not _serious(page), describe(_serious(page))
    page.screenshot(path=str(screenshots_dir / "messaging-compose-375.png"), full_page=True)
