"""The cahier de textes in Debian's Chromium: `prof.martin` sets homework for CM2 A through the form (with the
class's workload table beside it), then `parent.colin`, with Léa selected, finds it on /apps/cahier/ and cannot
tick it. axe at 1280 and 375 px, screenshots kept. The demo server is shared: the homework has a unique title."""

from __future__ import annotations

import time
from datetime import date, timedelta

from playwright.sync_api import expect

from .helpers import check_page, log_in


def test_a_teacher_sets_homework_and_the_parent_of_the_selected_child_sees_it(new_context, screenshots_dir):
    title = f"Poésie {int(time.time() * 1000) % 1_000_000}"
    due = date.today() + timedelta(days=3)
    page = new_context(bypass_csp=True).new_page()
    log_in(page, "prof.martin")
    page.goto("/apps/cahier/devoir/nouveau")
    expect(page.get_by_role("heading", level=1, name="Donner un devoir")).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="Durée totale (minutes)")).to_be_visible()
    expect(page.locator("#workload tbody tr")).to_have_count(14)
    page.get_by_label("Classe", exact=True).select_option(label="CM2 A")
    page.get_by_label("Matière", exact=True).fill(title)
    page.get_by_label("À faire pour le", exact=True).fill(due.isoformat())
    page.get_by_label("Travail à faire", exact=True).fill("Apprendre les deux premières strophes.")
    page.get_by_label("Durée estimée (minutes)").fill("15")
    check_page(page, "cahier-homework-form", screenshots_dir)
    page.get_by_role("button", name="Enregistrer le devoir").click()
    expect(page.locator(".flash--success")).to_contain_text("Devoir enregistré.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("CM2 A")
    expect(page.locator("tbody tr", has_text=title)).to_contain_text("Apprendre les deux premières strophes.")
    expect(page.locator(".cahier-visa").first).to_contain_text("Visé le")  # last month's visa, from the demo
    check_page(page, "cahier-class", screenshots_dir)

    parent = new_context(bypass_csp=True).new_page()
    log_in(parent, "parent.colin")
    selector = parent.get_by_label("Enfant")
    selector.select_option(selector.locator("option", has_text="Léa").get_attribute("value"))
    parent.get_by_role("button", name="Choisir").click()
    parent.wait_for_load_state()
    parent.goto("/apps/cahier/")
    expect(parent.get_by_role("heading", level=2, name="Devoirs à faire de Léa")).to_be_visible()
    row = parent.locator("tbody tr", has_text=title)
    expect(row).to_contain_text(due.strftime("%d/%m/%Y"))
    expect(row).to_contain_text("À faire")
    expect(parent.get_by_role("button", name="Marquer comme fait")).to_have_count(0)
    check_page(parent, "cahier-parent", screenshots_dir)
