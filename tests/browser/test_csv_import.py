"""CSV import in Debian's Chromium: the super administrator `admin` opens the CSV column page of a school from its
imports page, uploads the Latin-1 students template, checks the detected columns, runs the dry run, reads the diff and
applies it. axe at 1280 and 375 px on the mapping page and the dry run; screenshots kept."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from .helpers import check_page

STUDENTS = Path(__file__).resolve().parents[1] / "data" / "csv-templates" / "CSV_Eleves.csv"


def _students() -> list[list[str]]:
    lines = STUDENTS.read_text(encoding="latin-1").splitlines()
    return [line.split(";") for line in lines[1:] if line.strip()]


def test_an_admin_maps_columns_dry_runs_then_applies_a_latin1_csv(new_context, session_state, screenshots_dir,
                                                                  demo_server):
    try:
        _run(new_context, session_state, screenshots_dir)
    except Exception:
        print(demo_server.tail())  # the job worker's errors are in the demo's log
        raise


def _run(new_context, session_state, screenshots_dir):
    students = _students()
    page = new_context(storage_state=session_state("admin"), bypass_csp=True).new_page()
    page.goto("/admin/")
    page.locator(".tiles a", has_text="École élémentaire Jules-Ferry").first.click()
    page.get_by_role("link", name="Imports de l'annuaire").click()
    page.get_by_role("link", name="Choisir le profil et les colonnes de chaque fichier").click()
    expect(page.get_by_role("heading", level=1, name="CSV (modèles ENT ONE) : profils et colonnes")).to_be_visible()
    page.get_by_label(re.compile("^Fichiers \\(")).set_input_files(str(STUDENTS))
    page.get_by_role("button", name="Lire les colonnes").click()
    expect(page.get_by_label("Profil des personnes de ce fichier")).to_have_value("student")
    expect(page.get_by_label("Champ pour la colonne Date de naissance*")).to_have_value("birth_date")
    expect(page.get_by_role("cell", name=students[0][0], exact=True)).to_be_visible()  # « Léa », decoded
    check_page(page, "csv-import-columns", screenshots_dir)
    page.get_by_role("button", name="Simuler l'import").click()
    apply = page.locator("main").get_by_role("button", name="Appliquer")
    expect(apply).to_be_visible(timeout=60_000)
    expect(page.get_by_text(f"{students[0][0]} {students[0][1]}")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("élèves"))).to_contain_text(str(len(students)))
    check_page(page, "csv-import-dry-run", screenshots_dir)
    apply.click()
    expect(page.get_by_text("Import appliqué.")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-progress]")).to_have_text("100 %")
