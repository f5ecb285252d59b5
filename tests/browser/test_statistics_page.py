"""The statistics page in Debian's Chromium: a teacher logs in from a phone, `direction` (ADML of Jules-Ferry)
opens Statistiques from the school's page, sees the mobile connection counted, the charts drawn by Chart.js under
the site's CSP, and each chart's data table; the profile filter narrows the figures. axe at 1280 and 375 px,
screenshots kept."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import BLOCKING_IMPACTS, axe_violations, describe, log_in

WIDTHS = ((1280, 800), (375, 740))
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")
SCHOOL = "École élémentaire Jules-Ferry"


def _figure(page, name: str) -> int:
    return int(page.locator(f'[data-figure="{name}"]').inner_text())


def _chart_drawn(page, canvas_id: str) -> bool:
    return page.evaluate(f"() => !!(window.Chart && window.Chart.getChart(document.getElementById('{canvas_id}')))")


def test_statistics_page_draws_charts_with_tables_and_filters_by_profile(new_context, screenshots_dir):
    phone = new_context(user_agent=IPHONE).new_page()
    log_in(phone, "prof.martin")
    assert "/auth/login" not in phone.url
    phone.goto("/apps/messaging/")
    phone.goto("/apps/messaging/")  # twice: counted once for the day

    errors: list[str] = []
    admin = new_context().new_page()
    admin.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(admin, "direction")
    admin.goto("/admin/")
    admin.locator(".tiles a", has_text=SCHOOL).click()
    admin.get_by_role("link", name="Statistiques").click()
    expect(admin.get_by_role("heading", level=1, name="Statistiques")).to_be_visible()
    assert _figure(admin, "mobile") >= 1 and _figure(admin, "visitors") >= 2

    expect(admin.locator("canvas#chart-series")).to_be_visible()
    admin.wait_for_function("() => window.Chart && window.Chart.getChart(document.getElementById('chart-series'))")
    assert _chart_drawn(admin, "chart-series")
    admin.get_by_text("Les chiffres en tableau").click()  # the chart's data table, folded under it
    series = admin.locator("#table-series")
    expect(series.get_by_role("columnheader", name="Connexions mobiles")).to_be_visible()
    assert series.locator("tbody tr").count() == 30  # the last 30 days, one row each
    assert _chart_drawn(admin, "chart-apps")
    apps = admin.locator("#table-apps")
    expect(apps.get_by_role("rowheader", name="Messagerie")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors

    admin.get_by_label("Profil").select_option(label="Élève")
    admin.get_by_role("button", name="Afficher").click()
    expect(admin.get_by_label("Profil")).to_have_value("student")
    assert _figure(admin, "mobile") == 0  # the phone login was a teacher's

    admin.get_by_label("Profil").select_option(label="Enseignant")
    admin.get_by_role("button", name="Afficher").click()
    assert _figure(admin, "mobile") >= 1

    # axe is injected inline: a second context that bypasses the CSP (the charts above ran under it).
    checked = new_context(bypass_csp=True).new_page()
    log_in(checked, "direction")
    checked.goto(admin.url)
    checked.wait_for_function("() => window.Chart && window.Chart.getChart(document.getElementById('chart-series'))")
    admin = checked
    for width, height in WIDTHS:
        admin.set_viewport_size({"width": width, "height": height})
        admin.reload()  # the charts take their proportions from the width they load at
        admin.wait_for_function("() => window.Chart && window.Chart.getChart(document.getElementById('chart-apps'))")
        blocking = [v for v in axe_violations(admin) if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"statistics at {width} px: serious or critical axe violations\n{describe(blocking)}"
        admin.screenshot(path=str(screenshots_dir / f"statistics-{width}.png"), full_page=True)
    scroll_width = admin.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= 375, f"statistics: the page scrolls sideways on a 375 px phone ({scroll_width} px wide)"
