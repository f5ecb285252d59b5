"""Benchmark of a parent's dashboard with the school-life widgets of issue 8.

    python bench/school_life.py                     # 20,000 students, fresh SQLite file
    python bench/school_life.py --db postgresql+psycopg://postgres@127.0.0.1:5433/preau_bench_life

On the ``preau seed`` académie, in one process, through the WSGI application (the Flask test client: server
time without the network), for a parent who really logged in through the form. Every app is enabled for the
académie with its default grants; the child's class gets a year of homework (bench/cahier.py's filler), this
week's timetable, ten mots (half signed) and thirty published news items; grades come from the demo adapters.
1. the whole dashboard as the browser loads it (``GET /``, then every widget in one ``GET /portal/widgets``) with
   the earlier widgets only (welcome, messaging);
2. the same with the six school-life widgets added (timetable, homework, mots, grades, school life, news).
Target: p50 of (2) ≤ 40 ms; the ratio (2) / (1) is printed, with the SQL statements of each widget.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the other benchmarks' set-up helpers

from cahier import a_class_with_a_family, fill_year  # noqa: E402
from harness import SEEDED_HELP, logged_in_client, prepare, ready, report, statements_per_request, timed_gets  # noqa: E402
from portal import put_layout  # noqa: E402

from preau.directory.seed import SOURCE  # noqa: E402
from preau.models import SchoolClass, Structure, StructureKind, User  # noqa: E402
from preau.rights import enable_with_defaults  # noqa: E402
from preau.settings import set_setting  # noqa: E402
from preau_plugins.actualites.models import Item, State  # noqa: E402
from preau_plugins.actualites.services import ensure_school_thread  # noqa: E402
from preau_plugins.carnet.models import Recipient  # noqa: E402
from preau_plugins.carnet.services import send_mot  # noqa: E402
from preau_plugins.timetable.models import Lesson  # noqa: E402

TARGET_MS = 40.0
PASSWORD = "Bench-vie-scolaire-2026"  # noqa: S105 - a throwaway account of the benchmark database
# No Pronote: a school's grades come from one source (issue 19), and where Pronote is on the vie scolaire blocks
# yield to its block; this school keeps its grades in the vie scolaire app.
APPS = ("welcome", "messaging", "timetable", "cahier", "carnet", "vie_scolaire", "actualites")
EARLIER = ("welcome.hello", "messaging.unread")
SCHOOL_LIFE = ("timetable.today", "cahier.todo", "carnet.to_sign", "vie_scolaire.grades", "vie_scolaire.life",
               "actualites.latest")
SUBJECTS = ("Français", "Mathématiques", "Histoire-géographie", "Anglais", "Sciences", "EPS")


def this_week_lessons(session, structure_id: int, class_id: int) -> int:
    """Six lessons a day, Monday to Friday of the current week (today included, whatever the day)."""
    monday = date.today() - timedelta(days=date.today().weekday())
    rows = [{"structure_id": structure_id, "class_id": class_id, "subject": SUBJECTS[(d + h) % len(SUBJECTS)],
             "teacher_name": "M. Banc", "room": f"B{h}", "starts_at": datetime.combine(monday + timedelta(days=d),
                                                                                      time(8 + h)),
             "ends_at": datetime.combine(monday + timedelta(days=d), time(9 + h))}
            for d in range(7) for h in (0, 1, 2, 4, 5, 6)]
    session.execute(insert(Lesson), rows)
    return len(rows)


def mots(session, teacher: User, class_id: int, child_id: int, parent_id: int, count: int) -> None:
    for n in range(count):
        send_mot(session, teacher, f"c{class_id}", f"Mot n° {n}", "<p>Merci de signer.</p>", requires_signature=True)
    signed = session.scalars(select(Recipient.mot_id).where(Recipient.student_id == child_id)).all()[::2]
    session.execute(update(Recipient).where(Recipient.student_id == child_id, Recipient.mot_id.in_(signed))
                    .values(signed_at=datetime.now(), signed_by_id=parent_id))


def news(session, structure: Structure, count: int) -> None:
    thread = ensure_school_thread(session, structure)
    now = datetime.now()
    session.execute(insert(Item), [{"thread_id": thread.id, "title": f"Actualité {n}", "body": "<p>Bonjour.</p>",
                                    "state": State.PUBLISHED, "published_at": now - timedelta(hours=n),
                                    "created_at": now, "updated_at": now} for n in range(count)])


def set_up(app, session) -> tuple[str, int]:
    registry = app.extensions["preau.plugins"]
    academie = session.scalars(select(Structure).where(Structure.kind == StructureKind.ACADEMIE,
                                                       Structure.source == SOURCE)).one()
    for app_id in APPS:
        enable_with_defaults(session, registry, academie, app_id)
    set_setting(session, registry, "vie_scolaire", "adapter", "demo", structure_id=academie.id)
    group, student, parent = a_class_with_a_family(session)
    fill_year(session, group, None, 1000, random.Random(7))
    lessons = this_week_lessons(session, group.structure_id, group.class_id)
    teacher = session.scalar(select(User).join(User.roles).where(User.roles.any(structure_id=group.structure_id,
                                                                                 profile="teacher")).limit(1))
    mots(session, teacher, group.class_id, student.id, parent.id, 10)
    news(session, session.get(Structure, group.structure_id), 30)
    login = ready(session, parent, PASSWORD)
    session.commit()
    class_name = session.get(SchoolClass, group.class_id).name
    print(f"Parent {login}, enfant en classe {class_name} : 1 000 devoirs sur l'année, {lessons} cours cette "
          "semaine, 10 mots, 30 actualités")
    return login, student.id


def whole_dashboard(client, widgets: tuple[str, ...], runs: int) -> list[float]:
    put_layout(client, [{"id": wid, "size": "apercu"} for wid in widgets])
    batch = "/portal/widgets?" + "&".join(f"w={wid}:apercu" for wid in widgets)  # what dashboard.js fetches
    return timed_gets(client, ["/", batch], runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--seeded", action="store_true", help=SEEDED_HELP)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'school_life.db'}"
        app = prepare(url, args.students, seeded=args.seeded)
        with app.app_context():
            from preau.db import db_session

            login, child_id = set_up(app, db_session())
        client = logged_in_client(app, login, PASSWORD)
        for wid in SCHOOL_LIFE:  # each widget shows the child's content, not an empty state or an error
            html = client.get(f"/portal/widgets/{wid}?size=apercu").get_data(as_text=True)
            print(f"  {wid:<22} {statements_per_request(app, client, f'/portal/widgets/{wid}?size=apercu'):2d} "
                  f"requêtes SQL, {len(html):5d} octets")
        print(f"Tableau de bord complet (la page et ses widgets en une requête), {args.runs} chargements par mesure :")
        earlier = whole_dashboard(client, EARLIER, args.runs)
        full = whole_dashboard(client, EARLIER + SCHOOL_LIFE, args.runs)
        report(f"avec les {len(EARLIER)} widgets antérieurs", earlier)
        p50 = report(f"avec {len(EARLIER) + len(SCHOOL_LIFE)} widgets (vie scolaire incluse)", full, TARGET_MS)
        print(f"  ratio avec / sans les widgets de vie scolaire (p50) : "
              f"{sorted(full)[len(full) // 2] / sorted(earlier)[len(earlier) // 2]:.2f}")
        app.extensions["preau.engine"].dispose()
    return 0 if p50 > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
