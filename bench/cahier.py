"""Benchmark of the cahier de textes: a class's homework list over a year (issue 8).

    python bench/cahier.py                          # 20,000 students, fresh SQLite file
    python bench/cahier.py --db postgresql+psycopg://postgres@127.0.0.1:5433/preau_bench_cahier

On the ``preau seed`` académie, in one process, through the WSGI application (the Flask test client: server
time without the network): one class gets ≈ 1,000 homework entries spread over a school year (bulk insert),
then a student of that class and one of their parents, logged in through the form, open the year's homework
list ``GET /apps/cahier/devoirs``. Prints p50/p95 and the SQL statements per request.
Target: p50 ≤ 25 ms.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from harness import SEEDED_HELP, logged_in_client, prepare, ready, report, statements_per_request, timed_gets
from sqlalchemy import func, insert, select

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
from preau_plugins.cahier.models import Homework, HomeworkDone

TARGET_MS = 25.0
PASSWORD = "Bench-cahier-2026"  # noqa: S105 - a throwaway account of the benchmark database
SUBJECTS = ("Français", "Mathématiques", "Histoire-géographie", "Sciences", "Anglais", "Arts plastiques",
            "Éducation musicale", "EPS", "Technologie", "Allemand")


def a_class_with_a_family(session) -> tuple[Group, User, User]:
    """The student group of a class holding a student who has a parent."""
    row = session.execute(
        select(Group, GroupMember.user_id, RelativeLink.parent_id)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .join(RelativeLink, RelativeLink.child_id == GroupMember.user_id)
        .where(Group.kind == GroupKind.CLASS, Group.profile == "student").order_by(Group.id).limit(1)).first()
    if row is None:
        raise RuntimeError("aucune classe avec un élève et un parent dans l'académie semée")
    group, student_id, parent_id = row
    return group, session.get(User, student_id), session.get(User, parent_id)


def fill_year(session, group: Group, author_id: int, count: int, rng: random.Random) -> list[int]:
    """``count`` homework entries over a school year for the class, a third of them marked done (bulk)."""
    start = date(date.today().year - (1 if date.today().month < 9 else 0), 9, 1)
    rows = []
    for i in range(count):
        given = start + timedelta(days=rng.randrange(300))
        rows.append({"structure_id": group.structure_id, "class_id": group.class_id, "author_id": author_id,
                     "subject": rng.choice(SUBJECTS), "given_on": given,
                     "due_on": given + timedelta(days=rng.randrange(1, 8)), "estimated_minutes": rng.choice(
                         (10, 15, 20, 30, 45)), "instructions_html": f"<p>Exercice {i} : relire la leçon.</p>",
                     "links": [], "created_at": given, "updated_at": given})
    session.execute(insert(Homework), rows)
    ids = session.scalars(select(Homework.id).where(Homework.class_id == group.class_id)).all()
    return ids


def timed_page(client, url: str, runs: int, expect: str) -> list[float]:
    first = client.get(url)  # a check that the page shows the homework
    if first.status_code != 200 or expect not in first.get_data(as_text=True):
        raise RuntimeError(f"GET {url} : HTTP {first.status_code} ou devoirs absents")
    return timed_gets(client, [url], runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--seeded", action="store_true", help=SEEDED_HELP)
    parser.add_argument("--homework", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'cahier.db'}"
        app = prepare(url, args.students, seeded=args.seeded)
        with app.app_context():
            from preau.db import db_session

            session = db_session()
            academie = session.scalars(select(Structure).where(Structure.kind == StructureKind.ACADEMIE,
                                                               Structure.source == SOURCE)).one()
            enable_with_defaults(session, app.extensions["preau.plugins"], academie, "cahier")
            group, student, parent = a_class_with_a_family(session)
            ids = fill_year(session, group, student.id, args.homework, random.Random(7))
            session.execute(insert(HomeworkDone), [{"homework_id": hid, "student_id": student.id,
                                                    "done_at": datetime.now()} for hid in ids[::3]])
            total = session.scalar(select(func.count()).select_from(Homework).where(
                Homework.class_id == group.class_id))
            logins = ready(session, student, PASSWORD), ready(session, parent, PASSWORD)
            class_name = session.get(SchoolClass, group.class_id).name
            session.commit()
        print(f"Classe « {class_name} » : {total:,} devoirs sur l'année, {args.runs} requêtes par mesure")
        url = "/apps/cahier/devoirs"
        for label, login, path in (("élève", logins[0], url), ("parent", logins[1], f"{url}?eleve={student.id}")):
            client = logged_in_client(app, login, PASSWORD)
            samples = timed_page(client, path, args.runs, "Exercice 0 ")
            report(f"liste des devoirs de l'année ({label})", samples, TARGET_MS, width=48)
            print(f"    requêtes SQL par requête ({label}) : {statements_per_request(app, client, path)}")
        app.extensions["preau.engine"].dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
