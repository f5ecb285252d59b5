"""A school where Pronote is enabled with its URL set, and a second child for the school's parent."""

from __future__ import annotations

from datetime import date

import pytest

from preau.accounts import activate_with_password
from preau.directory.users import add_role, attach_to_class, create_user, link_relative
from preau.settings import set_setting
from preau.testing import _password_hash

PRONOTE_URL = "https://0750001a.index-education.net/pronote/"


@pytest.fixture
def pronote_school(app, db, school, enable_plugin):
    enable_plugin("pronote", school.structure)
    registry = app.extensions["preau.plugins"]
    set_setting(db, registry, "pronote", "url", PRONOTE_URL, structure_id=school.structure.id)
    set_setting(db, registry, "pronote", "adapter", "demo", structure_id=school.structure.id)
    db.flush()
    return school


@pytest.fixture
def second_child(db, school):
    child = create_user(db, first_name="Adam", last_name="Eleve", login="adam.eleve", birth_date=date(2017, 1, 2))
    activate_with_password(db, child, _password_hash())
    add_role(db, child, school.structure, "student")
    attach_to_class(db, child, school.school_class, "student")
    link_relative(db, school.parent, child)
    db.flush()
    return child
