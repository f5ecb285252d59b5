"""The timetable in Debian's Chromium: `parent.colin`, with Tom selected, sees the 6e B week of the demo with its
« Modifié » and « Annulé » lessons written out, then the day view and the « agenda » page; `personnel.durand`
(Jules-Ferry staff) adds a lesson for CM2 A through the entry form and changes its room on the lesson page.
axe at 1280 and 375 px, no sideways scroll, screenshots kept. The demo server is shared: the lesson added here
has a unique subject and is placed four weeks ahead."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

from playwright.sync_api import expect

from .helpers import check_page, log_in


def _choose_child(page, first_name: str) -> None:
    selector = page.get_by_label("Enfant")
    selector.select_option(selector.locator("option", has_text=first_name).get_attribute("value"))
    page.get_by_role("button", name="Choisir").click()
    page.wait_for_load_state()


def test_a_parent_follows_the_selected_childs_week_day_and_agenda(new_context, screenshots_dir):
    page = new_context(bypass_csp=True).new_page()
    log_in(page, "parent.colin")
    _choose_child(page, "Tom")
    page.goto("/apps/timetable/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tom")
    expect(page.locator(".tt-grid")).to_contain_text("Modifié : salle B12")
    expect(page.locator(".tt-grid")).to_contain_text("Annulé")
    expect(page.get_by_label("Classe")).to_contain_text("6e B")
    check_page(page, "timetable-week-parent", screenshots_dir)

    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Vue jour").click()
    expect(page.get_by_role("link", name="Jour suivant")).to_be_visible()
    expect(page.locator(".tt-day")).to_have_count(1)
    check_page(page, "timetable-day-parent", screenshots_dir)

    page.goto("/apps/timetable/agenda")
    page.get_by_role("button", name="Créer un nouveau lien").click()
    expect(page.get_by_label("Adresse de l'agenda")).to_have_value(
        re.compile(r"/apps/timetable/ical/[A-Za-z0-9_-]{40,}\.ics$"))
    check_page(page, "timetable-agenda", screenshots_dir)


def test_staff_adds_a_lesson_then_changes_its_room(new_context, screenshots_dir):
    subject = f"Atelier {int(time.time() * 1000) % 1_000_000}"
    day = date.today() + timedelta(weeks=4)
    day -= timedelta(days=day.weekday() - 2)  # the Wednesday of that week
    page = new_context(bypass_csp=True).new_page()
    log_in(page, "personnel.durand")
    page.goto("/apps/timetable/saisie")
    expect(page.get_by_role("heading", level=1, name="Saisir des cours")).to_be_visible()
    page.get_by_label("Classe").select_option(label="CM2 A")
    page.get_by_label("Matière").fill(subject)
    page.get_by_label("Salle").fill("Préau")
    page.get_by_label("Jour").select_option(label="Mercredi")
    page.get_by_label("Début").fill("09:00")
    page.get_by_label("Fin").fill("10:00")
    page.get_by_label("Du").fill(day.isoformat())
    page.get_by_label("Au").fill(day.isoformat())
    check_page(page, "timetable-entry-staff", screenshots_dir)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="Ajouter").click()
    expect(page.locator(".flash--success")).to_contain_text("1 cours ajoutés.")

    page.goto(f"/apps/timetable/?date={day.isoformat()}")
    page.get_by_label("Classe").select_option(label="CM2 A")
    page.get_by_role("button", name="Afficher").first.click()
    lesson = page.locator(".tt-lesson", has_text=subject)
    expect(lesson).to_contain_text("Salle Préau")
    lesson.get_by_role("link", name="Modifier ou annuler").click()
    expect(page.get_by_role("heading", level=1, name="Modifier un cours")).to_be_visible()
    check_page(page, "timetable-lesson-staff", screenshots_dir)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_label("Salle").fill("B21")
    page.get_by_role("button", name="Enregistrer la modification").click()
    expect(page.locator(".flash--success")).to_contain_text("Cours modifié.")
    expect(page.locator(".tt-lesson", has_text=subject)).to_contain_text("Modifié : salle B21")
    check_page(page, "timetable-week-staff", screenshots_dir)
