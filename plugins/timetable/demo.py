"""Sample timetable for ``preau demo``: a week A/B timetable for CM2 A (Jules-Ferry, prof.martin) and 6e B
(Marie-Curie, prof.bernard and invented teachers) from 2026-09-01 to 2027-07-04, bulk inserted, with one changed
and one cancelled lesson in the current week."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from preau import set_setting

from .models import Lesson

FIRST, LAST = date(2026, 8, 31), date(2027, 7, 4)  # Monday 31 August: week A
WEEK_A = FIRST
# (weekday, start, end, subject, teacher ('self' = the class's account), room, weeks)
CM2A = [(d, "08:30", "10:00", "Français", "self", "CM2 A", "") for d in (0, 1, 3, 4)] + [
    (d, "10:15", "11:45", "Mathématiques", "self", "CM2 A", "") for d in (0, 1, 3, 4)] + [
    (0, "13:30", "14:30", "Histoire-géographie", "self", "CM2 A", ""),
    (1, "13:30", "15:00", "Sciences", "self", "CM2 A", "A"), (1, "13:30", "15:00", "Arts plastiques", "self",
                                                                "Atelier", "B"),
    (3, "13:30", "15:00", "Éducation physique", "self", "Gymnase", ""),
    (4, "13:30", "14:30", "Anglais", "self", "CM2 A", "")]
SIXB = [(0, "08:00", "09:00", "Mathématiques", "self", "B12", ""), (0, "09:00", "10:00", "Français",
                                                                      "Mme Lefèvre", "B14", ""),
        (0, "10:15", "11:15", "Anglais", "M. Garnier", "C03", ""), (1, "08:00", "10:00", "Éducation physique",
                                                                    "M. Roux", "Gymnase", ""),
        (1, "10:15", "11:15", "Histoire-géographie", "Mme Petit", "B10", ""),
        (1, "13:30", "14:30", "Mathématiques", "self", "B12", ""), (2, "08:00", "09:00", "Français",
                                                                   "Mme Lefèvre", "B14", ""),
        (2, "09:00", "10:00", "SVT", "Mme Moreau", "Labo 1", "A"), (2, "09:00", "10:00", "Technologie",
                                                                   "M. Fontaine", "Techno", "B"),
        (3, "08:00", "09:00", "Mathématiques", "self", "B12", ""), (3, "10:15", "11:15", "Musique",
                                                                   "Mme Blanc", "Musique", ""),
        (3, "13:30", "15:00", "Arts plastiques", "Mme Girard", "Arts", ""),
        (4, "08:00", "09:00", "Anglais", "M. Garnier", "C03", ""), (4, "09:00", "10:00", "Français",
                                                                   "Mme Lefèvre", "B14", ""),
        (4, "10:15", "11:15", "Mathématiques", "self", "B12", "")]


def _rows(school_class: Any, teacher: Any, pattern: list) -> list[dict[str, Any]]:
    rows = []
    for index, (weekday, start, end, subject, who, room, weeks) in enumerate(pattern):
        series = f"demo-{school_class.id}-{index}"
        day = FIRST + timedelta(days=weekday)
        while day <= LAST:
            kind = "A" if ((day - WEEK_A).days // 7) % 2 == 0 else "B"
            if not weeks or weeks == kind:
                mine = who == "self"
                rows.append({"structure_id": school_class.structure_id,
                             "starts_at": datetime.combine(day, time.fromisoformat(start)),
                             "ends_at": datetime.combine(day, time.fromisoformat(end)), "subject": subject,
                             "teacher_id": teacher.id if mine else None,
                             "teacher_name": teacher.display_name if mine else who, "class_id": school_class.id,
                             "group_id": None, "room": room, "week_kind": weeks, "status": "normal",
                             "change_note": "", "series_id": series, "source": "manual", "external_uid": None,
                             "created_by_id": None, "archived": False})
            day += timedelta(days=7)
    return rows


def _mark_current_week(session: Session, class_id: int) -> None:
    monday = date.today() - timedelta(days=date.today().weekday())
    ids = list(session.scalars(select(Lesson.id).where(
        Lesson.class_id == class_id, Lesson.starts_at >= datetime.combine(monday, time()),
        Lesson.starts_at < datetime.combine(monday + timedelta(days=6), time())).order_by(Lesson.starts_at)))
    if len(ids) >= 2:
        session.execute(update(Lesson).where(Lesson.id == ids[0]).values(status="changed",
                                                                         change_note="salle B12"))
        session.execute(update(Lesson).where(Lesson.id == ids[-1]).values(status="cancelled",
                                                                          change_note="Enseignant absent"))


def add_demo_data(session: Session, demo: Any) -> None:
    # the city's schools alternate weeks A and B from the Monday of the back-to-school week
    set_setting("timetable", "week_a_monday", WEEK_A.isoformat(), structure_id=demo.city.id, session=session)
    session.execute(insert(Lesson), _rows(demo.cm2a, demo.martin, CM2A) + _rows(demo.sixb, demo.bernard, SIXB))
    for school_class in (demo.cm2a, demo.sixb):
        _mark_current_week(session, school_class.id)
    session.flush()
