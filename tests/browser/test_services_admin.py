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


def _messaging_grants(admin):
    """The grant list of the right "messaging.access" on the school's apps page."""
    _open_school_page(admin, "Applications : activation et droits")
    return admin.locator("#app-messaging h3", has=admin.locator("code", has_text="messaging.access")).locator(
        "xpath=following-sibling::ul[1]/li")


def _restrict_messaging_to_parents(admin) -> list[str]:
    """Withdraw messaging from every group of the school but its parents; returns the groups withdrawn."""
    withdrawn = []
    while True:
        others = _messaging_grants(admin).filter(has_not_text="Parents")
        if others.count() == 0:
            return withdrawn
        withdrawn.append(others.first.inner_text().split("\n")[0].strip())
        others.first.get_by_role("button").click()
        expect(admin.get_by_text("Droit retiré.")).to_be_visible()


def _give_messaging_back(admin, groups: list[str]) -> None:
    for group in groups:
        _open_school_page(admin, "Applications : activation et droits")
        section = admin.locator("#app-messaging")
        section.get_by_label("Donner à").first.select_option(label=group)  # its first right: messaging.access
        section.get_by_role("button", name="Donner le droit").first.click()
        expect(admin.get_by_text("Droit donné.")).to_be_visible()


def test_direction_opens_messaging_and_pronote_to_parents_only(new_context, screenshots_dir):
    """Issue 5's scenario: at Jules-Ferry, `direction` narrows messaging down to parents and adds the Pronote
    connector for parents → parent.colin sees both in Mes Applis, eleve.lea neither."""
    admin = new_context(bypass_csp=True).new_page()
    log_in(admin, "direction")
    withdrawn: list[str] = []
    try:
        withdrawn = _restrict_messaging_to_parents(admin)
        assert any(group.startswith("Élèves") for group in withdrawn), withdrawn
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
        assert student.goto(MESSAGING).status == 404
    finally:
        _open_school_page(admin, "Services : liens et connecteurs")
        configure = admin.get_by_role("link", name="Configurer Pronote")
        if configure.count():
            configure.click()
            admin.get_by_role("button", name="Retirer le connecteur Pronote").click()
            expect(admin.get_by_text("Connecteur retiré.")).to_be_visible()
        _give_messaging_back(admin, withdrawn)
    assert PRONOTE not in _tile_links(_fresh_page(new_context, "parent.colin"))
    assert MESSAGING in _tile_links(_fresh_page(new_context, "eleve.lea"))
