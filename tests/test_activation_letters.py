"""Activation letters: one PDF page per account still to activate with its login and code; codes renewed in
bulk; scoped to the administrator's structures and audited."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from preau.accounts import activate_with_password
from preau.directory.structures import create_structure
from preau.directory.users import add_role, attach_to_class, create_user, grant_function
from preau.models import AuditEvent, Function, StructureKind
from preau.testing import _password_hash
from preau.types import Profile


@pytest.fixture
def pupils(db, school):
    """Two more pupils of the class still to activate (the school's own accounts are active)."""
    made = []
    for first in ("Zoé", "Adam"):
        pupil = create_user(db, first_name=first, last_name="Colin")
        add_role(db, pupil, school.structure, Profile.STUDENT)
        attach_to_class(db, pupil, school.school_class, Profile.STUDENT)
        made.append(pupil)
    db.commit()
    return made


def _pages(response) -> list[str]:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages]


def test_a_class_gets_one_page_per_account_to_activate(db, school, pupils, client, login_as):
    login_as(school.admin)
    page = client.get(f"/admin/structures/{school.structure.id}/letters?class_id={school.school_class.id}")
    assert page.status_code == 200 and "2 lettres à imprimer" in page.get_data(as_text=True)
    response = client.post_form(f"/admin/structures/{school.structure.id}/letters/pdf",
                                 {"class_id": str(school.school_class.id), "instructions": "Venez avec un adulte."})
    texts = _pages(response)
    assert len(texts) == len(pupils)
    by_login = {p.login: p for p in pupils}
    for text in texts:
        login = next(login for login in by_login if login in text)
        assert by_login[login].activation_code in text and school.school_class.name in text
        assert "Venez avec un adulte." in text and school.structure.name in text
    assert school.student.login not in "".join(texts)  # already active: no letter
    assert db.scalar(select(AuditEvent.detail).where(AuditEvent.action == "account.letters_printed")) == {"count": 2}
    again = client.get(f"/admin/structures/{school.structure.id}/letters?profile=student")
    assert "Venez avec un adulte." in again.get_data(as_text=True)  # the instructions are kept


def test_renewing_codes_replaces_them_and_old_letters_stop_working(db, school, pupils, client, login_as):
    before = {p.id: p.activation_code for p in pupils}
    login_as(school.admin)
    response = client.post_form(f"/admin/structures/{school.structure.id}/letters/renew",
                                {"users": ",".join(str(p.id) for p in pupils)})
    assert response.status_code == 303
    for pupil in pupils:
        db.refresh(pupil)
        assert pupil.activation_code and pupil.activation_code != before[pupil.id]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "account.codes_renewed")).one()
    assert event.detail["count"] == 2
    old = client.post_form("/auth/logout")
    assert old.status_code in (302, 303)
    refused = client.post_form("/auth/activate", {"login": pupils[0].login, "code": before[pupils[0].id]})
    assert refused.status_code == 400


def test_an_admin_of_another_school_prints_nothing_here(db, school, pupils, client, login_as):
    other = create_structure(db, "École voisine", StructureKind.ECOLE, uai="0750999Z")
    outsider = create_user(db, first_name="Odile", last_name="Ailleurs")
    activate_with_password(db, outsider, _password_hash())
    add_role(db, outsider, other, Profile.PERSONNEL)
    grant_function(db, outsider, Function.ADMIN_LOCAL, other)
    db.commit()
    login_as(outsider)
    codes = {p.id: p.activation_code for p in pupils}
    assert client.get(f"/admin/structures/{school.structure.id}/letters").status_code in (403, 404)
    assert client.post_form(f"/admin/structures/{school.structure.id}/letters/pdf",
                            {"profile": "student"}).status_code in (403, 404)
    assert client.post_form(f"/admin/structures/{school.structure.id}/letters/renew",
                            {"profile": "student"}).status_code in (403, 404)
    assert {p.id: db.get(type(p), p.id).activation_code for p in pupils} == codes
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(("account.letters_printed", "account.codes_renewed")))) == 0


def test_a_class_of_another_school_or_a_forged_selection_is_refused(db, school, pupils, client, login_as):
    other = create_structure(db, "École voisine", StructureKind.ECOLE, uai="0750999Z")
    from preau.directory.classes import create_class

    foreign = create_class(db, other, "CE1 Z")
    db.commit()
    login_as(school.admin)
    url = f"/admin/structures/{school.structure.id}/letters"
    assert client.post_form(url + "/pdf", {"class_id": str(foreign.id)}).status_code == 400
    assert client.post_form(url + "/pdf", {"users": "1,deux"}).status_code == 400
    assert client.post_form(url + "/renew", {}).status_code == 400
    assert client.post(url + "/renew", data={"profile": "student"}).status_code == 400  # no CSRF token
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "account.codes_renewed")) == 0


def test_nothing_to_print_is_said_plainly(db, school, client, login_as):
    login_as(school.admin)
    response = client.post_form(f"/admin/structures/{school.structure.id}/letters/pdf", {"profile": "teacher"})
    assert response.status_code == 400 and "pas de lettre à imprimer" in response.get_data(as_text=True)
