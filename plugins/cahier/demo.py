"""Sample cahier de textes for ``preau demo``: a month of CM2 A sessions and homework by prof.martin (some due
this week), a visa of the direction on last month, and some 6e B homework by prof.bernard."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from .models import CahierSession, Homework, Visa, utcnow

CM2_PLAN = [
    ("Français", "<p>Lecture suivie : <em>Le Petit Prince</em>, chapitres {n} et {m}.</p>",
     "<p>Relire les chapitres {n} et {m} et répondre aux trois questions du cahier.</p>", 20),
    ("Mathématiques", "<p>Les fractions décimales : leçon et exercices d'application.</p>",
     "<p>Exercices 4 et 5 page {p} du fichier.</p>", 25),
    ("Sciences", "<p>Le cycle de l'eau : expérience de l'évaporation.</p>",
     "<p>Compléter le schéma du cycle de l'eau.</p>", 15),
    ("Histoire", "<p>La Révolution française : la prise de la Bastille.</p>",
     "<p>Apprendre la leçon sur le 14 juillet 1789.</p>", 15),
    ("Anglais", "<p>Vocabulary: the days of the week and the months.</p>",
     "<p>Learn the days of the week (song on the class blog).</p>", 10),
]
SIXB_PLAN = [("Mathématiques", "<p>Exercices 12 à 15 page 48 : nombres décimaux.</p>", 30),
             ("Français", "<p>Rédiger la suite du conte (15 lignes).</p>", 45),
             ("Histoire-géographie", "<p>Apprendre la carte des continents et des océans.</p>", 20)]


def _school_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() in (0, 1, 3, 4):  # no school on Wednesday and the weekend
            days.append(day)
        day += timedelta(days=1)
    return days


def _next_school_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() not in (0, 1, 3, 4):
        day += timedelta(days=1)
    return day


def add_demo_data(session: Session, demo: Any) -> None:
    today, now = date.today(), utcnow()
    cm2a, martin = demo.cm2a, demo.martin
    sessions, homework = [], []
    for i, day in enumerate(_school_days(today - timedelta(days=30), today)):
        subject, content, instructions, minutes = CM2_PLAN[i % len(CM2_PLAN)]
        n = i + 1
        sessions.append({"structure_id": cm2a.structure_id, "class_id": cm2a.id, "author_id": martin.id,
                         "subject": subject, "day": day, "content_html": content.format(n=n, m=n + 1),
                         "links": [], "created_at": now, "updated_at": now})
        homework.append({"structure_id": cm2a.structure_id, "class_id": cm2a.id, "author_id": martin.id,
                         "subject": subject, "given_on": day, "due_on": _next_school_day(day),
                         "estimated_minutes": minutes, "links": [], "created_at": now, "updated_at": now,
                         "instructions_html": instructions.format(n=n, m=n + 1, p=40 + n)})
    homework.append({"structure_id": cm2a.structure_id, "class_id": cm2a.id, "author_id": martin.id,
                     "subject": "Arts plastiques", "given_on": today, "due_on": today + timedelta(days=4),
                     "estimated_minutes": 30, "created_at": now, "updated_at": now,
                     "instructions_html": "<p>Apporter une boîte à chaussures vide pour la maquette.</p>",
                     "links": [{"url": "https://fr.wikipedia.org/wiki/Maquette",
                                "label": "Qu'est-ce qu'une maquette ?"}]})
    sixb, bernard = demo.sixb, demo.bernard
    for i, (subject, instructions, minutes) in enumerate(SIXB_PLAN):
        homework.append({"structure_id": sixb.structure_id, "class_id": sixb.id, "author_id": bernard.id,
                         "subject": subject, "given_on": today - timedelta(days=2),
                         "due_on": today + timedelta(days=1 + 2 * i), "estimated_minutes": minutes,
                         "instructions_html": instructions, "links": [], "created_at": now, "updated_at": now})
    session.execute(insert(CahierSession), sessions)
    session.execute(insert(Homework), homework)
    last_month_end = today.replace(day=1) - timedelta(days=1)
    session.add(Visa(class_id=cm2a.id, frozen_until=last_month_end, signed_by=demo.direction.id,
                     signer_name=demo.direction.display_name, signed_at=now,
                     comment="Cahier tenu avec soin."))
    session.flush()
