"""Services administration in Debian's Chromium: at Jules-Ferry, `direction` narrows messaging down to Parents and
adds the Pronote connector for Parents only; `parent.colin` then sees both in Mes Applis, `eleve.lea` neither.
Everything is put back at the end (the demo server is shared by the whole browser session). axe at 1280 and
375 px, screenshots kept."""

from __future__ import annotations

from urllib.parse import unquote

from playwright.sync_api import expect

from .helpers import check_page, log_in


def _fresh_page(new_context, login: str):
    """A page logged in through the form now: other tests may have ended the cached sessions of shared users."""
    page = new_context().new_page()
    log_in(page, login)
    return page


def _tile_links(page) -> list[str]:
    page.goto("/apps")
    expect(page.get_by_role("heading", level=1, name="Mes Applis")).to_be_visible()
    return [link.get_attribute("href") for link in page.locator(".tile a").all()]


SCHOOL = "École élémentaire Jules-Ferry"
MESSAGING, PRONOTE = "/apps/messaging/", "/launch/connector:pronote"


def _open_school_page(admin, link_name: str) -> None:
    admin.goto("/admin/")
    admin.locator(".tiles a", has_text=SCHOOL).click()
    admin.get_by_role("link", name=link_name).click()


def _restrict_messaging_to_parents(admin) -> tuple[list[str], str | None]:
    """In the "Applications et connecteurs" matrix, withdraw messaging from every profile of the school but its
    parents, in one saved change set; returns the profiles withdrawn and the version that did it."""
    _open_school_page(admin, "Applications : activation et droits")
    withdrawn = []
    for profile in ("Élèves", "Enseignants", "Personnels", "Invités"):
        cell = admin.get_by_role("button", name=f"Messagerie pour les {profile}", exact=True)
        if cell.get_attribute("aria-pressed") == "true":
            cell.click()
            withdrawn.append(profile)
    if not withdrawn:
        return withdrawn, None
    admin.get_by_role("button", name="Enregistrer", exact=True).click()
    admin.get_by_role("dialog").get_by_role("button", name="Confirmer et enregistrer").click()
    saved = admin.get_by_text("Changements enregistrés (version")
    expect(saved).to_be_visible()
    return withdrawn, saved.inner_text().split("version")[1].strip(" ).")


def _give_messaging_back(admin, version: str | None) -> None:
    if version is None:
        return
    _open_school_page(admin, "Applications : activation et droits")
    admin.get_by_role("button", name=f"Rétablir l'état d'avant la version {version}", exact=True).click()
    expect(admin.get_by_text(f"Version {version} annulée")).to_be_visible()


def test_direction_opens_messaging_and_pronote_to_parents_only(new_context, screenshots_dir):
    """Issue 5's scenario: at Jules-Ferry, `direction` narrows messaging down to parents and adds the Pronote
    connector for parents → parent.colin sees both in Mes Applis, eleve.lea neither."""
    admin = new_context(bypass_csp=True).new_page()
    log_in(admin, "direction")
    version = None
    try:
        withdrawn, version = _restrict_messaging_to_parents(admin)
        assert "Élèves" in withdrawn, withdrawn
        _open_school_page(admin, "Services : liens et connecteurs")
        expect(admin.get_by_role("heading", level=1, name=f"Services — {SCHOOL}")).to_be_visible()
        check_page(admin, "services-admin", screenshots_dir)
        admin.get_by_label("Ajouter un service du catalogue").select_option(label="Pronote — Index Éducation")
        admin.get_by_role("button", name="Ajouter le connecteur").click()
        expect(admin.get_by_role("heading", level=1, name="Connecteur Pronote")).to_be_visible()
        check_page(admin, "services-connector", screenshots_dir)
        for profile in ("Enseignant", "Élève", "Personnel", "Invité"):
            admin.get_by_label(profile, exact=True).uncheck()
        admin.get_by_label("Parent", exact=True).check()
        admin.get_by_label("Connecteur activé").check()
        admin.get_by_role("button", name="Enregistrer le connecteur").click()
        expect(admin.get_by_text("Connecteur enregistré.")).to_be_visible()
        expect(admin.locator("tr", has_text="Pronote").get_by_text("activé", exact=True)).to_be_visible()

        parent = _fresh_page(new_context, "parent.colin")
        links = _tile_links(parent)
        assert MESSAGING in links and PRONOTE in links, links
        # The launch page records the visit and sends the parent on to Pronote's parent page (through the CAS
        # login when Préau's CAS server is there: the service gets its ticket without a password).
        launched = parent.request.get(PRONOTE, max_redirects=0)
        assert launched.status == 303
        assert "https://0921234a.index-education.net/pronote/parent.html" in unquote(launched.headers["location"])
        student = _fresh_page(new_context, "eleve.lea")
        links = _tile_links(student)
        assert MESSAGING not in links and PRONOTE not in links, links
        assert student.goto(MESSAGING).status == 403  # installed, not open to her: the page says whom to ask
    finally:
        _open_school_page(admin, "Services : liens et connecteurs")
        configure = admin.get_by_role("link", name="Configurer Pronote")
        if configure.count():
            configure.click()
            admin.get_by_role("button", name="Retirer le connecteur Pronote").click()
            expect(admin.get_by_text("Connecteur retiré.")).to_be_visible()
        _give_messaging_back(admin, version)
    assert PRONOTE not in _tile_links(_fresh_page(new_context, "parent.colin"))
    assert MESSAGING in _tile_links(_fresh_page(new_context, "eleve.lea"))
