"""Benchmark of the timetable: a class's week view with a full school year of lessons (issue 8).

    python bench/timetable.py                          # 20,000 students, fresh SQLite file
    python bench/timetable.py --reset --db postgresql+psycopg://postgres@127.0.0.1:5433/preau_test_timetable

On the ``preau seed`` académie, in one process, through the WSGI application (the Flask test client: server
time without the network): every class of the biggest school gets a full school year of lessons (25 a week,
bulk insert), then a student of one class and one of their parents, logged in through the form, open the week
view ``GET /apps/timetable/`` (their own week) and ``GET /apps/timetable/?classe=<id>`` (the class's week).
Prints p50/p95 and the SQL statements per request. Target: p50 ≤ 15 ms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from harness import SEEDED_HELP, logged_in_client, prepare, ready, report, statements_per_request, timed_gets
from sqlalchemy import func, insert, select

from preau.db import make_engine
from preau.directory.seed import SOURCE
from preau.models import (
    Group,
    GroupKind,
    GroupMember,
    RelativeLink,
    SchoolClass,
    Structure,
    StructureKind,
    User,
)
from preau.rights import enable_with_defaults
from preau_plugins.timetable.models import Lesson

TARGET_MS = 15.0
PASSWORD = "Bench-timetable-2026"  # noqa: S105 - a throwaway account of the benchmark database
SUBJECTS = ("Français", "Mathématiques", "Histoire-géographie", "SVT", "Anglais", "Arts plastiques",
            "Éducation musicale", "EPS", "Technologie", "Allemand")
SLOTS = ((8, 0), (9, 0), (10, 15), (13, 30), (14, 30))  # 5 lessons a day, Monday to Friday: 25 a week


def reset_public_schema(url: str) -> None:
    """--reset on PostgreSQL: drop and recreate the ``public`` schema (a benchmark database only)."""
    from sqlalchemy import text

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def biggest_school(session) -> int:
    """The structure whose classes hold the most students."""
    return session.execute(
        select(Group.structure_id, func.count(GroupMember.user_id).label("n"))
        .join(GroupMember, GroupMember.group_id == Group.id)
        .where(Group.kind == GroupKind.CLASS, Group.profile == "student")
        .group_by(Group.structure_id).order_by(func.count(GroupMember.user_id).desc()).limit(1)).one()[0]


def a_family(session, structure_id: int) -> tuple[int, User, User]:
    """(class id, student, parent) of a class of the school holding a student who has a parent."""
    row = session.execute(
        select(Group.class_id, GroupMember.user_id, RelativeLink.parent_id)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .join(RelativeLink, RelativeLink.child_id == GroupMember.user_id)
        .where(Group.kind == GroupKind.CLASS, Group.profile == "student", Group.structure_id == structure_id)
        .order_by(Group.id).limit(1)).first()
    if row is None:
        raise RuntimeError("aucune classe avec un élève et un parent dans la plus grande école")
    class_id, student_id, parent_id = row
    return class_id, session.get(User, student_id), session.get(User, parent_id)


def school_year() -> tuple[date, date]:
    today = date.today()
    start = date(today.year - (1 if today.month < 9 else 0), 9, 1)
    return start, date(start.year + 1, 7, 4)


def fill_year(session, structure_id: int, class_ids: list[int]) -> int:
    """25 lessons a week for every class, from 1 September to 4 July (bulk insert, one batch per class)."""
    first, last = school_year()
    total = 0
    for number, class_id in enumerate(class_ids):
        rows, day = [], first
        while day <= last:
            if day.weekday() < 5:
                for slot, (hour, minute) in enumerate(SLOTS):
                    starts = datetime.combine(day, clock(hour, minute))
                    rows.append({"structure_id": structure_id, "starts_at": starts,
                                 "ends_at": starts + timedelta(minutes=55),
                                 "subject": SUBJECTS[(day.weekday() * 5 + slot + number) % len(SUBJECTS)],
                                 "teacher_id": None, "teacher_name": f"Enseignant {slot + 1}",
                                 "class_id": class_id, "group_id": None, "room": f"S{100 + slot}",
                                 "week_kind": "", "status": "normal", "change_note": "",
                                 "series_id": f"bench-{class_id}-{day.weekday()}-{slot}", "source": "manual",
                                 "external_uid": None, "created_by_id": None, "archived": False})
            day += timedelta(days=1)
        session.execute(insert(Lesson), rows)
        total += len(rows)
    return total


def timed_page(client, url: str, runs: int, expect: str) -> list[float]:
    first = client.get(url)  # a check that the page shows the lessons
    if first.status_code != 200 or expect not in first.get_data(as_text=True):
        raise RuntimeError(f"GET {url} : HTTP {first.status_code} ou cours absents")
    return timed_gets(client, [url], runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--seeded", action="store_true", help=SEEDED_HELP)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reset", action="store_true",
                        help="PostgreSQL: drop and recreate the public schema of --db first (benchmark base only)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'timetable.db'}"
        if args.reset and url.startswith("postgresql"):
            reset_public_schema(url)
        app = prepare(url, args.students, seeded=args.seeded)
        with app.app_context():
            from preau.db import db_session

            session = db_session()
            academie = session.scalars(select(Structure).where(Structure.kind == StructureKind.ACADEMIE,
                                                               Structure.source == SOURCE)).one()
            enable_with_defaults(session, app.extensions["preau.plugins"], academie, "timetable")
            school_id = biggest_school(session)
            class_ids = list(session.scalars(select(SchoolClass.id).where(SchoolClass.structure_id == school_id)))
            started = time.perf_counter()
            total = fill_year(session, school_id, class_ids)
            class_id, student, parent = a_family(session, school_id)
            logins = ready(session, student, PASSWORD), ready(session, parent, PASSWORD)
            school = session.get(Structure, school_id).name
            session.commit()
        print(f"« {school} » : {len(class_ids)} classes, {total:,} cours sur l'année insérés en "
              f"{time.perf_counter() - started:.1f} s ; {args.runs} requêtes par mesure")
        today = date.today()
        monday = today - timedelta(days=today.weekday())
        if today.weekday() == 5 or not school_year()[0] <= monday <= school_year()[1]:
            monday = school_year()[0] + timedelta(days=7 - school_year()[0].weekday())
        week = f"date={monday.isoformat()}"
        for label, login, path in (("élève", logins[0], f"/apps/timetable/?{week}"),
                                   ("parent", logins[1], f"/apps/timetable/?{week}"),
                                   ("parent, ?classe=", logins[1], f"/apps/timetable/?classe={class_id}&{week}")):
            client = logged_in_client(app, login, PASSWORD)
            samples = timed_page(client, path, args.runs, "Enseignant 1")
            report(f"semaine d'une classe ({label})", samples, TARGET_MS, width=48)
            print(f"    requêtes SQL par requête ({label}) : {statements_per_request(app, client, path)}")
        app.extensions["preau.engine"].dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
