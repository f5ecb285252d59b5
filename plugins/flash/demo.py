"""Sample flash messages for ``preau demo``: the directeur of Jules-Ferry announces the school fête to parents
(current for a week, unread, so the banner opens by itself) and a past message stays in the obsolete list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from .services import FlashInput, create_message, local_today


def add_demo_data(session: Session, demo: Any) -> None:
    today = local_today()
    create_message(session, demo.ferry, FlashInput(
        "Fête de l'école samedi", "<p>La fête de l'école aura lieu <strong>samedi de 10 h à 16 h</strong> dans la "
        "cour. Les familles sont les bienvenues.</p>", today, today + timedelta(days=6),
        ["relative", "teacher", "personnel"], colour="success"), actor=demo.direction, today=today)
    create_message(session, demo.ferry, FlashInput(
        "Photo de classe", "<p>Les photos de classe sont arrivées.</p>", today - timedelta(days=20),
        today - timedelta(days=10), ["relative"], colour="info"), actor=demo.direction, today=today)
    session.flush()
