"""A school for the carnet tests: the small école of ``build_school`` with the carnet enabled, a teaching group
of the teacher and the student, a second class taught by nobody here, and a second family in another school."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from preau.directory.classes import create_class, create_group
from preau.directory.users import add_to_group
from preau.models import GroupKind
from preau.testing import build_school
from preau_plugins.carnet.models import Mot, Recipient, Reminder, Reply


@pytest.fixture
def ecole(db, school, enable_plugin):
    enable_plugin("carnet", school.structure)
    school.group = create_group(db, school.structure, "Chorale", kind=GroupKind.TEACHING)
    add_to_group(db, school.student, school.group)
    add_to_group(db, school.teacher, school.group)
    school.other_class = create_class(db, school.structure, "CM1 B")
    school.parent.email = "parent@example.org"
    db.flush()
    return school


@pytest.fixture
def other_family(db, enable_plugin):
    other = build_school(db, name="École Victor-Hugo", uai="0750099Z", city_name="Autre Ville")
    enable_plugin("carnet", other.structure)
    return other


def snapshot(db) -> SimpleNamespace:
    """Row counts of every carnet table and the signature columns (the « nothing changed » check)."""
    data = {m.__tablename__: db.scalar(select(func.count()).select_from(m)) for m in (Mot, Recipient, Reply, Reminder)}
    data["signatures"] = sorted((r.id, str(r.signed_at), r.signed_by_id, str(r.student_read_at))
                                for r in db.scalars(select(Recipient)))
    return SimpleNamespace(**data)
