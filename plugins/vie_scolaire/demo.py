"""Sample data for ``preau demo``: the city's schools read the 'demo' adapter, so that Léa (CM2 A, Jules-Ferry)
and Tom (6e B, Marie-Curie) show a term of grades, skills, absences and lateness."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from preau import set_setting


def add_demo_data(session: Session, demo: Any) -> None:
    set_setting("vie_scolaire", "adapter", "demo", structure_id=demo.city.id, session=session)
    session.flush()
