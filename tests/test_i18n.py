"""French by default, English available: language choice, and a catalog that covers every msgid of the code."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import g
from sqlalchemy import select

import preau
from preau.directory.structures import DirectoryError, create_structure
from preau.models import AuditEvent

CORE = Path(preau.__file__).resolve().parent
REPO = CORE.parent
CATALOG = CORE / "translations" / "en" / "LC_MESSAGES"
# The same keywords as the extraction command of docs/i18n.md.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
REFRESH = "see docs/i18n.md: pybabel extract …, pybabel update …, translate, pybabel compile …"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


def _method_map():
    from babel.messages.frontend import parse_mapping_cfg

    with open(REPO / "babel.cfg", encoding="utf-8") as config:
        return parse_mapping_cfg(config)


def extracted_msgids() -> dict[str, str]:
    """Every msgid (singular form for plurals) of core/ and plugins/, with where it was found."""
    method_map, options_map = _method_map()
    found: dict[str, str] = {}
    for directory in (CORE, REPO / "plugins"):
        for filename, lineno, message, _comments, _context in extract_from_dir(
                str(directory), method_map, options_map, keywords=KEYWORDS):
            msgid = message[0] if isinstance(message, tuple | list) else message
            if msgid and re.search(r"[^\W\d_]", msgid):  # strings without letters need no translation
                found.setdefault(msgid, f"{directory.name}/{filename}:{lineno}")
    return found


def _catalog():
    with open(CATALOG / "messages.po", "rb") as po:
        return read_po(po)


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _strings(message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def test_extraction_finds_the_strings_of_python_and_templates():
    msgids = extracted_msgids()
    assert "Se connecter" in msgids  # python, lazy_gettext as _l
    assert "Tous mes rôles" in msgids  # jinja template
    assert "Enseignant" in msgids and "Bloqué" in msgids  # N_ markers of dynamic labels
    assert "Bienvenue sur Préau" in msgids  # a built-in plugin's template


def test_every_msgid_of_the_code_has_an_english_translation():
    catalog = {_key(m): m for m in _catalog() if m.id}
    problems = []
    for msgid, where in sorted(extracted_msgids().items()):
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r} ({where})")
        elif message.fuzzy or not all(_strings(message)):
            problems.append(f"untranslated or fuzzy: {msgid!r} ({where})")
    assert not problems, f"{len(problems)} msgid(s) without English; {REFRESH}\n" + "\n".join(problems)


def test_translations_keep_the_placeholders_of_their_msgid():
    wrong = [m.id for m in _catalog() if m.id and any(
        sorted(PLACEHOLDER.findall(string)) != sorted(PLACEHOLDER.findall(_key(m))) for string in _strings(m))]
    assert wrong == []


def test_the_compiled_catalog_is_up_to_date_with_the_po_file():
    def table(catalog):
        return {(m.id if isinstance(m.id, str) else tuple(m.id)):
                (m.string if isinstance(m.string, str) else tuple(m.string)) for m in catalog if m.id}

    fresh = BytesIO()
    write_mo(fresh, _catalog())
    fresh.seek(0)
    with open(CATALOG / "messages.mo", "rb") as compiled:
        assert table(read_mo(compiled)) == table(read_mo(fresh)), f"messages.mo is stale; {REFRESH}"


# -- choosing the language ---------------------------------------------------------------------------------


def test_pages_are_in_french_by_default(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Se connecter" in page and "Log in" not in page


def test_choosing_english_translates_the_login_page(client):
    response = client.post_form("/lang", {"lang": "en", "next": "/auth/login"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in" in page and "Se connecter" not in page
    assert "First login: activate my account" in page
    client.post_form("/lang", {"lang": "fr"})
    assert "Se connecter" in client.get("/auth/login").get_data(as_text=True)


def test_french_whatever_the_browser_language_until_english_is_chosen(client):
    english_browser = {"Accept-Language": "en-GB,en;q=0.9"}
    assert "Se connecter" in client.get("/auth/login", headers=english_browser).get_data(as_text=True)
    client.post_form("/lang", {"lang": "en"})
    assert "Log in" in client.get("/auth/login", headers=english_browser).get_data(as_text=True)


@pytest.mark.parametrize("lang", ["de", "", "en-US", "../en"])
def test_an_unknown_language_is_refused(client, lang):
    assert client.post_form("/lang", {"lang": lang}).status_code == 400
    with client.session_transaction() as session:
        assert "lang" not in session
    assert "Se connecter" in client.get("/auth/login").get_data(as_text=True)


def test_a_language_chosen_before_login_survives_the_login(client, school, login_as):
    client.post_form("/lang", {"lang": "en"})
    login_as(school.teacher)
    page = client.get("/").get_data(as_text=True)
    assert "My Apps" in page and "Log out" in page and "Teacher" in page


def test_a_logged_in_choice_is_kept_on_the_account_and_audited(client, school, login_as, db):
    login_as(school.teacher)
    client.post_form("/lang", {"lang": "en"})
    db.refresh(school.teacher)
    assert school.teacher.locale == "en"
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "account.locale_changed",
                                               AuditEvent.actor_id == school.teacher.id)).one()


def _refusal_in(app, db, uai: str, **headers: str) -> str:
    g.pop("_flask_babel", None)  # the db fixture's app context (and its g) outlives each request context
    with app.test_request_context(headers=headers), pytest.raises(DirectoryError) as error:
        create_structure(db, "Doublon", uai=uai)
    return str(error.value)


def test_service_messages_follow_the_request_language(app, db, school):
    uai = school.structure.uai
    assert _refusal_in(app, db, uai, Cookie="preau_lang=en") == f"The UAI code {uai} is already in use."
    assert _refusal_in(app, db, uai) == f"Le code UAI {uai} est déjà utilisé."
    g.pop("_flask_babel", None)
    with pytest.raises(DirectoryError, match="déjà utilisé"):  # outside any request: French
        create_structure(db, "Doublon", uai=uai)
