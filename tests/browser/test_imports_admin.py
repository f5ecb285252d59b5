"""Directory imports in Debian's Chromium: the super administrator `admin` uploads a small AAF set on a school's
imports page, reads the dry run's diff, applies it and watches the progress reach 100 % (the page reloads itself
until the job is done). axe at 1280 and 375 px on the upload page and the result; screenshots kept."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ..imports.aaf_files import relative, structure, student, teacher, write
from .helpers import check_page


def _feed(folder):
    write(folder, "ENT_Delta_20250902_EtabEducNat_0000.xml",
          structure("880", "0990088Z", "COLLEGE$NAVIGATEUR$TEST"))
    write(folder, "ENT_Delta_20250902_Eleve_0000.xml",
          student("88001", "Lison", "Navigateur", "880", ["6N"], ["88301"]),
          student("88002", "Malik", "Navigateur", "880", ["6N"], ["88301"]))
    write(folder, "ENT_Delta_20250902_PersRelEleve_0000.xml", relative("88301", "Rita", "Navigateur"))
    write(folder, "ENT_Delta_20250902_PersEducNat_0000.xml", teacher("88201", "Tom", "Navigateur", "880", ["6N"]))
    return sorted(str(p) for p in folder.glob("*.xml"))


def test_a_super_admin_dry_runs_then_applies_an_aaf_import(new_context, session_state, screenshots_dir, tmp_path):
    page = new_context(storage_state=session_state("admin"), bypass_csp=True).new_page()
    page.goto("/admin/")
    page.locator(".tiles a", has_text="Collège Marie-Curie").first.click()
    page.get_by_role("link", name="Imports de l'annuaire").click()
    expect(page.get_by_role("heading", level=1, name="Imports de l'annuaire")).to_be_visible()
    page.get_by_label("AAF (annuaire académique)").check()
    page.get_by_label(re.compile("^Fichiers")).set_input_files(_feed(tmp_path))
    check_page(page, "imports-upload", screenshots_dir)
    page.get_by_role("button", name="Simuler l'import").click()
    apply = page.locator("main").get_by_role("button", name="Appliquer")  # the footer's language form has one
    expect(apply).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Lison NAVIGATEUR")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("élèves"))).to_contain_text("2")
    check_page(page, "imports-dry-run", screenshots_dir)
    apply.click()
    expect(page.get_by_text("Import appliqué.")).to_be_visible(timeout=30_000)
    expect(page.locator("[data-progress]")).to_have_text("100 %")
    assert page.locator("progress").get_attribute("value") == "100"
    check_page(page, "imports-applied", screenshots_dir)
    page.get_by_role("link", name="Imports de l'annuaire").click()
    expect(page.get_by_role("cell", name="Application")).to_have_count(1)
