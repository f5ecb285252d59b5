"""The CSV page: detected columns with a select each and a profile per file, then the kernel's dry run and apply."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from preau.models import Job, User
from preau.testing import run_jobs

TEMPLATES = Path(__file__).resolve().parents[1] / "data" / "csv-templates"
NAMES = ("CSV_Eleves.csv", "CSV_Enseignants.csv", "CSV_Personnels.csv", "CSV_Parents.csv", "CSV_Invites.csv")


def page_url(school) -> str:
    return f"/admin/structures/{school.structure.id}/imports/csv/columns"


def upload(client, school, named: dict[str, bytes]):
    files = [(io.BytesIO(data), name) for name, data in named.items()]
    return client.post_form(page_url(school), {"files": files}, content_type="multipart/form-data")


def templates() -> dict[str, bytes]:
    return {name: (TEMPLATES / name).read_bytes() for name in NAMES}


def form_fields(html: str) -> list[tuple[str, str]]:
    """The values the browser would post: hidden inputs and the selected option of each select."""
    fields = re.findall(r'<input type="hidden" name="(file_[^"]+)" value="([^"]*)"', html)
    for name, body in re.findall(r'<select name="(file_[^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)" selected', body)
        fields.append((name, selected.group(1) if selected else ""))
    return [(n, v.replace("&#39;", "'").replace("&amp;", "&")) for n, v in fields]


def post_fields(client, url, fields):
    from werkzeug.datastructures import MultiDict

    data = MultiDict([("csrf_token", client.csrf_token()), *fields])
    return client.post(url, data=data)


def csv_users(db) -> int:
    return db.scalar(select(func.count()).select_from(User).where(User.source == "csv"))


def lines(name: str) -> int:
    return len([x for x in (TEMPLATES / name).read_text(encoding="latin-1").splitlines()[1:] if x.strip()])


def test_columns_are_shown_with_the_detected_field_and_profile(db, client, school, login_as):
    login_as(school.admin)
    assert client.get(page_url(school)).status_code == 200
    page = upload(client, school, templates())
    assert page.status_code == 200
    for name in NAMES:
        assert name in page.text
    students_fields = [v for n, v in form_fields(page.text) if n == "file_0_field"]
    profiles = [v for n, v in form_fields(page.text) if n.endswith("_profile")]
    assert profiles == ["student", "teacher", "personnel", "relative", "guest"]
    assert students_fields == ["first_name", "last_name", "birth_date", "classes"]
    assert "Latin-1" in page.text and "Exemple" in page.text


def test_dry_run_then_apply_imports_the_templates_into_the_page_structure(app, db, client, school, login_as):
    login_as(school.admin)
    page = upload(client, school, templates())
    response = post_fields(client, page_url(school) + "/simulate", form_fields(page.text))
    assert response.status_code == 302 and "/imports/jobs/" in response.headers["Location"]
    run_jobs(app)
    assert csv_users(db) == 0
    dry = client.get(response.headers["Location"])
    assert "Léa COLIN" in dry.text and "Appliquer" in dry.text
    applied = client.post_form(response.headers["Location"] + "/apply")
    run_jobs(app)
    assert csv_users(db) == sum(lines(name) for name in NAMES)
    assert "Import appliqué" in client.get(applied.headers["Location"]).text


def test_a_changed_select_maps_a_file_with_other_headers(app, db, client, school, login_as):
    rows = (TEMPLATES / "CSV_Eleves.csv").read_text(encoding="latin-1").splitlines()[1:]
    data = "\n".join(["Given;Family;Born;Group", *rows]).encode("utf-8")
    login_as(school.admin)
    page = upload(client, school, {"export.csv": data})
    fields = form_fields(page.text)
    assert ("file_0_profile", "") in fields  # not detected: the administrator must choose
    choice = iter(["first_name", "last_name", "birth_date", "classes"])
    fields = [(n, next(choice) if n == "file_0_field" else ("student" if n == "file_0_profile" else v))
              for n, v in fields]
    response = post_fields(client, page_url(school) + "/simulate", fields)
    run_jobs(app)
    client.post_form(response.headers["Location"] + "/apply")
    run_jobs(app)
    assert csv_users(db) == lines("CSV_Eleves.csv")


def test_a_file_in_a_wrong_encoding_is_named_on_the_page(db, client, school, login_as):
    login_as(school.admin)
    data = (TEMPLATES / "CSV_Eleves.csv").read_bytes().decode("cp1252").encode("utf-16")
    page = upload(client, school, {"eleves.csv": data})
    assert page.status_code == 200 and "Encodage non reconnu" in page.text and "eleves.csv" in page.text


def test_only_the_uploaders_files_can_be_named(db, client, school, login_as):
    login_as(school.admin)
    upload(client, school, {"CSV_Eleves.csv": templates()["CSV_Eleves.csv"]})
    forged = [("file_0_key", "ab/" + "0" * 40), ("file_0_profile", "student")]
    assert post_fields(client, page_url(school) + "/simulate", forged).status_code == 400
    assert db.scalar(select(func.count()).select_from(Job)) == 0


def test_a_teacher_or_another_schools_admin_is_refused(db, client, school, login_as):
    from preau.testing import build_school

    login_as(school.teacher)
    assert client.get(page_url(school)).status_code == 403
    assert upload(client, school, templates()).status_code == 403
    client.post_form("/auth/logout")
    other = build_school(db, "École Voltaire", "0750002B", "Ville Autre")
    login_as(other.admin)
    assert client.get(page_url(school)).status_code == 403
    assert client.get(page_url(other)).status_code == 200


def test_the_generic_imports_page_links_to_the_csv_page_and_takes_csv_files(app, db, client, school, login_as):
    login_as(school.admin)
    imports = client.get(f"/admin/structures/{school.structure.id}/imports")
    assert page_url(school) in imports.text
    files = [(io.BytesIO(data), name) for name, data in templates().items()]
    response = client.post_form(f"/admin/structures/{school.structure.id}/imports",
                                {"source": "csv", "files": files, "option_profile": "", "option_mapping": ""},
                                content_type="multipart/form-data")
    assert response.status_code == 302
    run_jobs(app)
    client.post_form(response.headers["Location"] + "/apply")
    run_jobs(app)
    assert csv_users(db) == sum(lines(name) for name in NAMES)
