"""The pronotepy adapter maps pronotepy's own data classes (built from Pronote JSON as pronotepy parses it)."""

from __future__ import annotations

from datetime import date

import pytest

# pronotepy is in the "test" extra (and the optional "pronote" extra): a missing install fails, never skips.
from pronotepy.dataClasses import Absence, Delay, Grade, Period, Punishment

from preau_plugins.pronote import adapters


@pytest.fixture
def period():
    made = Period.__new__(Period)
    made.id = "P1"
    Period.instances.add(made)
    yield made
    Period.instances.discard(made)


def grade_json(value, subject, day, comment=None):
    raw = {"N": "g1", "note": {"V": value}, "bareme": {"V": "20"}, "baremeParDefaut": {"V": "20"},
           "date": {"V": day}, "service": {"V": {"N": "s1", "L": subject, "estServiceGroupe": False}},
           "periode": {"V": {"N": "P1"}}}
    if comment:
        raw["commentaire"] = comment
    return raw


def test_a_grade_keeps_its_subject_value_scale_date_and_comment(period):
    grade = adapters.grade_from_pronotepy(Grade(grade_json("15,5", "MATHEMATIQUES", "12/11/2026", "Bien")))
    assert grade == adapters.Grade("MATHEMATIQUES", "15,5", "20", date(2026, 11, 12), "Bien")
    absent = adapters.grade_from_pronotepy(Grade(grade_json("|1", "FRANCAIS", "13/11/2026")))
    assert absent.value == "Absent" and absent.comment == ""  # pronotepy's reading of the "absent" code


def test_absences_delays_and_punishments_become_school_life_events():
    absence = Absence({"N": "a1", "dateDebut": {"V": "10/11/2026 08:00:00"}, "dateFin": {"V": "10/11/2026 12:00:00"},
                       "justifie": True, "NbrHeures": "4h00", "listeMotifs": {"V": [{"L": "Maladie"}]}})
    assert adapters.absence_from_pronotepy(absence) == adapters.SchoolLifeEvent(
        "absence", date(2026, 11, 10), "Absence (4h00) — Maladie", True)
    delay = Delay({"N": "d1", "date": {"V": "09/11/2026 08:10:00"}, "duree": 10, "justifie": False})
    assert adapters.delay_from_pronotepy(delay) == adapters.SchoolLifeEvent(
        "retard", date(2026, 11, 9), "Retard de 10 min", False)
    punishment = Punishment(None, {
        "N": "p1", "dateDemande": {"V": "05/11/2026"}, "horsCours": True, "estUneExclusion": False,
        "circonstances": "", "documentsCirconstances": {"V": []}, "nature": {"V": {"L": "Retenue"}},
        "listeMotifs": {"V": [{"L": "Bavardages"}]}, "demandeur": {"V": {"L": "M. Martin"}},
        "estProgrammable": False, "programmation": {"V": []}})
    assert adapters.punishment_from_pronotepy(punishment) == adapters.SchoolLifeEvent(
        "punition", date(2026, 11, 5), "Retenue — Bavardages", False)


class _FakePeriod:
    """Stands for pronotepy's Period of a logged-in client (the network part is pronotepy's own)."""

    def __init__(self, grades, absences, delays):
        self.grades, self.absences, self.delays, self.punishments = grades, absences, delays, []


class _Client:
    def __init__(self, current_period):
        self.current_period = current_period


def test_the_adapter_returns_the_newest_first_within_the_limit(period):
    grades = [Grade(grade_json(str(v), "SCIENCES", f"{d:02d}/11/2026")) for v, d in ((11, 3), (14, 9), (9, 6))]
    delay = Delay({"N": "d1", "date": {"V": "07/11/2026 08:10:00"}, "duree": 5})
    adapter = adapters.PronotepyAdapter(lambda student: _Client(_FakePeriod(grades, [], [delay])))
    assert [g.value for g in adapter.latest_grades(object(), 2)] == ["14", "9"]
    assert [e.kind for e in adapter.school_life(object(), 3)] == ["retard"]
