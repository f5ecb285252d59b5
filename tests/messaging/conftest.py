"""Fixtures of the messaging tests: a school where messaging is enabled, with a second class and family."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from preau.accounts import activate_with_password
from preau.directory.classes import create_class
from preau.directory.users import add_role, attach_to_class, class_group, create_user, link_relative
from preau.testing import School, _password_hash, build_school
from preau.types import Profile


@dataclass
class World:
    s: School
    parent2: Any  # another parent of the same class: never reachable by s.parent
    student2: Any
    teacher_b: Any  # the teacher of another class
    other: School  # a school of another city, messaging enabled too
    parents_group: Any  # the group "parents of CM2 A"
    teachers_group: Any  # the class's teachers


def person(db, structure, first, last, profile, **kw):
    user = create_user(db, first_name=first, last_name=last, **kw)
    activate_with_password(db, user, _password_hash())  # logs in with TEST_PASSWORD
    add_role(db, user, structure, profile)
    return user


@pytest.fixture
def world(db, school, enable_plugin) -> World:
    s = school
    student2 = person(db, s.structure, "Alice", "Autre", Profile.STUDENT, birth_date=date(2015, 2, 2))
    attach_to_class(db, student2, s.school_class, Profile.STUDENT)
    parent2 = person(db, s.structure, "Arthur", "Autre", Profile.RELATIVE)
    link_relative(db, parent2, student2)
    other_class = create_class(db, s.structure, "CM1 B")
    teacher_b = person(db, s.structure, "Bruno", "Bleu", Profile.TEACHER)
    attach_to_class(db, teacher_b, other_class, Profile.TEACHER)
    other = build_school(db, "École Lointaine", "0750009Z", city_name="Ville Loin")
    enable_plugin("messaging", s.structure)
    enable_plugin("messaging", other.structure)
    db.flush()
    return World(s, parent2, student2, teacher_b, other, class_group(db, s.school_class, Profile.RELATIVE),
                 class_group(db, s.school_class, Profile.TEACHER))
