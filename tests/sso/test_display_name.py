"""A renamed person is released under the new name (issue 16, point 11): ``display_name`` follows the first and
last names whatever changes them — any code setting the names on the account, or a feed re-import — and the CAS
``serviceValidate`` attributes and the annuaire show it, never the old name."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from preau.auth import tokens
from preau.directory.sync import apply_import
from preau.directory.users import create_user
from preau.models import User
from preau.portal.launches import released_values
from preau_plugins.aaf.reader import read_aaf
from tests.imports.aaf_files import small_set, student, write
from tests.sso.cas_helpers import FOLIOS, add_cas_connector

SERVICE = FOLIOS + "accueil"


def _cas_attributes(client, login_as, user) -> str:
    """Log in, get a service ticket from /cas/login and validate it (CAS 3): the XML answer."""
    login_as(user)
    response = client.get("/cas/login", query_string={"service": SERVICE})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    ticket = parse_qs(urlsplit(response.headers["Location"]).query)["ticket"][0]
    validated = client.get("/cas/p3/serviceValidate", query_string={"service": SERVICE, "ticket": ticket})
    client.get("/auth/logout")
    return validated.get_data(as_text=True)


def test_a_rename_reaches_the_cas_attributes_and_the_annuaire(client, db, school, login_as):
    add_cas_connector(db, school.structure, attributes=("login", "display_name", "first_name", "last_name"))
    student = school.student
    assert "<cas:display_name>Emma ELEVE</cas:display_name>" in _cas_attributes(client, login_as, student)

    student.first_name, student.last_name = "Emmanuelle", "Martin-Eleve"  # e.g. a marriage, a correction
    db.commit()
    assert student.display_name == "Emmanuelle MARTIN-ELEVE"
    answer = _cas_attributes(client, login_as, student)
    assert "<cas:display_name>Emmanuelle MARTIN-ELEVE</cas:display_name>" in answer
    assert "<cas:first_name>Emmanuelle</cas:first_name>" in answer and "Emma ELEVE" not in answer

    plaintext, _token = tokens.create_token(db, school.teacher, "Annuaire", ["read"])
    db.commit()
    card = client.get(f"/api/v1/directory/users/{student.id}", headers={"Authorization": f"Bearer {plaintext}"})
    assert card.status_code == 200 and card.get_json()["display_name"] == "Emmanuelle MARTIN-ELEVE"


def test_a_feed_re_import_renames_the_released_display_name(db, tmp_path):
    apply_import(db, read_aaf([small_set(tmp_path)]))
    lea = db.scalars(select(User).where(User.external_id == "1001")).one()
    assert released_values(lea, ["display_name"]) == {"display_name": "Léa MARTIN"}
    write(tmp_path, "ENT_Complet_20250901_Eleve_0000.xml",
          student("1001", "Léa", "Martin-Durand", "100", ["6A"], ["3001", "3002"]),
          student("1002", "Hugo", "Martin", "100", ["5B"], ["3001"]),
          student("1003", "Inès", "Diallo", "100", ["6A"]))
    apply_import(db, read_aaf([tmp_path]))
    db.refresh(lea)
    assert released_values(lea, ["display_name", "last_name"]) == {"display_name": "Léa MARTIN-DURAND",
                                                                   "last_name": "Martin-Durand"}


def test_an_explicit_display_name_set_after_the_names_is_kept(db):
    """The erasure of an account blanks the names then sets « Compte supprimé »: the last word wins."""
    user = create_user(db, first_name="Jean", last_name="Dupont")
    assert user.display_name == "Jean DUPONT"
    user.first_name, user.last_name, user.display_name = "", "", "Compte supprimé"
    assert user.display_name == "Compte supprimé"
    user.last_name = "Durand"
    assert user.display_name == "DURAND"
