"""Sample flash messages for ``preau demo``: the directeur of Jules-Ferry announces the week of taste to the
parents (current for a week, unread, so their banner opens by itself); a past one stays in the "Terminés" list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from .services import FlashInput, create_message, local_today


def add_demo_data(session: Session, demo: Any) -> None:
    today = local_today()
    create_message(session, demo.ferry, FlashInput(
        "Semaine du goût à la cantine", "<p>Cette semaine, la cantine propose <strong>un produit du terroir par "
        "jour</strong>. Les menus sont affichés à l'entrée de l'école.</p>", today, today + timedelta(days=6),
        ["relative"], colour="success"), actor=demo.direction, today=today)
    create_message(session, demo.ferry, FlashInput(
        "Inscriptions à l'étude du soir", "<p>Les inscriptions sont closes.</p>", today - timedelta(days=20),
        today - timedelta(days=10), ["relative"], colour="info"), actor=demo.direction, today=today)
    session.flush()
