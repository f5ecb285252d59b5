"""A school where « Notes et vie scolaire » is enabled, with a chosen adapter, a second child for the parent,
and a second school whose student must never be reachable."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from preau.accounts import activate_with_password
from preau.directory.users import add_role, attach_to_class, create_user, link_relative
from preau.settings import set_setting
from preau.testing import _password_hash, build_school
from preau_plugins.vie_scolaire.models import ImportedEvent, ImportedGrade


def use_adapter(app, db, structure, name: str) -> None:
    set_setting(db, app.extensions["preau.plugins"], "vie_scolaire", "adapter", name, structure_id=structure.id)
    db.flush()


@pytest.fixture
def viesco(app, db, school, enable_plugin):
    """The school with the app enabled and the demo adapter."""
    enable_plugin("vie_scolaire", school.structure)
    use_adapter(app, db, school.structure, "demo")
    return school


@pytest.fixture
def csv_school(app, db, viesco):
    use_adapter(app, db, viesco.structure, "csv")
    return viesco


@pytest.fixture
def second_child(db, school):
    child = create_user(db, first_name="Adam", last_name="Eleve", login="adam.eleve", birth_date=date(2017, 1, 2))
    activate_with_password(db, child, _password_hash())
    add_role(db, child, school.structure, "student")
    attach_to_class(db, child, school.school_class, "student")
    link_relative(db, school.parent, child)
    db.flush()
    return child


@pytest.fixture
def other_school(app, db, enable_plugin):
    other = build_school(db, name="École Victor-Hugo", uai="0750002B", city_name="Autre ville")
    enable_plugin("vie_scolaire", other.structure)
    use_adapter(app, db, other.structure, "csv")
    return other


def row_counts(db) -> tuple[int, int]:
    return (db.scalar(select(func.count()).select_from(ImportedGrade)),
            db.scalar(select(func.count()).select_from(ImportedEvent)))
