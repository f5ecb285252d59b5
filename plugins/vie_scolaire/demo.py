"""Sample data for ``preau demo``: the city's schools read the 'demo' adapter. Jules-Ferry, an école élémentaire,
assesses competences (no grades on /20): Léa (CM2 A) shows levels of mastery, absences and lateness. Marie-Curie
uses Pronote, the one source of Tom's (6e B) grades: the Pronote block shows them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from preau import set_setting


def add_demo_data(session: Session, demo: Any) -> None:
    set_setting("vie_scolaire", "adapter", "demo", structure_id=demo.city.id, session=session)
    set_setting("vie_scolaire", "notation", "competences", structure_id=demo.ferry.id, session=session)
    session.flush()
