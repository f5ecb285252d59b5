"""A school for the cahier tests: the small école of ``build_school`` with the cahier enabled, its directeur, a
teaching group (« Anglais renforcé ») of the teacher and the student, a second class taught by nobody here and a
second family in another school."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from preau.directory.classes import create_class, create_group
from preau.directory.users import add_role, add_to_group, create_user, grant_function
from preau.models import Function, GroupKind
from preau.testing import build_school
from preau.types import Profile
from preau_plugins.cahier.models import Attachment, CahierSession, Homework, HomeworkDone, Visa


@pytest.fixture
def ecole(db, school, enable_plugin):
    enable_plugin("cahier", school.structure)
    school.group = create_group(db, school.structure, "Anglais renforcé", kind=GroupKind.TEACHING)
    add_to_group(db, school.student, school.group)
    add_to_group(db, school.teacher, school.group)
    school.other_class = create_class(db, school.structure, "CM1 B")
    school.head = create_user(db, first_name="Hélène", last_name="Directrice", login="direction.test")
    add_role(db, school.head, school.structure, Profile.PERSONNEL)
    grant_function(db, school.head, Function.DIRECTEUR, school.structure)
    from preau.accounts import activate_with_password
    from preau.testing import _password_hash

    activate_with_password(db, school.head, _password_hash())
    db.flush()
    return school


@pytest.fixture
def other_family(db, enable_plugin):
    other = build_school(db, name="École Victor-Hugo", uai="0750099Z", city_name="Autre Ville")
    enable_plugin("cahier", other.structure)
    return other


def counts(db) -> SimpleNamespace:
    """Row counts of every cahier table (the « nothing changed » check of the bad-input tests)."""
    return SimpleNamespace(**{model.__tablename__: db.scalar(select(func.count()).select_from(model))
                              for model in (CahierSession, Homework, HomeworkDone, Visa, Attachment)})
