"""The demo timetable: parent.colin, with Tom selected, sees 6e B's week with its change and cancellation."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from preau.demo import ensure_demo
from preau.models import User


def test_colin_with_tom_selected_sees_the_6e_b_week(db, client, login_as):
    assert ensure_demo()
    tom = db.scalar(select(User).where(User.login == "eleve.tom"))
    colin = db.scalar(select(User).where(User.login == "parent.colin"))
    login_as(colin, "demo")
    with client.session_transaction() as session:
        session["child_id"] = tom.id
    body = client.get("/apps/timetable/").get_data(as_text=True)
    assert "Mme Lefèvre" in body and tom.display_name in body
    assert "Annulé" in body and "Modifié : salle B12" in body
    monday = date.today() - timedelta(days=date.today().weekday())
    expected = "A" if ((monday - date(2026, 8, 31)).days // 7) % 2 == 0 else "B"
    assert f"Semaine {expected}" in body
