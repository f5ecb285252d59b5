"""French by default, English available: language choice, and catalogues (the kernel's, one per plugin) that
cover every msgid of the code."""

from __future__ import annotations

import glob
import importlib.machinery
import importlib.util
import re
import sys
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import g
from sqlalchemy import select

import preau
from preau.directory.structures import DirectoryError, create_structure
from preau.models import AuditEvent

CORE = Path(preau.__file__).resolve().parent
REPO = CORE.parent
REFRESH = "see docs/i18n.md: python .ci/i18n update, translate, python .ci/i18n compile"


def _load_tool():
    loader = importlib.machinery.SourceFileLoader("preau_i18n_tool", str(REPO / ".ci" / "i18n"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # dataclasses look their module up while the file runs
    loader.exec_module(module)
    return module


tool = _load_tool()


@pytest.fixture(scope="module")
def components():
    return {component.name: component for component in tool.components()}


def _msgids(path: Path) -> set[str]:
    with open(path, "rb") as po:
        return {tool._key(m.id) for m in read_po(po) if m.id}


def test_extraction_finds_the_strings_of_python_and_templates(components):
    kernel = {tool._key(m) for m in components["kernel"].msgids}
    assert "Se connecter" in kernel  # python, lazy_gettext as _l
    assert "Tous mes rôles" in kernel  # jinja template
    assert "Enseignant" in kernel and "Bloqué" in kernel  # N_ markers of dynamic labels
    assert "Bienvenue sur Préau" in {tool._key(m) for m in components["welcome"].msgids}  # a plugin's template


def test_a_msgid_belongs_to_the_kernel_when_the_kernel_uses_it_else_to_each_plugin_using_it(components):
    messaging = {tool._key(m) for m in components["messaging"].msgids}
    kernel = {tool._key(m) for m in components["kernel"].msgids}
    assert "Messagerie" in messaging and "Messagerie" not in kernel  # the app's name, N_ in its manifest
    assert "Voir la semaine" in {tool._key(m) for m in components["timetable"].msgids}  # a widget's link
    assert "Brouillon" in messaging and "Brouillon" in {tool._key(m) for m in components["actualites"].msgids}
    assert "Enregistrer" in kernel and "Enregistrer" not in messaging  # used by both: the kernel's
    assert "Messagerie" in _msgids(REPO / "plugins/messaging/translations/en/LC_MESSAGES/messages.po")
    assert "Messagerie" not in _msgids(CORE / "translations/en/LC_MESSAGES/messages.po")


def test_every_msgid_of_the_code_is_translated_in_its_catalogue_and_every_mo_is_fresh():
    """Missing or untranslated msgids (a plugin's may be in its own catalogue or the kernel's), placeholders
    that a translation drops or renames, msgids in a catalogue whose code does not use them, a stale .mo."""
    problems = tool.problems()
    assert not problems, f"{len(problems)} problem(s); {REFRESH}\n" + "\n".join(problems)


def test_the_wheel_ships_every_plugin_catalogue():
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    shipped = {Path(path) for pattern in patterns["preau_plugins"]
               for path in glob.glob(str(REPO / "plugins" / pattern), recursive=True)}
    catalogues = set((REPO / "plugins").glob("*/translations/*/LC_MESSAGES/messages.*"))
    assert len(catalogues) >= 20 and catalogues <= shipped


# -- a plugin's own catalogue ------------------------------------------------------------------------------


def test_a_plugins_catalogue_translates_what_the_kernel_shows_for_it(client, school, login_as, enable_plugin):
    """App name, widget title and right label of a third-party plugin come from its own catalogue."""
    enable_plugin("translated", school.structure)
    login_as(school.admin)
    client.post_form("/lang", {"lang": "en"})
    apps = client.get(f"/admin/structures/{school.structure.id}/apps").get_data(as_text=True)
    assert "Reading club" in apps and "Access the reading club" in apps and "Club de lecture" not in apps
    login_as(school.teacher)
    client.post_form("/lang", {"lang": "en"})
    assert "Reading club" in client.get("/apps").get_data(as_text=True)
    assert "Books of the month" in client.get("/").get_data(as_text=True)
    assert "No book this month." in client.get("/portal/widgets/translated.books").get_data(as_text=True)


def test_a_plugin_cannot_reword_the_kernels_strings(client, school, login_as, enable_plugin):
    enable_plugin("translated", school.structure)
    login_as(school.teacher)
    client.post_form("/lang", {"lang": "en"})
    page = client.get("/apps/translated/").get_data(as_text=True)
    assert "Welcome to the reading club" in page  # its own msgid: its catalogue
    assert "My Apps" in page and "Hijacked" not in page  # the kernel's msgid: the kernel's translation wins


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


def test_no_gettext_call_hides_inside_an_f_string():
    """pybabel (on Python 3.11) cannot see a ``_("…")`` inside an f-string: its msgid would never be extracted."""
    import io
    import tokenize

    call = re.compile(r"""\{[^{}]*\b(_|gettext|ngettext|lazy_gettext|_l)\(\s*['"]""")  # a literal msgid
    hidden = []
    for path in [*CORE.rglob("*.py"), *(REPO / "plugins").rglob("*.py")]:
        for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            if token.type == tokenize.STRING and re.match(r"[rRbB]*[fF]", token.string) and call.search(token.string):
                hidden.append(f"{path.relative_to(REPO)}:{token.start[0]}")
    assert hidden == []
