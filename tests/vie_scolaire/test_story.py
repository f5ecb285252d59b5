"""Where the grades come from and how a school assesses: "Toutes les notes" opens the latest period that has
grades, an école in competences mode shows levels of mastery and never grades on /20, and a school on Pronote
reads Pronote only."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from preau.settings import set_setting
from preau_plugins.pronote.demo_client import SUBJECTS as PRONOTE_SUBJECTS
from preau_plugins.vie_scolaire.adapters import DEMO_SUBJECTS, DemoAdapter
from preau_plugins.vie_scolaire.services import latest_period_with_grades

from .conftest import use_adapter


def _notation(app, db, structure, value: str) -> None:
    set_setting(db, app.extensions["preau.plugins"], "vie_scolaire", "notation", value, structure_id=structure.id)
    db.flush()


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_the_latest_period_with_grades_is_chosen_when_the_current_one_is_empty(viesco):
    adapter, student = DemoAdapter(date(2026, 12, 8)), viesco.student
    periods = adapter.periods(student)
    assert adapter.grades(student, "T2") == []  # a term just begun
    assert latest_period_with_grades(adapter, student, periods, date(2026, 12, 8)).id == "T1"
    assert latest_period_with_grades(adapter, student, periods, date(2026, 11, 20)).id == "T1"  # current, full
    assert latest_period_with_grades(adapter, student, periods, date(2027, 5, 2)).id == "T1"  # T3 and T2 empty


def test_a_period_without_grades_anywhere_falls_back_to_the_current_one(viesco):
    class Empty(DemoAdapter):
        def grades(self, student, period_id):
            return []

    adapter = Empty(date(2026, 12, 8))
    periods = adapter.periods(viesco.student)
    assert latest_period_with_grades(adapter, viesco.student, periods, date(2026, 12, 8)).id == "T2"


def test_toutes_les_notes_opens_a_period_with_grades_and_keeps_the_selector(viesco, login_as):
    client = login_as(viesco.student)
    widget = _page(client.get("/portal/widgets/vie_scolaire.grades"))
    link = re.search(r'<a href="([^"]+)">Toutes les notes de Emma</a>', widget).group(1)
    page = _page(client.get(link))
    assert "Aucune note pour cette période." not in page
    latest = DemoAdapter().latest_grades(viesco.student, 1)[0]
    assert f"<td>{latest.date:%d/%m/%Y}</td>" in page  # the widget's newest grade is on the page it opens
    options = re.findall(r'<option value="(T\d)"', page)
    assert options == ["T1", "T2", "T3"]  # the period selector is still there
    assert "Aucune note pour cette période." in _page(client.get("/apps/vie_scolaire/notes?periode=T3"))


def test_an_ecole_in_competences_mode_shows_levels_and_no_grades(app, db, viesco, login_as):
    _notation(app, db, viesco.structure, "competences")
    client = login_as(viesco.student)
    widget = _page(client.get("/portal/widgets/vie_scolaire.grades"))
    skill = DemoAdapter().skills(viesco.student)[0]
    assert skill.label in widget and skill.level in widget and "/20" not in widget.replace("/2026", "")
    assert "Toutes les compétences de Emma" in widget
    response = client.get("/apps/vie_scolaire/notes?periode=T1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/apps/vie_scolaire/competences?periode=T1")
    page = _page(client.get("/apps/vie_scolaire/competences"))
    assert skill.label in page and "Moyenne" not in page
    assert 'href="/apps/vie_scolaire/notes"' not in page  # no "Notes" tab


def test_a_parent_follows_each_childs_notation(app, db, viesco, second_child, login_as):
    _notation(app, db, viesco.structure, "competences")
    client = login_as(viesco.parent)
    assert client.get("/apps/vie_scolaire/notes").status_code == 302


def test_an_unknown_notation_is_grades(app, db, viesco, login_as):
    _notation(app, db, viesco.structure, "lettres")
    assert login_as(viesco.student).get("/apps/vie_scolaire/notes").status_code == 200


def test_a_school_on_pronote_never_shows_the_apps_own_data(app, db, viesco, login_as, enable_plugin):
    use_adapter(app, db, viesco.structure, "demo")
    enable_plugin("pronote", viesco.structure)
    set_setting(db, app.extensions["preau.plugins"], "pronote", "adapter", "demo", structure_id=viesco.structure.id)
    db.flush()
    client = login_as(viesco.student)
    page = _page(client.get("/apps/vie_scolaire/notes"))
    shown = set(re.findall(r'<h3 id="subject-\d+">([^<]+)</h3>', page))
    assert shown and shown <= set(PRONOTE_SUBJECTS) and not shown & (set(DEMO_SUBJECTS) - set(PRONOTE_SUBJECTS))
    widgets = _page(client.get("/"))
    assert 'data-widget="pronote.block"' in widgets and 'data-widget="vie_scolaire.grades"' not in widgets


def test_the_api_gives_no_grades_in_competences_mode(app, db, viesco, login_as):
    client = login_as(viesco.student)
    assert client.get("/api/v1/vie-scolaire/grades").get_json()["notation"] == "notes"
    _notation(app, db, viesco.structure, "competences")
    body = client.get("/api/v1/vie-scolaire/grades").get_json()
    assert body["notation"] == "competences" and body["grades"] == [] and body["averages"] == []
    assert client.get("/api/v1/vie-scolaire/skills").get_json()["skills"]
