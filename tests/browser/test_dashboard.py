"""The dashboard in a real browser: widgets load after the page, a user reorders them in arrange mode by mouse
(SortableJS) and by keyboard (move buttons, announced), the order persists after a reload; Mes Applis filters
while typing; a parent of two children picks one in the bar. Screenshots at 1280 and 375 px; axe finds nothing
serious."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import BLOCKING_IMPACTS, axe_violations, describe

ARRANGER = "personnel.durand"  # a dedicated user: the layout is reset to the default at the end
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def _order(page) -> list[str]:
    return page.locator("article.widget").evaluate_all("els => els.map(e => e.dataset.widget)")


def _wait_loaded(page) -> None:
    page.wait_for_function("[...document.querySelectorAll('article.widget')]"
                           ".every(w => w.dataset.loaded)")


def _saved(page, before: str | None) -> None:
    # Before any save the attribute is absent (undefined in JS, None here): compare with null, not undefined.
    page.wait_for_function("b => (document.getElementById('dashboard').dataset.saved || null) !== b", arg=before)


def _saved_mark(page) -> str | None:
    return page.locator("#dashboard").get_attribute("data-saved")


def _blocking(page) -> str:
    return describe([v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS])


def test_widgets_reorder_by_keyboard_and_mouse_and_the_order_persists(new_context, session_state, screenshots_dir):
    page = new_context(storage_state=session_state(ARRANGER), bypass_csp=True, **DESKTOP).new_page()
    page.goto("/")
    _wait_loaded(page)
    start = _order(page)
    assert len(start) >= 2, f"the demo gives {ARRANGER} at least two widgets: {start}"
    try:
        # Keyboard, in arrange mode: the first widget moves one place down; the live region says where it is;
        # "Terminer" saves.
        page.get_by_role("button", name="Personnaliser").click()
        first_title = page.locator("article.widget").first.get_attribute("data-title")
        button = page.get_by_role("button", name=f"Descendre : {first_title}")
        button.focus()
        page.keyboard.press("Enter")
        moved = [start[1], start[0], *start[2:]]
        assert _order(page) == moved
        expect(page.locator("#dashboard-status")).to_contain_text(
            f"Widget {first_title} déplacé en position 2 sur {len(start)}")
        expect(button).to_be_focused()
        mark = _saved_mark(page)
        page.get_by_role("button", name="Terminer").click()
        _saved(page, mark)
        page.reload()
        _wait_loaded(page)
        assert _order(page) == moved, "the keyboard move was not saved"

        # Mouse: drag the (now) second widget back before the first one by its handle.
        page.get_by_role("button", name="Personnaliser").click()
        second = page.locator(f'article.widget[data-widget="{moved[1]}"] .widget__handle')
        target = page.locator(f'article.widget[data-widget="{moved[0]}"] .widget__title')
        box_from, box_to = second.bounding_box(), target.bounding_box()
        page.mouse.move(box_from["x"] + 4, box_from["y"] + 4)
        page.mouse.down()
        for step in range(1, 11):
            page.mouse.move(box_from["x"] + (box_to["x"] - box_from["x"]) * step / 10 + 2,
                            box_to["y"] + 4, steps=2)
        page.mouse.up()
        # Where exactly a synthetic drag lands depends on SortableJS's thresholds under load: what must hold is
        # that the mouse changed the order, kept every widget, and that the new order is the one saved.
        dragged = _order(page)
        assert dragged != moved and sorted(dragged) == sorted(start), f"the drag did not reorder: {dragged}"
        mark = _saved_mark(page)
        page.get_by_role("button", name="Terminer").click()
        _saved(page, mark)
        page.reload()
        _wait_loaded(page)
        assert _order(page) == dragged, "the mouse move was not saved"
        page.screenshot(path=str(screenshots_dir / "dashboard-arrange-1280.png"), full_page=True)
        assert not _blocking(page)
    finally:
        # The reset is a fetch (DELETE) then a reload: wait for both, not for the page already loaded.
        page.goto("/")
        page.get_by_role("button", name="Personnaliser").click()
        with page.expect_navigation(), page.expect_response(
                lambda r: r.url.endswith("/api/v1/dashboard/layout") and r.request.method == "DELETE"):
            page.get_by_role("button", name="Rétablir la disposition par défaut").click()
        status = page.evaluate("fetch('/api/v1/dashboard/layout').then(r => r.json()).then(j => j.customised)")
        assert status is False


def test_a_failing_widget_request_shows_a_small_error_box(new_context, session_state):
    context = new_context(storage_state=session_state(ARRANGER), **DESKTOP)
    # The batch of the first load fails, then the widget fetched alone fails too: only its box says so.
    context.route("**/portal/widgets?*", lambda route: route.fulfill(status=500, body="boom"))
    context.route("**/portal/widgets/welcome.hello*", lambda route: route.fulfill(status=500, body="boom"))
    page = context.new_page()
    page.goto("/")
    box = page.locator('article.widget[data-widget="welcome.hello"] .widget__error')
    expect(box).to_contain_text("Ce widget n'a pas pu s'afficher")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_dashboard_and_my_apps_screens_at_desktop_and_phone(new_context, session_state, screenshots_dir):
    page = new_context(storage_state=session_state("parent.colin"), bypass_csp=True, **DESKTOP).new_page()
    for path, name in (("/", "dashboard"), ("/apps", "my-apps")):
        for width, height in ((1280, 800), (375, 740)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(path)
            if path == "/":
                _wait_loaded(page)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width, f"{name} overflows at {width}"
            page.screenshot(path=str(screenshots_dir / f"i5-{name}-{width}.png"), full_page=True)
            problems = _blocking(page)
            assert not problems, f"{name} at {width} px:\n{problems}"


def test_my_apps_filters_while_typing(new_context, session_state):
    page = new_context(storage_state=session_state("parent.colin"), **DESKTOP).new_page()
    page.goto("/apps")
    tiles = page.locator("[data-filterable] li.tile")
    total = tiles.count()
    assert total >= 1
    page.get_by_label("Rechercher une application").fill("zzzz-rien")
    expect(page.locator("#apps-none")).to_be_visible()
    expect(page.locator("[data-filterable] li.tile:visible")).to_have_count(0)
    page.get_by_label("Rechercher une application").fill("")
    expect(page.locator("[data-filterable] li.tile:visible")).to_have_count(total)


def test_a_parent_of_two_children_switches_child_in_the_bar(new_context, session_state):
    page = new_context(storage_state=session_state("parent.colin"), **DESKTOP).new_page()
    page.goto("/")
    selector = page.get_by_label("Enfant")
    expect(selector).to_have_value(selector.locator("option").first.get_attribute("value"))
    tom = selector.locator("option", has_text="Tom").get_attribute("value")
    lea = selector.locator("option", has_text="Léa").get_attribute("value")
    try:
        selector.select_option(tom)
        page.get_by_role("button", name="Choisir").click()
        page.wait_for_load_state()
        expect(page.get_by_label("Enfant")).to_have_value(tom)
        page.goto("/apps")
        expect(page.get_by_label("Enfant")).to_have_value(tom)  # kept in the session, on every page
    finally:
        page.get_by_label("Enfant").select_option(lea)
        page.get_by_role("button", name="Choisir").click()
