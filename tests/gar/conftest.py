"""Schools for the GAR tests: the small école of ``build_school`` (first degree) and a collège (second degree)
with a teaching group, a documentaliste and a responsable d'affectation; the Médiacentre enabled with the demo
resource list in both."""

from __future__ import annotations

import pytest

from preau.directory.classes import create_group
from preau.directory.users import add_to_group, grant_function
from preau.models import Function, GroupKind, StructureKind
from preau.settings import set_setting
from preau.testing import build_school
from preau_plugins.gar.services import grant_responsable


def _mediacentre(app, db, enable_plugin, school):
    enable_plugin("gar", school.structure)
    set_setting(db, app.extensions["preau.plugins"], "gar", "adapter", "demo", structure_id=school.structure.id)
    school.staff.email = "sonia.staff@example.org"
    grant_responsable(db, school.staff, school.structure)
    db.flush()
    return school


@pytest.fixture
def ecole(app, db, school, enable_plugin):
    return _mediacentre(app, db, enable_plugin, school)


@pytest.fixture
def college(app, db, enable_plugin):
    school = build_school(db, name="Collège Anne-Frank", uai="0350042K", city_name="Ville du Collège")
    school.structure.kind = StructureKind.COLLEGE
    school.school_class.name = "6e B"
    ulis = create_group(db, school.structure, "ULIS", kind=GroupKind.TEACHING)
    add_to_group(db, school.student, ulis)
    add_to_group(db, school.teacher, ulis)
    school.ulis = ulis
    grant_function(db, school.admin, Function.DOCUMENTALISTE, school.structure)
    return _mediacentre(app, db, enable_plugin, school)
