"""The « Dernières évaluations » (grades, or levels of mastery in competences mode) and « Vie scolaire »
blocks: the child in view, an empty state, and a few queries
whatever the amount of data."""

from __future__ import annotations

import io
import re

from sqlalchemy import event

from preau_plugins.vie_scolaire.adapters import DemoAdapter

GRADES, LIFE = "/portal/widgets/vie_scolaire.grades?size=apercu", "/portal/widgets/vie_scolaire.life?size=large"


def shown(html: str) -> int:
    return int(re.search(r'data-student="(\d+)"', html).group(1))


def test_the_blocks_follow_the_child_selector(viesco, second_child, login_as):
    client = login_as(viesco.parent)
    dashboard = client.get("/").get_data(as_text=True)
    assert 'data-widget="vie_scolaire.grades"' in dashboard and 'data-widget="vie_scolaire.life"' in dashboard
    html = client.get(GRADES).get_data(as_text=True)
    assert shown(html) == second_child.id and "Toutes les notes de Adam" in html
    latest = DemoAdapter().latest_grades(second_child, 5)[0]
    assert f"{latest.subject} : <strong>{latest.value}/" in html
    client.post_form("/child", {"child_id": str(viesco.student.id)})
    assert shown(client.get(GRADES).get_data(as_text=True)) == viesco.student.id
    life = client.get(LIFE).get_data(as_text=True)
    assert shown(life) == viesco.student.id and "Absence" in life


def test_the_blocks_have_empty_states(csv_school, login_as):
    client = login_as(csv_school.student)
    assert "Aucune note pour le moment." in client.get(GRADES).get_data(as_text=True)
    assert "Aucune absence, aucun retard ni punition." in client.get(LIFE).get_data(as_text=True)


def _statements(db, client, url) -> list[str]:
    engine, seen = db.get_bind(), []

    def listener(conn, cursor, statement, *args, **kwargs):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def _own(statements: list[str]) -> tuple[int, int]:
    """The block's own statements: the settings it reads, and the plugin's tables."""
    return (sum("FROM settings" in s for s in statements), sum("FROM vie_scolaire_" in s for s in statements))


def _import(client, school, lines: int) -> None:
    rows = "".join(f"{school.student.login};Trimestre 1;Matière {n % 9};{n % 20};20;1;{1 + n % 28:02d}/10/2026\n"
                   for n in range(lines))
    text = "identifiant élève;période;matière;note;sur;coefficient;date\n" + rows
    data = {"structure_id": str(school.structure.id), "kind": "notes", "action": "apply",
            "file": (io.BytesIO(text.encode()), "n.csv")}
    assert client.post_form("/apps/vie_scolaire/import", data, content_type="multipart/form-data").status_code == 200


def test_the_csv_blocks_cost_the_same_two_queries_whatever_the_data(db, csv_school, login_as):
    _import(login_as(csv_school.staff), csv_school, 3)
    client = login_as(csv_school.student)
    _statements(db, client, GRADES)  # warm-up
    few = _statements(db, client, GRADES)
    assert _own(few) == (2, 1)  # the settings "adapter" and "notation" (grades or competences), the grades
    _import(login_as(csv_school.staff), csv_school, 400)
    client = login_as(csv_school.student)
    _statements(db, client, GRADES)
    assert len(_statements(db, client, GRADES)) == len(few)
    assert _own(_statements(db, client, LIFE)) == (1, 1)


def test_the_demo_block_reads_only_its_setting(db, viesco, login_as):
    client = login_as(viesco.student)
    _statements(db, client, GRADES)
    assert _own(_statements(db, client, GRADES)) == (2, 0)  # "adapter" and "notation"
    assert _own(_statements(db, client, LIFE)) == (1, 0)
