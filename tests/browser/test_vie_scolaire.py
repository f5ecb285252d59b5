"""« Notes et vie scolaire » in Debian's Chromium on the demo: `parent.colin` reads Léa's competences (Jules-Ferry,
an école, assesses competences), switches to Tom in the bar and reads his grades, which come from Pronote
(Marie-Curie uses it); `personnel.durand` checks a CSV file (dry run only: the shared demo is left as it was).
axe at 1280 and 375 px, screenshots kept."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import check_page, log_in


def test_a_parent_reads_lea_competences_then_switches_to_tom_and_his_pronote_grades(new_context, screenshots_dir):
    page = new_context(bypass_csp=True).new_page()
    log_in(page, "parent.colin")
    page.goto("/")
    expect(page.locator('[data-widget="vie_scolaire.grades"] .vie-scolaire__skills li').first).to_be_visible()
    expect(page.locator('[data-widget="vie_scolaire.life"] .vie-scolaire__events li').first).to_be_visible()
    page.screenshot(path=str(screenshots_dir / "vie-scolaire-dashboard-1280.png"), full_page=True)
    page.goto("/apps/vie_scolaire/notes")  # an école has no grades on /20: its competences open
    expect(page.get_by_role("heading", level=1)).to_have_text("Compétences — Léa Colin")
    expect(page.locator("tbody tr").first).to_be_visible()
    expect(page.get_by_role("link", name="Notes", exact=True)).to_have_count(0)
    check_page(page, "vie-scolaire-competences", screenshots_dir)

    selector = page.get_by_label("Enfant")
    selector.select_option(selector.locator("option", has_text="Tom").get_attribute("value"))
    page.get_by_role("button", name="Choisir").click()
    page.wait_for_load_state()
    page.goto("/apps/vie_scolaire/notes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notes — Tom Colin")
    expect(page.locator(".vie-scolaire__subject").first).to_be_visible()  # the latest term that has grades
    expect(page.get_by_text("Moyenne générale")).to_be_visible()
    expect(page.get_by_label("Période")).to_be_visible()
    check_page(page, "vie-scolaire-notes", screenshots_dir)
    page.get_by_role("link", name="Absences et retards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Absences et retards — Tom Colin")
    check_page(page, "vie-scolaire-absences", screenshots_dir)
    assert page.context.request.get("/apps/vie_scolaire/notes?eleve=999999").status == 403  # not a child
    selector = page.get_by_label("Enfant")  # leave Léa selected for the other tests of the shared demo
    selector.select_option(selector.locator("option", has_text="Léa").get_attribute("value"))
    page.get_by_role("button", name="Choisir").click()


def test_staff_check_a_csv_file_before_importing(new_context, screenshots_dir):
    page = new_context(bypass_csp=True).new_page()
    log_in(page, "personnel.durand")
    page.goto("/apps/vie_scolaire/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer les notes et la vie scolaire")
    csv = ("identifiant élève;période;matière;note;sur;coefficient;date\n"
           "eleve.lea;Trimestre 1;Mathématiques;14;20;1;02/10/2026\n"
           "eleve.inconnu;Trimestre 1;Mathématiques;douze;20;1;02/10/2026\n").encode()
    page.get_by_label("Fichier CSV").set_input_files({"name": "notes.csv", "mimeType": "text/csv", "buffer": csv})
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("heading", level=2, name="Le fichier contient des erreurs : rien n'a été importé")) \
        .to_be_visible()
    problems = page.locator(".vie-scolaire__problems li")
    expect(problems.first).to_contain_text("Ligne 3, colonne « identifiant élève »")
    expect(problems.nth(1)).to_contain_text("Ligne 3, colonne « note »")
    check_page(page, "vie-scolaire-import", screenshots_dir)
