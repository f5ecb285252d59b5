"""The language switcher of every footer: a disclosure listing the languages, each a form that applies on one
activation (no separate "Appliquer"), the current one marked with aria-current, working without JavaScript."""

import re

from preau.testing import build_school  # noqa: F401 - the school fixture's module


def _menu(html: str) -> str:
    return html[html.index('<details class="lang-menu">'):html.index("</details>", html.index("lang-menu"))]


def test_each_language_is_one_submit_button_with_its_csrf_token(client):
    menu = _menu(client.get("/auth/login").get_data(as_text=True))
    assert "Appliquer" not in menu
    buttons = re.findall(r'<button type="submit" name="lang" value="(\w+)"', menu)
    assert buttons == ["fr", "en"]
    assert menu.count('name="csrf_token"') == 2 and menu.count("<form") == 2
    assert re.search(r'value="fr" lang="fr" class="lang-menu__choice" aria-current="true"', menu)
    assert 'value="en" lang="en" class="lang-menu__choice">' in menu


def test_choosing_english_applies_at_once_and_marks_it_current(school, login_as, client):
    login_as(school.teacher)
    response = client.post_form("/lang", {"lang": "en", "next": "/apps"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/apps")
    html = client.get("/apps").get_data(as_text=True)
    assert '<html lang="en"' in html
    menu = _menu(html)
    assert 'value="en" lang="en" class="lang-menu__choice" aria-current="true"' in menu


def test_a_forged_language_or_token_changes_nothing(client):
    assert client.post_form("/lang", {"lang": "xx"}).status_code == 400
    assert client.post("/lang", data={"lang": "en", "csrf_token": "forged"}).status_code == 400
    assert '<html lang="fr"' in client.get("/auth/login").get_data(as_text=True)
