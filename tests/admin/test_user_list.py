"""The user list of a structure: every filter, sort, paging, and the CSV export of the filtered list."""

import csv
import io
from datetime import date, datetime

import pytest

from preau.directory.classes import create_class, create_group
from preau.directory.lifecycle import transition
from preau.directory.users import add_role, add_to_group, attach_to_class, create_user
from preau.types import Profile
from tests.auth_helpers import page


def _list(adml, school, **args):
    response = adml.get(f"/admin/structures/{school.structure.id}/users", query_string=args)
    assert response.status_code == 200, response.status_code
    return page(response)


def _student(db, school, first, last, *, school_class=None, born=date(2014, 1, 1), source="manual", **kw):
    user = create_user(db, first_name=first, last_name=last, birth_date=born, source=source, **kw)
    add_role(db, user, school.structure, Profile.STUDENT)
    attach_to_class(db, user, school_class or school.school_class, Profile.STUDENT)
    return user


def test_the_structure_page_links_to_the_user_list(school, adml):
    structure_page = page(adml.get(f"/admin/structures/{school.structure.id}"))
    assert f"/admin/structures/{school.structure.id}/users" in structure_page


def test_profile_filter_keeps_only_that_profile(school, adml):
    text = _list(adml, school, profile="teacher")
    assert school.teacher.display_name in text and school.student.display_name not in text
    assert "1 utilisateur" in text


def test_class_filter_keeps_the_members_of_the_class(school, adml, db):
    other = create_class(db, school.structure, "CM1 B")
    zoe = _student(db, school, "Zoé", "Zebre", school_class=other)
    text = _list(adml, school, class_id=other.id)
    assert zoe.display_name in text and school.student.display_name not in text
    text = _list(adml, school, class_id=school.school_class.id)
    assert school.student.display_name in text and school.teacher.display_name in text
    assert school.parent.display_name in text and zoe.display_name not in text  # parents follow their children


def test_group_filter_keeps_the_members_of_the_group(school, adml, db):
    group = create_group(db, school.structure, "Chorale")
    add_to_group(db, school.staff, group)
    text = _list(adml, school, group_id=group.id)
    assert school.staff.display_name in text and school.teacher.display_name not in text


def test_state_filter(school, adml, db):
    transition(db, school.guest, "blocked", reason="test")
    text = _list(adml, school, state="blocked")
    assert school.guest.display_name in text and school.teacher.display_name not in text


def test_source_filter(school, adml, db):
    imported = _student(db, school, "Ali", "Aaf", source="aaf", external_id="AAF1")
    text = _list(adml, school, source="aaf")
    assert imported.display_name in text and school.student.display_name not in text


def test_duplicates_filter_finds_same_person_from_two_sources(school, adml, db):
    manual = _student(db, school, "Lou", "Double", born=date(2014, 3, 3))
    imported = _student(db, school, "Lou", "Double", born=date(2014, 3, 3), source="aaf", external_id="X1")
    homonym = _student(db, school, "Lou", "Double", born=date(2014, 9, 9), source="csv", external_id="X2")
    text = _list(adml, school, duplicates="1")
    assert manual.login in text and imported.login in text and homonym.login not in text
    assert school.student.login not in text and "2 utilisateurs" in text


def test_function_filter(school, adml):
    text = _list(adml, school, function="ADMIN_LOCAL")
    assert school.admin.display_name in text and "1 utilisateur" in text


def test_creation_date_range(school, adml, db):
    old = _student(db, school, "Vieux", "Compte")
    old.created_at = datetime(2020, 6, 15, 10, 0)
    db.flush()
    text = _list(adml, school, created_from="2020-06-15", created_to="2020-06-15")
    assert old.display_name in text and "1 utilisateur" in text
    assert old.display_name not in _list(adml, school, created_from="2020-06-16")


def test_search_by_login_or_name(school, adml):
    assert "1 utilisateur" in _list(adml, school, q=school.teacher.login)
    text = _list(adml, school, q="emm")
    assert school.student.display_name in text and school.parent.display_name not in text


def test_bad_filter_value_is_refused_with_its_name(school, adml):
    response = adml.get(f"/admin/structures/{school.structure.id}/users?created_from=hier")
    assert response.status_code == 400 and "Créé à partir du" in page(response)
    response = adml.get(f"/admin/structures/{school.structure.id}/users?state=zombie")
    assert response.status_code == 400 and "« État »" in page(response)


def test_sort_and_paging(school, adml, db):
    for n in range(55):
        _student(db, school, f"Élève{n:02d}", "Zz-Page")
    first_page, second = _list(adml, school, q="zz-page"), _list(adml, school, q="zz-page", page=2)
    assert "Page 1 sur 2" in first_page and "Page 2 sur 2" in second
    assert "eleve54.zz-page" in second and "eleve54.zz-page" not in first_page
    desc = _list(adml, school, q="zz-page", sort="login", order="desc")
    assert "eleve54.zz-page" in desc and "eleve00.zz-page" not in desc


def test_another_schools_list_is_refused(school, other_school, adml):
    assert adml.get(f"/admin/structures/{other_school.structure.id}/users").status_code == 403
    assert adml.get(f"/admin/structures/{other_school.structure.id}/users/export.csv").status_code == 403


def _export(adml, school, **args):
    response = adml.get(f"/admin/structures/{school.structure.id}/users/export.csv", query_string=args)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_csv_export_holds_the_filtered_list(school, adml):
    rows = _export(adml, school, profile="student")
    assert rows[0][:3] == ["Nom", "Prénom", "Identifiant"]
    assert [r[2] for r in rows[1:]] == [school.student.login]
    assert rows[1][3] == "Élève" and rows[1][4] == "CM2 A" and rows[1][7] == "2015-05-05"
    everyone = _export(adml, school)
    assert len(everyone) - 1 == 6


def test_csv_export_disarms_formulas(school, adml, db):
    _student(db, school, "=HYPERLINK(\"http://x\")", "+Attaque")
    rows = _export(adml, school, q="+attaque")
    assert rows[1][0] == "'+Attaque" and rows[1][1].startswith("'=HYPERLINK")


@pytest.mark.parametrize("args", [{"profile": "student"}, {"duplicates": "1"}, {"class_id": "1"}])
def test_list_queries_do_not_grow_with_the_page(school, adml, db, app, args):
    """The number of SQL statements for a page is the same for 3 and for 40 users (no N+1)."""
    from sqlalchemy import event

    def count_statements():
        engine = db.get_bind()
        statements = []
        listener = lambda *a, **k: statements.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            _list(adml, school, **args)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    _student(db, school, "Base", "Un", source="aaf", external_id="B1")
    _student(db, school, "Base", "Un", source="csv", external_id="B2")  # the small page is not empty either
    count_statements()  # warm-up: the first request flushes the fixture's pending writes
    few = count_statements()
    for n in range(40):
        _student(db, school, f"Nplus{n}", "Un", source="aaf" if n % 2 else "manual", external_id=f"N{n}")
        _student(db, school, f"Nplus{n}", "Un", source="csv", external_id=f"C{n}")
    count_statements()
    assert count_statements() == few
