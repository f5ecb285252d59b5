"""The adapters: averages computed from the grades, the stable demo data, an unknown name refused."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from preau_plugins.vie_scolaire.adapters import (
    DEMO_SUBJECTS,
    SKILL_LEVELS,
    AdapterError,
    DemoAdapter,
    Grade,
    adapter_named,
    compute_averages,
    overall_average,
)


def grade(subject, value, out_of=20.0, coefficient=1.0, class_average=None):
    return Grade(subject, value, out_of, coefficient, date(2026, 10, 1), "", class_average)


def test_averages_are_weighted_by_coefficient_on_20_and_leave_out_abs_and_disp():
    averages = compute_averages([
        grade("Maths", "10"), grade("Maths", "16", coefficient=2), grade("Maths", "Abs", coefficient=5),
        grade("Maths", "8", out_of=10, coefficient=1), grade("Maths", "Disp"),
        grade("Français", "12,5", class_average=11.0), grade("Français", "Abs")])
    maths, = (a for a in averages if a.subject == "Maths")
    assert maths.student == pytest.approx((10 + 16 * 2 + 16) / 4)  # 8/10 counts as 16/20
    assert maths.class_average is None  # the source gave none
    french, = (a for a in averages if a.subject == "Français")
    assert (french.student, french.class_average) == (12.5, 11.0)
    assert overall_average(averages) == pytest.approx(round((14.5 + 12.5) / 2, 2))


def test_a_subject_with_only_absent_grades_has_no_average():
    only, = compute_averages([grade("Sciences", "Abs"), grade("Sciences", "NN")])
    assert only.student is None


def test_the_demo_adapter_is_stable_gives_a_full_term_in_seven_subjects_and_differs_between_students():
    emma, adam = SimpleNamespace(id=41), SimpleNamespace(id=42)
    adapter = DemoAdapter()
    first_term = adapter.grades(emma, "T1")
    assert first_term == DemoAdapter().grades(emma, "T1")
    assert {g.subject for g in first_term} == set(DEMO_SUBJECTS) and len(first_term) == 21
    assert first_term != adapter.grades(adam, "T1")
    assert [a.subject for a in adapter.averages(emma, "T1")] == sorted(DEMO_SUBJECTS)
    assert adapter.grades(emma, "T3") == [] and adapter.grades(emma, "nope") == []
    assert {s.level for s in adapter.skills(emma)} <= set(SKILL_LEVELS) and adapter.skills(emma)
    life = adapter.school_life(emma)
    assert life.absences and life.lateness and life == adapter.school_life(emma)


def test_an_unknown_adapter_name_is_an_error_never_invented_data():
    with pytest.raises(AdapterError):
        adapter_named("pronotte")
    with pytest.raises(AdapterError):
        adapter_named("")
    assert isinstance(adapter_named("demo"), DemoAdapter)


def test_the_pronote_adapter_needs_a_registered_client_factory():
    from preau_plugins.pronote.adapters import PRONOTEPY_CLIENTS

    assert "default" not in PRONOTEPY_CLIENTS
    with pytest.raises(AdapterError, match="PRONOTEPY_CLIENTS"):
        adapter_named("pronote")
