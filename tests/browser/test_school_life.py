"""The issue's whole scenario in Debian's Chromium, across four apps: `prof.martin` sets homework and a mot to
sign for CM2 A; `parent.colin`, with Léa selected, sees the homework, opens the mot and signs it (« Signer ce
mot »), then switches to Tom in the permanent bar and sees Tom's timetable (6e B at Marie-Curie); `prof.martin`
then sees the signature. The demo server is shared with other tests: the homework and the mot carry unique titles."""

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


def _set_homework(teacher, subject: str, due: date) -> None:
    teacher.goto("/apps/cahier/devoir/nouveau")
    teacher.get_by_label("Classe", exact=True).select_option(label="CM2 A")
    teacher.get_by_label("Matière", exact=True).fill(subject)
    teacher.get_by_label("À faire pour le", exact=True).fill(due.isoformat())
    teacher.get_by_label("Travail à faire", exact=True).fill("Lire le chapitre 3 et répondre aux questions.")
    teacher.get_by_label("Durée estimée (minutes)").fill("20")
    teacher.get_by_role("button", name="Enregistrer le devoir").click()
    expect(teacher.locator(".flash--success")).to_contain_text("Devoir enregistré.")


def _write_mot(teacher, title: str) -> str:
    teacher.goto("/apps/carnet/nouveau")
    teacher.get_by_label("Destinataires").select_option(label="CM2 A")
    teacher.get_by_label("Titre", exact=True).fill(title)
    teacher.get_by_label("Message", exact=True).fill("Sortie au musée jeudi : merci de signer ce mot.")
    teacher.get_by_label("Signature demandée").check()
    teacher.get_by_role("button", name="Envoyer le mot").click()
    expect(teacher.locator(".flash--success")).to_contain_text("Mot envoyé aux parents de")
    return teacher.url


def test_homework_and_a_mot_reach_the_parent_who_signs_then_follows_the_other_child(new_context, screenshots_dir):
    stamp = int(time.time() * 1000) % 1_000_000
    subject, title, due = f"Lecture {stamp}", f"Sortie au musée {stamp}", date.today() + timedelta(days=2)
    teacher = new_context(bypass_csp=True).new_page()
    log_in(teacher, "prof.martin")
    _set_homework(teacher, subject, due)
    mot_url = _write_mot(teacher, title)

    parent = new_context(bypass_csp=True).new_page()
    log_in(parent, "parent.colin")
    _choose_child(parent, "Léa")
    parent.goto("/apps/cahier/")
    expect(parent.locator("tbody tr", has_text=subject)).to_contain_text(due.strftime("%d/%m/%Y"))
    parent.goto("/apps/carnet/")
    parent.locator(".carnet-list li", has_text=title).get_by_role("link", name=title).click()
    expect(parent.locator(".carnet-mot [role=status]")).to_contain_text("Ce mot demande votre signature.")
    parent.get_by_role("button", name="Signer ce mot").click()
    expect(parent.locator(".carnet-mot [role=status]")).to_contain_text("par Claire Colin")

    _choose_child(parent, "Tom")
    parent.goto("/apps/timetable/")
    expect(parent.get_by_role("heading", level=1)).to_contain_text("Tom COLIN")
    expect(parent.locator(".tt-lesson").first).to_be_visible()
    expect(parent.locator(".tt-grid")).to_contain_text("BERNARD")  # 6e B's teacher at Marie-Curie, not Léa's
    check_page(parent, "school-life-tom-timetable", screenshots_dir)

    teacher.goto(mot_url)
    expect(teacher.locator("tbody tr", has_text="Léa")).to_contain_text(re.compile(r"Signé le .* par Claire Colin"))
    check_page(teacher, "school-life-signatures", screenshots_dir)
