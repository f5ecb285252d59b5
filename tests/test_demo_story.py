"""The demo tells one story: the école élémentaire (Jules-Ferry) has no Pronote and no grades on /20 (competences),
the collège (Marie-Curie) has Pronote and its grades come from Pronote only, a student never gets a parent's
widget, and "Toutes les notes" opens the latest period that has grades."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import current_app
from sqlalchemy import select

from preau import Profile, Structure, User, app_enabled
from preau.demo import ensure_demo
from preau.rights import access_for

PASSWORD = "demo"
ONE_SOURCE = {"pronote.block", "vie_scolaire.grades"}


@pytest.fixture
def demo(db):
    ensure_demo()
    db.flush()
    return db


def _user(db, login: str) -> User:
    return db.scalar(select(User).where(User.login == login))


def _school(db, name: str) -> Structure:
    return db.scalar(select(Structure).where(Structure.name == name))


def _widgets(db, user: User) -> set[str]:
    return {w.id for w in access_for(db, current_app.extensions["preau.plugins"], user).widgets}


def _students(db) -> list[User]:
    return [u for u in db.scalars(select(User).where(User.source == "demo")) if "student" in u.profiles]


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def _out_of_20(html: str) -> bool:
    """A grade on /20 ("15/20"), not a date of the year 20xx."""
    return re.search(r"/20(?!\d)", html) is not None


def test_pronote_is_on_for_the_college_only(demo):
    assert not app_enabled(demo, "pronote", _school(demo, "École élémentaire Jules-Ferry"))
    assert app_enabled(demo, "pronote", _school(demo, "Collège Marie-Curie"))


def test_no_student_gets_both_the_pronote_block_and_the_vie_scolaire_grades(demo):
    for student in _students(demo):
        widgets = _widgets(demo, student)
        assert not widgets >= ONE_SOURCE, f"{student.login} sees two sources of grades: {widgets}"
        assert widgets & ONE_SOURCE, f"{student.login} sees no grades at all"


def test_the_ecole_student_gets_competences_never_grades_out_of_20(demo, login_as):
    lea = _user(demo, "eleve.lea")
    assert "pronote.block" not in _widgets(demo, lea)
    client = login_as(lea, PASSWORD)
    block = _page(client.get("/portal/widgets/vie_scolaire.grades"))
    assert "maîtrise" in block.lower() and not _out_of_20(block)
    response = client.get("/apps/vie_scolaire/notes")
    assert response.status_code == 302 and "/apps/vie_scolaire/competences" in response.headers["Location"]
    page = _page(client.get("/apps/vie_scolaire/competences"))
    assert "Niveau de maîtrise" in page and not _out_of_20(page)
    assert 'href="/apps/vie_scolaire/notes"' not in page  # no "Notes" tab where there are no grades


def test_the_college_student_reads_grades_from_pronote_only(demo, login_as):
    from preau_plugins.pronote.adapters import DemoAdapter as PronoteDemo
    from preau_plugins.pronote.demo_client import SUBJECTS as PRONOTE_SUBJECTS
    from preau_plugins.vie_scolaire.adapters import DEMO_SUBJECTS

    tom = _user(demo, "eleve.tom")
    widgets = _widgets(demo, tom)
    assert "pronote.block" in widgets and not widgets & {"vie_scolaire.grades", "vie_scolaire.life"}
    client = login_as(tom, PASSWORD)
    latest = PronoteDemo().latest_grades(tom, 1)[0]
    block = _page(client.get("/portal/widgets/pronote.block"))
    assert f"{latest.subject} : <strong>{latest.value}/20</strong>" in block
    page = _page(client.get("/apps/vie_scolaire/notes"))  # the pages read the same Pronote: the same figures
    assert f"<td>{latest.date:%d/%m/%Y}</td><td><strong>{latest.value}</strong>/20</td>" in page
    assert latest.subject in page
    own_only = set(DEMO_SUBJECTS) - set(PRONOTE_SUBJECTS)
    assert not any(f">{subject}</h3>" in page for subject in own_only)  # nothing of the app's own source


def test_the_parent_of_both_sees_each_child_from_its_one_source(demo, login_as):
    colin, lea, tom = (_user(demo, login) for login in ("parent.colin", "eleve.lea", "eleve.tom"))
    assert _widgets(demo, colin) >= ONE_SOURCE  # one child at each school: each block serves one of them
    client = login_as(colin, PASSWORD)
    client.post_form("/child", {"child_id": str(tom.id)})
    assert "viennent de Pronote" in _page(client.get("/portal/widgets/vie_scolaire.grades"))
    assert _out_of_20(_page(client.get("/portal/widgets/pronote.block")))
    client.post_form("/child", {"child_id": str(lea.id)})
    assert "n’utilise pas Pronote" in _page(client.get("/portal/widgets/pronote.block"))
    assert "maîtrise" in _page(client.get("/portal/widgets/vie_scolaire.grades")).lower()


def test_no_demo_student_gets_a_widget_meant_for_parents(demo):
    registry = current_app.extensions["preau.plugins"]
    parent_only = {w.id for record in registry.active() for w in record.widgets
                   if Profile.RELATIVE in w.default_profiles and Profile.STUDENT not in w.default_profiles}
    assert "carnet.to_sign" in parent_only
    for student in _students(demo):
        assert not _widgets(demo, student) & parent_only, student.login
    assert "carnet.to_sign" in _widgets(demo, _user(demo, "parent.colin"))
