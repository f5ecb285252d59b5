"""The carnet de liaison in Debian's Chromium: `prof.martin` writes a mot to sign for CM2 A through the form,
`parent.colin` with Léa selected finds it « À signer », opens it (nothing signed yet) and signs it with the
keyboard (« Signer ce mot »), then `prof.martin` sees « Signé … par Claire Colin ». axe at 1280 and 375 px,
screenshots kept. The demo server is shared: the mot has a unique title."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from .helpers import check_page, log_in


def test_a_teacher_writes_a_mot_the_parent_signs_it_and_the_teacher_sees_it(new_context, screenshots_dir):
    title = f"Piscine {int(time.time() * 1000) % 1_000_000}"
    teacher = new_context(bypass_csp=True).new_page()
    log_in(teacher, "prof.martin")
    teacher.goto("/apps/carnet/nouveau")
    expect(teacher.get_by_role("heading", level=1, name="Écrire un mot")).to_be_visible()
    teacher.get_by_label("Destinataires").select_option(label="CM2 A")
    teacher.get_by_label("Titre", exact=True).fill(title)
    teacher.get_by_label("Message", exact=True).fill("La séance de piscine de lundi est annulée.")
    teacher.get_by_label("Signature demandée").check()
    check_page(teacher, "carnet-form", screenshots_dir)
    teacher.get_by_role("button", name="Envoyer le mot").click()
    expect(teacher.locator(".flash--success")).to_contain_text("Mot envoyé aux parents de")
    expect(teacher.get_by_role("heading", level=2)).to_contain_text(re.compile(r"Signatures : 0/\d+ signés"))
    detail_url = teacher.url

    parent = new_context(bypass_csp=True).new_page()
    log_in(parent, "parent.colin")
    selector = parent.get_by_label("Enfant")
    selector.select_option(selector.locator("option", has_text="Léa").get_attribute("value"))
    parent.get_by_role("button", name="Choisir").click()
    parent.wait_for_load_state()
    parent.goto("/apps/carnet/")
    expect(parent.get_by_role("heading", level=2, name="Mots pour Léa")).to_be_visible()
    item = parent.locator(".carnet-list li", has_text=title)
    expect(item).to_contain_text("À signer")
    check_page(parent, "carnet-parent-list", screenshots_dir)
    item.get_by_role("link", name=title).click()
    status = parent.locator(".carnet-mot [role=status]")
    expect(status).to_contain_text("Ce mot demande votre signature.")  # opening is not signing
    check_page(parent, "carnet-parent-mot", screenshots_dir)
    parent.get_by_role("button", name="Signer ce mot").focus()
    parent.keyboard.press("Enter")  # keyboard-accessible
    expect(parent.locator(".flashes .flash--success")).to_contain_text("Mot signé.")
    expect(status).to_contain_text("par Claire Colin")
    expect(parent.get_by_role("button", name="Signer ce mot")).to_have_count(0)
    check_page(parent, "carnet-parent-signed", screenshots_dir)

    teacher.goto(detail_url)
    expect(teacher.locator("tbody tr", has_text="Léa")).to_contain_text(re.compile(r"Signé le .* par Claire Colin"))
    check_page(teacher, "carnet-author", screenshots_dir)
