"""The pronote adapter maps pronotepy's own data classes, built from Pronote's wire-format JSON."""

from __future__ import annotations

from datetime import date, datetime

import pytest

# pronotepy is in the "test" extra: a missing install fails, never skips.
from pronotepy.dataClasses import Absence, Average, Delay, Evaluation, Grade, Period, Punishment

from preau_plugins.pronote import adapters as pronote_adapters
from preau_plugins.vie_scolaire import adapters


@pytest.fixture
def period():
    made = Period(None, {"N": "P1", "L": "Trimestre 1", "dateDebut": {"V": "01/09/2026"},
                         "dateFin": {"V": "30/11/2026"}})
    yield made
    Period.instances.discard(made)


def grade_json(value, subject, day, coefficient="1", average=None):
    raw = {"N": "g1", "note": {"V": value}, "bareme": {"V": "20"}, "baremeParDefaut": {"V": "20"},
           "date": {"V": day}, "service": {"V": {"N": "s1", "L": subject, "estServiceGroupe": False}},
           "periode": {"V": {"N": "P1"}}, "coefficient": coefficient}
    if average:
        raw["moyenne"] = {"V": average}
    return raw


def test_a_grade_keeps_coefficient_and_class_average(period):
    made = adapters.grade_from_pronotepy(Grade(grade_json("15,5", "MATHEMATIQUES", "12/11/2026", "2", "11,25")))
    assert made == adapters.Grade("MATHEMATIQUES", "15,5", 20.0, 2.0, date(2026, 11, 12), "", 11.25)


def test_pronote_averages_skills_and_events_are_converted():
    average = Average({"N": "s1", "L": "ANGLAIS", "moyEleve": {"V": "7"}, "baremeMoyEleve": {"V": "10"},
                       "moyClasse": {"V": "6,5"}, "moyMin": {"V": "2"}, "moyMax": {"V": "9"},
                       "estServiceGroupe": False})
    assert adapters.average_from_pronotepy(average) == adapters.SubjectAverage("ANGLAIS", 14.0, 13.0)
    evaluation = Evaluation({
        "L": "Évaluation 1", "N": "e1", "domaine": {"V": {"L": "Langues"}}, "individu": {"V": {"L": "M. Martin"}},
        "coefficient": 1, "descriptif": "", "matiere": {"V": {"N": "s1", "L": "ANGLAIS"}},
        "listePaliers": {"V": []}, "date": {"V": "14/11/2026"},
        "listeNiveauxDAcquisitions": {"V": [{
            "N": "a1", "L": "Maîtrise satisfaisante", "abbreviation": "A", "coefficient": 1,
            "domaine": {"V": {"L": "Comprendre l'oral", "N": "d1"}}, "item": {"V": {"L": "Comprendre un message",
                                                                                      "N": "i1"}},
            "ordre": 1, "pilier": {"V": {"L": "Langues vivantes", "N": "p1", "strPrefixes": "D1.2"}}}]}})
    assert adapters.skills_from_pronotepy(evaluation) == [adapters.Skill(
        "Comprendre l'oral", "Comprendre un message", "Maîtrise satisfaisante", date(2026, 11, 14), "ANGLAIS")]
    absence = Absence({"N": "a1", "dateDebut": {"V": "10/11/2026 08:00:00"}, "dateFin": {"V": "10/11/2026 12:00:00"},
                       "justifie": True, "NbrHeures": "4h00", "listeMotifs": {"V": [{"L": "Maladie"}]}})
    assert adapters.absence_from_pronotepy(absence) == adapters.Absence(
        datetime(2026, 11, 10, 8), datetime(2026, 11, 10, 12), True, "Maladie")
    delay = Delay({"N": "d1", "date": {"V": "09/11/2026 08:10:00"}, "duree": 10, "justifie": False})
    assert adapters.lateness_from_pronotepy(delay) == adapters.Lateness(datetime(2026, 11, 9, 8, 10), 10, False, "")
    punishment = Punishment(None, {
        "N": "p1", "dateDemande": {"V": "05/11/2026"}, "horsCours": True, "estUneExclusion": False,
        "circonstances": "", "documentsCirconstances": {"V": []}, "nature": {"V": {"L": "Retenue"}},
        "listeMotifs": {"V": [{"L": "Bavardages"}]}, "demandeur": {"V": {"L": "M. Martin"}},
        "estProgrammable": False, "programmation": {"V": []}})
    assert adapters.punishment_from_pronotepy(punishment) == adapters.Punishment(
        date(2026, 11, 5), "Retenue", "Bavardages", "M. Martin")


class _FakePeriod:
    """Stands for a logged-in client's pronotepy Period (its network part is pronotepy's own)."""

    def __init__(self, real, grades):
        self.id, self.name, self.start, self.end = real.id, real.name, real.start, real.end
        self.grades, self.absences, self.delays, self.punishments, self.evaluations = grades, [], [], [], []

    @property
    def averages(self):
        raise pronote_adapters_unsupported()


def pronote_adapters_unsupported():
    from pronotepy.exceptions import UnsupportedOperation

    return UnsupportedOperation("Could not get averages")


class _Client:
    def __init__(self, current):
        self.current_period, self.periods = current, [current]


def test_the_adapter_computes_averages_when_pronote_hides_them(period):
    grades = [Grade(grade_json(v, "SCIENCES", d, c)) for v, d, c in (("12", "03/11/2026", "1"),
                                                                      ("18", "09/11/2026", "2"),
                                                                      ("Abs", "06/11/2026", "1"))]
    client = _Client(_FakePeriod(period, grades))
    adapter = adapters.PronoteAdapter(lambda student: client)
    assert [p.id for p in adapter.periods(object())] == ["P1"]
    assert [g.value for g in adapter.grades(object(), "P1")] == ["18", "Abs", "12"]
    assert adapter.averages(object(), "P1") == [adapters.SubjectAverage("SCIENCES", 16.0, None)]
    assert [g.value for g in adapter.latest_grades(object(), 1)] == ["18"]
    assert adapter.grades(object(), "P9") == []


def test_the_pronote_adapter_uses_the_pronote_plugins_client_factory(monkeypatch, period):
    client = _Client(_FakePeriod(period, []))
    monkeypatch.setitem(pronote_adapters.PRONOTEPY_CLIENTS, "default", lambda student: client)
    adapter = adapters.adapter_named("pronote")
    assert isinstance(adapter, adapters.PronoteAdapter) and adapter.school_life(object()) == adapters.SchoolLife()


def test_where_pronote_is_off_the_pronote_adapter_shows_nothing(app, db, school, enable_plugin, login_as,
                                                                 monkeypatch, period):
    from preau.rights import set_enabled
    from preau.settings import set_setting

    grades = [Grade(grade_json("17", "PHYSIQUE", "03/11/2026"))]
    client = _Client(_FakePeriod(period, grades))
    monkeypatch.setitem(pronote_adapters.PRONOTEPY_CLIENTS, "default", lambda student: client)
    enable_plugin("vie_scolaire", school.structure)
    enable_plugin("pronote", school.structure)  # an optional requirement of vie_scolaire
    set_setting(db, app.extensions["preau.plugins"], "vie_scolaire", "adapter", "pronote",
                structure_id=school.structure.id)
    db.flush()
    student = login_as(school.student)
    assert "PHYSIQUE" in student.get("/apps/vie_scolaire/notes").get_data(as_text=True)
    set_enabled(db, school.structure, "pronote", False)
    response = student.get("/apps/vie_scolaire/notes")
    assert response.status_code == 503 and "PHYSIQUE" not in response.get_data(as_text=True)
