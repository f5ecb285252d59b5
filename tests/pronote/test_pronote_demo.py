"""The demo: Pronote is on at Marie-Curie (the collège) only. Claire Colin (parent.colin) sees Tom's Pronote block
with his grades, and for Léa (Jules-Ferry, an école without Pronote) the block says her school does not use it."""

from __future__ import annotations

import re

from sqlalchemy import select

from preau.demo import ensure_demo
from preau.models import User

WIDGET = "/portal/widgets/pronote.block?size=large"


def test_the_demo_parent_sees_the_block_of_lea_and_of_tom(db, login_as):
    assert ensure_demo()
    _lea, tom = (db.scalar(select(User).where(User.login == login)) for login in ("eleve.lea", "eleve.tom"))
    client = login_as(db.scalar(select(User).where(User.login == "parent.colin")), password="demo")
    assert 'data-widget="pronote.block"' in client.get("/").get_data(as_text=True)
    first = client.get(WIDGET).get_data(as_text=True)
    assert "L’établissement de Léa n’utilise pas Pronote" in first and "pronote__grades" not in first
    client.post_form("/child", {"child_id": str(tom.id)})
    second = client.get(WIDGET).get_data(as_text=True)
    assert f'data-student="{tom.id}"' in second and "Notes et vie scolaire de Tom" in second
    assert re.search(r'<ul class="pronote__grades">.*?/20</strong>.*?</ul>', second, re.S)
    assert client.get("/launch/plugin:pronote.cas").status_code == 303  # the Pronote tile opens too
