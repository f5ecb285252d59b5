"""The Médiacentre in Debian's Chromium: `personnel.durand`, responsable d'affectation at Jules-Ferry, assigns a
resource to the teachers and takes it back; `eleve.lea` (CM2 A) finds the resources assigned to her school and
her class, and a tile opens through the GAR launch (302 to the resource, no sign-in). axe at 1280 and 375 px,
screenshots kept. The demo server is shared: the assignment made here is removed at the end."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import check_page, log_in


def test_the_responsable_assigns_a_resource_to_the_teachers_and_removes_it(new_context, screenshots_dir):
    page = new_context(bypass_csp=True).new_page()
    log_in(page, "personnel.durand")
    page.goto("/apps/gar/affectation/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("École élémentaire Jules-Ferry")
    page.get_by_label("Ressource", exact=True).select_option(label="Laboratoire virtuel de sciences — SciencesLab")
    page.get_by_label("Un profil").check()
    page.get_by_label("Profil", exact=True).select_option(label="Enseignants")
    page.get_by_role("button", name="Attribuer").click()
    expect(page.locator(".flash--success")).to_contain_text("Ressource attribuée.")
    row = page.locator("tbody tr", has_text="Laboratoire virtuel de sciences")
    expect(row).to_contain_text("Enseignants")
    check_page(page, "gar-assignment", screenshots_dir)
    row.get_by_role("button", name="Retirer").click()
    expect(page.locator(".flash--success")).to_contain_text("Attribution retirée.")
    expect(page.locator("tbody tr", has_text="Laboratoire virtuel de sciences")).to_have_count(0)


def test_a_student_finds_her_resources_and_opens_one_through_the_gar(new_context, screenshots_dir):
    context = new_context(bypass_csp=True)
    page = context.new_page()
    log_in(page, "eleve.lea")
    page.goto("/apps/gar/")
    expect(page.get_by_role("heading", level=1, name="Médiacentre")).to_be_visible()
    tiles = page.locator(".gar-resources .tile a")
    expect(tiles).to_have_count(2)
    expect(tiles.filter(has_text="Dictionnaire junior en ligne")).to_have_count(1)
    expect(tiles.filter(has_text="English Stories")).to_have_count(1)
    check_page(page, "gar-mediacentre", screenshots_dir)
    href = tiles.filter(has_text="English Stories").get_attribute("href")
    launch = context.request.get(href, max_redirects=0)
    assert launch.status == 302
    assert launch.headers["location"] == "https://ressources.gar.example/DEMO.ANGLAIS/acces"
    assert context.request.get("/apps/gar/ouvrir/ark:/99999/DEMO.MATHS6", max_redirects=0).status == 404
