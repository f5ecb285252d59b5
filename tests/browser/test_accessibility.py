"""axe-core (vendored in vendor/axe-core) finds no serious or critical violation on any page of Préau.

axe is injected as an inline script, which Préau's Content-Security-Policy forbids: these contexts, and only
these, bypass the CSP.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .helpers import AXE_JS, BLOCKING_IMPACTS, axe_violations, describe

# A demo student of the generated classes who has not accepted the charter yet.
CHARTER_PENDING_LOGIN = "eleve.adam.bernard.0"


def _open(path: str) -> Callable:
    def go(page) -> None:
        page.goto(path)

    return go


def _activation_finish(page) -> None:
    page.goto("/auth/activate")
    page.get_by_label("Identifiant").fill("eleve.nouveau")
    page.get_by_label("Code d'activation").fill("BIENVENU")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", level=1, name="Bienvenue, Nora")).to_be_visible()


def _structure_page(page) -> None:
    page.goto("/admin/")
    page.locator(".tiles a", has_text="École élémentaire Jules-Ferry").click()
    expect(page.get_by_role("heading", level=1, name="École élémentaire Jules-Ferry")).to_be_visible()


def _user_card(page) -> None:
    _structure_page(page)
    page.get_by_role("link", name="Léa COLIN").click()
    expect(page.get_by_role("heading", level=1, name="Léa COLIN")).to_be_visible()


def _dashboard_defaults(page) -> None:
    _structure_page(page)
    page.get_by_role("link", name="Tableau de bord : disposition et widgets par profil").click()
    expect(page.get_by_role("heading", level=2, name="Visibilité des widgets par profil")).to_be_visible()


def _activation_letters(page) -> None:
    _structure_page(page)
    page.get_by_role("link", name="Lettres d'activation et renouvellement des codes").click()
    page.get_by_label("Profil").select_option("student")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", level=2, name="Renouveler les codes")).to_be_visible()


def _totp_setup(page) -> None:
    page.goto("/account/totp")
    page.get_by_role("button", name="Mettre en place la double authentification").click()
    expect(page.get_by_role("img", name="QR code de configuration")).to_be_visible()


def _year_transition(page) -> None:
    _structure_page(page)
    page.get_by_role("link", name="Bascule d'année").click()
    expect(page.get_by_role("button", name=re.compile("Faire la bascule"))).to_be_visible()


def _duplicates(page) -> None:
    _structure_page(page)
    page.get_by_role("link", name="Comptes en double : fusionner ou dissocier").click()
    expect(page.get_by_role("heading", level=1, name="Comptes en double")).to_be_visible()


def _charter(page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="Charte d'utilisation")).to_be_visible()


# (page name, login or None for an anonymous visitor, how to reach the page)
PAGES = [
    ("login", None, _open("/auth/login")),
    ("activation", None, _open("/auth/activate")),
    ("activation-finish", None, _activation_finish),
    ("reset", None, _open("/auth/reset")),
    ("logout", "parent.colin", _open("/auth/logout")),
    ("error-404-anonymous", None, _open("/cette-page-n-existe-pas")),
    ("dashboard", "parent.colin", _open("/")),
    ("my-apps", "parent.colin", _open("/apps")),
    ("welcome-app", "parent.colin", _open("/apps/welcome/")),
    ("tokens", "parent.colin", _open("/account/tokens")),
    ("my-data", "parent.colin", _open("/account/data")),
    ("totp-setup", "parent.colin", _totp_setup),
    ("error-404", "parent.colin", _open("/cette-page-n-existe-pas")),
    ("dashboard-teacher", "prof.martin", _open("/")),
    ("dashboard-student", "eleve.lea", _open("/")),
    ("dashboard-staff", "personnel.durand", _open("/")),
    ("dashboard-guest", "invite.roux", _open("/")),
    ("dashboard-two-roles", "prof.bernard", _open("/")),
    ("admin-index", "admin", _open("/admin/")),
    ("admin-structure", "admin", _structure_page),
    ("admin-user-card", "admin", _user_card),
    ("admin-dashboard-defaults", "direction", _dashboard_defaults),
    ("admin-activation-letters", "direction", _activation_letters),
    ("admin-year-transition", "direction", _year_transition),
    ("admin-duplicates", "direction", _duplicates),
    ("admin-locks", "admin", _open("/admin/locks")),
    ("admin-locks-local", "direction", _open("/admin/locks")),
    ("lti-classes-empty", "prof.martin", _open("/lti13/classes/")),
    ("charter", CHARTER_PENDING_LOGIN, _charter),
]


def _blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


@pytest.mark.parametrize(("name", "login", "reach"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_serious_or_critical_axe_violation(name, login, reach, new_context, session_state,
                                                       screenshots_dir):
    options = {"bypass_csp": True, "viewport": {"width": 1280, "height": 800}}
    if login:
        options["storage_state"] = session_state(login)
    page = new_context(**options).new_page()
    reach(page)

    # Measured on a desktop screen, then on a 375 px phone: the layout (and what is hidden) changes.
    found = {}
    for width, height in ((1280, 800), (375, 740)):
        page.set_viewport_size({"width": width, "height": height})
        violations = axe_violations(page)
        minor = [v for v in violations if v not in _blocking(violations)]
        if minor:
            print(f"{name} at {width} px ({page.url}): minor axe findings\n{describe(minor)}")
        if _blocking(violations):
            found[width] = describe(_blocking(violations))
    page.screenshot(path=str(screenshots_dir / f"a11y-{name}-375.png"), full_page=True)

    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= 375, f"{name}: the page scrolls sideways on a 375 px phone ({scroll_width} px wide)"
    assert not found, f"{name} ({page.url}): serious or critical axe violations\n" + "\n".join(
        f"at {width} px:\n{text}" for width, text in found.items())


def test_form_errors_are_measured_and_read_with_their_field(new_context, screenshots_dir):
    page = new_context(bypass_csp=True).new_page()
    page.goto("/auth/reset")
    page.get_by_role("button", name="Changer mon mot de passe").click()

    password = page.get_by_label("Nouveau mot de passe")
    expect(password).to_have_attribute("aria-invalid", "true")
    # The hint and the error are both part of the field's accessible description.
    hint, error = page.locator("#password-hint"), page.locator("#password-error")
    expect(error).to_be_visible()
    expect(password).to_have_accessible_description(f"{hint.inner_text()} {error.inner_text()}")
    blocking = _blocking(axe_violations(page))
    assert not blocking, describe(blocking)
    page.screenshot(path=str(screenshots_dir / "a11y-reset-errors.png"), full_page=True)


def test_the_axe_measurement_reports_what_it_should(browser):
    # Guards the guard: a page with an unlabelled field and grey-on-grey text must be caught.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_content('<!doctype html><html lang="fr"><head><title>t</title></head><body><main>'
                     '<p style="color:#aaa;background:#bbb">Texte illisible</p>'
                     '<input type="text" name="sans-etiquette"></main></body></html>')

    found = {v["id"]: v["impact"] for v in axe_violations(page)}

    readme = (AXE_JS.parent / "README.md").read_text(encoding="utf-8")
    assert f"axe-core {page.evaluate('axe.version')} " in readme  # the vendored file is the documented one

    assert found.get("color-contrast") == "serious"
    assert found.get("label") == "critical"
    context.close()
