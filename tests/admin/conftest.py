"""Fixtures of the accounts-administration tests: the school's ADML logged in, and another school."""

import pytest

from preau.testing import build_school
from tests.auth_helpers import log_in, new_client


@pytest.fixture
def adml(school, app, db):
    browser = new_client(app)
    assert log_in(browser, school.admin, school.password).status_code == 302
    return browser


@pytest.fixture
def other_school(db):
    return build_school(db, name="Collège B", uai="0750002B", city_name="Ville B")
